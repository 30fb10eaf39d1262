/**
 * Pull-request commands (DESIGN.md §8.7, §8.8): `loom pr-for` (the PR of an issue),
 * `loom merge-gate` (the Champion's checks) and `loom merge` (gate, squash
 * merge, confirm). Every read is direct and uncached.
 */
import type { Command } from 'commander';
import * as z from 'zod';
import type { LoomContext, Output } from '../context.js';
import { Label } from '../core/labels.js';
import {
  evaluateMergeGate,
  GATE_REFUSED_MARKER,
  type GateResult,
  GateResultSchema,
  gateRefusedComment,
  personReasons,
} from '../core/merge-gate.js';
import { PullRefSchema, toPullRef } from '../core/pr-link.js';
import { cleanText } from '../core/sanitize.js';
import { ExitCode, LoomError } from '../errors.js';
import { CleanupEntrySchema, liveIssues, removeFinishedWork } from '../git/cleanup.js';
import { readIssueWork } from '../github/issue-work.js';
import { addComment } from '../github/items.js';
import { BranchCleanupSchema, deleteHeadBranch, type GateRead, readGatePull, squashMerge } from '../github/merge.js';
import { type Repo, repoArg } from '../github/repo.js';
import { exitCodeHelp } from './exit-codes.js';
import { issueNumber, parseOptions, printJson, type Run } from './shared.js';
import { mainContext } from './work-context.js';

export const PrForJsonSchema = z.object({
  issue: z.number().int().positive(),
  pr: z.nullable(PullRefSchema),
  /** How the PR is linked: closing-reference, body, branch. */
  via: z.array(z.enum(['closing-reference', 'body', 'branch'])),
});
export const MergeGateJsonSchema = GateResultSchema;
export const MergeJsonSchema = z.object({
  pr: z.number().int().positive(),
  merged: z.boolean(),
  gate: GateResultSchema,
  /** A refusal only a person can settle was explained on the PR by this run (once per PR, ever). */
  commented: z.boolean().optional(),
  /** After a merge: the head branch on GitHub, deleted or kept (default branch, fork, protected, --keep-branch). */
  branch: BranchCleanupSchema.optional(),
  /** After a merge: the local worktree and feature/issue-N branch of the merged work, removed or kept. */
  local: z.array(CleanupEntrySchema).optional(),
});

export type PrForJson = z.infer<typeof PrForJsonSchema>;
export type MergeJson = z.infer<typeof MergeJsonSchema>;

export const PrForOptions = z.object({ issue: issueNumber, json: z.boolean().default(false) });
export type PrForOptions = z.infer<typeof PrForOptions>;
export const MergeGateOptions = z.object({
  pr: issueNumber,
  force: z.boolean().default(false),
  json: z.boolean().default(false),
});
export type MergeGateOptions = z.infer<typeof MergeGateOptions>;
export const MergeOptions = MergeGateOptions.extend({ keepBranch: z.boolean().default(false) });
export type MergeOptions = z.infer<typeof MergeOptions>;

/**
 * A gate refusal only a person can settle (size, critical files, age, merge.auto off) gets one comment on the
 * PR saying why and what to do; a repeat run finds Loom's marker and stays quiet. Conflicts and red checks are
 * the Doctor's work and get no comment here.
 */
async function explainRefusal(ctx: LoomContext, repo: Repo, pull: GateRead, gate: GateResult): Promise<boolean> {
  if (!personReasons(gate).length || !pull.labels.includes(Label.pr)) return false;
  if (pull.ownComments.some((body) => body.includes(GATE_REFUSED_MARKER))) return false;
  await addComment(ctx.gh, pull.id, gateRefusedComment(gate, ` -R ${repoArg(repo)}`));
  return true;
}

function printGate(io: Output, gate: GateResult): void {
  for (const c of gate.checks) io.out(`${c.pass ? 'pass' : 'FAIL'}  ${c.name.padEnd(14)} ${cleanText(c.reason, 400)}`);
  io.out(
    gate.pass
      ? `merge gate: PR #${gate.pr} passes${gate.force ? ' (--force)' : ''}`
      : `merge gate: PR #${gate.pr} fails: ${gate.checks
          .filter((c) => !c.pass)
          .map((c) => c.name)
          .join(', ')}`,
  );
}

const GATE_HELP = `
Checks: open and not a draft; has loom:pr; no loom:manual-merge; merge.auto on; at most merge.max_changed_lines
(200) changed lines; no critical files (merge.critical_paths; built in: CI workflows, lock files, .loom/**,
.claude/**, .env*, keys); mergeable; updated within merge.max_age_hours (24 h); CI checks passing (or none,
unless merge.require_checks). --force relaxes only merge.auto, the size limit, the critical-file rule and the
age (three times the limit). The PR is read directly in one GraphQL request, never from a cache.`;

export function register(program: Command, run: Run): void {
  program
    .command('pr-for <issue>')
    .description('Print the number of the open (else merged) pull request for an issue')
    .option('--json', 'print {issue, pr: {number, state, headRefName, labels, url} | null, via}')
    .addHelpText(
      'after',
      `
A PR belongs to issue N when GitHub lists it as closing N, its body says Closes/Fixes/Resolves #N, or its
head branch is feature/issue-N. Closed, unmerged PRs do not count. One GraphQL request.
${exitCodeHelp('pr-for')}
Example: pr=$(.loom/scripts/loom pr-for 123) || echo "no PR yet"`,
    )
    .action((issue, raw) =>
      run(async (env) => {
        const options = parseOptions(PrForOptions, { ...raw, issue });
        return renderPrFor(env.io, await prFor(await mainContext(env), options), options);
      }, Boolean(raw.json)),
    );

  program
    .command('merge-gate <pr>')
    .description("Run the Champion's merge checks on a pull request, each with pass/fail and a reason")
    .option('--force', 'relax the size limit, critical files and recency (72 h)')
    .option('--json', 'print {pr, pass, force, checks: [{name, pass, reason, relaxed}]}')
    .addHelpText('after', `${GATE_HELP}\n${exitCodeHelp('merge-gate')}\nExample: .loom/scripts/loom merge-gate 130`)
    .action((pr, raw) =>
      run(async (env) => {
        const options = parseOptions(MergeGateOptions, { ...raw, pr });
        return renderMergeGate(env.io, await mergeGate(await mainContext(env), options), options);
      }, Boolean(raw.json)),
    );

  program
    .command('merge <pr>')
    .description('Run the merge gate, squash-merge the pull request, and confirm it merged')
    .option('--force', 'relax the size limit, critical files and recency (72 h)')
    .option('--keep-branch', 'do not delete the head branch after the merge')
    .option('--json', 'print {pr, merged, gate, commented, branch: {name, action, reason}, local: [...]}')
    .addHelpText(
      'after',
      `${GATE_HELP}
The merge pins the head commit the gate saw, so a push after the gate check makes it fail instead of merging unchecked code.
After the merge the head branch is deleted on GitHub (one more request) unless --keep-branch, it is the default
branch, it lives in a fork, or GitHub refuses (a protected branch): then it is kept and the reason printed.
Then the local .loom/worktrees/issue-N and feature/issue-N of a feature/issue-N head are removed, unless a
shepherd of this clone holds the issue, the worktree has uncommitted changes or is the current directory, or the
branch has commits that are not on GitHub (each is reported as kept, with the reason).
A refusal only a person can settle (merge.auto off, size, critical files, age) is explained once on the PR
(a comment with the reasons and the command; later runs find it and post nothing).
${exitCodeHelp('merge')}
Example: .loom/scripts/loom merge 130`,
    )
    .action((pr, raw) =>
      run(async (env) => {
        const options = parseOptions(MergeOptions, { ...raw, pr });
        return renderMerge(env.io, await merge(await mainContext(env), options), options);
      }, Boolean(raw.json)),
    );
}

/** The open (else merged) PR of an issue and how it is linked, or `pr: null` (one GraphQL request). */
export async function prFor(ctx: LoomContext, options: PrForOptions): Promise<PrForJson> {
  const found = (await readIssueWork(ctx.gh, await ctx.repo(), options.issue)).pull;
  return { issue: options.issue, pr: found ? toPullRef(found.pull) : null, via: found?.via ?? [] };
}

/** Prints the PR's number (or --json); exit 0, or 7 (not found) when the issue has none. */
export function renderPrFor(io: Output, result: PrForJson, options: PrForOptions): number {
  if (options.json) printJson(io, result);
  else if (result.pr) io.out(String(result.pr.number));
  return result.pr ? ExitCode.ok : ExitCode.notFound;
}

/** The merge gate on the PR as GitHub has it now (one GraphQL request, never a cache). */
export async function mergeGate(ctx: LoomContext, options: MergeGateOptions): Promise<GateResult> {
  const config = await ctx.config();
  const pull = await readGatePull(ctx.gh, await ctx.repo(), options.pr);
  return evaluateMergeGate(pull, ctx.now(), config.merge, options.force);
}

/** Prints each check and the verdict (or --json); exit 0 when the gate passes, else 25. */
export function renderMergeGate(io: Output, gate: GateResult, options: MergeGateOptions): number {
  if (options.json) printJson(io, gate);
  else printGate(io, gate);
  return gate.pass ? ExitCode.ok : ExitCode.gateFailed;
}

/**
 * The gate, then a squash merge pinned to the head the gate saw, a re-read to confirm it, and the clean-up of the
 * head branch on GitHub and of the local worktree and branch. A refusal only a person can settle is explained on
 * the PR once. Throws GH_ERROR when GitHub accepted the merge but the PR does not read as merged.
 */
export async function merge(ctx: LoomContext, options: MergeOptions): Promise<MergeJson> {
  const config = await ctx.config();
  const repo = await ctx.repo();
  const pull = await readGatePull(ctx.gh, repo, options.pr);
  const gate = evaluateMergeGate(pull, ctx.now(), config.merge, options.force);
  if (!gate.pass) {
    const commented = options.force ? false : await explainRefusal(ctx, repo, pull, gate);
    return { pr: options.pr, merged: false, gate, commented };
  }
  await squashMerge(ctx.gh, pull.id, pull.headRefOid);
  const after = await readGatePull(ctx.gh, repo, options.pr);
  if (after.state !== 'MERGED') {
    throw new LoomError(
      'GH_ERROR',
      `GitHub accepted the merge of PR #${options.pr} but it reads as ${after.state.toLowerCase()}.`,
      {
        hint: `Check ${pull.url}; run \`loom merge ${options.pr}\` again if it is still open.`,
      },
    );
  }
  const branch = options.keepBranch
    ? { name: pull.headRefName, action: 'kept' as const, reason: '--keep-branch' }
    : await deleteHeadBranch(ctx.gh, repo, pull);
  // The local worktree and feature/issue-N branch of the merged work go too (not while a shepherd holds it).
  const issue = /^feature\/issue-(\d+)$/.exec(pull.headRefName)?.[1];
  const local = issue
    ? await removeFinishedWork(
        ctx.root,
        ctx.cwd,
        [{ issue: Number(issue), mergedHead: pull.headRefOid }],
        liveIssues((await ctx.store.read()).shepherds),
      ).catch((error: unknown) => {
        ctx.io.err(`loom: local clean-up skipped: ${error instanceof Error ? error.message : String(error)}`);
        return [];
      })
    : [];
  return { pr: options.pr, merged: true, gate, branch, local };
}

/** Prints the merge, or the failed gate (or --json); exit 0 when merged, else 25. */
export function renderMerge(io: Output, result: MergeJson, options: MergeOptions): number {
  if (options.json) printJson(io, result);
  else if (!result.merged) {
    printGate(io, result.gate);
    if (result.commented) io.out(`explained on PR #${result.pr} what a person can do`);
  } else {
    io.out(`merged PR #${result.pr} (squash)`);
    for (const e of result.local ?? []) io.out(`${e.action} local ${e.what} ${e.name}: ${e.reason}`);
    const branch = result.branch!;
    io.out(
      branch.action === 'deleted'
        ? `deleted its branch ${cleanText(branch.name, 200)} on GitHub`
        : `kept its branch ${cleanText(branch.name, 200)}: ${cleanText(branch.reason, 300)}`,
    );
  }
  return result.merged ? ExitCode.ok : ExitCode.gateFailed;
}
