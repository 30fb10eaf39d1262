/**
 * The one command shape (src/cli.ts): options parsed with zod → an exported `fn(ctx, options)` that returns the
 * data `--json` prints → a render that prints and gives the exit code. Here the functions are called on a
 * context built in the test (the emulator's gh, captured output), as a test of any command's logic can: the data
 * comes back without parsing output, nothing is printed until the render, and the exit code is the render's.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../src/clock.js';
import { actionsInstall, checkInputs, renderActions, renderCheckInputs } from '../src/commands/actions.js';
import { adoptClaim, renderAdoptClaim } from '../src/commands/adopt.js';
import { checkedPlan, claim, renderClaim, transition } from '../src/commands/claims.js';
import {
  progress,
  record,
  renderProgress,
  renderRecord,
  renderShutdown,
  renderSpawn,
  renderStart,
  renderStop,
  ShutdownJsonSchema,
  StartJsonSchema,
  shutdown,
  spawn,
  start,
  stop,
} from '../src/commands/daemon.js';
import { dashboard, renderDashboard } from '../src/commands/dashboard.js';
import { doctor, renderDoctor } from '../src/commands/doctor.js';
import { guard, renderGuard } from '../src/commands/guard.js';
import { init, renderInit } from '../src/commands/init.js';
import { type IterateOptions, iterate, renderIterate } from '../src/commands/iterate.js';
import {
  renderUninstall,
  renderUpgrade,
  renderVersion,
  uninstall,
  upgrade,
  version,
} from '../src/commands/lifecycle.js';
import { followLog, type LogsOptions, logs, renderLogs } from '../src/commands/logs.js';
import { next, renderNext } from '../src/commands/next.js';
import { prFor, renderPrFor } from '../src/commands/pulls.js';
import { loomRun, renderLoomRun } from '../src/commands/run.js';
import { renderStatus, status } from '../src/commands/status.js';
import { createContext, type LoomContext } from '../src/context.js';
import { isLoomError } from '../src/errors.js';
import { GhClient } from '../src/github/gh.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { type CapturedOutput, captureOutput, emulatorGh } from './helpers/in-process.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';

let emulator: EmulatorHandle;
let repo: TestRepo;
let ctx: LoomContext;
let io: CapturedOutput;

beforeAll(async () => {
  emulator = await startEmulator(seedWith([{ labels: ['loom:issue'] }, { labels: ['loom:issue'] }]));
  repo = await createTestRepo(emulator, { inProcess: true });
  io = captureOutput();
  ctx = await createContext({ cwd: repo.dir, env: repo.env, io, gh: emulatorGh(emulator) });
});

afterAll(async () => {
  repo?.cleanup();
  await emulator?.close();
});

describe('a command as fn(ctx, options) → render', () => {
  it('next returns the number its --json prints, printing nothing itself; the render prints and exits', async () => {
    emulator.clearRequests();
    const result = await next(ctx, { role: 'builder', json: false });
    expect(result).toEqual({ role: 'builder', number: 1 });
    expect(emulator.requests()).toHaveLength(1);
    expect(io.stdout).toEqual([]);
    expect(renderNext(io, result, { role: 'builder', json: false })).toBe(0);
    expect(io.stdout.splice(0)).toEqual(['1']);
    expect(renderNext(io, { role: 'judge', number: null }, { role: 'judge', json: false })).toBe(7);
  });

  it('claim returns claimed or the reason; the render turns a refusal into exit 12 and one line on stderr', async () => {
    expect(await claim(ctx, { issue: 1, json: false })).toEqual({
      issue: 1,
      claimed: true,
      title: 'Issue 1',
      reason: null,
    });
    expect(labelsOf(emulator, 1)).toEqual(['loom:building']);
    const again = await claim(ctx, { issue: 1, json: false });
    expect(again).toMatchObject({ issue: 1, claimed: false, title: null });
    expect(renderClaim(io, again, { issue: 1, json: false })).toBe(12);
    expect(io.stderr.splice(0)).toEqual([`loom: cannot claim #1: ${again.reason}`]);
  });

  it('transition checks its label plan before any request and returns the labels after the verified edit', async () => {
    const wrong = (() => {
      try {
        return checkedPlan({ add: ['loom:nonsense'], remove: [] });
      } catch (error) {
        return error;
      }
    })();
    expect(isLoomError(wrong) && wrong.code).toBe('USAGE');
    const moved = await transition(ctx, {
      number: 2,
      add: ['loom:blocked'],
      remove: ['loom:issue'],
      expect: [],
      json: false,
    });
    expect(moved).toMatchObject({ number: 2, ok: true, added: ['loom:blocked'], removed: ['loom:issue'] });
    expect(labelsOf(emulator, 2)).toEqual(['loom:blocked']);
  });

  it('pr-for returns pr null for an issue without one; the render exits 7 and prints nothing', async () => {
    const result = await prFor(ctx, { issue: 2, json: false });
    expect(result).toEqual({ issue: 2, pr: null, via: [] });
    expect(renderPrFor(io, result, { issue: 2, json: false })).toBe(7);
    expect(io.stdout).toEqual([]);
  });

  it('status returns the report --json prints from one request, printing nothing; the render prints and exits', async () => {
    emulator.clearRequests();
    const result = await status(ctx, { fast: false });
    expect(emulator.requests()).toHaveLength(1);
    expect(io.stdout).toEqual([]);
    // #1 was claimed and #2 blocked by the cases above.
    expect(result.report).toMatchObject({ repository: 'acme/widgets', pipeline_source: 'github' });
    expect(result.report.pipeline).toMatchObject({ ready: 0, building: 1, blocked: 1 });
    expect(result.exitCode).toBe(0);
    expect(await renderStatus(ctx, result, { json: true })).toBe(0);
    expect(JSON.parse(io.stdout.splice(0).join('\n'))).toEqual(JSON.parse(JSON.stringify(result.report)));
    expect(await renderStatus(ctx, { ...result, exitCode: 5 }, { json: false })).toBe(5);
    expect(io.stdout.splice(0).join('\n')).toMatch(/acme\/widgets/);
  });
});

describe('the daemon commands as fn(ctx, options) → render', () => {
  let forge: EmulatorHandle;
  let clone: TestRepo;
  let dctx: LoomContext;
  let out: CapturedOutput;
  let daemonId: string;

  beforeAll(async () => {
    forge = await startEmulator(seedWith([{ labels: ['loom:issue'] }]));
    clone = await createTestRepo(forge, { inProcess: true });
    out = captureOutput();
    dctx = await createContext({ cwd: clone.dir, env: clone.env, io: out, gh: emulatorGh(forge) });
  });

  afterAll(async () => {
    clone?.cleanup();
    await forge?.close();
  });

  it('start registers a daemon and returns what --json prints; the render prints the id last', async () => {
    const options = { force: false, promote: true, takeOver: false, json: false };
    const started = await start(dctx, options);
    expect(StartJsonSchema.parse(started)).toEqual(started);
    expect(started).toMatchObject({ crashed: false, recovered: [], cleaned: [] });
    daemonId = started.daemon_id;
    expect(daemonId).toMatch(/^loom-\d{14}-[0-9a-f]{6}$/);
    expect(await dctx.store.read()).toMatchObject({ daemon_id: daemonId, running: true, force_mode: true });
    expect(out.stdout).toEqual([]);
    expect(renderStart(out, started, options)).toBe(0);
    expect(out.stdout.splice(0)).toEqual([daemonId]);
    expect(renderStart(out, started, { ...options, json: true })).toBe(0);
    expect(JSON.parse(out.stdout.splice(0).join('\n'))).toEqual(started);
  });

  it('spawn claims the issue into a free slot and returns its directive; a second spawn is refused', async () => {
    const options = { issue: 1, daemon: daemonId, json: false };
    const directive = await spawn(dctx, options);
    expect(directive).toMatchObject({ slot: 'shepherd-1', skill: 'shepherd', issue: 1 });
    expect(labelsOf(forge, 1)).toEqual(['loom:building']);
    expect((await dctx.store.read()).shepherds['shepherd-1']).toMatchObject({ status: 'working', issue: 1 });
    expect(out.stdout).toEqual([]);
    expect(renderSpawn(out, directive, options)).toBe(0);
    expect(out.stdout.splice(0)).toEqual([expect.stringMatching(/^SPAWN shepherd-1 shepherd 1\b/)]);
    const again = await spawn(dctx, options).catch((error: unknown) => error);
    expect(isLoomError(again) && again.code).toBe('CLAIM_CONFLICT');
  });

  it('record and progress write the state file and print nothing before their render', async () => {
    const outputFile = path.join(clone.dir, '.loom/tmp-task.output');
    const recorded = await record(dctx, { slot: 'shepherd-1', taskId: 'task-1', outputFile });
    expect(recorded).toEqual({ slot: 'shepherd-1', task_id: 'task-1', output_file: outputFile });
    expect((await dctx.store.read()).shepherds['shepherd-1']).toMatchObject({ task_id: 'task-1' });
    const beat = { issue: 1, phase: 'builder' as const, done: false, failed: false };
    expect(await progress(dctx, beat)).toEqual({ recorded: 'heartbeat', issue: 1, role: null });
    expect((await dctx.store.read()).shepherds['shepherd-1']).toMatchObject({ last_phase: 'builder' });
    const roleEnd = { role: 'guide' as const, done: true, failed: false, result: 'triaged 3' };
    expect(await progress(dctx, roleEnd)).toEqual({ recorded: 'role-end', issue: null, role: 'guide' });
    expect((await dctx.store.read()).support_roles.guide).toMatchObject({ status: 'idle', last_result: 'triaged 3' });
    expect(await progress(dctx, { role: 'guide', done: false, failed: false })).toMatchObject({ recorded: 'nothing' });
    expect(out.stdout).toEqual([]);
    expect(renderRecord(out, recorded, { slot: 'shepherd-1', taskId: 'task-1', outputFile })).toBe(0);
    expect(renderProgress(out, { recorded: 'heartbeat', issue: 1, role: null }, beat)).toBe(0);
    expect(out.stdout.splice(0)).toEqual(['recorded shepherd-1', 'ok']);
  });

  it('stop writes the stop file; shutdown returns what --json prints and removes it', async () => {
    const requested = await stop(dctx, {});
    expect(readFileSync(dctx.paths.stopDaemon, 'utf8')).toBe(`requested at ${requested.requested_at}\n`);
    expect(out.stdout).toEqual([]);
    expect(renderStop(out, requested, {})).toBe(0);
    expect(out.stdout.splice(0)).toEqual([expect.stringContaining('stop requested')]);
    await progress(dctx, { issue: 1, phase: 'merge', done: true, failed: false });
    const options = { daemon: daemonId, drain: 0, json: true };
    const stopped = await shutdown(dctx, options);
    expect(ShutdownJsonSchema.parse(stopped)).toEqual({
      drained: true,
      waited_seconds: 0,
      released: [],
      still_running: [],
    });
    expect(existsSync(dctx.paths.stopDaemon)).toBe(false);
    expect(await dctx.store.read()).toMatchObject({ running: false });
    expect(out.stdout).toEqual([]);
    expect(renderShutdown(out, stopped, options)).toBe(0);
    expect(JSON.parse(out.stdout.splice(0).join('\n'))).toEqual(stopped);
    expect(renderShutdown(out, { ...stopped, drained: false, still_running: [1] }, { ...options, json: false })).toBe(
      0,
    );
    expect(out.stdout.splice(0)).toEqual(['stopped: still running past the drain: #1']);
  });
});

describe('loom run as fn(ctx, options) → render, on a fake clock', () => {
  let forge: EmulatorHandle;
  let clone: TestRepo;

  beforeAll(async () => {
    forge = await startEmulator(seedWith([]));
    clone = await createTestRepo(forge, { inProcess: true });
    // No issue and no support role: the daemon only polls, so every wait is the poll sleep.
    const off = { enabled: false };
    clone.writeConfig({
      poll_interval: 30,
      ...Object.fromEntries(
        ['architect', 'hermit', 'guide', 'champion', 'doctor', 'curator', 'judge'].map((r) => [r, off]),
      ),
    });
  });

  afterAll(async () => {
    clone?.cleanup();
    await forge?.close();
  });

  it('prints a unit only in the render', async () => {
    const io = captureOutput();
    const ctx = await createContext({ cwd: clone.dir, env: clone.env, io, gh: emulatorGh(forge) });
    const options = { force: false, printUnit: 'systemd' as const };
    const result = await loomRun(ctx, options);
    expect(result).toMatchObject({ kind: 'unit', unit: 'systemd', text: expect.stringContaining('ExecStart=') });
    expect(io.stdout).toEqual([]);
    expect(renderLoomRun(io, result, options)).toBe(0);
    expect(io.stdout).toEqual([result.kind === 'unit' && result.text.trimEnd()]);
  });

  it("sleeps between polls on the context's clock, and stops at the stop file", async () => {
    let elapsed = 0;
    const slept: number[] = [];
    const stopFile = path.join(clone.dir, '.loom/stop-daemon');
    const start = Date.parse('2026-06-01T00:00:00Z');
    const clock: Clock = {
      now: () => new Date(start + elapsed),
      monotonic: () => elapsed,
      async sleep(ms) {
        slept.push(ms);
        elapsed += ms;
        if (elapsed >= 90_000) writeFileSync(stopFile, 'test\n');
      },
    };
    const io = captureOutput();
    const env = { ...clone.env, LOOM_CLAUDE: path.resolve(import.meta.dirname, 'fixtures/fake-claude.mjs') };
    const ctx = await createContext({ cwd: clone.dir, env, io, gh: emulatorGh(forge), clock });
    const result = await loomRun(ctx, { force: false });
    // Three 30 s polls slept on the fake clock in 250 ms stop-file checks; the fourth iteration sees the stop file.
    expect(result).toMatchObject({ kind: 'daemon', iterations: 4, workers_started: 0, drained: true });
    expect(slept.reduce((a, b) => a + b, 0)).toBe(90_000);
    expect(Math.max(...slept)).toBe(250);
    expect(existsSync(stopFile)).toBe(false);
    expect(io.stdout.at(-1)).toMatch(/stopped: all shepherds reached a safe point$/);
    expect(renderLoomRun(io, result, { force: false })).toBe(0);
  });
});

describe('the install commands as fn(env, options) → render (they run before .loom/ exists)', () => {
  let forge: EmulatorHandle;
  let bare: TestRepo;

  beforeAll(async () => {
    forge = await startEmulator(seedWith([]));
    bare = await createTestRepo(forge, { inProcess: true, install: false });
  });

  afterAll(async () => {
    bare?.cleanup();
    await forge?.close();
  });

  const INIT = { dryRun: false, force: false, labels: true, followSymlinks: false, actions: false, daemon: false };

  it('init installs and syncs the labels, returning what --json prints; the render prints the plan and next steps', async () => {
    const io = captureOutput();
    const env = { cwd: bare.dir, env: bare.env, io, gh: emulatorGh(forge) };
    const options = { ...INIT, target: '.', json: false };
    const result = await init(env, options);
    expect(io.stdout).toEqual([]);
    expect(existsSync(path.join(bare.dir, '.loom/config.json'))).toBe(true);
    expect(result.json).toMatchObject({ target: bare.dir, dry_run: false, errors: [] });
    expect(result.json.files).toContainEqual({ path: '.loom/config.json', action: 'create' });
    expect(result.json.labels?.created.length).toBeGreaterThan(10);
    expect(result.json.labels?.created).toContain('loom:issue');
    expect(renderInit(io, result, options)).toBe(0);
    expect(io.stdout[0]).toBe(`Installing Loom ${result.json.version} into ${bare.dir}`);
    expect(io.stdout).toContain('Next:');
    expect(renderInit(io, result, { ...options, json: true })).toBe(0);
    expect(JSON.parse(io.stdout.slice(io.stdout.lastIndexOf('{')).join('\n'))).toEqual(result.json);
  });

  it('init returns a failed label sync instead of throwing; the render gives its exit code and the next step', async () => {
    const io = captureOutput();
    const refusing = new GhClient(async () => ({ exitCode: 1, stdout: '', stderr: 'HTTP 401: Bad credentials\n' }));
    const options = { ...INIT, target: bare.dir, json: false };
    const result = await init({ cwd: bare.dir, env: bare.env, io, gh: refusing }, options);
    expect(result.labelError).not.toBeNull();
    expect(result.json.labels).toBeNull();
    expect(result.json.errors).toEqual([expect.objectContaining({ code: result.labelError!.code })]);
    expect(io.stderr).toEqual([]);
    const code = renderInit(io, result, options);
    expect(code).toBe(result.labelError!.exitCode);
    expect(code).not.toBe(0);
    expect(io.stderr).toContain('  → Then run `.loom/scripts/loom labels sync`.');
  });

  it('actions install --dry-run returns the workflows it would write and writes none', async () => {
    const io = captureOutput();
    const options = { daemon: false, force: false, dryRun: true, json: false };
    const result = await actionsInstall({ cwd: bare.dir, env: bare.env, io }, options);
    expect(result.json.files).toContainEqual({ path: '.github/workflows/loom-shepherd.yml', action: 'create' });
    expect(result.json).toMatchObject({ target: bare.dir, dry_run: true, secret: 'ANTHROPIC_API_KEY' });
    expect(existsSync(path.join(bare.dir, '.github/workflows/loom-shepherd.yml'))).toBe(false);
    expect(io.stdout).toEqual([]);
    expect(renderActions(io, result, options)).toBe(0);
    expect(io.stdout).toContain('  would create .github/workflows/loom-shepherd.yml');
    expect(io.stdout).not.toContain('Next:');
  });

  it('actions check-inputs returns the prompt (and writes it to GITHUB_OUTPUT) or the problems, exit 2', async () => {
    const io = captureOutput();
    const output = path.join(bare.home, 'github-output');
    const inputs = { LOOM_ISSUE: '12', LOOM_SLOT: 'actions-1', LOOM_ARGS: '--force-pr', GITHUB_OUTPUT: output };
    const good = await checkInputs({ cwd: bare.dir, env: inputs, io }, { json: false });
    expect(good).toEqual({
      ok: true,
      issue: 12,
      slot: 'actions-1',
      args: ['--force-pr'],
      prompt: '/shepherd 12 --force-pr',
    });
    expect(readFileSync(output, 'utf8')).toBe('prompt=/shepherd 12 --force-pr\n');
    const bad = await checkInputs(
      { cwd: bare.dir, env: { ...inputs, LOOM_ISSUE: '12; rm -rf /' }, io },
      { json: false },
    );
    expect(bad.ok).toBe(false);
    expect(readFileSync(output, 'utf8')).toBe('prompt=/shepherd 12 --force-pr\n');
    expect(io.stdout).toEqual([]);
    expect(renderCheckInputs(io, good, { json: false })).toBe(0);
    expect(renderCheckInputs(io, bad, { json: false })).toBe(2);
    expect(io.stdout).toEqual(['/shepherd 12 --force-pr']);
    expect(io.stderr).toEqual([expect.stringMatching(/^loom: issue must be an issue number/)]);
  });

  it('version returns what --json prints: this build and the one installed here', async () => {
    const io = captureOutput();
    const result = await version({ cwd: bare.dir, env: bare.env, io }, { json: false });
    expect(result.installed).toEqual({ version: result.version, build: result.build });
    expect(io.stdout).toEqual([]);
    expect(renderVersion(io, result, { json: false })).toBe(0);
    expect(io.stdout[0]).toBe(`loom ${result.version} (build ${result.build}, node ${process.versions.node})`);
  });

  it('doctor returns every check; the render exits 17 when one fails', async () => {
    const io = captureOutput();
    const result = await doctor({ cwd: bare.dir, env: bare.env, io, gh: emulatorGh(forge) }, { json: false });
    expect(result.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['node', 'git', 'install', 'settings']));
    expect(result.checks.find((c) => c.id === 'install')).toMatchObject({ ok: true });
    // The temporary HOME has never trusted this folder in Claude Code.
    expect(result.checks.find((c) => c.id === 'trusted')).toMatchObject({ ok: false });
    expect(result.ok).toBe(false);
    expect(io.stdout).toEqual([]);
    expect(renderDoctor(io, result, { json: false })).toBe(17);
    expect(io.stdout.at(-1)).toMatch(/^\d+ of \d+ checks failed\.$/);
  });

  it('upgrade --dry-run runs the newer Loom’s init and returns its answer; uninstall --dry-run removes nothing', async () => {
    const io = captureOutput();
    const env = { cwd: bare.dir, env: bare.env, io };
    const up = { target: '.', dryRun: true, force: false, labels: false, json: true };
    const upgraded = await upgrade(env, up);
    expect(upgraded.init.exitCode).toBe(0);
    expect(upgraded.json.init).toMatchObject({ target: bare.dir, dry_run: true });
    expect(upgraded.json.from).toMatch(/\.loom[\\/]scripts[\\/]loom$/);
    const down = { target: bare.dir, keepState: false, labels: false, dryRun: true, json: false };
    const removed = await uninstall(env, down);
    expect(removed.json.files).toContainEqual(expect.objectContaining({ path: '.loom/config.json', action: 'remove' }));
    expect(existsSync(path.join(bare.dir, '.loom/config.json'))).toBe(true);
    expect(io.stdout).toEqual([]);
    expect(renderUpgrade(io, upgraded, up)).toBe(0);
    expect(JSON.parse(io.stdout.splice(0).join('\n'))).toEqual(upgraded.json);
    expect(renderUninstall(io, removed, down)).toBe(0);
    expect(io.stdout[0]).toBe(`Would remove Loom ${removed.installedVersion} from ${bare.dir}`);
  });
});

/** A clock that only moves when slept on: a wait of minutes takes no real time. `onSleep` runs after each sleep. */
function fakeClock(onSleep: (elapsedMs: number) => void = () => {}): Clock & { elapsed(): number } {
  let t = 0;
  return {
    now: () => new Date(Date.parse('2026-03-01T10:00:00Z') + t),
    monotonic: () => t,
    sleep: async (ms) => {
      t += ms;
      onSleep(t);
    },
    elapsed: () => t,
  };
}

const ITERATE: IterateOptions = { wait: false, force: false, dryRun: false, json: false };

describe('iterate as fn(ctx, options) → render', () => {
  let forge: EmulatorHandle;
  let ready: TestRepo;
  let idle: TestRepo;

  beforeAll(async () => {
    forge = await startEmulator(seedWith([{ labels: ['loom:issue'] }]));
    ready = await createTestRepo(forge, { inProcess: true, config: { issue_threshold: 0 } });
    idle = await createTestRepo(forge, { inProcess: true, config: { issue_threshold: 0, max_shepherds: 0 } });
  });
  afterAll(async () => {
    ready?.cleanup();
    idle?.cleanup();
    await forge?.close();
  });

  /** The idle repository (nothing to claim, a 30 s poll) with a context on `clock` and the emulator's gh. */
  function idleContext(clock: Clock): Promise<LoomContext> {
    idle.writeConfig({ issue_threshold: 0, max_shepherds: 0, poll_interval: 30 });
    return createContext({ cwd: idle.dir, env: idle.env, io: captureOutput(), gh: emulatorGh(forge), clock });
  }

  it('a dry run returns the directive and summary its lines show, in one request, printing nothing itself', async () => {
    const out = captureOutput();
    const ctx = await createContext({ cwd: ready.dir, env: ready.env, io: out, gh: emulatorGh(forge) });
    forge.clearRequests();
    const result = await iterate(ctx, { ...ITERATE, dryRun: true });
    expect(forge.requests()).toHaveLength(1);
    expect(out.stdout).toEqual([]);
    expect(result).toMatchObject({ schema: 'loom.iterate/1', iterations: 1, dry_run: true, errors: [], failure: null });
    expect(result.directives.map((d) => [d.slot, d.skill, d.issue])).toEqual([['shepherd-1', 'shepherd', 1]]);
    expect(renderIterate(out, result, { ...ITERATE, dryRun: true })).toBe(0);
    expect(out.stdout.splice(0)).toEqual([
      '# dry run: nothing was changed',
      expect.stringMatching(/^SPAWN shepherd-1 shepherd 1\b/),
      result.summary,
    ]);
    expect(renderIterate(out, result, { ...ITERATE, dryRun: true, json: true })).toBe(0);
    const json = JSON.parse(out.stdout.splice(0).join('\n'));
    expect(json).toMatchObject({ schema: 'loom.iterate/1', summary: result.summary, dry_run: true });
    expect(json).not.toHaveProperty('failure');
  });

  it('--wait polls on the injected clock until its budget ends: one request per poll, no real time', async () => {
    const clock = fakeClock();
    const ctx = await idleContext(clock);
    forge.clearRequests();
    const result = await iterate(ctx, { ...ITERATE, wait: true, budget: 75 }); // 75 s on the fake clock
    expect(clock.elapsed()).toBe(75_000);
    expect(result.iterations).toBe(3); // at 0, 30 and 60 s
    expect(forge.requests()).toHaveLength(3);
    expect(result).toMatchObject({ shutdown: false, directives: [], failure: null });
    expect(renderIterate(captureOutput(), result, { ...ITERATE, wait: true })).toBe(0);
  });

  it('--wait records a passing GitHub failure and polls on; a one-off iteration throws it for the error sink', async () => {
    const clock = fakeClock();
    const ctx = await idleContext(clock);
    forge.addFault({ match: { operation: 'LoomSnapshot' }, status: 502, times: 1 });
    const result = await iterate(ctx, { ...ITERATE, wait: true, budget: 45 });
    expect(result.iterations).toBe(2);
    expect(result.errors).toEqual([{ code: expect.any(String), message: expect.any(String) }]);
    expect(result.failure).toBeNull();
    expect(result.summary).not.toContain('warn=1'); // the answer is the later, successful poll's
    forge.addFault({ match: { operation: 'LoomSnapshot' }, status: 502, times: 1 });
    await expect(iterate(ctx, ITERATE)).rejects.toMatchObject({ code: result.errors[0]!.code });
  });

  it('--wait ends at the stop file within a check (250 ms) and the next iteration answers SHUTDOWN_SIGNAL', async () => {
    const stop = path.join(idle.dir, '.loom/stop-daemon');
    const clock = fakeClock((t) => {
      if (t >= 40_000 && !existsSync(stop)) writeFileSync(stop, 'test\n');
    });
    const ctx = await idleContext(clock);
    try {
      const result = await iterate(ctx, { ...ITERATE, wait: true, budget: 300 });
      expect(result).toMatchObject({ shutdown: true, summary: 'SHUTDOWN_SIGNAL', iterations: 3 });
      expect(clock.elapsed()).toBe(40_000);
      const out = captureOutput();
      expect(renderIterate(out, result, { ...ITERATE, wait: true })).toBe(0);
      expect(out.stdout).toEqual(['SHUTDOWN_SIGNAL']);
    } finally {
      rmSync(stop, { force: true });
    }
  });
});

describe('guard, dashboard, logs and adopt-claim as fn(ctx, options) → render', () => {
  const hook = (command: string) =>
    JSON.stringify({ tool_name: 'Bash', tool_input: { command }, cwd: repo.dir, hook_event_name: 'PreToolUse' });

  it('guard allows a harmless call (exit 0, silent) and blocks a force push with its rule on stderr (exit 2)', () => {
    const out = captureOutput();
    const allowed = guard({ env: repo.env }, { input: hook('git status --short') });
    expect(allowed).toEqual({ blocked: false, rule: null, reason: null });
    expect(renderGuard(out, allowed, { input: '' })).toBe(0);
    const blocked = guard({ env: repo.env }, { input: hook('git push --force origin main') });
    expect(blocked).toMatchObject({ blocked: true, rule: 'force-push' });
    expect(out.stderr).toEqual([]);
    expect(renderGuard(out, blocked, { input: '' })).toBe(2);
    expect(out.stderr.splice(0)).toEqual([`loom guard (force-push): ${blocked.reason}`]);
  });

  it('guard fails closed on input that is not hook JSON', () => {
    const out = captureOutput();
    const result = guard({ env: repo.env }, { input: 'not json' });
    expect(result).toMatchObject({ blocked: true, rule: null });
    expect(renderGuard(out, result)).toBe(2);
    expect(out.stderr).toEqual([expect.stringMatching(/^loom guard: could not read the hook input .*; call refused$/)]);
  });

  it('dashboard serves once it resolves; the render prints its URL; close() stops it', async () => {
    const server = await dashboard(ctx, { port: 0, open: false });
    try {
      expect(io.stdout).toEqual([]);
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{40,}$/);
      expect((await fetch(server.url)).status).toBe(200);
      expect((await fetch(server.url.replace(/token=.*/, 'token=wrong'))).status).toBe(403);
      expect(renderDashboard(io, server, { port: 0, open: false })).toBe(0);
      expect(io.stdout.splice(0)).toEqual([
        `Loom dashboard: ${server.url}`,
        'Only this machine can open it, with the token in the URL. Ctrl-C stops it.',
      ]);
    } finally {
      await server.close();
    }
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it("dashboard links go to the repository's host, not to another GH_HOST", async () => {
    // The repository from the origin remote (on github.localhost), with GH_HOST naming another host.
    const { GH_REPO: _, LOOM_REPO: __, ...rest } = repo.env;
    const elsewhere = { ...rest, GH_HOST: 'elsewhere.example' };
    const dctx = await createContext({ cwd: repo.dir, env: elsewhere, io, gh: emulatorGh(emulator) });
    const server = await dashboard(dctx, { port: 0, open: false });
    try {
      const model = (await (await fetch(server.url.replace('/?', '/model.json?'))).json()) as {
        repository_url: string;
      };
      expect(model.repository_url).toBe('https://github.localhost/acme/widgets');
    } finally {
      await server.close();
    }
  });

  it('logs returns the newest matching log as shown; --list names every match; --follow reads on to the exit', async () => {
    const dir = path.join(repo.dir, '.loom/logs');
    mkdirSync(dir, { recursive: true });
    const tool = (command: string) =>
      JSON.stringify({
        type: 'assistant',
        message: { content: [{ type: 'tool_use', name: 'Bash', input: { command } }] },
      });
    const older = path.join(dir, 'shepherd-1-5-20260101T110000Z.jsonl');
    const newest = path.join(dir, 'shepherd-1-5-20260101T120000Z.jsonl');
    writeFileSync(older, `${tool('echo old')}\n`);
    writeFileSync(newest, `${tool('echo one')}\n\n${tool('echo two')}`); // the last line not finished yet
    const options: LogsOptions = { selector: '5', follow: false, raw: false, list: false };
    const shown = await logs(ctx, options);
    expect(shown).toMatchObject({ files: [], file: newest, lines: ['→ Bash echo one', '→ Bash echo two'] });
    expect(io.stdout).toEqual([]);
    expect(renderLogs(io, shown, options)).toBe(0);
    expect(io.stdout.splice(0)).toEqual([`# ${newest}`, '→ Bash echo one', '→ Bash echo two']);

    const list = await logs(ctx, { ...options, list: true });
    expect(list.files).toEqual([older, newest]);
    expect(renderLogs(io, list, { ...options, list: true })).toBe(0);
    expect(io.stdout.splice(0)).toEqual([older, newest]);

    // --follow: the unfinished line waits for its end; each poll (500 ms, on the context's clock) reads on.
    let polls = 0;
    const clock = fakeClock(() => {
      polls += 1;
      if (polls === 1) writeFileSync(newest, `${tool('echo one')}\n\n${tool('echo two')}\n`);
      if (polls === 2)
        writeFileSync(newest, `${JSON.stringify({ type: 'loom_exit', code: 0, signal: null })}\n`, { flag: 'a' });
    });
    const followCtx = { ...ctx, clock };
    const follow = { ...options, follow: true };
    const first = await logs(followCtx, follow);
    expect(first.lines).toEqual(['→ Bash echo one']);
    const batches: string[][] = [];
    for await (const batch of followLog(followCtx, first.cursor!, follow)) batches.push(batch);
    expect(batches).toEqual([['→ Bash echo two'], ['exit code 0']]);
    expect(clock.elapsed()).toBe(1000);

    await expect(logs(ctx, { ...options, selector: '6' })).rejects.toMatchObject({ code: 'USAGE' });

    // The command wires them: fn, render, then the follow batches (the log has ended, so -f returns at once).
    const followed = await repo.loom(['logs', '5', '-f']);
    expect(followed).toMatchObject({ exitCode: 0, stderr: '' });
    expect(followed.stdout.split('\n')).toEqual([`# ${newest}`, '→ Bash echo one', '→ Bash echo two', 'exit code 0']);
    expect((await repo.loom(['logs', '6'])).exitCode).toBe(2);
  });

  it('adopt-claim adopts a claim whose comment carries the token, in a fresh checkout, from one request', async () => {
    // Its own forge and two checkouts: the daemon's, which claims, and the runner's fresh one, which adopts.
    const forge = await startEmulator(seedWith([{ labels: ['loom:issue'] }]));
    const daemonSide = await createTestRepo(forge, { inProcess: true });
    const daemonCtx = await createContext({ cwd: daemonSide.dir, env: daemonSide.env, io, gh: emulatorGh(forge) });
    expect(await claim(daemonCtx, { issue: 1, json: false })).toMatchObject({ claimed: true });
    const body = (forge.state().issues ?? [])
      .find((i) => i.number === 1)!
      .comments!.map((c) => c.body)
      .find((b) => b.includes('loom:claim'))!;
    const token = /loom:claim ([0-9a-f]{16}) /.exec(body)![1]!;
    const runner = await createTestRepo(forge, { inProcess: true });
    try {
      const out = captureOutput();
      const runnerCtx = await createContext({ cwd: runner.dir, env: runner.env, io: out, gh: emulatorGh(forge) });
      const options = { issue: 1, slot: 'actions-1', token, json: false };
      forge.clearRequests();
      const result = await adoptClaim(runnerCtx, options);
      expect(forge.requests()).toHaveLength(1);
      expect(result).toMatchObject({ issue: 1, slot: 'actions-1', adopted: true, reason: null, refusal: null });
      expect(result.owner).toEqual(expect.any(String));
      expect(out.stdout).toEqual([]);
      expect(existsSync(path.join(runner.dir, '.loom/claims/issue-1.json'))).toBe(true);
      const state = JSON.parse(readFileSync(path.join(runner.dir, '.loom/daemon-state.json'), 'utf8'));
      expect(state.shepherds['actions-1']).toMatchObject({ issue: 1 });
      expect(renderAdoptClaim(out, result, options)).toBe(0);
      expect(out.stdout.splice(0)).toEqual([`adopted #1 in actions-1 (claim of ${result.owner}): Issue 1`]);

      // A wrong token: a refusal in the result, nothing written; exit 12 with the reason (and next step) on stderr.
      const wrong = { issue: 1, slot: 'actions-2', token: 'ffffffffffffffff', json: true };
      const stateFile = path.join(runner.dir, '.loom/daemon-state.json');
      const before = readFileSync(stateFile, 'utf8');
      const refused = await adoptClaim(runnerCtx, wrong);
      expect(refused).toMatchObject({ adopted: false, owner: null, refusal: { exitCode: 12 } });
      expect(refused.reason).toMatch(/no claim comment carries this token/);
      expect(readFileSync(stateFile, 'utf8')).toBe(before);
      expect(renderAdoptClaim(out, refused, wrong)).toBe(12);
      expect(JSON.parse(out.stdout.splice(0).join('\n'))).toEqual({
        issue: 1,
        slot: 'actions-2',
        adopted: false,
        owner: null,
        reason: refused.reason,
      });
      expect(out.stderr.splice(0)).toEqual([`loom: Cannot adopt the claim of #1: it ${refused.reason}.`]);
      expect(renderAdoptClaim(out, refused, { ...wrong, json: false })).toBe(12);
      expect(out.stderr).toEqual([`loom: ${refused.refusal!.message}`, `  → ${refused.refusal!.hint}`]);
    } finally {
      runner.cleanup();
      daemonSide.cleanup();
      await forge.close();
    }
  });
});

/**
 * Every command module (a src/commands/*.ts that exports `register`) has the one shape: an exported zod options
 * schema (`<Name>Options`), an exported fn that does the work and a `render<Name>` that prints and gives the exit
 * code. A module listed in NOT_YET is one still to convert; a listed module that has the shape fails too, so the
 * list shrinks as the work lands.
 */
const NOT_YET: string[] = [
  // One file per line (parallel conversions remove their own lines); remove the line when the file is converted.
];

describe('the one command shape, in every command module', () => {
  const dir = path.resolve(import.meta.dirname, '../src/commands');
  const modules = readdirSync(dir).filter(
    (f) => f.endsWith('.ts') && /^export function register\(/m.test(readFileSync(path.join(dir, f), 'utf8')),
  );

  /** What a module lacks of the shape (empty when it has it). */
  function missing(exports: Record<string, unknown>): string[] {
    const names = Object.keys(exports);
    const isFunction = (n: string) => typeof exports[n] === 'function';
    const schemas = names.filter((n) => /Options$/.test(n) && (exports[n] as { _zod?: unknown })?._zod !== undefined);
    const renders = names.filter((n) => /^render[A-Z]/.test(n) && isFunction(n));
    const fns = names.filter((n) => /^[a-z]/.test(n) && isFunction(n) && n !== 'register' && !renders.includes(n));
    return [
      ...(schemas.length ? [] : ['an exported zod options schema (<Name>Options)']),
      ...(fns.length ? [] : ['an exported fn(ctx, options)']),
      ...(renders.length ? [] : ['an exported render<Name>(io, result, options)']),
    ];
  }

  it('finds the command modules', () => {
    expect(modules.length).toBeGreaterThan(15);
    expect(modules).toEqual(expect.arrayContaining(['iterate.ts', 'guard.ts', 'next.ts']));
    expect(
      NOT_YET.filter((f) => !modules.includes(f)),
      'listed in NOT_YET but not a command module',
    ).toEqual([]);
  });

  it.each(modules.filter((f) => !NOT_YET.includes(f)))('%s exports an options schema, a fn and a render', async (f) => {
    expect(missing(await import(path.join(dir, f)))).toEqual([]);
  });

  it.each(NOT_YET)(
    '%s (not yet converted) still lacks the shape: when it has it, remove it from NOT_YET',
    async (f) => {
      expect(missing(await import(path.join(dir, f)))).not.toEqual([]);
    },
  );

  // One runner type (src/commands/shared.ts `Run`): a register() that spells the runner's signature out again
  // would let the two drift apart.
  it('every register() takes the one Run type from shared.ts, none spells it out again', () => {
    const spelled = readdirSync(dir).filter(
      (f) => f !== 'shared.ts' && readFileSync(path.join(dir, f), 'utf8').includes('=> Promise<number | void>'),
    );
    expect(spelled).toEqual([]);
    expect(readFileSync(path.join(dir, '../cli.ts'), 'utf8')).not.toContain('=> Promise<number | void>');
    expect(readFileSync(path.join(dir, 'shared.ts'), 'utf8')).toMatch(/^export type Run = /m);
  });

  it('the check sees a module without the shape', () => {
    expect(missing({ register: () => {} })).toHaveLength(3);
    expect(missing({ register: () => {}, run: () => {}, RunOptions: {} })).toHaveLength(2);
    expect(missing({ register: () => {}, XOptions: { _zod: {} }, x: () => {}, renderX: () => {} })).toEqual([]);
  });
});
