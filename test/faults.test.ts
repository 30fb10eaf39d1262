/**
 * Faults travel in the command context (src/faults.ts): the process tier reads them from LOOM_FAULT_KILL_AT
 * (reliability-kill and reliability-state-file kill or starve the built CLI that way), and an in-process test
 * hands its own `Faults` to `main()` with no environment variable. Here: the points an iteration reaches, in
 * order; a crash right after a claim, settled by the next iteration; a full disk on the state write.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FaultPoint, type Faults, faultsFrom, noFaults } from '../src/faults.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { runInProcess } from './helpers/in-process.js';
import { claimLocks, commentsOf, readState, stateFile } from './helpers/reliability.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';

describe('faults from the environment (the process tier)', () => {
  it('are none when LOOM_FAULT_KILL_AT is unset or empty', () => {
    expect(faultsFrom({})).toBe(noFaults);
    expect(faultsFrom({ LOOM_FAULT_KILL_AT: '' })).toBe(noFaults);
  });

  it('fail the state write only when listed, and reaching an unlisted point does nothing', () => {
    const faults = faultsFrom({ LOOM_FAULT_KILL_AT: 'after-claim-2, fail-state-write' });
    expect(faults.failing('state-write')).toBe(true);
    expect(() => faults.reach('after-lock')).not.toThrow();
    expect(faultsFrom({ LOOM_FAULT_KILL_AT: 'after-lock' }).failing('state-write')).toBe(false);
  });
});

describe('faults in the context (the in-process tier)', () => {
  let emulator: EmulatorHandle;
  let repo: TestRepo;
  let daemon: string;

  beforeEach(async () => {
    emulator = await startEmulator(seedWith([{ labels: ['loom:issue'] }, { labels: ['loom:issue'] }]));
    repo = await createTestRepo(emulator, {
      config: { max_shepherds: 1, issue_threshold: 0, guide: { enabled: false } },
      inProcess: true,
    });
    daemon = (await repo.loom(['start'])).stdout.trim();
  });
  afterEach(async () => {
    repo.cleanup();
    await emulator.close();
  });

  const iterate = (faults?: Faults) =>
    runInProcess(emulator, repo.dir, repo.env, ['iterate', '--daemon', daemon], undefined, faults);

  it('an iteration reaches its named points in order', async () => {
    const reached: FaultPoint[] = [];
    const result = await iterate({ reach: (point) => void reached.push(point), failing: () => false });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(reached).toEqual([
      'after-lock',
      'after-snapshot',
      'before-claim-1',
      'claim-locked-1',
      'claim-edited-1',
      'after-claim-1',
      'before-state-write',
      'after-state-write',
    ]);
  });

  it('a crash right after a claim leaves a claim lock, and the next iteration adopts the claim once', async () => {
    const crash: Faults = {
      reach: (point) => {
        if (point === 'after-claim-1') throw new Error(`fault injected at ${point}`);
      },
      failing: () => false,
    };
    const crashed = await iterate(crash);
    expect(crashed.exitCode).toBe(1);
    expect(crashed.stderr).toContain('fault injected at after-claim-1');
    expect(labelsOf(emulator, 1)).toEqual(['loom:building']);
    expect(claimLocks(repo)).toEqual([1]);
    expect(Object.values(readState(repo)!.shepherds).filter((s) => s.issue)).toEqual([]);

    const next = await iterate();
    expect(next.exitCode, next.stderr).toBe(0);
    expect(next.stdout.split('\n').filter((l) => l.startsWith('SPAWN'))).toEqual([
      expect.stringMatching(/^SPAWN shepherd-1 shepherd 1\b/),
    ]);
    expect(commentsOf(emulator, 1).claims).toHaveLength(1);
    expect(labelsOf(emulator, 2)).toEqual(['loom:issue']);
  });

  it('a failing state write exits 8 and keeps the previous state file byte for byte', async () => {
    const before = readFileSync(stateFile(repo));
    const full = await iterate({ reach: () => undefined, failing: (operation) => operation === 'state-write' });
    expect(full.exitCode, full.stderr).toBe(8);
    expect(full.stderr).toMatch(/Cannot write .loom\/daemon-state\.json: ENOSPC/);
    expect(readFileSync(stateFile(repo)).equals(before)).toBe(true);
  });
});
