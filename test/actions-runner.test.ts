/**
 * Remote slots (DESIGN.md §4.9): the daemon dispatches claimed issues to GitHub Actions runners and follows
 * their runs, against the emulator's Actions endpoints (test/emulator/actions.ts). In-process tier: the
 * wiring of the bundle and gh is covered by the one process-tier case at the end.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SHEPHERD_RUN_NAME, SHEPHERD_WORKFLOW, shepherdRunName } from '../src/core/actions-contract.js';
import { DaemonStateSchema } from '../src/core/daemon-state.js';
import { type EmulatorHandle, type RunSchedule, startEmulator } from './emulator/index.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';

let emulator: EmulatorHandle | undefined;
const repos: TestRepo[] = [];
afterEach(async () => {
  for (const r of repos.splice(0)) r.cleanup();
  await emulator?.close();
  emulator = undefined;
});

const ready = (n: number) => Array.from({ length: n }, () => ({ labels: ['loom:issue'] }));

async function setup(
  issues: Parameters<typeof seedWith>[0],
  config: Record<string, unknown> = {},
  schedule: Partial<RunSchedule> = { start_after_ms: 0, complete_after_ms: null },
  options: { register?: boolean; inProcess?: boolean } = {},
) {
  emulator = await startEmulator(seedWith(issues));
  if (options.register !== false)
    emulator.store.actions.registerWorkflow({
      file: SHEPHERD_WORKFLOW,
      name: 'Loom shepherd',
      run_name: SHEPHERD_RUN_NAME,
      inputs: { issue: { required: true }, slot: { required: true }, args: {}, claim: { required: true } },
      schedule,
    });
  const repo = await createTestRepo(emulator, {
    config: { issue_threshold: 0, runner: 'actions', max_shepherds: { local: 0, actions: 2 }, ...config },
    inProcess: options.inProcess ?? true,
  });
  repos.push(repo);
  emulator.clearRequests();
  return { emulator, repo };
}

const stateOf = (r: TestRepo) =>
  DaemonStateSchema.parse(JSON.parse(readFileSync(path.join(r.dir, '.loom/daemon-state.json'), 'utf8')));
const lastRun = (e: EmulatorHandle) => e.store.actions.all().at(-1)!;
const comments = (e: EmulatorHandle, n: number) =>
  (e.state().issues ?? []).find((i) => i.number === n)?.comments?.map((c) => c.body) ?? [];
/** What a shepherd that succeeded leaves behind: its pull request for the issue. */
const openPull = (e: EmulatorHandle, issue: number) =>
  e.store.addPullRequest({ title: `Fix #${issue}`, headRefName: `feature/issue-${issue}`, closingIssues: [issue] });
const later = (minutes: number) => ({ LOOM_NOW: new Date(Date.now() + minutes * 60_000).toISOString() });

describe('remote slots: dispatch to GitHub Actions', () => {
  it('claims like a local slot, dispatches with the claim token, prints no SPAWN line and counts it', async () => {
    const { emulator, repo } = await setup(ready(3));
    const result = await repo.loom(['iterate']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('ready=1 building=2 shepherds=2/2 +shepherd=#1 +shepherd=#2');
    expect(labelsOf(emulator, 1)).toEqual(['loom:building']);
    expect(labelsOf(emulator, 2)).toEqual(['loom:building']);
    const runs = emulator.store.actions.all();
    expect(runs.map((r) => r.displayTitle)).toEqual([shepherdRunName(1, 'actions-1'), shepherdRunName(2, 'actions-2')]);
    // The token dispatched is the one in the claim comment on GitHub.
    const token = runs[0]!.inputs.claim!;
    expect(token).toMatch(/^[0-9a-f]{16}$/);
    expect(comments(emulator, 1).some((b) => b.includes(`loom:claim ${token} `))).toBe(true);
    expect(runs[0]!.inputs.args).toBe('--force-pr');
    const state = stateOf(repo);
    expect(state.shepherds['actions-1']).toMatchObject({ status: 'working', issue: 1 });
    expect(state.shepherds['actions-1']?.remote?.dispatched_at).toBeTruthy();
    // The snapshot, one runs list (a checkout that never ran a daemon learns the runs in flight), then per
    // claim: read, edit, re-read, and the dispatch.
    const dispatches = emulator.requests().filter((r) => r.path.endsWith(`/workflows/${SHEPHERD_WORKFLOW}/dispatches`));
    expect(dispatches).toHaveLength(2);
    expect(emulator.requests()).toHaveLength(2 + 2 * 4);
  });

  it('follows its runs with ONE list request per poll; success frees the slot as completed', async () => {
    const { emulator, repo } = await setup(ready(2));
    await repo.loom(['iterate']);
    emulator.clearRequests();
    const busy = await repo.loom(['iterate']);
    expect(busy.stdout.trim()).toBe('ready=0 building=2 shepherds=2/2');
    const paths = emulator.requests().map((r) => `${r.method} ${r.path}`);
    expect(paths.filter((p) => p.includes('/actions/runs'))).toEqual([
      'GET /repos/acme/widgets/actions/runs?event=workflow_dispatch&per_page=100',
    ]);
    expect(paths).toHaveLength(2);
    const state = stateOf(repo);
    expect(state.shepherds['actions-1']?.remote).toMatchObject({ run_status: 'in_progress' });
    expect(state.shepherds['actions-1']?.remote?.run_url).toMatch(/\/actions\/runs\/\d+$/);

    const [first] = emulator.store.actions.all();
    openPull(emulator, 1);
    emulator.store.actions.setRun(first!.id, { status: 'completed', conclusion: 'success' });
    const done = await repo.loom(['iterate']);
    expect(done.stdout.trim()).toBe('ready=0 building=2 shepherds=1/2 completed=#1');
    expect(stateOf(repo).shepherds['actions-1']).toMatchObject({ status: 'idle', idle_reason: 'run-succeeded' });
  });

  it('a failed or cancelled run releases the claim, counted by the failure budget', async () => {
    const { emulator, repo } = await setup(ready(2));
    await repo.loom(['iterate']);
    const [first, second] = emulator.store.actions.all();
    emulator.store.actions.setRun(first!.id, { status: 'completed', conclusion: 'failure' });
    emulator.store.actions.setRun(second!.id, { status: 'completed', conclusion: 'cancelled' });
    const result = await repo.loom(['iterate']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(labelsOf(emulator, 1)).toEqual(['loom:issue']);
    expect(labelsOf(emulator, 2)).toEqual(['loom:issue']);
    expect(comments(emulator, 1).at(-1)).toMatch(
      /run of the shepherd for this issue ended without finishing it[\s\S]*Failed attempts: 1 of 3/,
    );
    // Back-off after the failure: not claimed again in this iteration (the counts are the snapshot's, before).
    expect(result.stdout.trim()).toBe('ready=0 building=2 shepherds=0/2');
    expect(emulator.store.actions.all()).toHaveLength(2);
  });

  it('a successful run that left its issue loom:building with no pull request is released as a failed attempt', async () => {
    const { emulator, repo } = await setup(ready(1));
    await repo.loom(['iterate']);
    emulator.store.actions.setRun(lastRun(emulator).id, { status: 'completed', conclusion: 'success' });
    const result = await repo.loom(['iterate']);
    expect(result.stdout.trim()).not.toMatch(/completed=/);
    expect(labelsOf(emulator, 1)).toEqual(['loom:issue']);
    expect(comments(emulator, 1).at(-1)).toMatch(/Failed attempts: 1 of 3/);
  });

  it('a failed run whose issue already moved on (closed) is not released again', async () => {
    const { emulator, repo } = await setup(ready(1));
    await repo.loom(['iterate']);
    emulator.store.closeIssue(1);
    emulator.store.actions.setRun(lastRun(emulator).id, { status: 'completed', conclusion: 'failure' });
    const result = await repo.loom(['iterate']);
    expect(result.stdout.trim()).toMatch(/completed=#1/);
    expect(comments(emulator, 1).filter((c) => c.includes('released'))).toEqual([]);
  });

  it('a run that never starts is cancelled and its claim released (no failure counted)', async () => {
    const { emulator, repo } = await setup(ready(1), {}, { start_after_ms: null });
    await repo.loom(['iterate']);
    await repo.loom(['iterate']);
    expect(lastRun(emulator).status).toBe('queued');
    // 31 minutes later (start_timeout 1800 s) the run is still queued: cancelled, released.
    const result = await repo.loom(['iterate'], { env: later(31) });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(lastRun(emulator)).toMatchObject({ status: 'completed', conclusion: 'cancelled' });
    expect(labelsOf(emulator, 1)).toEqual(['loom:issue']);
    expect(comments(emulator, 1).at(-1)).toMatch(/did not start in time/);
    expect(comments(emulator, 1).at(-1)).not.toMatch(/Failed attempts/);
  });

  it('a run that never appears is given up after appear_timeout and released', async () => {
    const { emulator, repo } = await setup(ready(1), {}, { appear_after_ms: null });
    await repo.loom(['iterate']);
    const early = await repo.loom(['iterate']);
    expect(early.stdout.trim()).toBe('ready=0 building=1 shepherds=1/2');
    await repo.loom(['iterate'], { env: later(6) });
    expect(labelsOf(emulator, 1)).toEqual(['loom:issue']);
    expect(stateOf(repo).shepherds['actions-1']).toMatchObject({ status: 'idle', idle_reason: 'run-not-started' });
  });

  it('a refused dispatch (no workflow on GitHub) releases the claim with a reason and claims no further', async () => {
    const { emulator, repo } = await setup(ready(3), {}, {}, { register: false });
    const result = await repo.loom(['iterate']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('ready=3 building=0 shepherds=0/2 warn=1');
    expect(labelsOf(emulator, 1)).toEqual(['loom:issue']);
    expect(labelsOf(emulator, 2)).toEqual(['loom:issue']);
    expect(comments(emulator, 1).at(-1)).toMatch(/could not be dispatched/);
    const warning = stateOf(repo).warnings.find((w) => w.type === 'dispatch-failed');
    expect(warning?.message).toMatch(/loom-shepherd\.yml[\s\S]*loom actions install/);
  });

  it("an idle daemon's iteration with remote slots configured stays one request", async () => {
    const { emulator, repo } = await setup([{ labels: ['loom:curated'] }]);
    const id = (await repo.loom(['start'])).stdout.trim().split('\n').at(-1)!;
    emulator.clearRequests();
    await repo.loom(['iterate', '--daemon', id]);
    expect(emulator.requests()).toHaveLength(1);
  });

  it('a one-off iteration in a fresh checkout (loom-daemon.yml) learns the runs in flight and dispatches no issue twice', async () => {
    const { emulator, repo } = await setup(ready(3), { max_shepherds: { local: 0, actions: 2 } });
    await repo.loom(['iterate']); // dispatches #1 and #2 from the state-keeping clone
    const scheduled = await createTestRepo(emulator, {
      inProcess: true,
      config: { issue_threshold: 0, runner: 'local', max_shepherds: { local: 0, actions: 3 } },
    });
    repos.push(scheduled);
    emulator.clearRequests();
    const result = await scheduled.loom(['iterate', '--runner', 'actions', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    // actions-1 and actions-2 are taken by the runs in flight: #3 goes to actions-3.
    expect(JSON.parse(result.stdout).dispatched).toEqual([3]);
    expect(emulator.store.actions.all().map((r) => r.displayTitle)).toEqual([
      shepherdRunName(1, 'actions-1'),
      shepherdRunName(2, 'actions-2'),
      shepherdRunName(3, 'actions-3'),
    ]);
    // The snapshot, ONE runs list, then the claim of #3 (read, edit, re-read) and its dispatch.
    expect(emulator.requests().filter((r) => r.path.includes('/actions/runs'))).toHaveLength(1);
    expect(stateOf(scheduled).shepherds['actions-1']).toMatchObject({ status: 'working', issue: 1 });
  });

  it('--runner overrides the config for one call; runner local never dispatches', async () => {
    const { emulator, repo } = await setup(ready(2), { runner: 'local', max_shepherds: 1 });
    const local = await repo.loom(['iterate', '--dry-run']);
    expect(local.stdout).toMatch(/SPAWN shepherd-1 shepherd 1/);
    const remote = await repo.loom(['iterate', '--runner', 'actions', '--json']);
    const answer = JSON.parse(remote.stdout);
    expect(answer.directives).toEqual([]);
    expect(answer.dispatched).toEqual([1]);
    expect(emulator.store.actions.all().map((r) => r.displayTitle)).toEqual([shepherdRunName(1, 'actions-1')]);
  });
});

describe('loom adopt-claim: the runner works under the daemon claim', () => {
  it('adopts the dispatched claim in a fresh checkout; the shepherd heartbeats reach the daemon through GitHub', async () => {
    const { emulator, repo } = await setup(ready(1));
    await repo.loom(['iterate']);
    const run = lastRun(emulator);
    // The runner: a fresh checkout of the same repository, no state, no claim lock.
    const runner = await createTestRepo(emulator, { inProcess: true });
    repos.push(runner);
    const env = { LOOM_ISSUE: run.inputs.issue, LOOM_SLOT: run.inputs.slot, LOOM_CLAIM_TOKEN: run.inputs.claim };
    const adopted = await runner.loom(['adopt-claim', '--json'], { env });
    expect(adopted.exitCode, adopted.stderr).toBe(0);
    expect(JSON.parse(adopted.stdout)).toMatchObject({ issue: 1, slot: 'actions-1', adopted: true });
    const lock = JSON.parse(readFileSync(path.join(runner.dir, '.loom/claims/issue-1.json'), 'utf8'));
    expect(lock).toMatchObject({ issue: 1, token: run.inputs.claim });
    expect(lock.comment_id).toBeTruthy();
    expect(stateOf(runner).shepherds['actions-1']).toMatchObject({ status: 'working', issue: 1 });

    // /shepherd's progress on the runner edits the daemon's claim comment; the daemon sees the heartbeat.
    const progress = await runner.loom(['progress', '1', '--phase', 'builder']);
    expect(progress.exitCode, progress.stderr).toBe(0);
    expect(stateOf(runner).shepherds['actions-1']?.last_phase).toBe('builder');
    expect(comments(emulator, 1).find((c) => c.includes('loom:claim'))).toMatch(/loom:heartbeat/);
    await repo.loom(['iterate']);
    expect(stateOf(repo).shepherds['actions-1']?.last_heartbeat).toBeTruthy();

    // And its release on the runner ends the claim on GitHub for everyone.
    const release = await runner.loom(['release', '1', '--comment', 'Loom: stopping.']);
    expect(release.exitCode, release.stderr).toBe(0);
    expect(labelsOf(emulator, 1)).toEqual(['loom:issue']);
  });

  it('refuses a wrong token, a released claim and bad input with typed errors, writing nothing', async () => {
    const { emulator, repo } = await setup(ready(1));
    await repo.loom(['iterate']);
    const run = lastRun(emulator);
    const runner = await createTestRepo(emulator, { inProcess: true });
    repos.push(runner);
    const wrong = await runner.loom([
      'adopt-claim',
      '--issue',
      '1',
      '--slot',
      'actions-1',
      '--token',
      'ffffffffffffffff',
    ]);
    expect(wrong.exitCode).toBe(12);
    expect(wrong.stderr).toMatch(/no claim comment carries this token/);
    const bad = await runner.loom(['adopt-claim'], {
      env: { LOOM_ISSUE: '1; id', LOOM_SLOT: 'actions-1', LOOM_CLAIM_TOKEN: 'x' },
    });
    expect(bad.exitCode).toBe(2);
    await repo.loom(['release', '1', '--comment', 'Loom: released by a person.']);
    const released = await runner.loom(['adopt-claim', '--json'], {
      env: { LOOM_ISSUE: '1', LOOM_SLOT: 'actions-1', LOOM_CLAIM_TOKEN: run.inputs.claim },
    });
    expect(released.exitCode).toBe(12);
    expect(JSON.parse(released.stdout)).toMatchObject({ adopted: false, reason: expect.stringMatching(/released/) });
    expect(existsSync(path.join(runner.dir, '.loom/claims/issue-1.json'))).toBe(false);
  });
});

describe('remote slots: status and recovery', () => {
  it('loom status shows each remote slot with its run URL (text and --json)', async () => {
    const { emulator, repo } = await setup(ready(1));
    await repo.loom(['iterate']);
    await repo.loom(['iterate']);
    const run = lastRun(emulator);
    const json = JSON.parse((await repo.loom(['status', '--json'])).stdout);
    const slot = json.shepherds.find((s: { slot: string }) => s.slot === 'actions-1');
    expect(slot).toMatchObject({ runner: 'actions', issue: 1, run_status: 'in_progress' });
    expect(slot.run_url).toBe(`https://github.localhost/acme/widgets/actions/runs/${run.id}`);
    const text = (await repo.loom(['status'])).stdout;
    expect(text).toContain(`run https://github.localhost/acme/widgets/actions/runs/${run.id} (in_progress)`);
  });

  it('loom start keeps remote slots whose runs go on, and a clone with no state rebuilds them from the runs list', async () => {
    const { emulator, repo } = await setup(ready(3));
    const started = await repo.loom(['start']);
    const id = started.stdout.trim().split('\n').at(-1)!;
    await repo.loom(['iterate', '--daemon', id]);
    const [first, second] = emulator.store.actions.all();
    emulator.store.actions.setRun(second!.id, { status: 'completed', conclusion: 'failure' });
    // The daemon dies; a restart 5 minutes later finds run 1 going on and run 2 failed.
    const restart = await repo.loom(['start', '--json'], { env: later(5) });
    expect(restart.exitCode, restart.stderr).toBe(0);
    const recovered = JSON.parse(restart.stdout).recovered;
    expect(recovered).toContainEqual(expect.objectContaining({ slot: 'actions-1', issue: 1, action: 'kept' }));
    expect(recovered).toContainEqual(expect.objectContaining({ slot: 'actions-2', issue: 2, action: 'released' }));
    expect(stateOf(repo).shepherds['actions-1']?.remote?.run_id).toBe(first!.id);

    // A scheduled daemon in Actions: a fresh checkout, no state file. The runs list plus the claims suffice.
    const scheduled = await createTestRepo(emulator, {
      inProcess: true,
      config: { issue_threshold: 0, runner: 'local', max_shepherds: { local: 0, actions: 2 } },
    });
    repos.push(scheduled);
    emulator.clearRequests();
    const fresh = await scheduled.loom(['start', '--runner', 'actions', '--json']);
    expect(fresh.exitCode, fresh.stderr).toBe(0);
    expect(JSON.parse(fresh.stdout).recovered).toEqual([
      expect.objectContaining({ slot: 'actions-1', issue: 1, action: 'kept' }),
    ]);
    const freshId = JSON.parse(fresh.stdout).daemon_id;
    // Its iteration follows run 1 and fills the free remote slot with the oldest ready issue (2, released by the
    // recovery above), never issue 1 again.
    const next = await scheduled.loom(['iterate', '--daemon', freshId, '--runner', 'actions', '--json']);
    expect(JSON.parse(next.stdout).dispatched).toEqual([2]);
    expect(emulator.store.actions.all().filter((r) => r.inputs.issue === '1')).toHaveLength(1);
    openPull(emulator, 1);
    emulator.store.actions.setRun(first!.id, { status: 'completed', conclusion: 'success' });
    const done = await scheduled.loom(['iterate', '--daemon', freshId, '--runner', 'actions']);
    expect(done.stdout).toMatch(/completed=#1/);
  });
});

describe('local and remote slots together, with a second clone', () => {
  it('mixed: local slots get SPAWN lines, remote ones are dispatched; a second clone never claims the same issue', async () => {
    const { emulator, repo } = await setup(ready(6), { runner: 'mixed', max_shepherds: { local: 1, actions: 2 } });
    const other = await createTestRepo(emulator, {
      inProcess: true,
      config: { issue_threshold: 0, runner: 'local', max_shepherds: 2 },
    });
    repos.push(other);
    // Both daemons iterate at the same time.
    const [mixed, local] = await Promise.all([repo.loom(['iterate', '--json']), other.loom(['iterate', '--json'])]);
    expect(mixed.exitCode, mixed.stderr).toBe(0);
    expect(local.exitCode, local.stderr).toBe(0);
    const a = JSON.parse(mixed.stdout);
    const b = JSON.parse(local.stdout);
    expect(a.directives.map((d: { slot: string }) => d.slot)).toEqual(a.directives.length ? ['shepherd-1'] : []);
    const claimedByA = [...a.directives.map((d: { issue: number }) => d.issue), ...a.dispatched];
    const claimedByB = b.directives.map((d: { issue: number }) => d.issue);
    // No issue is held by both clones, every claimed issue is loom:building with exactly one claim comment.
    expect(claimedByA.filter((n: number) => claimedByB.includes(n))).toEqual([]);
    expect(claimedByA.length + claimedByB.length).toBeGreaterThanOrEqual(3);
    for (const n of [...claimedByA, ...claimedByB]) {
      expect(labelsOf(emulator, n)).toEqual(['loom:building']);
      expect(comments(emulator, n).filter((c) => c.includes('loom:claim'))).toHaveLength(1);
    }
    // Dispatched runs carry exactly the issues the mixed daemon's remote slots hold.
    expect(
      emulator.store.actions
        .all()
        .map((r) => Number(r.inputs.issue))
        .sort(),
    ).toEqual([...a.dispatched].sort());
    const state = stateOf(repo);
    for (const n of a.dispatched)
      expect(Object.entries(state.shepherds).find(([, s]) => s.issue === n)?.[0]).toMatch(/^actions-/);
  });
});

describe('the wiring, through the bundled CLI and the real gh', () => {
  it('dispatches, follows and completes a run, and adopt-claim refuses with exit 12 as a child process', async () => {
    const { emulator, repo } = await setup(ready(1), {}, undefined, { inProcess: false });
    const first = await repo.loom(['iterate']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout.trim()).toBe('ready=0 building=1 shepherds=1/2 +shepherd=#1');
    const run = lastRun(emulator);
    expect(run.displayTitle).toBe(shepherdRunName(1, 'actions-1'));
    openPull(emulator, 1);
    emulator.store.actions.setRun(run.id, { status: 'completed', conclusion: 'success' });
    const second = await repo.loom(['iterate']);
    expect(second.stdout.trim()).toBe('ready=0 building=1 shepherds=0/2 completed=#1');
    const refused = await repo.loom(['adopt-claim'], {
      env: { LOOM_ISSUE: '1', LOOM_SLOT: 'actions-1', LOOM_CLAIM_TOKEN: 'ffffffffffffffff' },
    });
    expect(refused.exitCode).toBe(12);
    expect(refused.stderr).toMatch(/Cannot adopt the claim of #1/);
    expect(refused.stderr).not.toMatch(/\n\s+at /); // a typed error, never a stack trace
  });
});

describe('API cost per dispatched issue (docs/SCALING.md)', () => {
  const count = (e: EmulatorHandle) => {
    const n = e.requests().length;
    e.clearRequests();
    return n;
  };

  it('measures claim + dispatch, each poll with N runs in flight, the runner side, and each way a run ends', async () => {
    const { emulator, repo } = await setup(ready(5), { max_shepherds: { local: 0, actions: 3 } });
    const id = (await repo.loom(['start'])).stdout.trim().split('\n').at(-1)!;
    emulator.clearRequests();
    const iterate = () => repo.loom(['iterate', '--daemon', id]);

    // Claim and dispatch 3 issues in one iteration: the snapshot, then 3 (claim) + 1 (dispatch) per issue.
    await iterate();
    expect(count(emulator)).toBe(1 + 3 * (3 + 1));
    // Each poll while runs are in flight: the snapshot plus ONE runs list, whatever N.
    await iterate();
    expect(count(emulator)).toBe(2);
    // The runner: adopt-claim reads the issue once; each heartbeat (at most one per heartbeat_interval) is one edit.
    const [r1, r2, r3] = emulator.store.actions.all();
    const runner = await createTestRepo(emulator, { inProcess: true });
    repos.push(runner);
    emulator.clearRequests();
    await runner.loom(['adopt-claim'], {
      env: { LOOM_ISSUE: r1!.inputs.issue, LOOM_SLOT: r1!.inputs.slot, LOOM_CLAIM_TOKEN: r1!.inputs.claim },
    });
    expect(count(emulator)).toBe(1);
    await runner.loom(['progress', r1!.inputs.issue!, '--phase', 'builder']);
    expect(count(emulator)).toBe(1);

    // Ends: success costs nothing more than the poll; a failure releases (3); a run that never started is
    // cancelled (1) and released (3). The freed slots refill from the 2 ready issues left (3 + 1 each).
    openPull(emulator, Number(r1!.inputs.issue));
    emulator.store.actions.setRun(r1!.id, { status: 'completed', conclusion: 'success' });
    emulator.store.actions.setRun(r2!.id, { status: 'completed', conclusion: 'failure' });
    await iterate();
    expect(count(emulator)).toBe(2 + 3 + 2 * (3 + 1));
    emulator.store.actions.setRun(r3!.id, { status: 'queued', schedule: { start_after_ms: null } });
    await repo.loom(['iterate', '--daemon', id], { env: later(31) }).catch(() => undefined);
    const requests = emulator.requests();
    expect(requests.filter((r) => r.path.endsWith(`/actions/runs/${r3!.id}/cancel`))).toHaveLength(1);
    expect(requests.filter((r) => r.operation === 'LoomRelease')).toHaveLength(1);
    expect(labelsOf(emulator, Number(r3!.inputs.issue))).toEqual(['loom:issue']);
  });
});

describe('remote slots at shutdown', () => {
  it('loom shutdown neither waits for nor releases a remote slot: its run goes on and the next start follows it', async () => {
    const { emulator, repo } = await setup(ready(1));
    const id = (await repo.loom(['start'])).stdout.trim().split('\n').at(-1)!;
    await repo.loom(['iterate', '--daemon', id]);
    const stop = await repo.loom(['shutdown', '--daemon', id, '--drain', '5', '--json']);
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(JSON.parse(stop.stdout)).toMatchObject({ released: [], still_running: [1] });
    expect(labelsOf(emulator, 1)).toEqual(['loom:building']);
    const again = await repo.loom(['start', '--json']);
    expect(JSON.parse(again.stdout).recovered).toEqual([
      expect.objectContaining({ slot: 'actions-1', issue: 1, action: 'kept' }),
    ]);
  });
});

describe('a run pushed off the newest 100 by other dispatches', () => {
  it('is asked for by id, never taken for a run that never appeared', async () => {
    const { emulator, repo } = await setup(ready(1));
    await repo.loom(['iterate']);
    await repo.loom(['iterate']); // the run is seen: its id is recorded
    const mine = lastRun(emulator);
    emulator.store.actions.registerWorkflow({ file: 'deploy.yml', inputs: {} });
    for (let i = 0; i < 100; i++) emulator.store.actions.dispatch('deploy.yml', { ref: 'main' });
    emulator.clearRequests();
    const result = await repo.loom(['iterate'], { env: later(10) });
    expect(result.stdout.trim()).toBe('ready=0 building=1 shepherds=1/2');
    expect(emulator.requests().map((r) => `${r.method} ${r.path}`)).toContain(
      `GET /repos/acme/widgets/actions/runs/${mine.id}`,
    );
    expect(labelsOf(emulator, 1)).toEqual(['loom:building']);
  });
});
