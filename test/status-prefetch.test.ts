/**
 * `loom status` starts its one request before its code has loaded (src/status-prefetch.ts), and its ordinary
 * gh call adopts that process only when the call is the same in every field (src/github/prefetch.ts). Here with
 * the real gh against the emulator: adopted, it is still one request; a wrong guess is never read; and nothing
 * starts where status would make no request. (test/status.test.ts counts one request through the bundled
 * launcher, which fails when the launcher's prefetch is not adopted.)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { status } from '../src/commands/status.js';
import { createContext } from '../src/context.js';
import { StatusReportSchema } from '../src/core/status-report.js';
import { discardPrefetched, prefetchGh, takePrefetched } from '../src/github/prefetch.js';
import { prefetchStatus } from '../src/status-prefetch.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { captureOutput } from './helpers/in-process.js';
import { createTestRepo, seedWith, type TestRepo } from './helpers/repo.js';

let emulator: EmulatorHandle;
let repo: TestRepo;
const scratch = mkdtempSync(path.join(tmpdir(), 'loom-prefetch-'));

beforeAll(async () => {
  emulator = await startEmulator(seedWith([{ labels: ['loom:issue'] }, { labels: ['loom:issue'] }, { labels: [] }]));
  repo = await createTestRepo(emulator, { inProcess: true });
});

afterEach(() => discardPrefetched());

afterAll(async () => {
  repo?.cleanup();
  await emulator?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** `loom status` in the test process, with the context's own gh (the real binary), as the CLI runs it. */
async function statusJson(env: NodeJS.ProcessEnv = repo.env) {
  const ctx = await createContext({ cwd: repo.dir, env, io: captureOutput() });
  const { exitCode, report } = await status(ctx, { fast: false });
  return { code: exitCode, report: StatusReportSchema.parse(report) };
}

/** A prefetchable call of node running `script` (no gh needed to test the hand-over itself). */
const nodeCall = (script: string) => ({
  bin: process.execPath,
  args: ['-e', script],
  input: undefined,
  cwd: scratch,
  env: { ...process.env },
  timeoutMs: 120_000,
});

describe('the status request started ahead', () => {
  it('is adopted by status: one request in all, and the counts it answers', async () => {
    emulator.clearRequests();
    expect(prefetchStatus(['status', '--json'], repo.dir, repo.env)).toBe(true);
    const { code, report } = await statusJson();
    expect(code).toBe(0);
    expect(report.repository).toBe('acme/widgets');
    expect(report.pipeline.ready).toBe(2);
    expect(emulator.requests()).toHaveLength(1);
    expect(emulator.requests()[0]!.path).toBe('/graphql');
  });

  it('a guess that differs in anything (here the repository) is never read; status makes its own request', async () => {
    const elsewhere = { ...repo.env, GH_REPO: 'acme/gadgets' };
    expect(prefetchStatus(['status'], repo.dir, elsewhere)).toBe(true);
    const { report } = await statusJson();
    expect(report.repository).toBe('acme/widgets');
    expect(report.pipeline.ready).toBe(2);
    // Still waiting for adoption (by nobody): the command's end stops it.
    discardPrefetched();
  });

  it('is taken once, and only by an identical call', async () => {
    const invocation = nodeCall('process.stdout.write("answer")');
    prefetchGh(invocation);
    expect(takePrefetched({ ...invocation, args: ['-e', '0'] })).toBeUndefined();
    expect(takePrefetched({ ...invocation, env: { ...invocation.env, GH_HOST: 'other.example' } })).toBeUndefined();
    const taken = takePrefetched({ ...invocation, env: { ...invocation.env, UNSET: undefined } });
    expect((await taken)?.stdout).toBe('answer');
    expect(takePrefetched(invocation)).toBeUndefined();
  });

  it('a call nobody adopts is stopped when the command ends', async () => {
    const invocation = nodeCall('setTimeout(() => {}, 60_000)');
    prefetchGh(invocation);
    const running = takePrefetched(invocation)!;
    prefetchGh(invocation);
    discardPrefetched();
    expect(takePrefetched(invocation)).toBeUndefined();
    // The first one was adopted and is not stopped; the second was discarded.
    await expect(
      Promise.race([running.then(() => 'ended'), new Promise((r) => setTimeout(() => r('running'), 200))]),
    ).resolves.toBe('running');
  });

  it('starts nothing where status makes no request or would not run this one', async () => {
    for (const argv of [['status', '--fast'], ['status', '--watch'], ['status', '--json', '--help'], ['iterate']])
      expect(prefetchStatus(argv, repo.dir, repo.env), argv.join(' ')).toBe(false);
    const bare = path.join(scratch, 'not-installed');
    mkdirSync(path.join(bare, '.git'), { recursive: true });
    writeFileSync(path.join(bare, '.git', 'config'), '[remote "origin"]\n\turl = https://github.com/a/b.git\n');
    expect(prefetchStatus(['status'], bare, repo.env)).toBe(false);
    expect(prefetchStatus(['status'], tmpdir(), repo.env)).toBe(false);
    // A rate-limit pause recorded by the daemon: status sends nothing until it ends.
    const paused = { ...repo.env, LOOM_NOW: '2026-01-01T00:00:00Z' };
    writeFileSync(
      path.join(repo.dir, '.loom', 'daemon-state.json'),
      JSON.stringify({ rate_limited_until: '2026-01-01T00:10:00Z' }),
    );
    try {
      expect(prefetchStatus(['status'], repo.dir, paused)).toBe(false);
      expect(prefetchStatus(['status'], repo.dir, { ...paused, LOOM_NOW: '2026-01-01T00:20:00Z' })).toBe(true);
    } finally {
      rmSync(path.join(repo.dir, '.loom', 'daemon-state.json'), { force: true });
    }
  });
});
