/**
 * Cleanup of finished work (issue 11): `loom merge` deletes the head branch on GitHub and removes the local
 * worktree and feature/issue-N branch; the iteration's completion step and `loom start` remove those of
 * merged or closed work. Never a worktree with uncommitted changes, a branch with unpushed commits, or the
 * work of a live shepherd: those are kept and said. Real git worktrees, a real bare remote, emulator. The first
 * case runs the built bundle with the real gh (the wiring); the others run the CLI in the test process
 * (test/helpers/in-process.ts: the same requests to the same emulator, the same git), saving a node and several
 * gh starts per command.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MergeJsonSchema } from '../src/commands/pulls.js';
import { type EmulatorHandle, type Seed, startEmulator } from './emulator/index.js';
import { createTestRepo, inProcessView, type TestRepo } from './helpers/repo.js';

let em: EmulatorHandle;
let repo: TestRepo;
let bare: string;

type SeedPull = NonNullable<Seed['pullRequests']>[number];
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const pull = (issue: number, extra: Partial<SeedPull> = {}): SeedPull => ({
  number: 10 + issue,
  title: `Work for #${issue}`,
  body: `Closes #${issue}`,
  headRefName: `feature/issue-${issue}`,
  labels: ['loom:pr'],
  files: [{ path: `f${issue}.txt`, additions: 1, deletions: 0 }],
  checks: 'SUCCESS',
  updatedAt: now(),
  ...extra,
});

const worktree = (issue: number) => path.join(repo.dir, '.loom/worktrees', `issue-${issue}`);
const wt = (issue: number, args: string[]) => execa('git', args, { cwd: worktree(issue), env: repo.env });
const hasBranch = async (issue: number) =>
  (await repo.git(['branch', '--list', `feature/issue-${issue}`])).trim() !== '';

/** The repository with `loom` run in the test process (the same folder and forge). */
const fast = () => inProcessView(repo, em);

/** `loom worktree N`, one commit pushed to the remote; the PR's head on GitHub becomes that commit. */
async function work(issue: number, opts: { pr?: number; via?: TestRepo } = {}): Promise<string> {
  const made = await (opts.via ?? fast()).loom(['worktree', String(issue)]);
  expect(made.exitCode, made.stderr).toBe(0);
  writeFileSync(path.join(worktree(issue), `f${issue}.txt`), `work for ${issue}\n`);
  await wt(issue, ['add', '-A']);
  await wt(issue, ['commit', '-qm', `work for #${issue}`]);
  await wt(issue, ['push', '-q', 'origin', `HEAD:refs/heads/feature/issue-${issue}`]);
  await repo.git(['fetch', '-q', 'origin']);
  const sha = (await wt(issue, ['rev-parse', 'HEAD'])).stdout.trim();
  if (opts.pr) em.store.pushHead(opts.pr, sha);
  return sha;
}

const merge = async (pr: number, via: TestRepo = fast()) => {
  const out = await via.loom(['merge', String(pr), '--json']);
  expect(out.exitCode, out.stderr).toBe(0);
  return MergeJsonSchema.parse(JSON.parse(out.stdout));
};

beforeAll(async () => {
  em = await startEmulator({
    repo: 'acme/widgets',
    issues: [1, 2, 3, 4, 5, 6]
      .map((n) => ({ number: n, title: `Issue ${n}`, labels: [] as string[] }))
      .concat([{ number: 7, title: 'Issue 7', labels: ['loom:issue'] }]),
    pullRequests: [pull(1), pull(2), pull(3), pull(4), pull(6), pull(7)],
  });
  repo = await createTestRepo(em);
  bare = mkdtempSync(path.join(tmpdir(), 'loom-origin-'));
  await execa('git', ['init', '-q', '--bare', '-b', 'main'], { cwd: bare });
  await repo.git(['remote', 'set-url', 'origin', bare]);
  await repo.git(['add', '-A']);
  await repo.git(['commit', '-qm', 'install loom']);
  await repo.git(['push', '-q', '-u', 'origin', 'main']);
  await repo.git(['remote', 'set-head', 'origin', 'main']);
}, 60_000);

afterAll(async () => {
  repo?.cleanup();
  if (bare) rmSync(bare, { recursive: true, force: true });
  await em?.close();
});

describe.sequential('cleanup of finished work', () => {
  test('loom merge: the head branch on GitHub, the local worktree and the local branch go', async () => {
    await work(1, { pr: 11, via: repo });
    const result = await merge(11, repo);
    expect(result.branch).toMatchObject({ name: 'feature/issue-1', action: 'deleted' });
    expect(result.local).toEqual([
      expect.objectContaining({ what: 'worktree', action: 'removed', warn: false }),
      expect.objectContaining({ what: 'branch', action: 'removed', reason: 'its commits are the merged pull request' }),
    ]);
    expect(existsSync(worktree(1))).toBe(false);
    expect(await hasBranch(1)).toBe(false);
  });

  test('uncommitted changes keep the worktree (and its branch); unpushed commits keep the branch', async () => {
    await work(2, { pr: 12 });
    writeFileSync(path.join(worktree(2), 'notes.txt'), 'not committed\n');
    const dirty = await merge(12);
    expect(dirty.local).toEqual([
      expect.objectContaining({ what: 'worktree', action: 'kept', reason: 'has uncommitted changes', warn: true }),
    ]);
    expect(existsSync(path.join(worktree(2), 'notes.txt'))).toBe(true);
    expect(await hasBranch(2)).toBe(true);

    await work(3, { pr: 13 });
    writeFileSync(path.join(worktree(3), 'later.txt'), 'a later commit\n');
    await wt(3, ['add', '-A']);
    await wt(3, ['commit', '-qm', 'not pushed']);
    const unpushed = await merge(13);
    expect(unpushed.local).toEqual([
      expect.objectContaining({ what: 'worktree', action: 'removed' }),
      expect.objectContaining({
        what: 'branch',
        action: 'kept',
        reason: 'has commits that are not on GitHub',
        warn: true,
      }),
    ]);
    expect(await hasBranch(3)).toBe(true);
  });

  test("a live shepherd's work is kept at the merge; its completion in the next iteration removes it", async () => {
    expect((await fast().loom(['spawn', '7'])).exitCode).toBe(0);
    await work(7, { pr: 17 });
    const live = await merge(17);
    expect(live.local).toEqual([
      expect.objectContaining({ what: 'worktree', action: 'kept', reason: 'a live shepherd holds #7', warn: true }),
      expect.objectContaining({ what: 'branch', action: 'kept', reason: 'a live shepherd holds #7', warn: true }),
    ]);
    expect(em.store.issue(7).state).toBe('CLOSED');
    em.clearRequests();
    const iteration = await fast().loom(['iterate', '--json']);
    expect(iteration.exitCode, iteration.stderr).toBe(0);
    // The completion (issue closed) removes the worktree and branch without another GitHub request.
    expect(em.requests().map((r) => `${r.method} ${r.operation ?? r.path}`)).toEqual(['POST LoomSnapshot']);
    expect(existsSync(worktree(7))).toBe(false);
    expect(await hasBranch(7)).toBe(false);
  });

  test('loom start removes the local work of closed issues with merged PRs and keeps open work', async () => {
    await work(4);
    await work(5);
    await work(6);
    writeFileSync(path.join(worktree(6), 'draft.txt'), 'uncommitted\n');
    // #4 and #6 are finished on GitHub (closed, PR merged); #5 is still open.
    for (const n of [14, 16]) em.store.mergePullRequest(n);
    expect(em.store.issue(4).state).toBe('CLOSED');
    const out = await fast().loom(['start', '--json']);
    expect(out.exitCode, out.stderr).toBe(0);
    const cleaned = (JSON.parse(out.stdout) as { cleaned: { issue: number; what: string; action: string }[] }).cleaned;
    const of = (n: number) => cleaned.filter((c) => c.issue === n).map((c) => `${c.what} ${c.action}`);
    expect(of(4)).toEqual(['worktree removed', 'branch removed']);
    expect(of(6)).toEqual(['worktree kept']);
    expect(of(5)).toEqual([]);
    expect(existsSync(worktree(4))).toBe(false);
    expect(existsSync(worktree(5))).toBe(true);
    expect(existsSync(path.join(worktree(6), 'draft.txt'))).toBe(true);
    const status = await fast().loom(['status', '--json', '--fast']);
    expect(status.stdout).toMatch(/kept worktree .loom\/worktrees\/issue-6 of #6: has uncommitted changes/);
  });
});
