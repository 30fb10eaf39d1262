/**
 * The failure budget of an issue (issue 11; DESIGN.md §9.3). A claim that ends
 * without finishing releases the issue with a comment carrying a hidden mark,
 * `<!-- loom:failures N reason,reason -->`: N attempts failed so far, with their
 * reasons, oldest first. Every clone reads the newest mark from the issue's
 * latest comments (the release path reads them anyway, the snapshot lists them
 * with the ready issues), so the count lives on GitHub, not in one clone's state.
 *
 * - Back-off: after the n-th failure the issue is claimable again only
 *   `failure.backoff[n-1]` seconds after the mark (the last value repeats).
 * - Budget: the release that makes N reach `failure.max_attempts` moves the issue
 *   to `loom:blocked` instead, with one comment naming the attempts.
 * - Reset: every Loom release to `loom:blocked` carries `<!-- loom:failures reset -->`.
 *   A blocked issue is never claimed, so the next attempt can only follow a
 *   person removing `loom:blocked`: it starts from zero. No timeline read needed.
 *
 * Only marks in comments Loom or a collaborator wrote count (claim-marks.ts's
 * trust rule). A mark that scrolled out of the comments read counts as none:
 * the budget errs towards one more attempt, never towards blocking early.
 * Pure: table-tested in test/failure-budget.test.ts.
 */
import * as z from 'zod/mini';
import './zod-setup.js';
import { type MarkedComment, trustedAuthor } from './claim-marks.js';

/** Why an attempt failed, as written into the mark (a fixed set: marks are parsed back). */
export const FailureReasonSchema = z.enum([
  /** The shepherd's task ended without reporting done and without a pull request. */
  'ended',
  /** `loom:building` with no pull request and no heartbeat anywhere for `stale_building`. */
  'stale',
  /** The shepherd stopped on its own (`loom release N --failure`). */
  'stopped',
]);
export type FailureReason = z.infer<typeof FailureReasonSchema>;

export const FAILURE_TEXT: Record<FailureReason, string> = {
  ended: 'the shepherd ended without finishing',
  stale: 'loom:building with no pull request and no sign of a shepherd',
  stopped: 'the shepherd gave up',
};

const FAILURES_MARK = /<!-- loom:failures (?:(\d{1,4}) ([a-z,]{0,400})|reset) -->/;

export const FailureRecordSchema = z.object({
  /** Failed attempts since the last reset. */
  count: z.int().check(z.nonnegative()),
  /** Their reasons, oldest first (unknown words from a newer Loom are kept as they are). */
  reasons: z.array(z.string()),
  /** When the newest failure was recorded (the mark's comment), or null when there is none. */
  lastAt: z.nullable(z.string()),
});
export type FailureRecord = z.infer<typeof FailureRecordSchema>;

export const NO_FAILURES: FailureRecord = { count: 0, reasons: [], lastAt: null };

/** The newest trusted failures mark among `comments` (any order), or NO_FAILURES. */
export function failuresOf(comments: readonly MarkedComment[]): FailureRecord {
  const newestFirst = [...comments].sort((a, b) => b.databaseId - a.databaseId);
  for (const comment of newestFirst) {
    if (!trustedAuthor(comment)) continue;
    const mark = FAILURES_MARK.exec(comment.body);
    if (!mark) continue;
    if (mark[1] === undefined) return NO_FAILURES;
    const reasons = (mark[2] ?? '').split(',').filter(Boolean);
    return { count: Number(mark[1]), reasons, lastAt: comment.createdAt };
  }
  return NO_FAILURES;
}

export interface FailureBudget {
  max_attempts: number;
  /** Seconds to wait after the 1st, 2nd, … failure before the next claim; the last value repeats. */
  backoff: readonly number[];
}

/** Seconds after the newest failure before the issue may be claimed again (0 when it never failed). */
export function backoffSeconds(record: FailureRecord, budget: FailureBudget): number {
  if (record.count === 0 || budget.backoff.length === 0) return 0;
  return budget.backoff[Math.min(record.count, budget.backoff.length) - 1]!;
}

/** When the issue may be claimed again (ISO), or null when it may be claimed now. */
export function claimableAt(record: FailureRecord, budget: FailureBudget, now: Date): string | null {
  if (!record.lastAt) return null;
  const at = Date.parse(record.lastAt) + backoffSeconds(record, budget) * 1000;
  return Number.isFinite(at) && at > now.getTime() ? new Date(at).toISOString() : null;
}

export interface FailedRelease {
  /** The record after this failure. */
  record: FailureRecord;
  /** The budget is spent: the issue goes to `loom:blocked` instead of back to the ready queue. */
  block: boolean;
  /** The hidden mark to append to the release comment. */
  mark: string;
}

/** What a release for a failed attempt writes, given the marks the releaser read. */
export function failedRelease(before: FailureRecord, reason: FailureReason, budget: FailureBudget): FailedRelease {
  const record = { count: before.count + 1, reasons: [...before.reasons, reason], lastAt: null };
  const block = record.count >= budget.max_attempts;
  return {
    record,
    block,
    mark: block ? RESET_MARK : `<!-- loom:failures ${record.count} ${record.reasons.join(',')} -->`,
  };
}

/** Carried by every Loom release to `loom:blocked`: a person unblocking the issue starts a fresh budget. */
export const RESET_MARK = '<!-- loom:failures reset -->';

/** The one comment of a release whose budget is spent: the attempts and their reasons. */
export function budgetSpentComment(record: FailureRecord): string {
  const lines = record.reasons.map(
    (reason, i) => `${i + 1}. ${FAILURE_TEXT[reason as FailureReason] ?? reason.replace(/[^a-z-]/g, '')}`,
  );
  return [
    `Loom: ${record.count} attempts on this issue ended without a pull request, so it is marked loom:blocked for a person to look at:`,
    '',
    ...lines,
    '',
    'Remove loom:blocked (and add loom:issue) when it is ready to try again; the count starts from zero then.',
  ].join('\n');
}
