/**
 * `loom run` with real processes: the built CLI against the GitHub emulator,
 * its workers a tiny stand-in `claude` (test/fixtures/fake-claude.mjs, via
 * LOOM_CLAUDE) that prints stream-json the way Claude Code 2.1.197 does and
 * acts on the emulator with the real gh. The real Claude Code runs in
 * test/run-claude.e2e.test.ts.
 */
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { type EmulatorHandle, type RequestLogEntry, startEmulator } from './emulator/index.js';
import { readState, run, until } from './helpers/reliability.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';
import { endAll } from './helpers/teardown.js';

const FAKE = path.resolve(import.meta.dirname, 'fixtures/fake-claude.mjs');

let emulator: EmulatorHandle | undefined;
let repo: TestRepo | undefined;
let daemon: ResultPromise | undefined;
let scratch: string | undefined;
/** Called after the emulator answered each request (the answer is already sent). */
let onRequest: ((entry: RequestLogEntry) => void) | undefined;
afterEach(async () => {
  onRequest = undefined;
  await endAll({ daemon });
  // Workers run in their own process groups: end any a failed test left behind.
  for (const call of scratch ? calls() : []) {
    if (call.start)
      try {
        process.kill(-call.pid, 'SIGKILL');
      } catch {
        // gone
      }
  }
  await endAll({ repo, emulator });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  emulator = repo = daemon = scratch = undefined;
});

interface Call {
  pid: number;
  argv?: string[];
  cwd?: string;
  stdin?: string;
  start?: number;
  end?: number;
  issue: number | null;
  command?: string;
  mode?: string;
}

const calls = (): Call[] => {
  const file = path.join(scratch!, 'calls.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Call);
};

async function setup(count: number, config: Record<string, unknown> = {}, labels = ['loom:issue']) {
  emulator = await startEmulator(seedWith(Array.from({ length: count }, () => ({ labels }))), {
    onRequest: (entry) => onRequest?.(entry),
  });
  repo = await createTestRepo(emulator, {
    config: { max_shepherds: 3, issue_threshold: 0, poll_interval: 1, ...config },
  });
  scratch = mkdtempSync(path.join(tmpdir(), 'loom-run-'));
  return { emulator, repo };
}

function workerEnv(plan: Record<string, string> = {}, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    LOOM_CLAUDE: FAKE,
    FAKE_CLAUDE_CALLS: path.join(scratch!, 'calls.jsonl'),
    FAKE_CLAUDE_PLAN: JSON.stringify(plan),
    ...extra,
  };
}

function startRun(env: NodeJS.ProcessEnv, args: string[] = []): ResultPromise {
  daemon = execa('node', [path.join(repo!.dir, '.loom/scripts/loom'), 'run', ...args], {
    cwd: repo!.dir,
    env: { ...repo!.env, ...env },
    extendEnv: false,
    reject: false,
    timeout: 120_000,
  });
  return daemon;
}

async function stop(child: ResultPromise) {
  writeFileSync(path.join(repo!.dir, '.loom/stop-daemon'), '');
  return await child;
}

/** Highest number of workers alive at once, from the stand-in's start and end records. */
function maxConcurrent(all: Call[]): number {
  const events = all.flatMap((c) => (c.start ? [[c.start, 1]] : c.end ? [[c.end, -1]] : [])) as [number, number][];
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of events) {
    now += d;
    max = Math.max(max, now);
  }
  return max;
}

const logFiles = (r: TestRepo) =>
  existsSync(path.join(r.dir, '.loom/logs'))
    ? readdirSync(path.join(r.dir, '.loom/logs')).filter((f) => f.endsWith('.jsonl'))
    : [];

describe('loom run', () => {
  it('keeps 3 slots full over 20 issues, each worker a headless claude -p child, and sums their cost exactly', async () => {
    const { emulator, repo } = await setup(20, { logs: { keep: 4 }, models: { shepherd: 'opus-test' } });
    const child = startRun(workerEnv({}, { FAKE_CLAUDE_MS: '400' }));
    await until(() => emulator.state().issues!.every((i) => i.state === 'CLOSED'), 90_000, 'all 20 issues closed');
    await until(() => (readState(repo)?.completed_issues.length ?? 0) === 20, 45_000, 'all completions recorded').catch(
      (error) => {
        console.log(JSON.stringify(readState(repo)?.completed_issues), JSON.stringify(readState(repo)?.shepherds));
        throw error;
      },
    );
    const result = await stop(child);
    expect(result.exitCode, String(result.stderr)).toBe(0);

    const all = calls();
    const starts = all.filter((c) => c.start);
    expect(starts.map((c) => c.issue).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // The command line of every worker: the project command as the prompt, stream-json, the role's model, no
    // permission bypass; cwd the main checkout; stdin closed (not a terminal).
    for (const c of starts) {
      expect(c.argv).toEqual([
        '-p',
        `/shepherd ${c.issue} --force-pr`,
        '--output-format',
        'stream-json',
        '--verbose',
        '--model',
        'opus-test',
      ]);
      expect(c.cwd).toBe(realpathSync(repo.dir));
      expect(c.stdin).toBe('devnull');
    }
    expect(maxConcurrent(all)).toBe(3);
    // Claims followed in order, oldest first, three at a time: the first three started before any ended.
    expect(
      starts
        .slice(0, 3)
        .map((c) => c.issue)
        .sort(),
    ).toEqual([1, 2, 3]);

    const state = readState(repo)!;
    expect(state.running).toBe(false);
    // Cost: issue n costs n·0.001 + 0.0001 USD; summed to the micro-dollar.
    const expected = Array.from({ length: 20 }, (_, i) => Number(((i + 1) * 0.001 + 0.0001).toFixed(4)));
    expect(state.cost.total_usd).toBe(Math.round(expected.reduce((a, b) => a + b * 1e6, 0)) / 1e6);
    expect(state.cost.total_usd).toBe(0.212);
    expect(state.cost.by_issue['7']).toEqual({ usd: 0.0071, input_tokens: 1007, output_tokens: 100, tasks: 1 });
    expect(state.cost.by_role.shepherd?.tasks).toBe(20);
    expect(state.cost.by_model['fake-model']).toBe(0.212);
    expect(state.cost.recent.length).toBe(20);

    // Logs: rotated to the last 4 per slot; each ends with the result and the exit line.
    const logs = logFiles(repo);
    for (const slot of ['shepherd-1', 'shepherd-2', 'shepherd-3'])
      expect(logs.filter((f) => f.startsWith(`${slot}-`)).length).toBeLessThanOrEqual(4);
    expect(logs.length).toBeGreaterThanOrEqual(3);
    const newest = logs.sort().at(-1)!;
    expect(newest).toMatch(/^shepherd-\d-\d+-\d{8}T\d{6}Z(-\d+)?\.jsonl$/);
    const lines = readFileSync(path.join(repo.dir, '.loom/logs', newest), 'utf8')
      .trim()
      .split('\n');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: 'loom_exit', code: 0, signal: null });

    // Status shows the cost per issue; --json carries cost.total_usd and cost.by_issue.
    const status = await run(repo, ['status', '--json', '--fast']);
    const json = JSON.parse(status.stdout);
    expect(json.cost.total_usd).toBe(0.212);
    expect(json.cost.by_issue['20']).toBe(0.0201);
    expect(json.usage).toEqual({ paused_until: null, reason: null });

    // loom logs: the readable view of issue 20's worker.
    const view = await run(repo, ['logs', '20']);
    expect(view.exitCode, view.stderr).toBe(0);
    expect(view.stdout).toContain('→ Bash echo working on 20');
    expect(view.stdout).toMatch(/result ok: shepherd #20: done · \$0\.0201 · 1020 in \/ 100 out tokens/);
    expect(view.stdout).toContain('exit code 0');
  }, 150_000);

  // The race behind a completion of 20 going unrecorded: a worker that ends between the snapshot and the
  // reading of its log. Reproduced exactly: its issue is closed and its result line written right after
  // the emulator answered the snapshot request, before the iteration can read the log.
  it('a worker ending while the snapshot is taken is completed from the next snapshot, never released as abandoned', async () => {
    const { emulator, repo } = await setup(1, { max_shepherds: 1 });
    const id = (await run(repo, ['start'])).stdout.trim().split('\n').at(-1)!;
    expect((await run(repo, ['iterate', '--daemon', id])).stdout).toContain('SPAWN shepherd-1 shepherd 1 --force-pr');
    const log = path.join(scratch!, 'worker.jsonl');
    writeFileSync(log, `${JSON.stringify({ type: 'system', subtype: 'init', session_id: 's' })}\n`);
    expect((await run(repo, ['record', 'shepherd-1', '--task-id', 't1', '--output-file', log])).exitCode).toBe(0);
    let finished = false;
    onRequest = (entry) => {
      if (entry.operation !== 'LoomSnapshot' || finished) return;
      finished = true;
      emulator.store.closeIssue(1);
      appendFileSync(
        log,
        `${JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result: 'done', total_cost_usd: 0.5 })}\n`,
      );
    };
    const racing = await run(repo, ['iterate', '--daemon', id]);
    expect(racing.exitCode, racing.stderr).toBe(0);
    expect(finished).toBe(true);
    const next = await run(repo, ['iterate', '--daemon', id]);
    expect(next.stdout.trim()).toMatch(/ completed=#1$/);
    const state = readState(repo)!;
    expect(state.completed_issues).toEqual([1]);
    expect(state.shepherds['shepherd-1']).toMatchObject({ status: 'idle', idle_reason: 'issue-closed' });
    expect(state.cost.recent.map((t) => [t.outcome, t.usd])).toEqual([['ok', 0.5]]);
    // Not released as abandoned: no release comment, the closed issue not put back in the ready queue.
    expect(emulator.store.issue(1).comments.some((c) => c.body.includes('ended without finishing'))).toBe(false);
    expect(labelsOf(emulator, 1)).not.toContain('loom:issue');
  }, 60_000);

  it('a worker that crashes without a result is a failure: restarted once with --resume, then loom:blocked', async () => {
    const { emulator, repo } = await setup(1);
    const child = startRun(workerEnv({ 1: 'crash' }));
    await until(() => labelsOf(emulator, 1).includes('loom:blocked'), 30_000, 'issue 1 blocked');
    const result = await stop(child);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const starts = calls().filter((c) => c.start);
    expect(starts.map((c) => c.argv![1])).toEqual(['/shepherd 1 --force-pr', '/shepherd 1 --force-pr --resume']);
    expect(labelsOf(emulator, 1)).toEqual(['loom:blocked']);
    const comments = emulator.store.issue(1).comments.map((c) => c.body);
    expect(comments.filter((b) => b.includes('ended without a result twice'))).toHaveLength(1);
    const state = readState(repo)!;
    expect(state.warnings.filter((w) => w.type === 'worker-failed').map((w) => w.context.action)).toEqual([
      'restart',
      'block',
    ]);
    expect(state.cost.recent.map((t) => t.outcome)).toEqual(['failed', 'failed']);
    expect(Object.values(state.shepherds).every((s) => s.issue === null)).toBe(true);
  }, 60_000);

  it('a worker that hangs is stopped by the stuck handling: warned, killed and restarted once, then loom:blocked', async () => {
    const { emulator, repo } = await setup(1, {
      stuck_grace: 0,
      stuck_after: { default: 2, curator: 2, builder: 2, judge: 2, doctor: 2 },
    });
    const child = startRun(workerEnv({ 1: 'hang' }));
    await until(() => labelsOf(emulator, 1).includes('loom:blocked'), 40_000, 'issue 1 blocked');
    await until(() => calls().filter((c) => c.start).length === 2, 5_000);
    const pids = calls()
      .filter((c) => c.start)
      .map((c) => c.pid);
    // Both hanging workers are gone (killed by the daemon, not left running).
    await until(
      () =>
        pids.every((pid) => {
          try {
            process.kill(pid, 0);
            return false;
          } catch {
            return true;
          }
        }),
      15_000,
      'hanging workers killed',
    );
    const result = await stop(child);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(
      calls()
        .filter((c) => c.start)
        .map((c) => c.argv![1]),
    ).toEqual(['/shepherd 1 --force-pr', '/shepherd 1 --force-pr --resume']);
    const state = readState(repo)!;
    expect(state.warnings.filter((w) => w.type === 'stuck').map((w) => w.context.action)).toEqual([
      'warn',
      'restart',
      'warn',
      'block',
    ]);
    const logs = logFiles(repo).sort();
    expect(logs).toHaveLength(2);
    for (const log of logs) {
      const last = readFileSync(path.join(repo.dir, '.loom/logs', log), 'utf8')
        .trim()
        .split('\n')
        .at(-1)!;
      expect(JSON.parse(last)).toMatchObject({ type: 'loom_exit', signal: 'SIGTERM' });
    }
  }, 90_000);

  it('a usage-limit refusal pauses claims and keeps the claim; after the reset (moved clock) the issue resumes', async () => {
    const { emulator, repo } = await setup(3, { max_shepherds: 1 });
    const t0 = '2026-03-01T10:00:00.000Z';
    const first = startRun(workerEnv({ '1:1': 'limit' }, { LOOM_NOW: t0 }));
    await until(() => !!readState(repo)?.usage.paused_until, 20_000, 'usage pause recorded');
    // Two more polls (iterations recorded in the state file): nothing new starts during the pause.
    const pausedAt = readState(repo)!.iteration;
    await until(() => readState(repo)!.iteration >= pausedAt + 2, 20_000, 'two polls during the pause');
    const stopped = await stop(first);
    expect(stopped.exitCode, String(stopped.stderr)).toBe(0);
    expect(calls().filter((c) => c.start)).toHaveLength(1);
    let state = readState(repo)!;
    // Reset at t0 + 1 h (from the event), plus the 120 s margin.
    expect(state.usage.paused_until).toBe('2026-03-01T11:02:00.000Z');
    expect(state.usage.reason).toMatch(/five_hour limit/);
    expect(state.shepherds['shepherd-1']).toMatchObject({ status: 'paused', issue: 1, idle_reason: 'usage-limit' });
    // The claim is kept: still loom:building, never released, no other issue claimed.
    expect(labelsOf(emulator, 1)).toEqual(['loom:building']);
    expect(labelsOf(emulator, 2)).toEqual(['loom:issue']);
    expect(emulator.store.issue(1).comments.some((c) => c.body.includes('released'))).toBe(false);
    expect(state.cost.recent.map((t) => t.outcome)).toEqual(['usage-limit']);

    // Status says so.
    const status = JSON.parse((await run(repo, ['status', '--json', '--fast'], { LOOM_NOW: t0 })).stdout);
    expect(status.usage).toEqual({
      paused_until: '2026-03-01T11:02:00.000Z',
      reason: expect.stringMatching(/five_hour/),
    });

    // Restart after the reset: the paused issue resumes with --resume, then the queue goes on.
    const second = startRun(workerEnv({}, { LOOM_NOW: '2026-03-01T11:05:00.000Z' }));
    await until(() => emulator.state().issues!.every((i) => i.state === 'CLOSED'), 30_000, 'all issues closed');
    await until(() => (readState(repo)?.completed_issues.length ?? 0) === 3, 10_000);
    const done = await stop(second);
    expect(done.exitCode, String(done.stderr)).toBe(0);
    const starts = calls().filter((c) => c.start);
    expect(starts.map((c) => c.argv![1])).toEqual([
      '/shepherd 1 --force-pr',
      '/shepherd 1 --force-pr --resume',
      '/shepherd 2 --force-pr',
      '/shepherd 3 --force-pr',
    ]);
    state = readState(repo)!;
    expect(state.usage.paused_until).toBeNull();
    // The refused attempt did not count as a failure: no restart was spent on it.
    expect(state.warnings.filter((w) => w.type === 'worker-failed')).toEqual([]);
  }, 90_000);

  it('SIGTERM drains: no new claim, running workers finish, state records the stop; a second daemon is refused (exit 9)', async () => {
    const { emulator, repo } = await setup(4, { max_shepherds: 2 });
    const child = startRun(workerEnv({ '/shepherd': 'slow' }, { FAKE_CLAUDE_MS: '2500' }));
    await until(() => calls().filter((c) => c.start).length === 2, 20_000, 'two workers started');
    const refused = await run(repo, ['run'], workerEnv());
    expect(refused.exitCode).toBe(9);
    expect(refused.stderr).toMatch(/Another daemon/);
    child.kill('SIGTERM');
    const result = await child;
    if (result.exitCode !== 0) console.log(result.stdout, result.stderr);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toMatch(/SIGTERM: stopping after the drain/);
    // The two running workers ended normally (their issues closed); the other two were never claimed.
    expect(calls().filter((c) => c.start)).toHaveLength(2);
    expect(calls().filter((c) => c.end)).toHaveLength(2);
    expect([1, 2].map((n) => emulator.store.issue(n).state)).toEqual(['CLOSED', 'CLOSED']);
    expect([3, 4].map((n) => labelsOf(emulator, n))).toEqual([['loom:issue'], ['loom:issue']]);
    const state = readState(repo)!;
    expect(state.running).toBe(false);
    expect(state.stopped_at).not.toBeNull();
    expect(existsSync(path.join(repo.dir, '.loom/stop-daemon'))).toBe(false);
    expect(existsSync(path.join(repo.dir, '.loom/stop-shepherds'))).toBe(false);
  }, 90_000);

  it('--print-unit prints a systemd unit and a launchd plist for this repository', async () => {
    const { repo } = await setup(0);
    const systemd = await run(repo, ['run', '--print-unit', 'systemd']);
    expect(systemd.exitCode).toBe(0);
    expect(systemd.stdout).toContain('KillMode=mixed');
    expect(systemd.stdout).toContain('TimeoutStopSec=360');
    expect(systemd.stdout).toMatch(/ExecStart=\S*node\S* \S*\.loom\/scripts\/loom run/);
    const launchd = await run(repo, ['run', '--print-unit', 'launchd']);
    expect(launchd.stdout).toContain('<string>run</string>');
    expect(launchd.stdout).toContain('<key>ExitTimeOut</key><integer>360</integer>');
    const bad = await run(repo, ['run', '--print-unit', 'upstart']);
    expect(bad.exitCode).toBe(2);
    const missing = await run(repo, ['run'], { LOOM_CLAUDE: path.join(repo.dir, 'no-such-claude') });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/not found or is not executable/);
  }, 30_000);
});

describe('cost in /loom (interactive)', () => {
  it("records a finished background shepherd's tokens and estimated cost from its output file and its Builder's", async () => {
    const { emulator, repo } = await setup(1, { max_shepherds: 1, models: { shepherd: 'claude-opus-4-1' } });
    const id = (await run(repo, ['start'])).stdout.trim().split('\n').at(-1)!;
    // models.shepherd reaches the SPAWN line as the Agent tool's alias.
    expect((await run(repo, ['iterate', '--daemon', id])).stdout).toContain(
      'SPAWN shepherd-1 model=opus shepherd 1 --force-pr',
    );
    // Laid out as Claude Code 2.1.197 leaves it: the output file a symlink to the subagent's transcript, the
    // transcript of the Builder it started beside it (real files, test/fixtures/claude-2.1.197-subagents).
    const subagents = path.join(scratch!, 'projects/p/session/subagents');
    cpSync(path.resolve(import.meta.dirname, 'fixtures/claude-2.1.197-subagents'), subagents, { recursive: true });
    const output = path.join(scratch!, 'tasks/a210b1710fc01afa4.output');
    mkdirSync(path.dirname(output), { recursive: true });
    symlinkSync(path.join(subagents, 'agent-a210b1710fc01afa4.jsonl'), output);
    const recorded = await run(repo, [
      'record',
      'shepherd-1',
      '--task-id',
      'a210b1710fc01afa4',
      '--output-file',
      output,
    ]);
    expect(recorded.exitCode, recorded.stderr).toBe(0);
    emulator.store.closeIssue(1);
    expect((await run(repo, ['iterate', '--daemon', id])).stdout).toMatch(/ completed=#1$/);
    const cost = readState(repo)!.cost;
    expect(cost.by_issue['1']).toEqual({ usd: 0.00255, input_tokens: 500, output_tokens: 50, tasks: 1 });
    expect(cost.by_model).toEqual({ 'claude-opus-4-8': 0.00225, 'claude-haiku-4-5-20251001': 0.0003 });
    expect(cost.recent.map((t) => [t.task_id, t.role, t.outcome])).toEqual([['a210b1710fc01afa4', 'shepherd', 'ok']]);
    const status = JSON.parse((await run(repo, ['status', '--json', '--fast'])).stdout);
    expect(status.cost.by_issue['1']).toBe(0.00255);
  }, 60_000);
});

describe('the usage pause in /loom (interactive)', () => {
  it("a background shepherd's transcript refused by a limit pauses its slot with the claim kept; iterate starts nothing until the pause ends", async () => {
    const { emulator, repo } = await setup(2, { max_shepherds: 1 });
    const t0 = '2026-03-01T10:00:00.000Z';
    const at = (iso: string) => ({ LOOM_NOW: iso });
    const id = (await run(repo, ['start'], at(t0))).stdout.trim().split('\n').at(-1)!;
    const first = await run(repo, ['iterate', '--daemon', id], at(t0));
    expect(first.stdout).toContain('SPAWN shepherd-1 shepherd 1 --force-pr');
    // The subagent's output file as Claude Code 2.1.197 leaves it when a usage limit refuses the subagent
    // (checked against the scripted model): a synthetic assistant entry flagged as an API error 429, no reset time.
    const output = path.join(scratch!, 'a1.output');
    writeFileSync(
      output,
      [
        { type: 'user', isSidechain: true, message: { role: 'user', content: 'Use the Skill tool…' } },
        {
          type: 'assistant',
          isSidechain: true,
          message: {
            model: '<synthetic>',
            role: 'assistant',
            stop_reason: 'stop_sequence',
            content: [{ type: 'text', text: "You've hit your session limit · resets 11:00am (UTC)" }],
          },
          error: 'rate_limit',
          isApiErrorMessage: true,
          apiErrorStatus: 429,
        },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    expect(
      (await run(repo, ['record', 'shepherd-1', '--task-id', 'a1', '--output-file', output], at(t0))).exitCode,
    ).toBe(0);
    const second = await run(repo, ['iterate', '--daemon', id], at('2026-03-01T10:01:00.000Z'));
    expect(second.stdout).not.toContain('SPAWN');
    let state = readState(repo)!;
    // No reset time in a transcript: the pause lasts usage.retry_after (1800 s).
    expect(state.usage.paused_until).toBe('2026-03-01T10:31:00.000Z');
    expect(state.shepherds['shepherd-1']).toMatchObject({ status: 'paused', issue: 1, idle_reason: 'usage-limit' });
    expect(labelsOf(emulator, 1)).toEqual(['loom:building']);
    // iterate --wait answers nothing to start while paused (its budget ends first).
    const waiting = await run(
      repo,
      ['iterate', '--daemon', id, '--wait', '--budget', '3'],
      at('2026-03-01T10:20:00.000Z'),
    );
    expect(waiting.stdout).not.toContain('SPAWN');
    // After the pause: the paused issue is resumed first.
    const after = await run(repo, ['iterate', '--daemon', id], at('2026-03-01T10:32:00.000Z'));
    expect(after.stdout).toContain('SPAWN shepherd-1 shepherd 1 --force-pr --resume');
    expect(labelsOf(emulator, 2)).toEqual(['loom:issue']);
    state = readState(repo)!;
    expect(state.usage.paused_until).toBeNull();
  }, 60_000);
});
