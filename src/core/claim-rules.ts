/**
 * The pure rules of a claim (the I/O is src/claims/claim.ts): when an issue
 * may not be claimed, what a claim comment looks like, and which of several
 * claimants that both saw `loom:issue` wins. Everyone reads the same comment
 * ids, so exactly one claimant finds no rival before its own comment.
 */
import { CLAIM_MARK, claimCommentBody } from './claim-marks.js';
import { Label } from './labels.js';

/** Claim comments this close before ours are rivals even if they existed when we read (ordering slack). */
export const CLAIM_WINDOW_SECONDS = 60;
/** A claim whose own comment is not on GitHub this long after it started is taken as never sent. */
export const SETTLE_GRACE_SECONDS = 120;
/** A read older than this (milliseconds) no longer arbitrates: the claim gives up before editing. */
export const READ_FRESH_MS = 30_000;

/** What a claim needs to know of the issue it claims. */
export interface ClaimableItem {
  state: string;
  isPullRequest: boolean;
  labels: readonly string[];
}

/** What a claim needs to know of a comment. */
export interface CommentFacts {
  databaseId: number;
  body: string;
  /** ISO-8601 time the comment was posted. */
  createdAt: string;
  /** Written by someone with write access (or by us): only such comments can hold a claim. */
  trusted: boolean;
}

/** Why an issue cannot be claimed now, or undefined when it can. */
export function claimRefusal(item: ClaimableItem): string | undefined {
  if (item.isPullRequest) return 'is a pull request';
  if (item.state !== 'OPEN') return 'is closed';
  if (item.labels.includes(Label.building)) return 'already loom:building (another claimant holds it)';
  if (!item.labels.includes(Label.issue)) return 'no longer loom:issue';
  if (item.labels.includes(Label.blocked)) return 'is loom:blocked';
  // A human stopped this issue: claiming it again would restart the work they aborted.
  if (item.labels.includes(Label.abort)) return 'is loom:abort';
  return undefined;
}

export { claimCommentBody };

export type ClaimComment<C extends CommentFacts> = C & { token: string; owner: string };

/** Claim comments by people with write access, in the order given (oldest first); untrusted markers count for nothing. */
export function claimCommentsOf<C extends CommentFacts>(comments: readonly C[]): ClaimComment<C>[] {
  return comments.flatMap((c) => {
    const mark = c.trusted ? CLAIM_MARK.exec(c.body) : null;
    return mark ? [{ ...c, token: mark[1]!, owner: mark[2]! }] : [];
  });
}

/**
 * The claim that beats `mine`, if any: an earlier comment (smaller id) posted
 * after this claimant read the issue (`readMark`, the newest comment id it
 * saw), or at most CLAIM_WINDOW_SECONDS before `mine`.
 */
export function rivalOf<C extends CommentFacts>(
  claims: readonly C[],
  mine: CommentFacts,
  readMark: number,
): C | undefined {
  const windowStart = Date.parse(mine.createdAt) - CLAIM_WINDOW_SECONDS * 1000;
  return claims.find(
    (c) => c.databaseId < mine.databaseId && (c.databaseId > readMark || Date.parse(c.createdAt) >= windowStart),
  );
}

/** After a won arbitration: the labels show the claim (open issue, `loom:building` on, `loom:issue` off). */
export function claimStands(item: ClaimableItem): boolean {
  return (
    item.state === 'OPEN' &&
    !item.isPullRequest &&
    item.labels.includes(Label.building) &&
    !item.labels.includes(Label.issue)
  );
}

/** A claim not (yet) seen on GitHub may still arrive while it is younger than SETTLE_GRACE_SECONDS. */
export function claimMayStillArrive(claimedAt: string | undefined, now: Date): boolean {
  const startedAt = Date.parse(claimedAt ?? '') || 0;
  return now.getTime() - startedAt < SETTLE_GRACE_SECONDS * 1000;
}
