/**
 * `loom adopt-claim` (DESIGN.md §4.9): run on a GitHub Actions runner by the shepherd workflow, before Claude
 * Code starts. It checks on GitHub that the issue's claim is the dispatching daemon's (its claim comment
 * carries the token the dispatch gave), then writes the claim lock and the state slot the fresh checkout
 * needs, so `/shepherd`'s `loom progress`, `checkpoint`, `await` and `release` work as under a local daemon.
 */
import type { Command } from 'commander';
import * as z from 'zod';
import { acquireClaimLock, readClaimLock, updateClaimLock } from '../claims/claim-lock.js';
import { ADOPT_CLAIM_ENV } from '../core/actions-contract.js';
import { adoptDecision, CLAIM_TOKEN } from '../core/adopt.js';
import { claimedSlot, ShepherdSlotIdSchema } from '../core/daemon-state.js';
import { cleanText } from '../core/sanitize.js';
import { LoomError } from '../errors.js';
import { readItemWithComments } from '../github/items.js';
import { exitCodeHelp } from './exit-codes.js';
import { issueNumber, parseOptions, printJson, type Run } from './shared.js';
import { mainContext } from './work-context.js';

export const AdoptJsonSchema = z.object({
  issue: z.number().int().positive(),
  slot: z.string(),
  adopted: z.boolean(),
  /** The claimant named in the claim comment (the dispatching daemon's id). */
  owner: z.string().nullable(),
  reason: z.string().nullable(),
});

const Options = z.object({
  issue: issueNumber,
  slot: ShepherdSlotIdSchema,
  token: z.string().regex(CLAIM_TOKEN, 'must be the 16 hex digits of a claim token'),
  json: z.boolean().default(false),
});

/** Names of the environment variables by what they carry (src/core/actions-contract.ts). */
const envName = (input: 'issue' | 'slot' | 'claim') =>
  Object.entries(ADOPT_CLAIM_ENV).find(([, value]) => value === input)![0];

/** The adopted claim lock lives as long as a run may (GitHub's job limit is 6 h). */
const ADOPTED_LOCK_TTL = 6 * 3600;

export function register(program: Command, run: Run): void {
  program
    .command('adopt-claim')
    .description("On an Actions runner: take over the dispatching daemon's claim of an issue before /shepherd runs")
    .option('--issue <n>', `the issue (default: $${envName('issue')})`)
    .option('--slot <slot>', `the daemon's slot, e.g. actions-1 (default: $${envName('slot')})`)
    .option('--token <hex>', `the claim token (default: $${envName('claim')})`)
    .option('--json', 'print {issue, slot, adopted, owner, reason}')
    .addHelpText(
      'after',
      `
The shepherd workflow (loom-shepherd.yml) runs it after checkout, with the workflow_dispatch inputs passed
only through the environment: ${Object.entries(ADOPT_CLAIM_ENV)
        .map(([name, input]) => `${name} (input ${input})`)
        .join(', ')}, and GH_TOKEN for gh.
It reads the issue and its latest comments (one GitHub request) and adopts the claim only when the issue is
open and loom:building and its latest trusted claim comment carries the token; then it writes
.loom/claims/issue-N.json (token, claim comment id: heartbeats edit that comment) and the slot in
.loom/daemon-state.json. Any other answer means the claim is not the dispatcher's any more: the job must stop
before Claude Code starts.
${exitCodeHelp('adopt-claim')}
Example: LOOM_ISSUE=12 LOOM_SLOT=actions-1 LOOM_CLAIM_TOKEN=0123456789abcdef .loom/scripts/loom adopt-claim`,
    )
    .action((raw) =>
      run(async (env) => {
        const from = (flag: string | undefined, input: 'issue' | 'slot' | 'claim') =>
          flag ?? (env.env[envName(input)] || undefined);
        const options = parseOptions(Options, {
          issue: from(raw.issue, 'issue'),
          slot: from(raw.slot, 'slot'),
          token: from(raw.token, 'claim'),
          json: raw.json,
        });
        const ctx = await mainContext(env);
        const repo = await ctx.repo();
        const item = await readItemWithComments(ctx.gh, repo, options.issue, 'LoomAdoptClaim');
        const decision = adoptDecision(item, item.comments, options.token);
        if (!decision.adopt) {
          const error = new LoomError(
            'CLAIM_NOT_ADOPTED',
            `Cannot adopt the claim of #${options.issue}: it ${decision.reason}.`,
            { hint: decision.next },
          );
          if (!options.json) throw error;
          // --json answers in its own shape; the reason goes to stderr as well.
          printJson(
            env.io,
            AdoptJsonSchema.parse({ ...options, adopted: false, owner: null, reason: decision.reason }),
          );
          env.io.err(`loom: ${error.message}`);
          return error.exitCode;
        }
        const now = ctx.now();
        const owner = `actions:${options.slot}`;
        const existing = await readClaimLock(ctx.paths, options.issue);
        if (existing && existing.token !== options.token)
          throw new LoomError(
            'CLAIM_CONFLICT',
            `A different claim of #${options.issue} is recorded in this checkout.`,
            {
              hint: 'Run adopt-claim in a fresh checkout of the repository (the workflow does).',
            },
          );
        if (!(await acquireClaimLock(ctx.paths, options.issue, owner, ADOPTED_LOCK_TTL, now, { token: options.token })))
          throw new LoomError('LOCKED', `Another Loom process holds the claim lock of #${options.issue} here.`, {
            hint: 'Run adopt-claim in a fresh checkout of the repository (the workflow does).',
          });
        await updateClaimLock(ctx.paths, options.issue, {
          read_comment_id: item.lastCommentId,
          comment_id: decision.claim.id,
          comment_owner: decision.claim.owner,
        });
        await ctx.store.update((state) => {
          state.shepherds[options.slot] = claimedSlot(options.issue, now.toISOString());
          return state;
        });
        const answer = { ...options, adopted: true, owner: decision.claim.owner, reason: null };
        if (options.json) printJson(env.io, AdoptJsonSchema.parse(answer));
        else
          env.io.out(
            `adopted #${options.issue} in ${options.slot} (claim of ${cleanText(decision.claim.owner, 100)}): ${cleanText(item.title, 200)}`,
          );
        return 0;
      }, Boolean(raw.json)),
    );
}
