/**
 * `loom take <pr> --role judge|doctor`: how a Judge or Doctor takes a pull
 * request. Refused when a live shepherd drives it (unless the caller is that
 * shepherd's own phase, `--shepherded`); otherwise one locked
 * read–edit–re-read moves the PR from the role's queue label to its working
 * label, so of two takers exactly one wins and the other exits 12.
 */
import type { Command } from 'commander';
import * as z from 'zod';
import type { LoomContext, Output } from '../context.js';
import { Label } from '../core/labels.js';
import { liveShepherdOn } from '../core/live-shepherd.js';
import { ExitCode } from '../errors.js';
import { type Item, transitionLabels } from '../github/items.js';
import { withTakeLock } from '../state/take-lock.js';
import { exitCodeHelp } from './exit-codes.js';
import { issueNumber, parseOptions, printJson, type Run } from './shared.js';
import { mainContext } from './work-context.js';

/** What a role takes: any of `from` (all of them removed) → `add`. A Doctor also treats an approved PR that conflicts or fails CI. */
const MOVES: Record<'judge' | 'doctor', { from: string[]; add: string }> = {
  judge: { from: [Label.reviewRequested], add: Label.reviewing },
  doctor: { from: [Label.changesRequested, Label.pr], add: Label.treating },
};

export const TakeJsonSchema = z.object({
  pr: z.number().int().positive(),
  role: z.enum(['judge', 'doctor']),
  taken: z.boolean(),
  reason: z.string().nullable(),
  /** The issue the PR closes (`--issue`, else its first closing reference, else its feature/issue-N branch). */
  issue: z.number().int().positive().nullable(),
});
export type TakeJson = z.infer<typeof TakeJsonSchema>;

export const TakeOptions = z.object({
  pr: issueNumber,
  role: z.enum(['judge', 'doctor']),
  issue: z.optional(issueNumber),
  shepherded: z.boolean().default(false),
  json: z.boolean().default(false),
});
export type TakeOptions = z.infer<typeof TakeOptions>;

/**
 * The issue a PR belongs to, from GitHub's own fields (never from its text): `--issue` when given, else its
 * first closing reference, else the N of a `feature/issue-N` head branch.
 */
export function issueOf(item: Item, given?: number): number | null {
  if (given) return given;
  if (item.closingIssues?.length) return item.closingIssues[0]!;
  const branch = /^feature\/issue-(\d+)$/.exec(item.headRefName ?? '');
  return branch ? Number(branch[1]) : null;
}

export function register(program: Command, run: Run): void {
  program
    .command('take <pr>')
    .description('Take a pull request for a Judge or Doctor: queue label → working label, atomically')
    .requiredOption(
      '--role <role>',
      'judge (loom:review-requested → loom:reviewing) or doctor (loom:changes-requested or loom:pr → loom:treating)',
    )
    .option('--issue <n>', "the issue the PR closes (default: found from the PR's closing references or branch)")
    .option('--shepherded', 'the caller is the phase of the shepherd that drives this PR')
    .option('--json', 'print {pr, role, taken, reason, issue}')
    .addHelpText(
      'after',
      `
Prints "took PR #M for the <role>; it closes #N" (or "no issue"): N is the issue the PR closes, from
GitHub's closing references or a feature/issue-N branch (gh 2.23's pr view has no such field).
Without --shepherded the take is refused while a live shepherd (a daemon slot or a /shepherd session
with a fresh heartbeat) drives the PR or its issue. A Doctor's take is refused unless the PR's head
branch is feature/issue-N, the branch its worktree pushes to (a PR from another branch or a fork is a
person's to fix), and when the PR closes no issue.
${exitCodeHelp('take')}
Example: .loom/scripts/loom take 130 --role judge`,
    )
    .action((pr, raw) =>
      run(async (env) => {
        const options = parseOptions(TakeOptions, { ...raw, pr });
        return renderTake(env.io, await take(await mainContext(env), options), options);
      }, Boolean(raw.json)),
    );
}

/** Moves the PR from the role's queue label to its working label under the take lock; `taken` false with a reason when refused. */
export async function take(ctx: LoomContext, options: TakeOptions): Promise<TakeJson> {
  const move = MOVES[options.role];
  // Read before the lock (no request): the shepherds that may hold the PR or its issue.
  const state = options.shepherded ? undefined : await ctx.store.read();
  const fresh = (await ctx.config()).heartbeat_fresh;
  let issue: number | null = options.issue ?? null;
  const repo = await ctx.repo();
  const result = await withTakeLock(ctx.paths, options.pr, () =>
    transitionLabels(ctx.gh, repo, options.pr, { add: [move.add], remove: move.from }, (item) => {
      if (!item.isPullRequest) return 'is not a pull request';
      if (item.state !== 'OPEN') return 'is not open';
      issue = issueOf(item, options.issue);
      const holder = state && liveShepherdOn(state, { issue: issue ?? undefined, pr: options.pr }, ctx.now(), fresh);
      if (holder) return `a live shepherd (${holder}) drives it`;
      if (options.role === 'doctor') {
        if (!issue) return 'closes no issue (no `Closes #N` line and not a feature/issue-N branch)';
        if (item.headRefName !== `feature/issue-${issue}`)
          return `its head branch is not feature/issue-${issue} (the Doctor pushes only to Loom's own branch of the issue)`;
      }
      return move.from.some((l) => item.labels.includes(l))
        ? undefined
        : `has none of ${move.from.join(', ')} (someone else took it)`;
    }),
  );
  const reason = result.ok ? null : (result.reason ?? 'labels not verified');
  return { pr: options.pr, role: options.role, taken: !reason, reason, issue };
}

/** Prints the take (or --json); exit 0, or 12 (conflict) when refused. */
export function renderTake(io: Output, result: TakeJson, options: TakeOptions): number {
  if (options.json) printJson(io, result);
  else if (result.reason) io.err(`loom: cannot take PR #${result.pr}: ${result.reason}`);
  else
    io.out(`took PR #${result.pr} for the ${result.role}; it closes ${result.issue ? `#${result.issue}` : 'no issue'}`);
  return result.reason ? ExitCode.conflict : ExitCode.ok;
}
