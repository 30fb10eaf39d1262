/**
 * Per-issue worktrees (DESIGN.md §2, §8.5): `.loom/worktrees/issue-N` on branch
 * `feature/issue-N`, branched from the remote default branch after a fetch,
 * created under a repository-wide lock, marked as Loom's, then bootstrapped
 * (gitignored files from `.loom/worktree-include`, `.loom/hooks/post-worktree`).
 * Clean-up removes only marked worktrees whose work is finished and clean.
 */
import { existsSync, realpathSync } from 'node:fs';
import { appendFile, cp, lstat, mkdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import * as z from 'zod/mini';
import '../core/zod-setup.js';
import { branchForIssue } from '../core/pr-link.js';
import {
  type CleanFacts,
  cleanDecision,
  isInside,
  lastLines,
  MARKER_FILE,
  parseWorktreeInclude,
  parseWorktreeList,
  type WorktreeMarker,
  WorktreeMarkerSchema,
  worktreeDirName,
} from '../core/worktree.js';
import { LoomError } from '../errors.js';
import { safeWriteFile } from '../fs/safe-file.js';
import { withFileLock } from '../state/lock.js';
import { GitError, git } from './git.js';

const HOOK_TIMEOUT_MS = 300_000;

/** The main worktree's root (where `.loom/` lives), also when `cwd` is inside a linked worktree. */
export async function mainWorktreeRoot(cwd: string): Promise<string> {
  try {
    const common = await git(cwd, ['rev-parse', '--path-format=absolute', '--git-common-dir']);
    if (path.basename(common) === '.git') return path.dirname(common);
    return await git(cwd, ['rev-parse', '--show-toplevel']);
  } catch {
    throw new LoomError('NOT_A_REPOSITORY', `${cwd} is not inside a git repository.`, {
      hint: 'Run Loom from your repository (or `git init` first).',
    });
  }
}

const gitFailed = (what: string, error: unknown) =>
  new LoomError(
    'GIT_FAILED',
    `${what} failed: ${error instanceof GitError ? error.gitMessage : (error as Error).message}`,
    {
      hint: 'Run the git command by hand to see the full message, fix the cause, then run `loom worktree` again.',
      cause: error,
    },
  );

/** The remote default branch: `origin/HEAD` if set, else `main`. */
export async function defaultBranch(root: string): Promise<string> {
  try {
    const ref = await git(root, ['symbolic-ref', '--quiet', 'refs/remotes/origin/HEAD']);
    return ref.replace(/^refs\/remotes\/origin\//, '') || 'main';
  } catch {
    return 'main';
  }
}

async function refExists(root: string, ref: string): Promise<boolean> {
  try {
    await git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

export async function listWorktrees(root: string) {
  return parseWorktreeList(await git(root, ['worktree', 'list', '--porcelain']));
}

/** Runs `fn` under the repository-wide worktree lock (`.loom/worktrees.lock`, src/state/lock.ts). */
export async function withWorktreeLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const loomDir = path.join(root, '.loom');
  const locked = (cause: unknown) =>
    new LoomError('LOCKED', 'Another Loom process holds the worktree lock (.loom/worktrees.lock).', {
      hint: 'Wait for it to finish; a lock left by a dead process frees itself within a minute.',
      cause,
    });
  return withFileLock(root, path.join(loomDir, 'worktrees'), fn, {
    waitMs: 120_000,
    staleMs: 60_000,
    lockedError: (_owner, cause) => locked(cause),
    failedError: locked,
  });
}

export async function readMarker(dir: string): Promise<WorktreeMarker | undefined> {
  try {
    const parsed = WorktreeMarkerSchema.safeParse(JSON.parse(await readFile(path.join(dir, MARKER_FILE), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function writeMarker(dir: string, marker: WorktreeMarker): Promise<void> {
  // The worktree's own root bounds the write: a committed symlink named like the marker is refused.
  safeWriteFile(dir, path.join(dir, MARKER_FILE), `${JSON.stringify(marker, null, 2)}\n`);
}

/** Keeps the marker out of `git status` (and out of commits) in every worktree: one line in info/exclude. */
async function excludeMarker(root: string): Promise<void> {
  const common = await git(root, ['rev-parse', '--path-format=absolute', '--git-common-dir']);
  const file = path.join(common, 'info', 'exclude');
  const existing = existsSync(file) ? await readFile(file, 'utf8') : '';
  if (existing.split('\n').some((l) => l.trim() === `/${MARKER_FILE}`)) return;
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(
    file,
    `${existing && !existing.endsWith('\n') ? '\n' : ''}# Loom's worktree marker\n/${MARKER_FILE}\n`,
  );
}

export const IncludeResultSchema = z.object({
  path: z.string(),
  copied: z.boolean(),
  reason: z.nullable(z.string()),
});
export const HookResultSchema = z.object({
  ran: z.boolean(),
  exit_code: z.nullable(z.int()),
  timed_out: z.boolean(),
  ok: z.boolean(),
  last_lines: z.array(z.string()),
});
export type IncludeResult = z.infer<typeof IncludeResultSchema>;
export type HookResult = z.infer<typeof HookResultSchema>;

export interface WorktreeResult {
  issue: number;
  path: string;
  branch: string;
  base: string | null;
  created: boolean;
  includes: IncludeResult[];
  hook: HookResult | null;
}

/** Reads and validates `.loom/worktree-include`; invalid lines refuse the whole command before anything is created. */
async function readIncludes(root: string): Promise<string[]> {
  const file = path.join(root, '.loom', 'worktree-include');
  if (!existsSync(file)) return [];
  const { paths, problems } = parseWorktreeInclude(await readFile(file, 'utf8'));
  if (problems.length) {
    throw new LoomError(
      'CONFIG_INVALID',
      `.loom/worktree-include is invalid: ${problems.map((p) => `line ${p.line} "${p.entry}": ${p.problem}`).join('; ')}.`,
      {
        hint: 'List one path per line, relative to the repository root, without "..".',
      },
    );
  }
  return paths;
}

/** Copies the listed gitignored files (or folders) from the main worktree; tracked or missing ones are skipped. */
async function copyIncludes(root: string, dir: string, paths: string[]): Promise<IncludeResult[]> {
  const realRoot = await realpath(root);
  const results: IncludeResult[] = [];
  for (const rel of paths) {
    const source = path.join(root, rel);
    if (!existsSync(source)) {
      results.push({ path: rel, copied: false, reason: 'not present in the main worktree' });
      continue;
    }
    // A symlink could lead out of the repository: the resolved source must stay inside.
    if (!isInside(realRoot, await realpath(source))) {
      results.push({ path: rel, copied: false, reason: 'resolves outside the repository' });
      continue;
    }
    const stat = await lstat(source);
    let ignored = false;
    try {
      // Without --no-index: a tracked file is never "ignored", even if a pattern matches it.
      await git(root, ['check-ignore', '--quiet', '--', stat.isDirectory() ? `${rel}/` : rel]);
      ignored = true;
    } catch {
      ignored = false;
    }
    if (!ignored) {
      results.push({ path: rel, copied: false, reason: 'not gitignored (tracked files come with the checkout)' });
      continue;
    }
    const target = path.join(dir, rel);
    await mkdir(path.dirname(target), { recursive: true });
    await cp(source, target, { recursive: stat.isDirectory(), force: true, verbatimSymlinks: true });
    results.push({ path: rel, copied: true, reason: null });
  }
  return results;
}

/**
 * Runs `.loom/hooks/post-worktree` in the new worktree (timeout 300 s) and reports its exit code and last lines.
 * `issue` is null for a pull request's test checkout (`loom pr-test`): LOOM_ISSUE is then empty.
 */
async function runHook(
  root: string,
  dir: string,
  issue: number | null,
  env: NodeJS.ProcessEnv,
): Promise<HookResult | null> {
  const hook = path.join(root, '.loom', 'hooks', 'post-worktree');
  if (!existsSync(hook)) return null;
  const result = await execa(hook, [], {
    cwd: dir,
    reject: false,
    all: true,
    timeout: HOOK_TIMEOUT_MS,
    stdin: 'ignore',
    env: { ...env, LOOM_ISSUE: issue === null ? '' : String(issue), LOOM_WORKTREE: dir, LOOM_ROOT: root },
    extendEnv: false,
  });
  const spawnError = (result as { code?: string }).code;
  const lines = lastLines(String(result.all ?? ''));
  if (spawnError === 'EACCES') lines.push('the hook is not executable: chmod +x .loom/hooks/post-worktree');
  else if (result.exitCode === undefined && !result.timedOut) lines.push(String(result.shortMessage ?? result.message));
  return {
    ran: true,
    exit_code: result.exitCode ?? null,
    timed_out: Boolean(result.timedOut),
    ok: result.exitCode === 0 && !result.timedOut,
    last_lines: lines,
  };
}

/** Copies the `.loom/worktree-include` files into a new worktree and runs its post-worktree hook. */
export async function bootstrap(
  root: string,
  dir: string,
  issue: number | null,
  env: NodeJS.ProcessEnv,
): Promise<{ includes: IncludeResult[]; hook: HookResult | null }> {
  const includes = await copyIncludes(root, dir, await readIncludes(root));
  const hook = await runHook(root, dir, issue, env);
  return { includes, hook };
}

/**
 * Creates (or reuses) the issue's worktree. Reuse runs the bootstrap again
 * only when the last one did not succeed (the marker records it).
 */
export async function ensureWorktree(
  root: string,
  issue: number,
  env: NodeJS.ProcessEnv,
  now: Date,
): Promise<WorktreeResult> {
  const dir = path.join(root, '.loom', 'worktrees', worktreeDirName(issue));
  const branch = branchForIssue(issue);
  const includes = await readIncludes(root); // validate before touching anything
  return withWorktreeLock(root, async () => {
    const registered = (await listWorktrees(root)).find((w) => samePath(w.path, dir));
    if (registered && !registered.prunable && existsSync(dir)) {
      const marker = await readMarker(dir);
      if (marker && marker.bootstrapped === false) {
        const boot = await bootstrap(root, dir, issue, env);
        await writeMarker(dir, { ...marker, bootstrapped: boot.hook?.ok ?? true });
        return { issue, path: dir, branch: registered.branch ?? branch, base: null, created: false, ...boot };
      }
      return {
        issue,
        path: dir,
        branch: registered.branch ?? branch,
        base: null,
        created: false,
        includes: [],
        hook: null,
      };
    }
    if (registered) await git(root, ['worktree', 'prune']).catch(() => undefined);
    if (existsSync(dir)) {
      throw new LoomError('WORKTREE_CONFLICT', `${path.relative(root, dir)} exists but is not a git worktree.`, {
        hint: `Move it aside (mv ${path.relative(root, dir)} ${path.relative(root, dir)}.bak) and run \`loom worktree ${issue}\` again.`,
      });
    }
    try {
      await git(root, ['fetch', '--quiet', 'origin']);
    } catch (error) {
      throw gitFailed('git fetch origin', error);
    }
    const main = await defaultBranch(root);
    let base: string | null;
    const args = ['worktree', 'add', '--quiet'];
    if (await refExists(root, `refs/heads/${branch}`)) {
      base = null; // the branch exists (an earlier worktree, or the Doctor resuming): check it out as it is
      args.push(dir, branch);
    } else if (await refExists(root, `refs/remotes/origin/${branch}`)) {
      base = `origin/${branch}`;
      args.push('--track', '-b', branch, dir, base);
    } else {
      base = (await refExists(root, `refs/remotes/origin/${main}`)) ? `origin/${main}` : main;
      // --no-track: the new branch must not push to or pull from the default branch.
      args.push('--no-track', '-b', branch, dir, base);
    }
    await mkdir(path.dirname(dir), { recursive: true });
    try {
      await git(root, args);
    } catch (error) {
      throw gitFailed(`git ${args.slice(0, 2).join(' ')}`, error);
    }
    await excludeMarker(root);
    const marker: WorktreeMarker = { issue, created_at: now.toISOString(), branch, bootstrapped: false };
    await writeMarker(dir, marker);
    const copied = await copyIncludes(root, dir, includes);
    const hook = await runHook(root, dir, issue, env);
    await writeMarker(dir, { ...marker, bootstrapped: hook?.ok ?? true });
    return { issue, path: dir, branch, base, created: true, includes: copied, hook };
  });
}

/** `p` with symlinks resolved, or just made absolute when it does not exist (any more). */
export function realOrResolved(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

export function samePath(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b) || realOrResolved(a) === realOrResolved(b);
}

export const CleanEntrySchema = z.object({
  path: z.string(),
  issue: z.nullable(z.int().check(z.positive())),
  action: z.enum(['removed', 'would-remove', 'kept']),
  reason: z.string(),
});
export type CleanEntry = z.infer<typeof CleanEntrySchema>;

/**
 * `loom worktree clean`: for each worktree under `.loom/worktrees/`, decides
 * with `cleanDecision` (marker, cwd, uncommitted changes, issue closed, PR
 * merged) and removes it with `git worktree remove` (which refuses dirty trees
 * too). `facts` asks GitHub about one issue.
 */
export async function cleanWorktrees(
  root: string,
  cwd: string,
  facts: (issue: number) => Promise<Pick<CleanFacts, 'issueState' | 'pr'>>,
  dryRun: boolean,
): Promise<CleanEntry[]> {
  const base = path.join(root, '.loom', 'worktrees');
  const realCwd = realOrResolved(cwd);
  return withWorktreeLock(root, async () => {
    const out: CleanEntry[] = [];
    for (const entry of await listWorktrees(root)) {
      if (entry.bare || !isInside(base, path.resolve(entry.path)) || samePath(entry.path, base)) continue;
      if (entry.prunable || !existsSync(entry.path)) {
        out.push({
          path: entry.path,
          issue: null,
          action: 'kept',
          reason: 'folder is missing (run `git worktree prune`)',
        });
        continue;
      }
      const marker = await readMarker(entry.path);
      const isCwd = isInside(realpathSync(entry.path), realCwd);
      let dirty = true;
      try {
        dirty = (await git(entry.path, ['status', '--porcelain', '--untracked-files=normal'])) !== '';
      } catch {
        dirty = true;
      }
      let remote: Pick<CleanFacts, 'issueState' | 'pr'> = { issueState: null, pr: null };
      if (marker && !isCwd && !dirty) remote = await facts(marker.issue);
      const decision = cleanDecision({ issue: marker?.issue ?? null, isCwd, dirty, ...remote });
      let action: CleanEntry['action'] = decision.remove ? (dryRun ? 'would-remove' : 'removed') : 'kept';
      let reason = decision.reason;
      if (action === 'removed') {
        try {
          await git(root, ['worktree', 'remove', entry.path]);
        } catch (error) {
          action = 'kept';
          reason = `git worktree remove refused: ${error instanceof GitError ? error.gitMessage : String(error)}`;
        }
      }
      out.push({ path: entry.path, issue: marker?.issue ?? null, action, reason });
    }
    return out;
  });
}
