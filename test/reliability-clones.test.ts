/**
 * Reliability scenario 10 — several clones of one repository (issue 10):
 * heartbeats every clone sees (the claim comment edited in place, read in the
 * one snapshot request), slots reconciled with GitHub each iteration (a claim
 * released or taken elsewhere, an issue deleted under a live slot),
 * idempotent releases across processes and clones, and a snapshot answer
 * without its data taken as a GitHub error, never as an empty repository.
 * The clock is moved with LOOM_NOW. The clones run the CLI in-process
 * (test/helpers/in-process.ts), except where releases race across processes.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { commentsOf, expectNoSecrets, readState, run } from './helpers/reliability.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';

const T0 = Math.floor(Date.now() / 1000) * 1000;
const at = (seconds: number) => ({ LOOM_NOW: new Date(T0 + seconds * 1000).toISOString() });
const ago = (seconds: number) => new Date(T0 - seconds * 1000).toISOString();
const quiet = {
  issue_threshold: 0,
  guide: { enabled: false },
  champion: { enabled: false },
  doctor: { enabled: false },
};

/** The emulator of the running describe block (each block has its own repository on the forge). */
let emulator: EmulatorHandle;
const emulators: EmulatorHandle[] = [];
const clones: TestRepo[] = [];
const requestsOf = (operation: string) => emulator.requests().filter((r) => r.operation === operation).length;

function forge(issues: Parameters<typeof seedWith>[0]): void {
  beforeAll(async () => {
    emulator = await startEmulator(seedWith(issues));
    emulators.push(emulator);
  });
  afterAll(() => expectNoSecrets(emulator, clones));
}

afterAll(async () => {
  for (const clone of clones) clone.cleanup();
  for (const emu of emulators) await emu.close();
});

/** A clone with Loom installed; its `loom` runs in the test process unless `processes` is set. */
async function clone(config: Record<string, unknown>, processes = false): Promise<TestRepo> {
  const repo = await createTestRepo(emulator, { config: { ...quiet, ...config }, inProcess: !processes });
  clones.push(repo);
  return repo;
}

describe('heartbeats every clone sees', () => {
  forge([{ title: 'heartbeat', labels: ['loom:issue'] }]);
  it('a claim heartbeating on one clone is never released by another iterating past the stale time', async () => {
    const a = await clone({ max_shepherds: 1, heartbeat_interval: 300 });
    const b = await clone({ max_shepherds: 0 });
    const id = (await run(a, ['start'], at(0))).stdout.trim();
    expect((await run(a, ['iterate', '--daemon', id], at(10))).stdout).toContain('SPAWN shepherd-1 shepherd 1');
    // The shepherd reports every 150 s for an hour: the claim comment is edited at most once per 300 s.
    emulator.clearRequests();
    for (let t = 150; t <= 3600; t += 150)
      expect((await run(a, ['progress', '1', '--phase', 'builder'], at(t))).exitCode).toBe(0);
    const perHour = requestsOf('LoomHeartbeat');
    expect(perHour).toBe(12); // 3600 s / heartbeat_interval 300 s
    expect(emulator.requests()).toHaveLength(perHour); // and nothing else on GitHub
    // Later the shepherd is still alive (last heartbeat at 7 900 s); GitHub saw no other activity for > 2 h.
    await run(a, ['progress', '1', '--phase', 'builder'], at(7900));
    emulator.clearRequests();
    const other = await run(b, ['iterate'], at(8000));
    expect(other.exitCode, other.stderr).toBe(0);
    expect(emulator.requests()).toHaveLength(1); // the heartbeat came with the one snapshot request
    expect(labelsOf(emulator, 1)).toEqual(['loom:building']);
    expect(commentsOf(emulator, 1).claims).toHaveLength(1);
    expect(commentsOf(emulator, 1).others).toEqual([]);
    // Once the heartbeats stop for longer than stale_building, the other clone releases it, once.
    await run(b, ['iterate'], at(7900 + 7300));
    await run(b, ['iterate'], at(7900 + 7400));
    expect(labelsOf(emulator, 1)).toEqual(['loom:issue']);
    expect(commentsOf(emulator, 1).others).toHaveLength(1);
  }, 300_000);
});

describe('every slot reconciled with GitHub', () => {
  forge([
    { title: 'released by hand, claimed by another clone', labels: ['loom:issue'] },
    { title: 'deleted under a live slot', labels: ['loom:issue'] },
  ]);
  let a: TestRepo;
  let b: TestRepo;
  let id: string;
  beforeAll(async () => {
    a = await clone({ max_shepherds: 2 });
    b = await clone({ max_shepherds: 0 });
    id = (await run(a, ['start'], at(0))).stdout.trim();
  });

  it('a claim released by hand and taken by another clone: the slot is freed with a warning, never resumed', async () => {
    const first = await run(a, ['iterate', '--daemon', id], at(10));
    expect(first.stdout).toContain('SPAWN shepherd-1 shepherd 1');
    expect(first.stdout).toContain('SPAWN shepherd-2 shepherd 2');
    expect((await run(b, ['release', '1', '--comment', 'Taking this over.'], at(20))).exitCode).toBe(0);
    const taken = await run(b, ['claim', '1'], at(30));
    expect(taken.exitCode, taken.stderr).toBe(0);
    const claimOfB = commentsOf(emulator, 1).claims;
    expect(claimOfB).toHaveLength(1);

    emulator.clearRequests();
    const next = await run(a, ['iterate', '--daemon', id], at(40));
    expect(next.exitCode, next.stderr).toBe(0);
    expect(emulator.requests()).toHaveLength(1); // reconciled from the snapshot alone
    expect(next.stdout).not.toContain('shepherd 1');
    const state = readState(a)!;
    expect(state.shepherds['shepherd-1']!.status).toBe('idle');
    expect(state.shepherds['shepherd-1']!.idle_reason).toBe('reconciled: claimed-elsewhere');
    expect(state.warnings.filter((w) => w.type === 'claim-lost')).toHaveLength(1);
    // The other clone's claim is untouched.
    expect(labelsOf(emulator, 1)).toEqual(['loom:building']);
    expect(commentsOf(emulator, 1).claims).toEqual(claimOfB);
    // A crash and `loom start` (the shepherd of #2 is alive): still nothing done to #1.
    expect((await run(a, ['progress', '2', '--phase', 'builder'], at(45))).exitCode).toBe(0);
    const restart = JSON.parse((await run(a, ['start', '--force', '--json'], at(50))).stdout);
    expect(restart.recovered.filter((r: { issue: number }) => r.issue === 1)).toEqual([]);
    expect(commentsOf(emulator, 1).claims).toEqual(claimOfB);
    id = restart.daemon_id;
  });

  it('an issue deleted under a live slot: the slot is freed, status reports it, the daemon goes on', async () => {
    emulator.store.deleteItem(2);
    emulator.clearRequests();
    const next = await run(a, ['iterate', '--daemon', id], at(100));
    expect(next.exitCode, next.stderr).toBe(0);
    expect(emulator.requests()).toHaveLength(1);
    const state = readState(a)!;
    expect(state.shepherds['shepherd-2']!.status).toBe('idle');
    expect(state.shepherds['shepherd-2']!.idle_reason).toBe('reconciled: vanished');
    const status = JSON.parse((await run(a, ['status', '--json'], at(110))).stdout);
    expect(status.warnings.map((w: { type: string; message: string }) => `${w.type} ${w.message}`)).toContainEqual(
      expect.stringMatching(/^issue-vanished #2 no longer exists/),
    );
    // Iterations and a forced start go on.
    expect((await run(a, ['iterate', '--daemon', id], at(120))).exitCode).toBe(0);
    expect((await run(a, ['start', '--force'], at(130))).exitCode).toBe(0);
  });

  it('an issue deleted under a slot recorded before a crash: `loom start --force` frees it (exit 0)', async () => {
    const c = await clone({ max_shepherds: 1 });
    const issue = emulator.store.addIssue({ title: 'to be deleted', labels: ['loom:issue', 'loom:urgent'] }).number;
    const cid = (await run(c, ['start'], at(200))).stdout.trim();
    const spawned = await run(c, ['iterate', '--daemon', cid], at(210));
    expect(spawned.stdout).toContain(`SPAWN shepherd-1 shepherd ${issue}`);
    emulator.store.deleteItem(issue);
    const restart = await run(c, ['start', '--force', '--json'], at(220));
    expect(restart.exitCode, restart.stderr).toBe(0);
    expect(JSON.parse(restart.stdout).recovered).toEqual([
      expect.objectContaining({ issue, action: 'freed', reason: expect.stringContaining('no longer exists') }),
    ]);
    expect(readState(c)!.shepherds['shepherd-1']!.status).toBe('idle');
  });
});

describe('releases are idempotent across processes and clones', () => {
  forge([
    { title: 'stale, released by three clones at once', labels: ['loom:building'], createdAt: ago(3 * 3600) },
    { title: 'released three times at once', labels: ['loom:building'], createdAt: ago(0) },
  ]);
  it('three clones releasing one stale issue at once post one comment', async () => {
    const three = await Promise.all([
      clone({ max_shepherds: 0 }, true),
      clone({ max_shepherds: 0 }, true),
      clone({ max_shepherds: 0 }, true),
    ]);
    // Widen the window between each release's read and its write, so all three read loom:building.
    emulator.addFault({ match: { operation: 'LoomItemComments' }, delayMs: 300 });
    try {
      const results = await Promise.all(three.map((repo) => run(repo, ['iterate'], at(0))));
      for (const result of results) expect(result.exitCode, result.stderr).toBe(0);
    } finally {
      emulator.clearFaults();
    }
    expect(labelsOf(emulator, 1)).toEqual(['loom:issue']);
    expect(commentsOf(emulator, 1).others).toHaveLength(1);
  });

  it('`loom release N` three times at once posts one comment', async () => {
    const repo = clones.at(-1)!;
    emulator.addFault({ match: { operation: 'LoomItemComments' }, delayMs: 300 });
    try {
      const results = await Promise.all(
        [1, 2, 3].map(() => run(repo, ['release', '2', '--comment', 'Not now.'], at(100))),
      );
      for (const result of results) expect(result.exitCode, result.stderr).toBe(0);
    } finally {
      emulator.clearFaults();
    }
    expect(labelsOf(emulator, 2)).toEqual(['loom:issue']);
    expect(commentsOf(emulator, 2).others).toEqual([expect.stringContaining('Not now.')]);
  });
});

describe('answers validated at the edge', () => {
  forge([{ labels: ['loom:issue'] }]);
  it('a snapshot answered with {"data":{}} is a GitHub error (exit 6), not an empty repository', async () => {
    const repo = await clone({ max_shepherds: 1, issue_threshold: 3, architect: { enabled: true } });
    emulator.addFault({ match: { operation: 'LoomSnapshot' }, status: 200, body: { data: {} }, times: 2 });
    try {
      const result = await run(repo, ['iterate'], at(40_000));
      expect(result.exitCode, result.stdout).toBe(6);
      expect(result.stdout).not.toContain('SPAWN'); // no Architect, no Hermit
      expect(result.stderr).toContain('without the data asked for');
      const status = await run(repo, ['status'], at(40_010));
      expect(status.exitCode).toBe(6);
    } finally {
      emulator.clearFaults();
    }
  });

  it('LOOM_REPO and state slot names are validated like arguments', async () => {
    const repo = clones.at(-1)!;
    emulator.clearRequests();
    for (const slug of ['../../etc', 'acme/..', '-x/widgets', 'acme/.']) {
      const result = await run(repo, ['iterate'], { LOOM_REPO: slug });
      expect(result.exitCode, slug).toBe(2);
    }
    expect(emulator.requests()).toEqual([]);
    // A slot name the CLI would refuse (`loom record shepherd-123 …`) is refused in the state file too.
    const state = readState(repo)!;
    const file = `${repo.dir}/.loom/daemon-state.json`;
    writeFileSync(
      file,
      JSON.stringify({ ...state, shepherds: { 'shepherd-123': state.shepherds['shepherd-1'] ?? {} } }),
    );
    const result = await run(repo, ['status', '--fast']);
    expect(result.exitCode).toBe(8);
    expect(result.stdout + result.stderr).toContain('shepherd-123');
    rmSync(file);
  });
});
