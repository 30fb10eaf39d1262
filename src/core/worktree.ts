/**
 * Per-issue worktrees (DESIGN.md §2, §8.5): names, the `.loom/worktree-include`
 * format, `git worktree list --porcelain` parsing and the clean-up decision.
 * Pure; the git and file-system work is in src/git/worktree.ts.
 */
import path from 'node:path';
import * as z from 'zod/mini';
import './zod-setup.js';

export const MARKER_FILE = '.loom-worktree';
export const worktreeDirName = (issue: number) => `issue-${issue}`;

export const WorktreeMarkerSchema = z.object({
  issue: z.int().check(z.positive()),
  created_at: z.string(),
  branch: z.optional(z.string()),
  /** False while the bootstrap (include copy + post-worktree hook) has not succeeded; a reuse retries it. */
  bootstrapped: z.optional(z.boolean()),
});
export type WorktreeMarker = z.infer<typeof WorktreeMarkerSchema>;

export interface IncludeProblem {
  line: number;
  entry: string;
  problem: string;
}

/**
 * `.loom/worktree-include`: one path per line, relative to the repository
 * root; `#` comments and blank lines ignored. Absolute paths, `..` segments
 * and paths into `.git` or `.loom/worktrees` are refused.
 */
export function parseWorktreeInclude(text: string): { paths: string[]; problems: IncludeProblem[] } {
  const paths: string[] = [];
  const problems: IncludeProblem[] = [];
  text.split('\n').forEach((raw, i) => {
    const entry = raw.trim();
    if (!entry || entry.startsWith('#')) return;
    const line = i + 1;
    const segments = entry.split(/[\\/]+/);
    let problem: string | undefined;
    if (path.isAbsolute(entry) || /^[A-Za-z]:/.test(entry) || entry.startsWith('~'))
      problem = 'must be relative to the repository root';
    else if (segments.includes('..')) problem = 'must not contain ".."';
    else if (/[\0\r]/.test(entry)) problem = 'contains a control character';
    else {
      const normal = path.posix.normalize(segments.join('/')).replace(/\/+$/, '');
      if (normal === '.' || normal === '') problem = 'names the repository root';
      else if (normal === '.git' || normal.startsWith('.git/')) problem = 'must not point into .git';
      else if (normal === '.loom/worktrees' || normal.startsWith('.loom/worktrees/'))
        problem = 'must not point into .loom/worktrees';
      else if (!paths.includes(normal)) paths.push(normal);
    }
    if (problem) problems.push({ line, entry, problem });
  });
  return { paths, problems };
}

/** True when `child` is `parent` or inside it (both absolute, resolved). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export interface WorktreeEntry {
  path: string;
  head: string | null;
  /** Short branch name, or null when detached. */
  branch: string | null;
  bare: boolean;
  prunable: boolean;
}

/** Parses `git worktree list --porcelain`. */
export function parseWorktreeList(porcelain: string): WorktreeEntry[] {
  const out: WorktreeEntry[] = [];
  for (const block of porcelain.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter(Boolean);
    const first = lines[0];
    if (!first?.startsWith('worktree ')) continue;
    const entry: WorktreeEntry = {
      path: first.slice('worktree '.length),
      head: null,
      branch: null,
      bare: false,
      prunable: false,
    };
    for (const line of lines.slice(1)) {
      if (line.startsWith('HEAD ')) entry.head = line.slice(5);
      else if (line.startsWith('branch ')) entry.branch = line.slice(7).replace(/^refs\/heads\//, '');
      else if (line === 'bare') entry.bare = true;
      else if (line.startsWith('prunable')) entry.prunable = true;
    }
    out.push(entry);
  }
  return out;
}

export interface CleanFacts {
  /** The marker's issue, or null when the worktree has no (readable) marker. */
  issue: number | null;
  /** The caller's working directory is this worktree or inside it. */
  isCwd: boolean;
  /** `git status --porcelain` output is non-empty. */
  dirty: boolean;
  /** MISSING: GitHub says there is no such issue (e.g. a worktree made for a mistyped number). */
  issueState: 'OPEN' | 'CLOSED' | 'MISSING' | null;
  /** The PR that belongs to the issue (open or merged), or null when there is none. */
  pr: { number: number; state: 'OPEN' | 'CLOSED' | 'MERGED' } | null;
}

/** Whether `loom worktree clean` may remove a worktree, and why (not). Fail safe: anything unsure is kept. */
export function cleanDecision(f: CleanFacts): { remove: boolean; reason: string } {
  if (f.issue === null) return { remove: false, reason: 'not made by Loom (no .loom-worktree marker)' };
  if (f.isCwd) return { remove: false, reason: 'it is the current working directory' };
  if (f.dirty) return { remove: false, reason: 'has uncommitted changes' };
  // Its branch is kept (clean never deletes branches), so removing the worktree loses no commit.
  if (f.issueState === 'MISSING') return { remove: true, reason: 'no such issue on GitHub (branch kept)' };
  if (f.issueState !== 'CLOSED')
    return { remove: false, reason: f.issueState === null ? 'issue state unknown' : 'issue is still open' };
  if (f.pr && f.pr.state !== 'MERGED') return { remove: false, reason: `PR #${f.pr.number} is not merged` };
  return { remove: true, reason: f.pr ? `issue closed, PR #${f.pr.number} merged` : 'issue closed, no PR' };
}

/** The last `n` non-empty lines of a process's output (for hook reports). */
export function lastLines(text: string, n = 15): string[] {
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(-n);
}
