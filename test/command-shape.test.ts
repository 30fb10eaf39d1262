/**
 * The one command shape (src/cli.ts): options parsed with zod → an exported `fn(ctx, options)` that returns the
 * data `--json` prints → a render that prints and gives the exit code. Here the functions are called on a
 * context built in the test (the emulator's gh, captured output), as a test of any command's logic can: the data
 * comes back without parsing output, nothing is printed until the render, and the exit code is the render's.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../src/clock.js';
import { actionsInstall, checkInputs, renderActions, renderCheckInputs } from '../src/commands/actions.js';
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
import { doctor, renderDoctor } from '../src/commands/doctor.js';
import { init, renderInit } from '../src/commands/init.js';
import {
  renderUninstall,
  renderUpgrade,
  renderVersion,
  uninstall,
  upgrade,
  version,
} from '../src/commands/lifecycle.js';
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
    // Three 30 s polls slept on the fake clock in 1 s stop-file checks; the fourth iteration sees the stop file.
    expect(result).toMatchObject({ kind: 'daemon', iterations: 4, workers_started: 0, drained: true });
    expect(slept.reduce((a, b) => a + b, 0)).toBe(90_000);
    expect(Math.max(...slept)).toBe(1000);
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
