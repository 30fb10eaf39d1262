/**
 * `loom worktree` end to end: real git with a local bare repository as
 * `origin` (GH_REPO still selects the emulated GitHub repository), the built
 * bundle, the emulator for issue and PR states.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WorktreeCleanJsonSchema, WorktreeJsonSchema } from '../src/commands/worktree.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { createTestRepo, type TestRepo } from './helpers/repo.js';

const issue = (number: number, state: 'OPEN' | 'CLOSED' = 'OPEN') => ({
  number,
  title: `Issue ${number}`,
  labels: [],
  state,
});

let em: EmulatorHandle;
let repo: TestRepo;
let bare: string;

const wt = (n: number) => path.join(repo.dir, '.loom/worktrees', `issue-${n}`);
const gitIn = async (cwd: string, args: string[]) =>
  (await execa('git', args, { cwd, env: repo.env, extendEnv: false })).stdout.trim();

beforeAll(async () => {
  em = await startEmulator({
    repo: 'acme/widgets',
    issues: [
      issue(40),
      issue(41),
      issue(42, 'CLOSED'),
      issue(43, 'CLOSED'),
      issue(44, 'CLOSED'),
      issue(45, 'CLOSED'),
      issue(46, 'CLOSED'),
      issue(47, 'CLOSED'),
      issue(48),
      issue(49),
    ],
    pullRequests: [
      { number: 142, title: 'PR 142', headRefName: 'feature/issue-42', state: 'MERGED' },
      { number: 144, title: 'PR 144', headRefName: 'feature/issue-44', body: 'Closes #44' },
    ],
  });
  repo = await createTestRepo(em, { inProcess: true });
  bare = mkdtempSync(path.join(tmpdir(), 'loom-bare-'));
  await execa('git', ['init', '-q', '--bare', '-b', 'main', bare]);
  // Loom's own files are committed in a real target repository; commit them here too.
  await repo.git(['add', '-A']);
  await repo.git(['commit', '-qm', 'install loom']);
  await repo.git(['remote', 'set-url', 'origin', bare]);
  await repo.git(['push', '-q', 'origin', 'main']);
  await repo.git(['fetch', '-q', 'origin']);
  await repo.git(['remote', 'set-head', 'origin', 'main']);
});

afterAll(async () => {
  repo?.cleanup();
  if (bare) rmSync(bare, { recursive: true, force: true });
  await em?.close();
});

describe('loom worktree <issue>', () => {
  test('creates from the fetched remote default branch, marks it, then reuses it', async () => {
    // origin/main moves ahead of the local main: the worktree must start from the fetched commit.
    writeFileSync(path.join(repo.dir, 'ahead.txt'), 'ahead\n');
    await repo.git(['add', 'ahead.txt']);
    await repo.git(['commit', '-qm', 'ahead']);
    await repo.git(['push', '-q', 'origin', 'main']);
    const remoteHead = await repo.git(['rev-parse', 'HEAD']);
    await repo.git(['reset', '-q', '--hard', 'HEAD~1']);
    await repo.git(['update-ref', 'refs/remotes/origin/main', 'HEAD']); // stale until fetched

    const out = await repo.loom(['worktree', '40']);
    expect(out.stderr).toBe('');
    expect(out.exitCode).toBe(0);
    expect(out.stdout.trim()).toBe('.loom/worktrees/issue-40');
    expect(await gitIn(wt(40), ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe('feature/issue-40');
    expect(await gitIn(wt(40), ['rev-parse', 'HEAD'])).toBe(remoteHead);
    expect(await gitIn(wt(40), ['status', '--porcelain'])).toBe(''); // the marker is excluded
    expect(JSON.parse(readFileSync(path.join(wt(40), '.loom-worktree'), 'utf8'))).toMatchObject({ issue: 40 });
    // The new branch must not track the default branch.
    await expect(gitIn(wt(40), ['rev-parse', '--abbrev-ref', '@{upstream}'])).rejects.toThrow();

    const again = await repo.loom(['worktree', '40', '--json']);
    expect(again.exitCode).toBe(0);
    expect(WorktreeJsonSchema.parse(JSON.parse(again.stdout))).toMatchObject({
      created: false,
      path: wt(40),
      branch: 'feature/issue-40',
    });
  });

  test('refuses bad numbers and a folder that is not a worktree', async () => {
    expect((await repo.loom(['worktree', '../1'])).exitCode).toBe(2);
    expect((await repo.loom(['worktree'])).exitCode).toBe(2);
    mkdirSync(wt(49), { recursive: true });
    expect((await repo.loom(['worktree', '49'])).exitCode).toBe(12);
    rmSync(wt(49), { recursive: true });
  });

  test('copies worktree-include files and runs the post-worktree hook; a failing hook exits 15 and is retried on reuse', async () => {
    await repo.git(['merge', '-q', '--ff-only', 'origin/main']);
    writeFileSync(
      path.join(repo.dir, '.gitignore'),
      `${readFileSync(path.join(repo.dir, '.gitignore'), 'utf8')}\n.env\nlocal/\n`,
    );
    await repo.git(['add', '.gitignore']);
    await repo.git(['commit', '-qm', 'ignore local files']);
    await repo.git(['push', '-q', 'origin', 'main']);
    writeFileSync(path.join(repo.dir, '.env'), 'SECRET=1\n');
    mkdirSync(path.join(repo.dir, 'local'), { recursive: true });
    writeFileSync(path.join(repo.dir, 'local/settings.json'), '{}\n');
    writeFileSync(
      path.join(repo.dir, '.loom/worktree-include'),
      '# copied into each worktree\n.env\nlocal\nREADME.md\nmissing.txt\n',
    );
    mkdirSync(path.join(repo.dir, '.loom/hooks'), { recursive: true });
    const hook = path.join(repo.dir, '.loom/hooks/post-worktree');
    writeFileSync(
      hook,
      '#!/bin/sh\necho "bootstrapping $LOOM_ISSUE"\nfor i in 1 2 3; do echo "step $i"; done\necho "npm ERR! install failed" >&2\nexit 3\n',
    );
    chmodSync(hook, 0o755);

    const failed = await repo.loom(['worktree', '41']);
    expect(failed.exitCode).toBe(15);
    expect(failed.stdout.trim()).toBe('.loom/worktrees/issue-41');
    expect(failed.stderr).toMatch(/post-worktree failed \(exit 3\)/);
    expect(failed.stderr).toMatch(/npm ERR! install failed/);
    expect(failed.stderr).toMatch(/not copied: README.md \(not gitignored/);
    expect(readFileSync(path.join(wt(41), '.env'), 'utf8')).toBe('SECRET=1\n');
    expect(existsSync(path.join(wt(41), 'local/settings.json'))).toBe(true);
    expect(await gitIn(wt(41), ['status', '--porcelain'])).toBe('');

    writeFileSync(hook, '#!/bin/sh\necho "issue=$LOOM_ISSUE" > hook-ran.txt\n');
    const retried = await repo.loom(['worktree', '41', '--json']);
    expect(retried.exitCode).toBe(0);
    const result = WorktreeJsonSchema.parse(JSON.parse(retried.stdout));
    expect(result).toMatchObject({ created: false, hook: { ok: true, exit_code: 0 } });
    expect(readFileSync(path.join(wt(41), 'hook-ran.txt'), 'utf8')).toBe('issue=41\n');
    // Bootstrapped now: a further reuse does not run the hook again.
    expect(
      WorktreeJsonSchema.parse(JSON.parse((await repo.loom(['worktree', '41', '--json'])).stdout)).hook,
    ).toBeNull();
    rmSync(hook);
  });

  test('an invalid worktree-include refuses before creating anything', async () => {
    writeFileSync(path.join(repo.dir, '.loom/worktree-include'), '.env\n../outside\n');
    const out = await repo.loom(['worktree', '48']);
    expect(out.exitCode).toBe(10);
    expect(out.stderr).toMatch(/line 2/);
    expect(existsSync(wt(48))).toBe(false);
    rmSync(path.join(repo.dir, '.loom/worktree-include'));
  });

  test('two concurrent calls for one issue share one worktree (the lock serialises creation)', async () => {
    const outs = await Promise.all([repo.loom(['worktree', '48', '--json']), repo.loom(['worktree', '48', '--json'])]);
    expect(outs.map((o) => o.exitCode)).toEqual([0, 0]);
    const results = outs.map((o) => WorktreeJsonSchema.parse(JSON.parse(o.stdout)));
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(results[0]!.path).toBe(results[1]!.path);
  });
});

describe('loom worktree clean', () => {
  test('removes only marked, clean worktrees of closed issues with merged or no PRs; never the cwd', async () => {
    for (const n of [42, 43, 44, 45, 46]) expect((await repo.loom(['worktree', String(n)])).exitCode).toBe(0);
    writeFileSync(path.join(wt(45), 'work-in-progress.ts'), 'export {};\n');
    await repo.git(['worktree', 'add', '-q', '-b', 'feature/issue-47', wt(47), 'main']); // unmarked

    const run = (args: string[], cwd: string) =>
      execa('node', [path.join(repo.dir, '.loom/scripts/loom'), 'worktree', 'clean', ...args], {
        cwd,
        env: repo.env,
        extendEnv: false,
        reject: false,
      });

    const dry = await run(['--dry-run', '--json'], wt(46));
    expect(dry.exitCode).toBe(0);
    const planned = WorktreeCleanJsonSchema.parse(JSON.parse(dry.stdout));
    const byIssue = (n: number, list = planned.worktrees) => list.find((w) => w.path === wt(n));
    expect(byIssue(42)).toMatchObject({ action: 'would-remove' });
    expect(byIssue(43)).toMatchObject({ action: 'would-remove' });
    expect(existsSync(wt(42))).toBe(true);

    const real = await run(['--json'], wt(46));
    expect(real.exitCode).toBe(0);
    const done = WorktreeCleanJsonSchema.parse(JSON.parse(real.stdout)).worktrees;
    expect(byIssue(40, done)).toMatchObject({ action: 'kept', reason: 'issue is still open' });
    expect(byIssue(42, done)).toMatchObject({ action: 'removed' });
    expect(byIssue(43, done)).toMatchObject({ action: 'removed' });
    expect(byIssue(44, done)).toMatchObject({ action: 'kept', reason: 'PR #144 is not merged' });
    expect(byIssue(45, done)).toMatchObject({ action: 'kept', reason: 'has uncommitted changes' });
    expect(byIssue(46, done)).toMatchObject({ action: 'kept', reason: 'it is the current working directory' });
    expect(byIssue(47, done)?.action).toBe('kept');
    expect(byIssue(47, done)?.reason).toMatch(/no \.loom-worktree marker/);
    for (const n of [42, 43]) expect(existsSync(wt(n))).toBe(false);
    for (const n of [40, 44, 45, 46, 47]) expect(existsSync(wt(n))).toBe(true);
    expect(readFileSync(path.join(wt(45), 'work-in-progress.ts'), 'utf8')).toBe('export {};\n');
  });

  test('the worktree.sh wrapper runs `loom worktree`', async () => {
    const out = await execa(path.join(repo.dir, '.loom/scripts/worktree.sh'), ['40'], {
      cwd: repo.dir,
      env: repo.env,
      extendEnv: false,
      reject: false,
    });
    expect(out.exitCode).toBe(0);
    expect(out.stdout.trim()).toBe('.loom/worktrees/issue-40');
  });
});
