/**
 * Removes the local traces of finished work (issue 11, DESIGN.md §8.5): the worktree `.loom/worktrees/issue-N`
 * and the branch `feature/issue-N` of an issue whose work is merged or closed. Called by `loom merge` after a
 * merge, by the iteration's completion step and by `loom start`; `loom worktree clean` is the manual form.
 * Never removes a worktree with uncommitted changes, one without Loom's marker, the caller's own, or anything
 * of an issue a live shepherd holds; a branch goes only when its commits are on GitHub (the merged head, the
 * default branch or a remote-tracking ref holds its tip). What stays is reported with the reason.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod/mini';
import '../core/zod-setup.js';
import { type DaemonState, isBusy } from '../core/daemon-state.js';
import { branchForIssue } from '../core/pr-link.js';
import { isInside, worktreeDirName } from '../core/worktree.js';
import { GitError, git } from './git.js';
import { defaultBranch, listWorktrees, readMarker, realOrResolved, samePath, withWorktreeLock } from './worktree.js';

export const CleanupEntrySchema = z.object({
  issue: z.int().check(z.positive()),
  what: z.enum(['worktree', 'branch']),
  /** The worktree path (relative to the repository root) or the branch name. */
  name: z.string(),
  action: z.enum(['removed', 'kept']),
  reason: z.string(),
  /** A kept item a person should look at (uncommitted changes, unpushed commits, a live shepherd). */
  warn: z.boolean(),
});
export type CleanupEntry = z.infer<typeof CleanupEntrySchema>;

export interface FinishedWork {
  issue: number;
  /** The merged PR's head commit, when known: a branch whose tip is (an ancestor of) it is on GitHub. */
  mergedHead?: string | null;
}

const gitMessage = (error: unknown) => (error instanceof GitError ? error.gitMessage : String(error));

async function ok(root: string, args: string[]): Promise<boolean> {
  try {
    await git(root, args);
    return true;
  } catch {
    return false;
  }
}

/** True when every commit of `tip` is on GitHub: in the merged head, the default branch, or a remote-tracking ref. */
async function pushed(root: string, tip: string, mergedHead: string | null | undefined): Promise<string | null> {
  if (mergedHead && (tip === mergedHead || (await ok(root, ['merge-base', '--is-ancestor', tip, mergedHead]))))
    return 'its commits are the merged pull request';
  const main = await defaultBranch(root);
  for (const ref of [`refs/remotes/origin/${main}`, `refs/heads/${main}`])
    if (
      (await ok(root, ['rev-parse', '--verify', '--quiet', ref])) &&
      (await ok(root, ['merge-base', '--is-ancestor', tip, ref]))
    )
      return `its commits are on ${main}`;
  const remote = await git(root, [
    'for-each-ref',
    '--count=1',
    '--contains',
    tip,
    '--format=%(refname:short)',
    'refs/remotes',
  ]).catch(() => '');
  return remote ? `its commits are on ${remote}` : null;
}

/**
 * Removes the worktree and branch of each finished issue, under the worktree lock. `live` holds issues a
 * shepherd of this clone still works on (kept, with a warning); `cwd` is never removed from under the caller.
 */
export async function removeFinishedWork(
  root: string,
  cwd: string,
  work: readonly FinishedWork[],
  live: ReadonlySet<number>,
): Promise<CleanupEntry[]> {
  if (!work.length) return [];
  const realCwd = realOrResolved(cwd);
  return withWorktreeLock(root, async () => {
    const out: CleanupEntry[] = [];
    for (const { issue, mergedHead } of work) {
      const dir = path.join(root, '.loom', 'worktrees', worktreeDirName(issue));
      const rel = path.relative(root, dir);
      const branch = branchForIssue(issue);
      const entry = (
        what: CleanupEntry['what'],
        name: string,
        action: CleanupEntry['action'],
        reason: string,
        warn = false,
      ) => out.push({ issue, what, name, action, reason, warn });
      const worktrees = await listWorktrees(root);
      const wt = worktrees.find((w) => samePath(w.path, dir));
      const hasBranch = await ok(root, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]);
      if (live.has(issue)) {
        if (wt) entry('worktree', rel, 'kept', `a live shepherd holds #${issue}`, true);
        if (hasBranch) entry('branch', branch, 'kept', `a live shepherd holds #${issue}`, true);
        continue;
      }
      let worktreeGone = !wt;
      if (wt && (wt.prunable || !existsSync(dir))) {
        await git(root, ['worktree', 'prune']).catch(() => undefined);
        worktreeGone = true;
      } else if (wt) {
        const dirty = await git(dir, ['status', '--porcelain', '--untracked-files=normal']).then(
          (s) => s !== '',
          () => true,
        );
        if (!(await readMarker(dir))) entry('worktree', rel, 'kept', 'not made by Loom (no .loom-worktree marker)');
        else if (isInside(realpathSync(dir), realCwd))
          entry('worktree', rel, 'kept', 'it is the current working directory');
        else if (dirty) entry('worktree', rel, 'kept', 'has uncommitted changes', true);
        else {
          try {
            await git(root, ['worktree', 'remove', dir]);
            entry('worktree', rel, 'removed', 'its work is merged or closed');
            worktreeGone = true;
          } catch (error) {
            entry('worktree', rel, 'kept', `git worktree remove refused: ${gitMessage(error)}`, true);
          }
        }
      }
      if (!hasBranch || !worktreeGone) continue;
      const elsewhere = worktrees.find((w) => w.branch === branch && !samePath(w.path, dir));
      if (elsewhere) {
        entry('branch', branch, 'kept', `checked out in ${path.relative(root, elsewhere.path) || '.'}`);
        continue;
      }
      const tip = await git(root, ['rev-parse', `refs/heads/${branch}`]);
      const why = await pushed(root, tip, mergedHead);
      if (!why) {
        entry('branch', branch, 'kept', 'has commits that are not on GitHub', true);
        continue;
      }
      try {
        await git(root, ['branch', '-D', '--', branch]);
        entry('branch', branch, 'removed', why);
      } catch (error) {
        entry('branch', branch, 'kept', `git branch -D refused: ${gitMessage(error)}`, true);
      }
    }
    return out;
  });
}

/** Issue numbers with a local trace: `.loom/worktrees/issue-N` worktrees and `feature/issue-N` branches. */
export async function localIssueWork(root: string): Promise<number[]> {
  const found = new Set<number>();
  const base = path.join(root, '.loom', 'worktrees');
  for (const w of await listWorktrees(root)) {
    const m = /^issue-(\d+)$/.exec(path.basename(w.path));
    if (m && isInside(base, path.resolve(w.path))) found.add(Number(m[1]));
  }
  const branches = await git(root, ['for-each-ref', '--format=%(refname:short)', 'refs/heads/feature/']).catch(
    () => '',
  );
  for (const name of branches.split('\n')) {
    const m = /^feature\/issue-(\d+)$/.exec(name.trim());
    if (m) found.add(Number(m[1]));
  }
  return [...found].sort((a, b) => a - b);
}

/** Issues a shepherd of this clone holds (busy slots in the daemon state): their work is never removed. */
export function liveIssues(shepherds: DaemonState['shepherds']): Set<number> {
  return new Set(Object.values(shepherds).flatMap((s) => (isBusy(s) && s.issue !== null ? [s.issue] : [])));
}

/** One warning line per kept item a person should look at. */
export function cleanupWarnings(entries: readonly CleanupEntry[]): string[] {
  return entries.filter((e) => e.warn).map((e) => `kept ${e.what} ${e.name} of #${e.issue}: ${e.reason}`);
}
