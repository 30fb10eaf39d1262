/**
 * `loom worktree <issue>` (create or reuse the issue's worktree and print its
 * path) and `loom worktree clean` (remove finished ones, safely).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import * as z from 'zod';
import { cleanText } from '../core/sanitize.js';
import { ExitCode, isLoomError, LoomError } from '../errors.js';
import {
  CleanEntrySchema,
  cleanWorktrees,
  ensureWorktree,
  HookResultSchema,
  IncludeResultSchema,
} from '../git/worktree.js';
import { readIssueWork } from '../github/issue-work.js';
import { repoSlug } from '../github/repo.js';
import { exitCodeHelp } from './exit-codes.js';
import { issueNumber, parseOptions, printJson } from './shared.js';
import { mainContext, type Run } from './work-context.js';

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

export function register(program: Command, run: Run): void {
  const worktree = program
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
        const options = parseOptions(z.object({ issue: issueNumber, json: z.boolean().default(false) }), {
          ...raw,
          issue,
        });
        const ctx = await mainContext(env);
        // Refuse a number that is no issue before any branch or folder is made (one GitHub request, only
        // when the worktree does not exist yet): `worktree 999` used to leave a branch behind.
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
        const result = await ensureWorktree(ctx.root, options.issue, ctx.env, ctx.now());
        const hookFailed = result.hook !== null && !result.hook.ok;
        if (options.json) printJson(env.io, result);
        else {
          for (const inc of result.includes)
            if (!inc.copied) env.io.err(`loom: not copied: ${inc.path} (${inc.reason})`);
          if (result.hook && hookFailed) {
            env.io.err(
              `loom: .loom/hooks/post-worktree failed (${result.hook.timed_out ? 'timed out after 300 s' : `exit ${result.hook.exit_code ?? '?'}`}); last lines:`,
            );
            for (const line of result.hook.last_lines) env.io.err(`  ${cleanText(line, 500)}`);
          }
          env.io.out(path.relative(ctx.root, result.path));
        }
        return hookFailed ? ExitCode.hookFailed : ExitCode.ok;
      }, Boolean(raw.json)),
    );

  worktree
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
        const options = parseOptions(
          z.object({ dryRun: z.boolean().default(false), json: z.boolean().default(false) }),
          raw,
        );
        const ctx = await mainContext(env);
        const repo = await ctx.repo();
        const entries = await cleanWorktrees(
          ctx.root,
          env.cwd,
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
        if (options.json) return printJson(env.io, { dry_run: options.dryRun, worktrees: entries });
        for (const e of entries)
          env.io.out(`${e.action.padEnd(12)} ${path.relative(ctx.root, e.path)}  ${cleanText(e.reason, 300)}`);
        if (!entries.length) env.io.out('no worktrees under .loom/worktrees');
      }, Boolean(raw.json));
    });
}
