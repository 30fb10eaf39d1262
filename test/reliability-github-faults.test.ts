/**
 * Reliability scenario 3 — GitHub faults. HTTP 502/503, timeouts beyond
 * LOOM_GH_TIMEOUT, secondary rate limits (403 + retry-after) and primary ones
 * (403 + x-ratelimit-remaining: 0 + x-ratelimit-reset), injected on each
 * request of an iteration: the snapshot, the claim's read, its label edit and
 * its re-read. Each iteration fails cleanly (exit code, one line + hint), a
 * mutation whose outcome was not seen is settled by the next iteration
 * through the claim lock (claimed exactly once, never left orphaned), the
 * breaker pauses until the reset without touching GitHub and status shows it,
 * and request counts stay bounded. The real gh meets each kind of fault on
 * the snapshot, and every timeout (gh killed after LOOM_GH_TIMEOUT); the other
 * cases run the CLI in-process (test/helpers/in-process.ts), where the same
 * answers reach the same parsing and error classification without a gh process.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusReportSchema } from '../src/core/status-report.js';
import { type EmulatorHandle, type Fault, startEmulator } from './emulator/index.js';
import {
  claimLocks,
  commentsOf,
  expectNoOrphanBuilding,
  expectNoSecrets,
  readState,
  run,
  sleep,
  until,
} from './helpers/reliability.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';

let emulator: EmulatorHandle;
/** The clone whose `loom` is a child process with the real gh. */
let repo: TestRepo;
/** A clone of the same repository whose `loom` runs in-process. */
let fast: TestRepo;
const ISSUES = 40;

beforeAll(async () => {
  emulator = await startEmulator(seedWith(Array.from({ length: ISSUES }, () => ({ labels: [] }))));
  const config = { max_shepherds: 1, issue_threshold: 0, poll_interval: 1, guide: { enabled: false } };
  repo = await createTestRepo(emulator, { config });
  fast = await createTestRepo(emulator, { config, inProcess: true });
});

afterAll(async () => {
  repo?.cleanup();
  fast?.cleanup();
  await emulator?.close();
});

let next = 1;
/** A clean clone state and one fresh ready issue. */
function freshIssue(clone: TestRepo = repo): number {
  for (const name of ['daemon-state.json', 'claims'])
    rmSync(path.join(clone.dir, '.loom', name), { recursive: true, force: true });
  emulator.clearFaults();
  emulator.clearRequests();
  emulator.store.setLabels(next, ['loom:issue']);
  return next++;
}

/** Waits for every request the emulator received to be answered (a timed-out request may land late). */
const settled = () => until(() => emulator.requests().every((r) => r.status !== 0), 10_000, 'in-flight requests');
const later = (minutes: number) => ({ LOOM_NOW: new Date(Date.now() + minutes * 60_000).toISOString() });
const FAST_TIMEOUT = { LOOM_GH_TIMEOUT: '1' };

type Kind = '5xx' | 'timeout' | 'secondary' | 'primary';
const operations = ['LoomSnapshot', 'LoomItem', 'LoomEditLabels', 'LoomClaimCheck'] as const;

function faultFor(kind: Kind, operation: string, resetEpoch: number): Fault {
  const match = { operation };
  switch (kind) {
    case '5xx':
      return { match, status: operation === 'LoomItem' || operation === 'LoomClaimCheck' ? 503 : 502, times: 1 };
    case 'timeout':
      return { match, delayMs: 1600, times: 1 }; // gh gives up after LOOM_GH_TIMEOUT=1 s; the emulator still applies it
    case 'secondary':
      return {
        match,
        status: 403,
        headers: { 'retry-after': '90' },
        body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
        times: 1,
      };
    case 'primary':
      return {
        match,
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(resetEpoch) },
        body: { message: 'API rate limit exceeded for user ID 1.' },
        times: 1,
      };
  }
}

const cases = (['5xx', 'timeout', 'secondary', 'primary'] as Kind[]).flatMap((kind) =>
  operations.map((op) => [kind, op] as const),
);

/** The real gh for every timeout and for each kind of fault on the snapshot; the in-process clone for the rest. */
const cloneFor = (kind: Kind, operation: string): TestRepo =>
  kind === 'timeout' || operation === 'LoomSnapshot' ? repo : fast;

describe('a GitHub fault on one request of an iteration', () => {
  it.each(cases)('%s on %s: clean failure, settled by the next iteration', async (kind, operation) => {
    const repo = cloneFor(kind, operation);
    const issue = freshIssue(repo);
    const resetEpoch = Math.floor(Date.now() / 1000) + 120;
    emulator.addFault(faultFor(kind, operation, resetEpoch));
    const failed = await run(repo, ['iterate'], FAST_TIMEOUT);

    // Clean failure: the documented exit code, one line saying why, one line saying what to do.
    const rateLimited = kind === 'secondary' || kind === 'primary';
    expect(failed.exitCode, failed.stderr).toBe(rateLimited ? 5 : 6);
    const lines = failed.stderr.trim().split('\n');
    expect(lines, failed.stderr).toHaveLength(2);
    expect(lines[0]).toMatch(
      kind === 'timeout'
        ? /^loom: gh did not answer within 1 s/
        : rateLimited
          ? /^loom: GitHub rate limit/
          : /^loom: GitHub could not be reached \(HTTP 50[23]\)/,
    );
    expect(lines[1]).toMatch(/^ {2}→ /);
    expect(failed.stdout).not.toContain('SPAWN');

    // No retry storm: the failing request is not repeated; a rate limit costs one `rate_limit` question.
    await settled();
    const requests = emulator.requests();
    expect(requests.filter((r) => r.operation === operation)).toHaveLength(1);
    expect(requests.length).toBeLessThanOrEqual(5);
    expect(requests.filter((r) => r.path.includes('rate_limit'))).toHaveLength(rateLimited ? 1 : 0);

    const state = readState(repo)!;
    expect(state.warnings.at(-1)?.severity).toBe('error');
    if (rateLimited) {
      const expected = kind === 'primary' ? resetEpoch * 1000 : Date.now() + 90_000;
      expect(Math.abs(Date.parse(state.rate_limited_until!) - expected)).toBeLessThan(15_000);
      // The breaker is open: no GitHub request at all until the reset, and status says so.
      emulator.clearRequests();
      const paused = await run(repo, ['iterate']);
      expect(paused.exitCode).toBe(5);
      expect(paused.stderr).toContain(`paused until ${state.rate_limited_until}`);
      if (operation === 'LoomSnapshot') {
        const status = StatusReportSchema.parse(JSON.parse((await run(repo, ['status', '--json'])).stdout));
        expect(status.daemon.rate_limited_until).toBe(state.rate_limited_until);
        // The text view says when in relative time; the exact reset is in --json above.
        expect((await run(repo, ['status'])).stdout).toMatch(/GitHub rate limit: paused, resumes in \d+ (s|m|h)\b/);
      }
      expect(emulator.requests()).toEqual([]);
    } else {
      expect(state.rate_limited_until).toBeNull();
    }

    // Whatever GitHub applied is accounted for: the issue is ready, or claimed with a local claim lock.
    expectNoOrphanBuilding(emulator, repo);
    const editApplied = operation === 'LoomClaimCheck' || (operation === 'LoomEditLabels' && kind === 'timeout');
    expect(labelsOf(emulator, issue)).toEqual([editApplied ? 'loom:building' : 'loom:issue']);
    expect(claimLocks(repo)).toEqual(operation === 'LoomEditLabels' || operation === 'LoomClaimCheck' ? [issue] : []);

    // The next iteration (after the reset and the settle grace) settles it: claimed exactly once.
    const recovery = await run(repo, ['iterate'], later(3));
    expect(recovery.exitCode, recovery.stderr).toBe(0);
    expect(recovery.stdout.split('\n')[0]).toBe(`SPAWN shepherd-1 shepherd ${issue} --force-pr`);
    expect(labelsOf(emulator, issue)).toEqual(['loom:building']);
    expect(commentsOf(emulator, issue).claims).toHaveLength(1);
    expect(claimLocks(repo)).toEqual([issue]);
    expect(readState(repo)!.rate_limited_until).toBeNull();
    expectNoOrphanBuilding(emulator, repo);
    emulator.store.closeIssue(issue);
  });
});

describe('a persistent fault while waiting', () => {
  it('costs one snapshot per poll interval, never a burst', async () => {
    freshIssue();
    emulator.addFault({ match: { operation: 'LoomSnapshot' }, status: 502 });
    const id = (await run(repo, ['start'])).stdout.trim();
    emulator.clearRequests();
    const started = Date.now();
    const waited = await run(repo, ['iterate', '--daemon', id, '--wait', '--budget', '2']);
    const elapsedPolls = Math.ceil((Date.now() - started) / 1000) + 1;
    expect(waited.exitCode, waited.stderr).toBe(0);
    expect(waited.stdout.trim()).toMatch(/ warn=1$/);
    const snapshots = emulator.requests().filter((r) => r.operation === 'LoomSnapshot').length;
    expect(snapshots).toBeGreaterThanOrEqual(2);
    expect(snapshots).toBeLessThanOrEqual(elapsedPolls);
    expect(emulator.requests().filter((r) => r.operation !== 'LoomSnapshot')).toEqual([]);
    emulator.clearFaults();
  });

  it('makes no request at all while the breaker is open', async () => {
    freshIssue();
    emulator.addFault({
      match: { operation: 'LoomSnapshot' },
      status: 403,
      headers: { 'retry-after': '600' },
      body: { message: 'You have exceeded a secondary rate limit.' },
      times: 1,
    });
    const id = (await run(repo, ['start'])).stdout.trim();
    const waited = await run(repo, ['iterate', '--daemon', id, '--wait', '--budget', '2']);
    expect(waited.exitCode, waited.stderr).toBe(0);
    await sleep(100);
    const requests = emulator.requests().filter((r) => !r.path.includes('rate_limit'));
    expect(requests.map((r) => r.operation)).toEqual(['LoomSnapshot']);
    expect(readState(repo)!.rate_limited_until).not.toBeNull();
  });

  it('leaks no secret', () => {
    expectNoSecrets(emulator, [repo, fast]);
  });
});
