/**
 * `loom adopt-claim` (DESIGN.md §4.9): run on a GitHub Actions runner by the shepherd workflow, before Claude
 * Code starts. It checks on GitHub that the issue's claim is the dispatching daemon's (its claim comment
 * carries the token the dispatch gave), then writes the claim lock and the state slot the fresh checkout
 * needs, so `/shepherd`'s `loom progress`, `checkpoint`, `await` and `release` work as under a local daemon.
 */
import type { Command } from 'commander';
import * as z from 'zod';
import { acquireClaimLock, readClaimLock, updateClaimLock } from '../claims/claim-lock.js';
import type { LoomContext, Output } from '../context.js';
import { ADOPT_CLAIM_ENV } from '../core/actions-contract.js';
import { adoptDecision, CLAIM_TOKEN } from '../core/adopt.js';
import { claimedSlot, ShepherdSlotIdSchema } from '../core/daemon-state.js';
import { cleanText, envSecrets, redactSecrets } from '../core/sanitize.js';
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
export type AdoptJson = z.infer<typeof AdoptJsonSchema>;

export const AdoptOptions = z.object({
  issue: issueNumber,
  slot: ShepherdSlotIdSchema,
  token: z.string().regex(CLAIM_TOKEN, 'must be the 16 hex digits of a claim token'),
  json: z.boolean().default(false),
});
export type AdoptOptions = z.infer<typeof AdoptOptions>;

/**
 * What `adoptClaim` did: its --json, the issue's title (for the text line), and when the claim was not the
 * dispatcher's, why (the error's message, next step and exit code).
 */
export interface AdoptResult extends AdoptJson {
  title: string | null;
  refusal: { message: string; hint: string | null; exitCode: number } | null;
}

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
        const options = parseOptions(AdoptOptions, {
          issue: from(raw.issue, 'issue'),
          slot: from(raw.slot, 'slot'),
          token: from(raw.token, 'claim'),
          json: raw.json,
        });
        return renderAdoptClaim(env.io, await adoptClaim(await mainContext(env), options), options);
      }, Boolean(raw.json)),
    );
}

/**
 * Adopts the claim of `options.issue` for slot `options.slot` when GitHub shows it is the dispatching daemon's:
 * the issue open and loom:building, its latest trusted claim comment carrying `options.token` (one GitHub
 * request). Then writes the claim lock (.loom/claims/issue-N.json, kept ADOPTED_LOCK_TTL seconds) and the slot in
 * the state file. A claim that is not the dispatcher's is a refusal in the result (nothing written); prints
 * nothing. Throws CLAIM_CONFLICT when this checkout records another claim of the issue, LOCKED when another
 * process holds its claim lock.
 */
export async function adoptClaim(ctx: LoomContext, options: AdoptOptions): Promise<AdoptResult> {
  const repo = await ctx.repo();
  const item = await readItemWithComments(ctx.gh, repo, options.issue, 'LoomAdoptClaim');
  const decision = adoptDecision(item, item.comments, options.token);
  if (!decision.adopt) {
    const error = new LoomError(
      'CLAIM_NOT_ADOPTED',
      `Cannot adopt the claim of #${options.issue}: it ${decision.reason}.`,
      { hint: decision.next },
    );
    return {
      issue: options.issue,
      slot: options.slot,
      adopted: false,
      owner: null,
      reason: decision.reason,
      title: item.title,
      // A claim comment's owner is GitHub text: redacted like every error line (the one error sink does the same).
      refusal: {
        message: redactSecrets(error.message, envSecrets(ctx.env)),
        hint: error.hint ?? null,
        exitCode: error.exitCode,
      },
    };
  }
  const now = ctx.now();
  const owner = `actions:${options.slot}`;
  const existing = await readClaimLock(ctx.paths, options.issue);
  if (existing && existing.token !== options.token)
    throw new LoomError('CLAIM_CONFLICT', `A different claim of #${options.issue} is recorded in this checkout.`, {
      hint: 'Run adopt-claim in a fresh checkout of the repository (the workflow does).',
    });
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
  return {
    issue: options.issue,
    slot: options.slot,
    adopted: true,
    owner: decision.claim.owner,
    reason: null,
    title: item.title,
    refusal: null,
  };
}

/**
 * Prints `adopted #N in <slot> (claim of <owner>): <title>` (or --json); a refusal is `loom: <why>` on stderr
 * (with the next step unless --json) and exit 12 (CLAIM_NOT_ADOPTED: the job must stop), else exit 0.
 */
export function renderAdoptClaim(io: Output, result: AdoptResult, options: AdoptOptions): number {
  const { title, refusal, ...json } = result;
  if (options.json) printJson(io, AdoptJsonSchema.parse(json));
  if (refusal) {
    io.err(`loom: ${refusal.message}`);
    if (refusal.hint && !options.json) io.err(`  → ${refusal.hint}`);
    return refusal.exitCode;
  }
  if (!options.json)
    io.out(
      `adopted #${result.issue} in ${result.slot} (claim of ${cleanText(result.owner ?? '', 100)}): ${cleanText(title ?? '', 200)}`,
    );
  return 0;
}
