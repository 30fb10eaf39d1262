/**
 * Label moves a role makes by hand (DESIGN.md §3, §7): `loom claim`, `loom release`
 * and `loom transition`, each a verified edit (one edit, then a re-read).
 */
import type { Command } from 'commander';
import * as z from 'zod';
import { claimContextOf, claimIssue, releaseIssue } from '../claims/claim.js';
import type { LoomContext, Output } from '../context.js';
import { decideGate } from '../core/gate.js';
import { planTransition } from '../core/label-transition.js';
import { allLabelNames, Label } from '../core/labels.js';
import { liveShepherdOn } from '../core/live-shepherd.js';
import { cleanText } from '../core/sanitize.js';
import { refusedQueueLabels } from '../core/trust.js';
import { ExitCode, LoomError } from '../errors.js';
import { addComment, type Item, readItem, transitionLabels } from '../github/items.js';
import { randomHex } from '../random.js';
import { withTakeLock } from '../state/take-lock.js';
import { exitCodeHelp } from './exit-codes.js';
import { issueNumber, parseOptions, printJson, type Run } from './shared.js';
import { readTextFile } from './text-file.js';
import { mainContext, splitList } from './work-context.js';

export const ClaimJsonSchema = z.object({
  issue: z.number().int().positive(),
  claimed: z.boolean(),
  title: z.string().nullable(),
  reason: z.string().nullable(),
});
export const GateJsonSchema = z.object({
  issue: z.number().int().positive(),
  answer: z.enum(['go', 'wait', 'refused']),
  action: z.string(),
  reason: z.string().nullable(),
});
export const ReleaseJsonSchema = z.object({
  issue: z.number().int().positive(),
  released: z.boolean(),
  to: z.string(),
  reason: z.string(),
});
export const TransitionJsonSchema = z.object({
  number: z.number().int().positive(),
  ok: z.boolean(),
  added: z.array(z.string()),
  removed: z.array(z.string()),
  labels: z.array(z.string()),
  reason: z.string().nullable(),
});

export type ClaimJson = z.infer<typeof ClaimJsonSchema>;
export type GateJson = z.infer<typeof GateJsonSchema>;
export type ReleaseJson = z.infer<typeof ReleaseJsonSchema>;
export type TransitionJson = z.infer<typeof TransitionJsonSchema>;

const comment = z.string().trim().min(1).max(5000);
const loomLabel = z
  .string()
  .refine((l) => (allLabelNames as readonly string[]).includes(l), 'must be a label declared in .github/labels.yml');

export const ClaimOptions = z.object({ issue: issueNumber, json: z.boolean().default(false) });
export type ClaimOptions = z.infer<typeof ClaimOptions>;
export const GateOptions = z.object({
  issue: issueNumber,
  force: z.boolean().default(false),
  shepherded: z.boolean().default(false),
  json: z.boolean().default(false),
});
export type GateOptions = z.infer<typeof GateOptions>;
export const ReleaseOptions = z.object({
  issue: issueNumber,
  to: loomLabel,
  comment: comment.optional(),
  failure: z.boolean().default(false),
  json: z.boolean().default(false),
});
export type ReleaseOptions = z.infer<typeof ReleaseOptions>;
export const TransitionOptions = z.object({
  number: issueNumber,
  add: z.array(z.string()),
  remove: z.array(z.string()),
  expect: z.array(loomLabel),
  comment: comment.optional(),
  json: z.boolean().default(false),
});
export type TransitionOptions = z.infer<typeof TransitionOptions>;

/** `--comment` or `--comment-file` (never both). */
async function commentFrom(cwd: string, raw: { comment?: string; commentFile?: string }): Promise<string | undefined> {
  if (raw.comment !== undefined && raw.commentFile !== undefined)
    throw new LoomError('USAGE', 'Give --comment or --comment-file, not both.', { hint: 'See --help.' });
  return raw.commentFile !== undefined ? readTextFile(cwd, raw.commentFile, 'comment') : raw.comment;
}

const DEFAULT_RELEASE_COMMENT = (to: string) => `Loom: the claim on this issue was released; it is back in \`${to}\`.`;

/**
 * Who holds a claim made from the command line (written into the local claim
 * lock). Not a pid: the claim outlives this process, and a lock whose pid is
 * gone counts as abandoned (src/claims/claim-lock.ts), which would let the next
 * claimant on this clone take it over. `loom release` (or expiry) frees it.
 */
const cliOwner = () => `cli:claim-${randomHex(6)}`;

export function register(program: Command, run: Run): void {
  program
    .command('claim <issue>')
    .description('Claim an issue: local lock + loom:issue → loom:building in one edit, verified by a re-read')
    .option('--json', 'print {issue, claimed, title, reason}')
    .addHelpText(
      'after',
      `
Refused when the issue is not open loom:issue, is loom:blocked, or another claimant holds it.
${exitCodeHelp('claim')}
Example: .loom/scripts/loom claim 123`,
    )
    .action((issue, raw) =>
      run(async (env) => {
        const options = parseOptions(ClaimOptions, { ...raw, issue });
        return renderClaim(env.io, await claim(await mainContext(env), options), options);
      }, Boolean(raw.json)),
    );

  program
    .command('gate <issue>')
    .description(
      'Shepherd gate 1: may the builder start? Claims (and with --force approves) as needed; prints go, wait or refused',
    )
    .option('--force', 'the shepherd runs with --force-pr or --force-merge: approve the issue itself when needed')
    .option('--shepherded', 'the caller is the shepherd driving this issue (or one of its phases)')
    .option('--json', 'print {issue, answer, action, reason}')
    .addHelpText(
      'after',
      `
Answers one word: "go" (loom:building already, or claimed now), "wait" (not approved and no --force:
run \`loom await N --label loom:issue\`, then the gate again) or "refused" (another claimant holds it).
With --force an unapproved issue is moved to loom:issue with one comment, then claimed.
An issue already loom:building that a live shepherd drives (a daemon slot or a /shepherd session with a
fresh heartbeat) is "refused" unless the caller says --shepherded: a person's /builder never joins it.
${exitCodeHelp('gate')}
Example: .loom/scripts/loom gate 123 --force`,
    )
    .action((issue, raw) =>
      run(async (env) => {
        const options = parseOptions(GateOptions, { ...raw, issue });
        return renderGate(env.io, await gate(await mainContext(env), options), options);
      }, Boolean(raw.json)),
    );

  program
    .command('release <issue>')
    .description('Release a claim: loom:building → loom:issue (or --to) with one comment; safe to repeat')
    .option('--to <label>', 'the label the issue goes back to', Label.issue)
    .option('--comment <text>', 'the comment explaining why (posted once)')
    .option('--comment-file <path>', 'the comment, from a file the role wrote (prompts use this form)')
    .option(
      '--failure',
      'the attempt failed: counted against the failure budget (failure.max_attempts; the last one blocks)',
    )
    .option('--json', 'print {issue, released, to, reason}')
    .addHelpText(
      'after',
      `
Idempotent: when the issue is not loom:building nothing changes and no second comment is posted.
--failure counts the attempt on the issue (a hidden mark in the comment): the next claim waits
failure.backoff, and the attempt that reaches failure.max_attempts moves it to loom:blocked instead.
${exitCodeHelp('release')}
Examples:
  .loom/scripts/loom release 123 --comment "Tests fail on main; releasing."
  .loom/scripts/loom release 123 --to loom:blocked --comment "Needs a decision on the API."`,
    )
    .action((issue, raw) =>
      run(async (env) => {
        const options = parseOptions(ReleaseOptions, { ...raw, issue, comment: await commentFrom(env.cwd, raw) });
        return renderRelease(env.io, await release(await mainContext(env), options), options);
      }, Boolean(raw.json)),
    );

  program
    .command('transition <number>')
    .description('Move labels on an issue or PR in one verified edit, applying the label exclusions of DESIGN.md §3.4')
    .option('--add <labels>', 'labels to add, comma separated')
    .option('--remove <labels>', 'labels to remove, comma separated')
    .option('--expect <labels>', 'labels that must be on the item before the edit (else exit 12, nothing changed)')
    .option('--comment <text>', 'a comment to post after a verified move')
    .option('--comment-file <path>', 'the comment, from a file the role wrote (prompts use this form)')
    .option('--json', 'print {number, ok, added, removed, labels, reason}')
    .addHelpText(
      'after',
      `
Only labels declared in .github/labels.yml are accepted. Exclusions are applied for you:
adding loom:pr removes loom:changes-requested (and vice versa); adding loom:building removes loom:issue (and vice versa).
--expect makes it a take: the labels are read, the edit happens only when every expected label is there,
and the read–edit–re-read holds a lock on this clone, so of two takers exactly one wins.
An issue written by an outsider (not owner, member or collaborator) that no maintainer admitted with a
loom: label is not moved into a queue (loom:triage, loom:curating, loom:curated, loom:issue, loom:urgent):
exit 12, nothing changed (trust.outside_issues "triage-only" allows loom:triage).
${exitCodeHelp('transition')}
Example: .loom/scripts/loom transition 130 --add loom:pr --remove loom:reviewing --comment "Approved."`,
    )
    .action((number, raw) =>
      run(async (env) => {
        const options = parseOptions(TransitionOptions, {
          ...raw,
          number,
          add: splitList(raw.add),
          remove: splitList(raw.remove),
          expect: splitList(raw.expect),
          comment: await commentFrom(env.cwd, raw),
        });
        const plan = checkedPlan(options); // a wrong label is a usage error before anything is read
        return renderTransition(env.io, await transition(await mainContext(env), options, plan), options);
      }, Boolean(raw.json)),
    );
}

const claimContext = async (ctx: LoomContext) => claimContextOf(ctx, await ctx.repo(), cliOwner());

/** Claims the issue (local lock, then loom:issue → loom:building verified by a re-read). */
export async function claim(ctx: LoomContext, options: ClaimOptions): Promise<ClaimJson> {
  const outcome = await claimIssue(await claimContext(ctx), options.issue);
  return outcome.claimed
    ? { issue: options.issue, claimed: true, title: outcome.title, reason: null }
    : { issue: options.issue, claimed: false, title: null, reason: outcome.reason };
}

/** Prints the claim (or --json); exit 0, or 12 (conflict) when refused. */
export function renderClaim(io: Output, result: ClaimJson, options: ClaimOptions): number {
  if (options.json) printJson(io, result);
  else if (result.claimed) io.out(`claimed #${result.issue}: ${cleanText(result.title ?? '')}`);
  else io.err(`loom: cannot claim #${result.issue}: ${result.reason}`);
  return result.claimed ? ExitCode.ok : ExitCode.conflict;
}

/** Shepherd gate 1: go (claimed, approving first with --force), wait (not approved) or refused (someone holds it). */
export async function gate(ctx: LoomContext, options: GateOptions): Promise<GateJson> {
  const repo = await ctx.repo();
  const item = await readItem(ctx.gh, repo, options.issue);
  const action = decideGate(item.labels, options.force);
  let answer: GateJson['answer'] = action === 'wait' ? 'wait' : 'go';
  let reason: string | null = null;
  if (action === 'go' && !options.shepherded) {
    const holder = liveShepherdOn(
      await ctx.store.read(),
      { issue: options.issue },
      ctx.now(),
      (await ctx.config()).heartbeat_fresh,
    );
    if (holder) {
      answer = 'refused';
      reason = `a live shepherd (${holder}) holds the claim`;
    }
  }
  if (action === 'approve-and-claim') {
    const approved = await transitionLabels(ctx.gh, repo, options.issue, {
      add: [Label.issue],
      remove: [Label.curated, Label.triage, Label.curating],
    });
    if (!approved.ok)
      throw new LoomError('CLAIM_CONFLICT', `Cannot approve #${options.issue}: ${approved.reason}.`, {
        hint: 'Look at its labels; run the shepherd again.',
      });
    await addComment(ctx.gh, approved.after.id, 'Loom: approved by the shepherd (run with a force flag).');
  }
  if (action === 'claim' || action === 'approve-and-claim') {
    const outcome = await claimIssue(await claimContext(ctx), options.issue);
    if (!outcome.claimed) {
      answer = 'refused';
      reason = outcome.reason;
    }
  }
  return { issue: options.issue, answer, action, reason };
}

/** Prints the answer word (or --json) and why a take was refused; exit 0, or 12 when refused. */
export function renderGate(io: Output, result: GateJson, options: GateOptions): number {
  if (options.json) printJson(io, result);
  else io.out(result.answer);
  if (result.reason) io.err(`loom: cannot take #${result.issue}: ${result.reason}`);
  return result.answer === 'refused' ? ExitCode.conflict : ExitCode.ok;
}

/** What `release` did: its --json, and whether a held claim could not be verified as released (exit 12). */
export interface ReleaseResult extends ReleaseJson {
  failed: boolean;
}

/** Releases the claim back to `options.to` (or loom:blocked when --failure spends the budget); idempotent. */
export async function release(ctx: LoomContext, options: ReleaseOptions): Promise<ReleaseResult> {
  const config = options.failure ? await ctx.config() : undefined;
  const outcome = await releaseIssue(await claimContext(ctx), options.issue, {
    to: options.to,
    comment: options.comment ?? DEFAULT_RELEASE_COMMENT(options.to),
    ...(config ? { failure: { reason: 'stopped' as const, budget: config.failure } } : {}),
  });
  const to = outcome.blocked ? Label.blocked : options.to;
  const reason = outcome.released
    ? `moved to ${to}${outcome.blocked && to !== options.to ? ' (failure budget spent)' : ''}`
    : outcome.held
      ? 'the label change could not be verified'
      : 'not claimed (no loom:building): nothing to do';
  return { issue: options.issue, released: outcome.released, to, reason, failed: outcome.held && !outcome.released };
}

/** Prints the release (or --json); exit 0, or 12 when a held claim could not be released. */
export function renderRelease(io: Output, result: ReleaseResult, options: ReleaseOptions): number {
  const { failed, ...json } = result;
  if (options.json) printJson(io, json);
  else if (failed) io.err(`loom: releasing #${result.issue} failed: ${result.reason}`);
  else io.out(result.released ? `released #${result.issue} → ${result.to}` : `#${result.issue}: ${result.reason}`);
  return failed ? ExitCode.conflict : ExitCode.ok;
}

/** The labels to add and remove with the exclusions applied; USAGE for a label labels.yml does not declare. */
export function checkedPlan(options: Pick<TransitionOptions, 'add' | 'remove'>): { add: string[]; remove: string[] } {
  const plan = planTransition(options.add, options.remove);
  if (!plan.ok) {
    throw new LoomError('USAGE', `Invalid transition: ${plan.problems.join('; ')}.`, {
      hint: 'Loom labels are declared in .github/labels.yml; see --help for the exclusions.',
    });
  }
  return { add: plan.add, remove: plan.remove };
}

/**
 * Moves the labels in one verified edit (under the take lock with --expect), then posts the comment. Refused
 * (ok false) when an expected label is gone or the issue is an outsider's that no maintainer admitted.
 */
export async function transition(
  ctx: LoomContext,
  options: TransitionOptions,
  plan: { add: string[]; remove: string[] } = checkedPlan(options),
): Promise<TransitionJson> {
  const repo = await ctx.repo();
  const outside = (await ctx.config()).trust.outside_issues;
  // Loom never moves an outsider's issue into a queue on its own: a maintainer admits it (src/core/trust.ts).
  const untrusted = (item: Item) => {
    const refused = item.trust ? refusedQueueLabels(item.trust, plan.add, outside) : [];
    return refused.length
      ? `#${options.number} was written by someone outside the repository and no maintainer added a loom: label to it, so Loom does not add ${refused.join(',')} (trust.outside_issues: ${outside})`
      : undefined;
  };
  const result = options.expect.length
    ? await withTakeLock(ctx.paths, options.number, () =>
        transitionLabels(ctx.gh, repo, options.number, plan, (item) => {
          const absent = options.expect.filter((l) => !item.labels.includes(l));
          return absent.length
            ? `expected ${absent.join(',')}, which is not there (someone else moved it)`
            : untrusted(item);
        }),
      )
    : await transitionLabels(ctx.gh, repo, options.number, plan, untrusted);
  if (result.ok && options.comment) await addComment(ctx.gh, result.after.id, options.comment);
  return {
    number: options.number,
    ok: result.ok,
    added: plan.add,
    removed: plan.remove,
    labels: result.after.labels,
    reason: result.reason ?? null,
  };
}

/** Prints the verified move (or --json); exit 0, or 12 when it was refused or not verified. */
export function renderTransition(io: Output, result: TransitionJson, options: TransitionOptions): number {
  if (options.json) printJson(io, result);
  else if (result.ok)
    io.out(
      `#${result.number}: ${[...result.added.map((l) => `+${l}`), ...result.removed.map((l) => `-${l}`)].join(' ')} (verified)`,
    );
  else io.err(`loom: transition of #${result.number} not verified: ${result.reason}`);
  return result.ok ? ExitCode.ok : ExitCode.conflict;
}
