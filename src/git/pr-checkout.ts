/**
 * A throwaway checkout of a pull request's head commit for `loom pr-test` (DESIGN.md §8.8):
 * `.loom/worktrees/pr-M-test`, detached at the commit GitHub names as the head, bootstrapped like an
 * issue worktree, removed again after the run. Adding and removing happen under the worktree lock.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { LoomError } from '../errors.js';
import { GitError, git } from './git.js';
import { listWorktrees, samePath, withWorktreeLock } from './worktree.js';

/** Where the test checkout of PR `pr` lives (no `issue-` prefix: never taken for an issue's worktree). */
export function prCheckoutDir(root: string, pr: number): string {
  return path.join(root, '.loom', 'worktrees', `pr-${pr}-test`);
}

const fetchRef = (pr: number) => `refs/loom/pr-test/${pr}`;

async function hasCommit(root: string, oid: string): Promise<boolean> {
  try {
    await git(root, ['cat-file', '-e', `${oid}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

const gitFailed = (what: string, error: unknown) =>
  new LoomError('GIT_FAILED', `${what} failed: ${error instanceof GitError ? error.gitMessage : String(error)}`, {
    hint: 'Run the git command by hand to see the full message, fix the cause, then run `loom pr-test` again.',
    cause: error,
  });

/** Removes the test checkout of `pr` if one is registered (a run that crashed left it); its files are Loom's. */
async function removeRegistered(root: string, dir: string): Promise<void> {
  const registered = (await listWorktrees(root)).some((w) => samePath(w.path, dir));
  if (registered) await git(root, ['worktree', 'remove', '--force', dir]);
  else await git(root, ['worktree', 'prune']).catch(() => undefined);
}

/**
 * Makes `.loom/worktrees/pr-M-test` a detached checkout of `oid`. The commit is used from the local
 * repository when present (the shepherd pushed it from here), else fetched from `origin` as GitHub's
 * `refs/pull/M/head` (no branch name from GitHub text reaches git). Refuses when the fetched head is
 * not `oid` (a push landed in between: read the PR again).
 */
export async function checkoutPrHead(root: string, pr: number, oid: string): Promise<string> {
  const dir = prCheckoutDir(root, pr);
  return withWorktreeLock(root, async () => {
    await removeRegistered(root, dir).catch((error: unknown) => {
      throw gitFailed('git worktree remove', error);
    });
    if (existsSync(dir))
      throw new LoomError('WORKTREE_CONFLICT', `${path.relative(root, dir)} exists but is not a git worktree.`, {
        hint: `Move it aside (mv ${path.relative(root, dir)} ${path.relative(root, dir)}.bak) and run \`loom pr-test ${pr}\` again.`,
      });
    if (!(await hasCommit(root, oid))) {
      try {
        await git(root, ['fetch', '--quiet', '--no-tags', 'origin', `+refs/pull/${pr}/head:${fetchRef(pr)}`]);
      } catch (error) {
        throw gitFailed(`git fetch origin refs/pull/${pr}/head`, error);
      }
      const fetched = await git(root, ['rev-parse', '--verify', `${fetchRef(pr)}^{commit}`]).catch(() => '');
      if (fetched !== oid && !(await hasCommit(root, oid)))
        throw new LoomError(
          'WORKTREE_CONFLICT',
          `PR #${pr}'s head moved while it was fetched (now ${fetched.slice(0, 12)}).`,
          {
            hint: `Run \`loom pr-test ${pr}\` again: it tests the head GitHub names then.`,
          },
        );
    }
    try {
      await git(root, ['worktree', 'add', '--quiet', '--detach', dir, oid]);
    } catch (error) {
      throw gitFailed('git worktree add --detach', error);
    }
    return dir;
  });
}

/** Removes the test checkout and the fetched ref; a failure here is reported, never thrown. */
export async function removePrCheckout(root: string, pr: number): Promise<string | null> {
  const dir = prCheckoutDir(root, pr);
  try {
    await withWorktreeLock(root, async () => {
      await removeRegistered(root, dir);
      await git(root, ['update-ref', '-d', fetchRef(pr)]).catch(() => undefined);
    });
    return null;
  } catch (error) {
    return `could not remove ${path.relative(root, dir)}: ${error instanceof GitError ? error.gitMessage : String(error)}`;
  }
}
