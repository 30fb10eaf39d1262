import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GateJsonSchema } from '../src/commands/claims.js';
import { decideGate } from '../src/core/gate.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';

describe('decideGate', () => {
  it.each([
    [['loom:building'], false, 'go'],
    [['loom:building'], true, 'go'],
    [['loom:issue'], false, 'claim'],
    [['loom:curated'], false, 'wait'],
    [['loom:curated'], true, 'approve-and-claim'],
    [['loom:triage'], true, 'approve-and-claim'],
    [[], false, 'wait'],
  ] as const)('%j force=%s → %s', (labels, force, action) => {
    expect(decideGate(labels, force)).toBe(action);
  });
});

describe('loom gate (shepherd gate 1) and release to loom:blocked', () => {
  let emulator: EmulatorHandle;
  let repo: TestRepo;
  beforeAll(async () => {
    emulator = await startEmulator(
      seedWith([
        { labels: ['loom:building'] },
        { labels: ['loom:issue'] },
        { labels: ['loom:curated'] },
        { labels: ['loom:curated'] },
        { labels: ['loom:issue', 'loom:blocked'] },
        { labels: ['loom:building', 'loom:blocked'] },
      ]),
    );
    repo = await createTestRepo(emulator, { inProcess: true });
  });
  afterAll(async () => {
    repo.cleanup();
    await emulator.close();
  });
  const comments = (n: number) => (emulator.state().issues ?? []).find((i) => i.number === n)?.comments ?? [];

  it('answers go for an issue the daemon already claimed, without touching it', async () => {
    const result = await repo.loom(['gate', '1']);
    expect([result.exitCode, result.stdout.trim()]).toEqual([0, 'go']);
    expect(labelsOf(emulator, 1)).toEqual(['loom:building']);
  });

  it('claims an approved issue', async () => {
    const result = await repo.loom(['gate', '2', '--json']);
    expect(GateJsonSchema.parse(JSON.parse(result.stdout))).toEqual({
      issue: 2,
      answer: 'go',
      action: 'claim',
      reason: null,
    });
    expect(labelsOf(emulator, 2)).toEqual(['loom:building']);
  });

  it('waits for approval without a force flag, and approves then claims with one', async () => {
    expect((await repo.loom(['gate', '3'])).stdout.trim()).toBe('wait');
    expect(labelsOf(emulator, 3)).toEqual(['loom:curated']);
    expect((await repo.loom(['gate', '4', '--force'])).stdout.trim()).toBe('go');
    expect(labelsOf(emulator, 4)).toEqual(['loom:building']);
    expect(comments(4).filter((c) => c.body.includes('approved by the shepherd'))).toHaveLength(1);
  });

  it('answers refused (exit 12) when the claim is refused', async () => {
    const result = await repo.loom(['gate', '5']);
    expect([result.exitCode, result.stdout.trim()]).toEqual([12, 'refused']);
    expect(result.stderr).toContain('loom:blocked');
  });

  it('release to loom:blocked explains once, and not at all when someone already marked it blocked', async () => {
    await repo.loom(['release', '2', '--to', 'loom:blocked', '--comment', 'Shepherd stopped: tests fail.']);
    expect(labelsOf(emulator, 2)).toEqual(['loom:blocked']);
    expect(comments(2).filter((c) => c.body.includes('Shepherd stopped'))).toHaveLength(1);
    await repo.loom(['release', '6', '--to', 'loom:blocked', '--comment', 'Shepherd stopped: tests fail.']);
    expect(labelsOf(emulator, 6)).toEqual(['loom:blocked']);
    expect(comments(6).filter((c) => c.body.includes('Shepherd stopped'))).toHaveLength(0);
  });
});
