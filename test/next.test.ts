import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NextJsonSchema } from '../src/commands/next.js';
import { pickNext } from '../src/core/next-item.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { createTestRepo, seedWith, type TestRepo } from './helpers/repo.js';

const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes)).toISOString();

describe('pickNext', () => {
  it('builder: urgent first, then oldest', () => {
    const picked = pickNext('builder', [
      { number: 5, labels: ['loom:issue'], createdAt: at(1) },
      { number: 3, labels: ['loom:issue', 'loom:urgent'], createdAt: at(9) },
    ]);
    expect(picked?.number).toBe(3);
  });
  it('doctor: skips a PR whose issue is blocked', () => {
    const picked = pickNext('doctor', [
      { number: 20, labels: [], createdAt: at(1), closes: [{ number: 2, labels: ['loom:blocked'] }] },
      { number: 21, labels: [], createdAt: at(2), closes: [{ number: 4, labels: ['loom:building'] }] },
    ]);
    expect(picked?.number).toBe(21);
  });
  it('doctor: an approved PR that conflicts first, then one with red checks, then changes requested', () => {
    const queue = [
      { number: 30, labels: ['loom:changes-requested'], createdAt: at(1) },
      { number: 31, labels: ['loom:pr'], createdAt: at(2), mergeable: 'MERGEABLE', checks: 'FAILURE' },
      { number: 32, labels: ['loom:pr'], createdAt: at(3), mergeable: 'CONFLICTING', checks: 'SUCCESS' },
      { number: 33, labels: ['loom:pr'], createdAt: at(0), mergeable: 'MERGEABLE', checks: 'SUCCESS' },
    ];
    expect(pickNext('doctor', queue)?.number).toBe(32);
    expect(pickNext('doctor', queue.slice(0, 2))?.number).toBe(31);
    // A healthy approved PR is the Champion's, never the Doctor's.
    expect(pickNext('doctor', [queue[3]!])).toBeUndefined();
  });
  it('champion: the oldest approved PR that needs no repair', () => {
    const queue = [
      { number: 40, labels: ['loom:pr'], createdAt: at(1), mergeable: 'CONFLICTING', checks: 'SUCCESS' },
      { number: 41, labels: ['loom:pr'], createdAt: at(2), mergeable: 'MERGEABLE', checks: 'FAILURE' },
      { number: 42, labels: ['loom:pr'], createdAt: at(3), mergeable: 'MERGEABLE', checks: null },
      { number: 43, labels: ['loom:pr'], createdAt: at(4), mergeable: 'MERGEABLE', checks: 'SUCCESS' },
    ];
    expect(pickNext('champion', queue)?.number).toBe(42);
    // Only PRs the Doctor must repair first: nothing for the Champion.
    expect(pickNext('champion', queue.slice(0, 2))).toBeUndefined();
  });
  it('an empty queue picks nothing', () => {
    expect(pickNext('judge', [])).toBeUndefined();
  });
});

describe('loom next', () => {
  let emulator: EmulatorHandle;
  let repo: TestRepo;
  beforeAll(async () => {
    emulator = await startEmulator(
      seedWith(
        [
          { labels: ['loom:issue'] },
          { labels: ['loom:blocked'] },
          { labels: ['loom:triage'] },
          { labels: ['loom:issue', 'loom:urgent'] },
          { labels: ['loom:triage'] },
        ],
        [
          {
            number: 20,
            title: 'a',
            body: 'Closes #2',
            labels: ['loom:changes-requested'],
            state: 'OPEN',
            headRefName: 'feature/issue-2',
            mergeable: 'MERGEABLE',
            createdAt: at(1),
          },
          {
            number: 21,
            title: 'b',
            body: 'Closes #1',
            labels: ['loom:changes-requested'],
            state: 'OPEN',
            headRefName: 'feature/issue-1',
            mergeable: 'MERGEABLE',
            createdAt: at(2),
          },
          {
            number: 22,
            title: 'c',
            body: 'Closes #5',
            labels: ['loom:review-requested'],
            state: 'OPEN',
            headRefName: 'feature/issue-5',
            mergeable: 'MERGEABLE',
            createdAt: at(3),
          },
          {
            number: 23,
            title: 'd',
            body: 'Closes #3',
            labels: ['loom:pr'],
            state: 'OPEN',
            headRefName: 'feature/issue-3',
            mergeable: 'MERGEABLE',
            createdAt: at(4),
          },
        ],
      ),
    );
    repo = await createTestRepo(emulator, { inProcess: true });
  });
  afterAll(async () => {
    repo.cleanup();
    await emulator.close();
  });

  it.each([
    ['builder', '4'],
    ['curator', '3'],
    ['judge', '22'],
    ['doctor', '21'],
    ['champion', '23'],
  ])('%s takes #%s, in one GitHub request', async (role, expected) => {
    emulator.clearRequests();
    const result = await repo.loom(['next', role]);
    expect([result.exitCode, result.stdout.trim()]).toEqual([0, expected]);
    expect(emulator.requests()).toHaveLength(1);
  });

  it('exits 7 with nothing printed when the queue is empty, and rejects unknown roles', async () => {
    emulator.store.setLabels(22, []);
    const empty = await repo.loom(['next', 'judge', '--json']);
    expect(empty.exitCode).toBe(7);
    expect(NextJsonSchema.parse(JSON.parse(empty.stdout))).toEqual({ role: 'judge', number: null });
    expect((await repo.loom(['next', 'wizard'])).exitCode).toBe(2);
  });
});
