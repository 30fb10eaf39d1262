/**
 * `loom take <pr> --role judge|doctor`: how a Judge or Doctor takes a pull
 * request. Refused when a live shepherd drives it (unless the caller is that
 * shepherd's own phase, `--shepherded`); otherwise one locked
 * read–edit–re-read moves the PR from the role's queue label to its working
 * label, so of two takers exactly one wins and the other exits 12.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { Label } from '../core/labels.js';
import { liveShepherdOn } from '../core/live-shepherd.js';
import { ExitCode } from '../errors.js';
import { transitionLabels } from '../github/items.js';
import { withTakeLock } from '../state/take-lock.js';
import { exitCodeHelp } from './exit-codes.js';
import { issueNumber, parseOptions, printJson } from './shared.js';
import { mainContext, type Run } from './work-context.js';

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
});

export function register(program: Command, run: Run): void {
  program
    .command('take <pr>')
    .description('Take a pull request for a Judge or Doctor: queue label → working label, atomically')
    .requiredOption(
      '--role <role>',
      'judge (loom:review-requested → loom:reviewing) or doctor (loom:changes-requested or loom:pr → loom:treating)',
    )
    .option('--issue <n>', 'the issue the PR closes (so a shepherd driving that issue is seen)')
    .option('--shepherded', 'the caller is the phase of the shepherd that drives this PR')
    .option('--json', 'print {pr, role, taken, reason}')
    .addHelpText(
      'after',
      `
Without --shepherded the take is refused while a live shepherd (a daemon slot or a /shepherd session
with a fresh heartbeat) drives the PR or its issue. A Doctor's take with --issue N is refused unless the
PR's head branch is feature/issue-N, the branch its worktree pushes to (a PR from another branch or a
fork is a person's to fix).
${exitCodeHelp('take')}
Example: .loom/scripts/loom take 130 --role judge`,
    )
    .action((pr, raw) =>
      run(async (env) => {
        const options = parseOptions(
          z.object({
            pr: issueNumber,
            role: z.enum(['judge', 'doctor']),
            issue: issueNumber.optional(),
            shepherded: z.boolean().default(false),
            json: z.boolean().default(false),
          }),
          { ...raw, pr },
        );
        const ctx = await mainContext(env);
        const move = MOVES[options.role];
        let reason: string | null = null;
        if (!options.shepherded) {
          const holder = liveShepherdOn(
            await ctx.store.read(),
            { issue: options.issue, pr: options.pr },
            ctx.now(),
            (await ctx.config()).heartbeat_fresh,
          );
          if (holder) reason = `a live shepherd (${holder}) drives it`;
        }
        if (!reason) {
          const repo = await ctx.repo();
          const result = await withTakeLock(ctx.paths, options.pr, () =>
            transitionLabels(ctx.gh, repo, options.pr, { add: [move.add], remove: move.from }, (item) =>
              !item.isPullRequest
                ? 'is not a pull request'
                : item.state !== 'OPEN'
                  ? 'is not open'
                  : options.role === 'doctor' && options.issue && item.headRefName !== `feature/issue-${options.issue}`
                    ? `its head branch is not feature/issue-${options.issue} (the Doctor pushes only to Loom's own branch of the issue)`
                    : move.from.some((l) => item.labels.includes(l))
                      ? undefined
                      : `has none of ${move.from.join(', ')} (someone else took it)`,
            ),
          );
          if (!result.ok) reason = result.reason ?? 'labels not verified';
        }
        if (options.json) printJson(env.io, { pr: options.pr, role: options.role, taken: !reason, reason });
        else if (reason) env.io.err(`loom: cannot take PR #${options.pr}: ${reason}`);
        else env.io.out(`took PR #${options.pr} for the ${options.role}`);
        return reason ? ExitCode.conflict : ExitCode.ok;
      }, Boolean(raw.json)),
    );
}
