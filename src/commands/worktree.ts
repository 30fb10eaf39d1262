/**
 * `loom worktree <issue>` (create or reuse the issue's worktree and print its
 * path) and `loom worktree clean` (remove finished ones, safely).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import * as z from 'zod';
import type { LoomContext, Output } from '../context.js';
import { cleanText } from '../core/sanitize.js';
import { ExitCode, isLoomError, LoomError } from '../errors.js';
import {
  CleanEntrySchema,
  cleanWorktrees,
  ensureWorktree,
  HookResultSchema,
  IncludeResultSchema,
  type WorktreeResult,
} from '../git/worktree.js';
import { readIssueWork } from '../github/issue-work.js';
import { repoSlug } from '../github/repo.js';
import { exitCodeHelp } from './exit-codes.js';
import { issueNumber, parseOptions, printJson, type Run } from './shared.js';
import { mainContext } from './work-context.js';

export const WorktreeJsonSchema = z.object({
  issue: z.number().int().positive(),
  path: z.string(),
  branch: z.string(),
  base: z.string().nullable(),
  created: z.boolean(),
  includes: z.array(IncludeResultSchema),
  hook: z.nullable(HookResultSchema),
});
export const WorktreeCleanJsonSchema = z.object({ dry_run: z.boolean(), worktrees: z.array(CleanEntrySchema) });

export type WorktreeCleanJson = z.infer<typeof WorktreeCleanJsonSchema>;

export const WorktreeOptions = z.object({ issue: issueNumber, json: z.boolean().default(false) });
export type WorktreeOptions = z.infer<typeof WorktreeOptions>;
export const WorktreeCleanOptions = z.object({ dryRun: z.boolean().default(false), json: z.boolean().default(false) });
export type WorktreeCleanOptions = z.infer<typeof WorktreeCleanOptions>;

export function register(program: Command, run: Run): void {
  const worktreeCommand = program
    .command('worktree')
    .argument('[issue]', 'the issue number')
    .description(
      "Create (or reuse) an issue's worktree .loom/worktrees/issue-N on branch feature/issue-N; prints its path",
    )
    .option('--json', 'print {issue, path, branch, base, created, includes, hook}')
    .addHelpText(
      'after',
      `
New worktrees branch from the remote default branch after \`git fetch origin\` (an existing feature/issue-N
branch is checked out as it is), under a lock (.loom/worktrees.lock). Loom marks its worktrees with a
.loom-worktree file, copies the gitignored files listed in .loom/worktree-include (one relative path per line)
and runs .loom/hooks/post-worktree in the worktree (timeout 300 s; env LOOM_ISSUE, LOOM_WORKTREE, LOOM_ROOT).
The path is printed relative to the repository root (absolute in --json).
A number that is not an issue on GitHub is refused before anything is created (exit 7).
${exitCodeHelp('worktree')}
Examples:
  cd "$(.loom/scripts/loom worktree 123)"
  .loom/scripts/loom worktree clean --dry-run`,
    )
    .action((issue, raw) =>
      run(async (env) => {
        const options = parseOptions(WorktreeOptions, { ...raw, issue });
        const ctx = await mainContext(env);
        return renderWorktree(env.io, await worktree(ctx, options), options, ctx.root);
      }, Boolean(raw.json)),
    );

  worktreeCommand
    .command('clean')
    .description('Remove Loom worktrees whose issue is closed and whose PR is merged (or that have no PR)')
    .option('--dry-run', 'list what would be removed; remove nothing')
    .option('--json', 'print {dry_run, worktrees: [{path, issue, action, reason}]}')
    .addHelpText(
      'after',
      `
Never removes a worktree without the .loom-worktree marker, one with uncommitted changes (git status --porcelain),
or the one you are in. Branches are kept. One GraphQL request per candidate worktree. A worktree whose issue
does not exist on GitHub is removed (its branch stays).
${exitCodeHelp('worktree clean')}
Example: .loom/scripts/loom worktree clean --dry-run`,
    )
    .action((_raw, cmd: Command) => {
      // `--json` after `clean` is parsed by the parent `worktree` command too: read both.
      const raw = cmd.optsWithGlobals();
      return run(async (env) => {
        const options = parseOptions(WorktreeCleanOptions, raw);
        const ctx = await mainContext(env);
        return renderWorktreeClean(env.io, await worktreeClean(ctx, options), options, ctx.root);
      }, Boolean(raw.json));
    });
}

/**
 * Creates or reuses the issue's worktree. A number that is no issue on GitHub is refused (GH_NOT_FOUND) before
 * any branch or folder is made; that costs one request, and only when the worktree does not exist yet.
 */
export async function worktree(ctx: LoomContext, options: WorktreeOptions): Promise<WorktreeResult> {
  if (!existsSync(path.join(ctx.root, '.loom/worktrees', `issue-${options.issue}`))) {
    const repo = await ctx.repo();
    await readIssueWork(ctx.gh, repo, options.issue).catch((error: unknown) => {
      if (isLoomError(error) && error.code === 'GH_NOT_FOUND')
        throw new LoomError(
          'GH_NOT_FOUND',
          `#${options.issue} is not an issue in ${repoSlug(repo)}: no worktree or branch was made.`,
          {
            hint: 'Check the issue number.',
          },
        );
      throw error;
    });
  }
  return ensureWorktree(ctx.root, options.issue, ctx.env, ctx.now());
}

/** Prints the path relative to `root` and what was not copied or failed (or --json); exit 0, or 15 when the hook failed. */
export function renderWorktree(io: Output, result: WorktreeResult, options: WorktreeOptions, root: string): number {
  const hookFailed = result.hook !== null && !result.hook.ok;
  if (options.json) printJson(io, result);
  else {
    for (const inc of result.includes) if (!inc.copied) io.err(`loom: not copied: ${inc.path} (${inc.reason})`);
    if (result.hook && hookFailed) {
      io.err(
        `loom: .loom/hooks/post-worktree failed (${result.hook.timed_out ? 'timed out after 300 s' : `exit ${result.hook.exit_code ?? '?'}`}); last lines:`,
      );
      for (const line of result.hook.last_lines) io.err(`  ${cleanText(line, 500)}`);
    }
    io.out(path.relative(root, result.path));
  }
  return hookFailed ? ExitCode.hookFailed : ExitCode.ok;
}

/** Removes (or with --dry-run lists) the worktrees whose issue is closed and PR merged or absent; one request each. */
export async function worktreeClean(ctx: LoomContext, options: WorktreeCleanOptions): Promise<WorktreeCleanJson> {
  const repo = await ctx.repo();
  const entries = await cleanWorktrees(
    ctx.root,
    ctx.cwd,
    async (issue) => {
      const work = await readIssueWork(ctx.gh, repo, issue).catch((error: unknown) => {
        // A worktree of an issue that does not exist must not make every later clean fail.
        if (isLoomError(error) && error.code === 'GH_NOT_FOUND') return null;
        throw error;
      });
      if (!work) return { issueState: 'MISSING' as const, pr: null };
      return {
        issueState: work.issue.state,
        pr: work.pull ? { number: work.pull.pull.number, state: work.pull.pull.state } : null,
      };
    },
    options.dryRun,
  );
  return { dry_run: options.dryRun, worktrees: entries };
}

/** Prints one line per worktree (or --json); exit 0. */
export function renderWorktreeClean(
  io: Output,
  result: WorktreeCleanJson,
  options: WorktreeCleanOptions,
  root: string,
): number {
  if (options.json) printJson(io, result);
  else {
    for (const e of result.worktrees)
      io.out(`${e.action.padEnd(12)} ${path.relative(root, e.path)}  ${cleanText(e.reason, 300)}`);
    if (!result.worktrees.length) io.out('no worktrees under .loom/worktrees');
  }
  return ExitCode.ok;
}
