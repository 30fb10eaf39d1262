/**
 * Reliability scenario 1 — kill at every step. `loom iterate` is SIGKILLed at
 * each fault point (LOOM_FAULT_KILL_AT). After every kill the state file is
 * valid or absent and no `loom:building` issue is left without a recorded
 * shepherd or a claim lock; the next `loom start` takes the dead process's
 * state lock over at once and recovers per DESIGN.md §4.6.2: each claim that reached
 * GitHub is released with ONE comment (or resumed when its PR is open), never
 * both, never twice. The killed `loom iterate` is a child process (the built
 * CLI); the starts before and after it run in-process (test/helpers/in-process.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoomError } from '../src/errors.js';
import { StateStore } from '../src/state/store.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import {
  claimLocks,
  commentsOf,
  expectNoOrphanBuilding,
  expectNoSecrets,
  readState,
  run,
  runProcess,
} from './helpers/reliability.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';

const CASES = 13;
const PER_CASE = 3;
let emulator: EmulatorHandle;
let repo: TestRepo;

beforeAll(async () => {
  // Three issues per case, none ready until its case starts.
  emulator = await startEmulator(seedWith(Array.from({ length: CASES * PER_CASE }, () => ({ labels: [] }))));
  repo = await createTestRepo(emulator, {
    config: { max_shepherds: 2, issue_threshold: 0, guide: { enabled: false } },
    inProcess: true,
  });
});

afterAll(async () => {
  repo?.cleanup();
  await emulator?.close();
});

let caseNo = 0;
/** A clean clone state and three fresh ready issues for the next case. */
function nextCase(): number[] {
  for (const name of ['daemon-state.json', 'claims', 'stop-daemon', 'stop-shepherds'])
    rmSync(path.join(repo.dir, '.loom', name), { recursive: true, force: true });
  const issues = Array.from({ length: PER_CASE }, (_, i) => caseNo * PER_CASE + i + 1);
  caseNo += 1;
  for (const n of issues) emulator.store.setLabels(n, ['loom:issue']);
  return issues;
}

const later = (minutes: number) => ({ LOOM_NOW: new Date(Date.now() + minutes * 60_000).toISOString() });

/** Kill points and which of the case's issues GitHub holds a claim for when the process dies there. */
const points: [string, number][] = [
  ['after-lock', 0],
  ['after-snapshot', 0],
  ['before-claim-1', 0],
  ['claim-locked-1', 0],
  ['claim-edited-1', 1],
  ['after-claim-1', 1],
  ['before-claim-2', 1],
  ['claim-locked-2', 1],
  ['claim-edited-2', 2],
  ['after-claim-2', 2],
  ['before-state-write', 2],
  ['after-state-write', 2],
];

describe('loom iterate killed at every step', () => {
  it.each(points)(
    'killed at %s: consistent, then `loom start` releases each claim once',
    async (point, claimedOnGitHub) => {
      const issues = nextCase();
      const id = (await run(repo, ['start'])).stdout.trim();
      const killed = await runProcess(repo, ['iterate', '--daemon', id], { LOOM_FAULT_KILL_AT: point });
      expect(killed.signal, `${point}: ${killed.stderr}`).toBe('SIGKILL');

      // Right after the kill: valid state (or none), every loom:building issue accounted for.
      readState(repo);
      expectNoOrphanBuilding(emulator, repo);
      const claimed = issues.slice(0, claimedOnGitHub);
      for (const n of claimed) expect(labelsOf(emulator, n), `#${n}`).toEqual(['loom:building']);
      for (const n of issues.slice(claimedOnGitHub)) expect(labelsOf(emulator, n), `#${n}`).toEqual(['loom:issue']);

      // A later `loom start` (the killed daemon's last poll is stale by then) takes the lock over and recovers.
      const start = await run(repo, ['start', '--json'], later(10));
      expect(start.exitCode, start.stderr).toBe(0);
      const recovered = JSON.parse(start.stdout) as { recovered: { issue: number; action: string }[] };
      expect(
        recovered.recovered
          .filter((r) => r.action === 'released')
          .map((r) => r.issue)
          .sort(),
      ).toEqual(claimed);
      const afterRecovery = () => {
        for (const n of issues) {
          expect(labelsOf(emulator, n), `#${n}`).toEqual(['loom:issue']);
          const { claims, others } = commentsOf(emulator, n);
          expect(claims, `#${n} claim comments`).toEqual([]);
          expect(others, `#${n} release comments`).toHaveLength(claimed.includes(n) ? 1 : 0);
        }
        expect(claimLocks(repo)).toEqual([]);
        expect(existsSync(path.join(repo.dir, '.loom/daemon-state.json.lock'))).toBe(false);
        expectNoOrphanBuilding(emulator, repo);
      };
      afterRecovery();
      // Never twice: a second recovery finds nothing left to do.
      const again = await run(repo, ['start', '--json'], later(20));
      expect(again.exitCode, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout).recovered).toEqual([]);
      afterRecovery();
      for (const n of issues) emulator.store.closeIssue(n);
    },
  );

  it('killed after the state write with an open PR: resumed, not released (no comment)', async () => {
    const issues = nextCase();
    const id = (await run(repo, ['start'])).stdout.trim();
    const killed = await runProcess(repo, ['iterate', '--daemon', id], { LOOM_FAULT_KILL_AT: 'after-state-write' });
    expect(killed.signal).toBe('SIGKILL');
    const pr = emulator.store.addPullRequest({
      title: 'Work',
      headRefName: `feature/issue-${issues[0]}`,
      body: `Closes #${issues[0]}`,
      labels: ['loom:review-requested'],
    });
    const start = await run(repo, ['start', '--json'], later(10));
    expect(start.exitCode, start.stderr).toBe(0);
    const actions = (JSON.parse(start.stdout) as { recovered: { issue: number; action: string }[] }).recovered;
    expect(actions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ issue: issues[0], action: 'resume' }),
        expect.objectContaining({ issue: issues[1], action: 'released' }),
      ]),
    );
    expect(labelsOf(emulator, issues[0]!)).toEqual(['loom:building']);
    expect(commentsOf(emulator, issues[0]!).others).toEqual([]);
    expect(commentsOf(emulator, issues[0]!).claims).toHaveLength(1);
    expect(commentsOf(emulator, issues[1]!).others).toHaveLength(1);
    const newId = JSON.parse(start.stdout).daemon_id as string;
    const next = await run(repo, ['iterate', '--daemon', newId], later(11));
    expect(next.stdout).toContain(`shepherd ${issues[0]} --force-pr --resume`);
    expectNoOrphanBuilding(emulator, repo);
    emulator.store.closePullRequest(pr.number);
    for (const n of issues) emulator.store.closeIssue(n);
  });

  it('leaks no secret', () => {
    expectNoSecrets(emulator, [repo]);
  });
});

describe('the state lock of a dead process', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'loom-lock-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const leaveLock = (file: string, pid: number) => {
    mkdirSync(`${file}.lock`);
    writeFileSync(
      `${file}.lock-owner`,
      JSON.stringify({ pid, host: hostname(), token: 'abandoned', since: new Date().toISOString() }),
    );
  };

  it('is taken over at once: no waiting budget needed', async () => {
    const file = path.join(dir, 'dead.json');
    const gone = execa('node', ['-e', '0']);
    await gone;
    leaveLock(file, gone.pid!);
    const store = new StateStore(file, { lockWaitMs: 0 });
    await expect(store.withLock(async () => 'ran')).resolves.toBe('ran');
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(existsSync(`${file}.lock-owner`)).toBe(false);
  });

  it('is respected while its holder lives, and the refusal names the holder', async () => {
    const file = path.join(dir, 'live.json');
    leaveLock(file, process.pid);
    const error = await new StateStore(file, { lockWaitMs: 300 }).withLock(async () => 'ran').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoomError);
    expect((error as LoomError).code).toBe('LOCKED');
    expect((error as LoomError).message).toContain(`pid ${process.pid}`);
    expect(existsSync(`${file}.lock`)).toBe(true);
  });
});
