/**
 * Reliability scenario 7 — stop at every moment. `.loom/stop-daemon` appears
 * during the snapshot, between two claims, and during `iterate --wait`: no
 * claim starts after it is seen, the answer is SHUTDOWN_SIGNAL, and
 * `loom shutdown --daemon ID --drain 2` then writes `running: false` and
 * `stopped_at`, removes both stop files, releases (with one comment) the
 * claims whose shepherd never started, and leaves running shepherds alone.
 * The CLI runs in-process (test/helpers/in-process.ts); the stop of a real
 * `loom run` process by SIGTERM is in test/run.test.ts.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import {
  claimLocks,
  commentsOf,
  expectNoOrphanBuilding,
  expectNoSecrets,
  readState,
  run,
  until,
} from './helpers/reliability.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';

let emulator: EmulatorHandle;
let repo: TestRepo;

beforeAll(async () => {
  emulator = await startEmulator(seedWith(Array.from({ length: 12 }, () => ({ labels: [] }))));
  repo = await createTestRepo(emulator, {
    config: { max_shepherds: 3, issue_threshold: 0, poll_interval: 1, guide: { enabled: false } },
    inProcess: true,
  });
});

afterAll(async () => {
  repo?.cleanup();
  await emulator?.close();
});

/** `loom start`; its last line is the id (lines before it report what crash recovery did). */
const startDaemon = async () => (await run(repo, ['start'])).stdout.trim().split('\n').at(-1)!;
const stopFile = () => path.join(repo.dir, '.loom/stop-daemon');
const ready = (...issues: number[]) => {
  for (const n of issues) emulator.store.setLabels(n, ['loom:issue']);
};
const arrived = (operation: string) => () => emulator.requests().some((r) => r.operation === operation);
const count = (operation: string) => emulator.requests().filter((r) => r.operation === operation).length;

async function shutdownAndCheck(id: string, expected: { released: number[]; stillRunning: number[] }) {
  const result = await run(repo, ['shutdown', '--daemon', id, '--drain', '2', '--json']);
  expect(result.exitCode, result.stderr).toBe(0);
  const answer = JSON.parse(result.stdout);
  expect(answer.released).toEqual(expected.released);
  expect(answer.still_running).toEqual(expected.stillRunning);
  const state = readState(repo)!;
  expect(state.running).toBe(false);
  expect(state.stopped_at).not.toBeNull();
  expect(existsSync(stopFile())).toBe(false);
  expect(existsSync(path.join(repo.dir, '.loom/stop-shepherds'))).toBe(false);
  for (const n of expected.released) {
    expect(labelsOf(emulator, n)).toEqual(['loom:issue']);
    expect(commentsOf(emulator, n)).toEqual({ claims: [], others: [expect.stringContaining('shut down before')] });
  }
  expectNoOrphanBuilding(emulator, repo);
}

describe('a stop requested', () => {
  it('during the snapshot: no claim, SHUTDOWN_SIGNAL, clean shutdown', async () => {
    ready(1, 2);
    const id = await startDaemon();
    emulator.clearRequests();
    emulator.addFault({ match: { operation: 'LoomSnapshot' }, delayMs: 1200, times: 1 });
    const iteration = run(repo, ['iterate', '--daemon', id]);
    await until(arrived('LoomSnapshot'), 10_000, 'the snapshot request');
    expect((await run(repo, ['stop'])).exitCode).toBe(0);
    const answer = await iteration;
    expect(answer.exitCode, answer.stderr).toBe(0);
    expect(answer.stdout.trim()).toBe('SHUTDOWN_SIGNAL');
    expect(emulator.requests().map((r) => r.operation)).toEqual(['LoomSnapshot']);
    // Every later answer is SHUTDOWN_SIGNAL too, with no GitHub request.
    expect((await run(repo, ['iterate', '--daemon', id])).stdout.trim()).toBe('SHUTDOWN_SIGNAL');
    expect(emulator.requests()).toHaveLength(1);
    await shutdownAndCheck(id, { released: [], stillRunning: [] });
    for (const n of [1, 2]) expect(labelsOf(emulator, n)).toEqual(['loom:issue']);
    for (const n of [1, 2]) emulator.store.closeIssue(n);
  });

  it('between two claims: the second never starts; unstarted claims are released, running shepherds kept', async () => {
    ready(3, 4, 5);
    const id = await startDaemon();
    // A shepherd already at work on #3 (recorded, transcript still going).
    expect((await run(repo, ['spawn', '3', '--daemon', id])).stdout).toContain('SPAWN shepherd-1 shepherd 3');
    const output = path.join(repo.home, 'task3.output');
    writeFileSync(
      output,
      `${JSON.stringify({ type: 'assistant', message: { role: 'assistant', stop_reason: 'tool_use' } })}\n`,
    );
    expect((await run(repo, ['record', 'shepherd-1', '--task-id', 'task3', '--output-file', output])).exitCode).toBe(0);
    emulator.clearRequests();
    emulator.addFault({ match: { operation: 'LoomClaimCheck' }, delayMs: 1200, times: 1 });
    const iteration = run(repo, ['iterate', '--daemon', id]);
    await until(arrived('LoomClaimCheck'), 10_000, "the first claim's re-read");
    writeFileSync(stopFile(), '');
    const answer = await iteration;
    expect(answer.stdout.trim()).toBe('SHUTDOWN_SIGNAL');
    expect(count('LoomEditLabels')).toBe(1); // #4 claimed; #5 never tried
    expect(labelsOf(emulator, 4)).toEqual(['loom:building']);
    expect(labelsOf(emulator, 5)).toEqual(['loom:issue']);
    expect(Object.values(readState(repo)!.shepherds).map((s) => [s.issue, s.task_id])).toEqual([
      [3, 'task3'],
      [4, null],
    ]);
    expectNoOrphanBuilding(emulator, repo);
    await shutdownAndCheck(id, { released: [4], stillRunning: [3] });
    expect(labelsOf(emulator, 3)).toEqual(['loom:building']);
    expect(commentsOf(emulator, 3).claims).toHaveLength(1);
    expect(claimLocks(repo)).toEqual([3]);
    for (const n of [3, 4, 5]) emulator.store.closeIssue(n);
  });

  it('during iterate --wait: answered at once, nothing claimed afterwards', async () => {
    const id = await startDaemon();
    emulator.clearRequests();
    const waiting = run(repo, ['iterate', '--daemon', id, '--wait', '--budget', '30']);
    await until(arrived('LoomSnapshot'), 10_000, 'the first poll');
    writeFileSync(stopFile(), '');
    ready(6, 7); // work appears right after the stop: it must not be claimed
    const answer = await waiting;
    expect(answer.exitCode, answer.stderr).toBe(0);
    expect(answer.stdout.trim()).toBe('SHUTDOWN_SIGNAL');
    expect(count('LoomEditLabels')).toBe(0);
    await shutdownAndCheck(id, { released: [], stillRunning: [] });
    for (const n of [6, 7]) expect(labelsOf(emulator, n)).toEqual(['loom:issue']);
  });

  it('leaks no secret', () => expectNoSecrets(emulator, [repo]));
});
