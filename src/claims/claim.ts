/**
 * Claiming and releasing an issue (DESIGN.md §7).
 *
 * A claim is a local lock (`.loom/claims/issue-N.json`, with a random token)
 * plus ONE GitHub request that swaps `loom:issue` → `loom:building` and posts a
 * claim comment carrying the token, then a re-read of the issue and its latest
 * comments. Arbitration between claimants that both saw `loom:issue` (two
 * clones, two machines): the claim comment with the smallest id among the
 * rivals wins — a rival is a claim comment posted after this claimant read the
 * issue, or at most CLAIM_WINDOW_SECONDS before its own. Everyone reads the
 * same comment ids, so exactly one claimant sees itself first; the others
 * delete their comment and leave the labels to the winner. Why it is sound:
 * the label edit runs before the comment in the same request, so a claim
 * comment that already existed when a claimant read the issue means the edit
 * was applied too, and that claimant would have seen `loom:building` and
 * stopped — unless the claim had been released since.
 *
 * The rules (refusal, comment marker, rival choice) are pure, in
 * src/core/claim-rules.ts; this module does the reads and writes.
 *
 * Requests: 3 per claim (read, edit + comment, re-read); a loser adds 1
 * (deleting its comment). Releasing deletes the claim comment(s) in the same
 * request that moves the label and explains why (3 requests).
 *
 * Failure: once the edit was sent, GitHub may hold the claim whatever happens
 * to this process, so the local lock (with the token) is kept on every error.
 * `settleClaim` — run by the next iteration, `loom start`, or the next claim
 * of the same issue — finishes the claim (won) or undoes it (lost, or never
 * arrived).
 */

import { systemClock } from '../clock.js';
import type { LoomContext } from '../context.js';
import { claimCommentBody, releaseCommentBody, releaseTokenOf } from '../core/claim-marks.js';
import {
  claimCommentsOf,
  claimMayStillArrive,
  claimRefusal,
  claimStands,
  READ_FRESH_MS,
  rivalOf,
} from '../core/claim-rules.js';
import {
  backoffSeconds,
  budgetSpentComment,
  type FailureBudget,
  type FailureReason,
  failedRelease,
  failuresOf,
  RESET_MARK,
} from '../core/failure-budget.js';
import { Label } from '../core/labels.js';
import { LoomError } from '../errors.js';
import type { GhClient } from '../github/gh.js';
import { type ItemMutation, mutateItem, readItem, readItemWithComments } from '../github/items.js';
import type { Repo } from '../github/repo.js';
import { randomHex } from '../random.js';
import type { LoomPaths } from '../state/paths.js';
import {
  acquireClaimLock,
  claimLockAbandoned,
  readClaimLock,
  releaseClaimLock,
  updateClaimLock,
} from './claim-lock.js';

export interface ClaimContext {
  gh: GhClient;
  repo: Repo;
  paths: LoomPaths;
  /** Who claims (daemon id, `one-off:<pid>`, `cli:<pid>`), written into the local lock and the claim comment. */
  owner: string;
  now: () => Date;
  /** Milliseconds that never go back (the context's `clock.monotonic`; default the system's): times the read–edit gap. */
  monotonic?: () => number;
  /** Seconds the local lock lives (not renewed; GitHub's loom:building keeps others out after it); default 2 h. */
  ttlSeconds?: number;
  /** Test hook: called between the steps of a claim (reliability tests kill the process there). */
  onStep?: (step: 'claim-locked' | 'claim-edited') => void;
}

/**
 * The claim context of a command's context: its gh, state paths, wall clock and monotonic clock, claiming as
 * `owner` in `repo`. Every caller builds it here, so none forgets the monotonic clock.
 */
export function claimContextOf(
  ctx: Pick<LoomContext, 'gh' | 'paths' | 'now' | 'clock'>,
  repo: Repo,
  owner: string,
): ClaimContext {
  return { gh: ctx.gh, repo, paths: ctx.paths, owner, now: ctx.now, monotonic: () => ctx.clock.monotonic() };
}

export type ClaimOutcome =
  | { claimed: true; title: string }
  | {
      claimed: false;
      reason: string /** An earlier claim of this issue may still reach GitHub: try later. */;
      pending?: boolean;
    };

export { claimCommentBody };

const labelMissing = (repo: Repo, name: string) =>
  new LoomError('GH_NOT_FOUND', `The label ${name} does not exist in ${repo.owner}/${repo.name}.`, {
    hint: "Run `.loom/scripts/loom labels sync` to create Loom's labels.",
  });

export async function claimIssue(ctx: ClaimContext, issue: number): Promise<ClaimOutcome> {
  // A claim of this issue left by a process that died is settled first: it may be ours already.
  const existing = await readClaimLock(ctx.paths, issue);
  if (existing?.token && claimLockAbandoned(existing, ctx.owner, ctx.now())) {
    const settled = await settleClaim(ctx, issue);
    if (settled.claimed || settled.pending) return settled;
  }
  const token = randomHex(8);
  if (!(await acquireClaimLock(ctx.paths, issue, ctx.owner, ctx.ttlSeconds ?? 7200, ctx.now(), { token }))) {
    return { claimed: false, reason: 'held by another Loom process on this clone' };
  }
  ctx.onStep?.('claim-locked');
  const monotonic = ctx.monotonic ?? systemClock.monotonic;
  const readAt = monotonic();
  let before: Awaited<ReturnType<typeof readItem>>;
  try {
    before = await readItem(ctx.gh, ctx.repo, issue);
  } catch (error) {
    await releaseClaimLock(ctx.paths, issue);
    throw error;
  }
  const refusal = claimRefusal(before);
  const buildingId = before.labelIds.get(Label.building);
  if (refusal || !buildingId) {
    await releaseClaimLock(ctx.paths, issue);
    if (!refusal) throw labelMissing(ctx.repo, Label.building);
    return { claimed: false, reason: refusal };
  }
  await updateClaimLock(ctx.paths, issue, { read_comment_id: before.lastCommentId });
  if (monotonic() - readAt > READ_FRESH_MS) {
    await releaseClaimLock(ctx.paths, issue);
    return {
      claimed: false,
      reason: 'GitHub answered too slowly to arbitrate the claim; it is retried at the next poll',
    };
  }
  const issueId = before.labelIds.get(Label.issue);
  // From here on GitHub may hold the claim whatever happens to this process: errors keep the lock (and its token).
  await mutateItem(
    ctx.gh,
    before.id,
    { addIds: [buildingId], removeIds: issueId ? [issueId] : [], comment: claimCommentBody(token, ctx.owner) },
    'LoomEditLabels',
  );
  ctx.onStep?.('claim-edited');
  return settleClaim(ctx, issue);
}

/**
 * Decides the claim recorded in this clone's lock for `issue` from GitHub
 * (one re-read, plus one request to undo when it lost): won → it stands and
 * `ctx.owner` holds the lock; lost → its comment is deleted and the lock
 * removed; not on GitHub (yet) → pending while young, else the lock is
 * removed. Errors keep the lock, so a later run settles it.
 */
export async function settleClaim(ctx: ClaimContext, issue: number): Promise<ClaimOutcome> {
  const lock = await readClaimLock(ctx.paths, issue);
  if (!lock?.token) {
    await releaseClaimLock(ctx.paths, issue);
    return { claimed: false, reason: 'no claim to settle' };
  }
  const item = await readItemWithComments(ctx.gh, ctx.repo, issue, 'LoomClaimCheck');
  const claims = claimCommentsOf(item.comments);
  const mine = claims.find((c) => c.token === lock.token);
  if (!mine) {
    if (claimMayStillArrive(lock.claimed_at, ctx.now())) {
      return { claimed: false, reason: 'an earlier claim of this issue may still reach GitHub', pending: true };
    }
    await releaseClaimLock(ctx.paths, issue);
    return { claimed: false, reason: 'the claim never reached GitHub' };
  }
  const rival = rivalOf(claims, mine, lock.read_comment_id ?? 0);
  if (rival) {
    // Lost: the labels are the winner's; only our comment goes.
    await mutateItem(ctx.gh, item.id, { deleteCommentIds: [mine.id] }, 'LoomClaimRetract');
    await releaseClaimLock(ctx.paths, issue);
    return { claimed: false, reason: `another claimant (${rival.owner}) was first` };
  }
  if (claimStands(item)) {
    // Won: remember the comment, so heartbeats can edit it in place without reading the issue first.
    if (lock.owner !== ctx.owner || lock.comment_id !== mine.id)
      await updateClaimLock(ctx.paths, issue, { owner: ctx.owner, comment_id: mine.id, comment_owner: mine.owner });
    return { claimed: true, title: item.title };
  }
  // First claimant, but the labels do not show the claim (edit half applied, or changed meanwhile): undo ours.
  const undo: ItemMutation = { deleteCommentIds: [mine.id] };
  const buildingId = item.labelIds.get(Label.building);
  if (item.labels.includes(Label.building) && item.labels.includes(Label.issue) && buildingId)
    undo.removeIds = [buildingId];
  await mutateItem(ctx.gh, item.id, undo, 'LoomClaimRetract');
  await releaseClaimLock(ctx.paths, issue);
  return {
    claimed: false,
    reason:
      item.state !== 'OPEN'
        ? 'is closed'
        : `labels after the edit: ${item.labels.filter((l) => l.startsWith('loom:')).join(',') || 'none'}`,
  };
}

/** Release comments this close before ours are rivals even if they existed when we read (ordering slack). */
const RELEASE_WINDOW_SECONDS = 60;

/**
 * Releases a claim: `loom:building` → `to` (default `loom:issue`), the claim
 * comment(s) deleted and one comment saying why — all in one request, then a
 * re-read. Safe to call twice, and safe to race (three clones releasing one
 * stale issue, `loom release N` run three times at once): the explanation
 * carries a release mark, and after the write each releaser re-reads the
 * latest comments; the release comment with the smallest id among those posted
 * after its read (or within RELEASE_WINDOW_SECONDS before its own) stands, the
 * others delete their own (+1 request). One explanation per release, whoever
 * races. `held` tells whether the issue was claimed at all.
 *
 * `failure`: the release ends a failed attempt. Its comment carries the failures
 * mark (src/core/failure-budget.ts) counted from the comments already read; the
 * failure that spends the budget moves the issue to `loom:blocked` instead
 * (`blocked` in the answer). Every release to `loom:blocked` resets the count.
 */
export async function releaseIssue(
  ctx: ClaimContext,
  issue: number,
  options: { to?: string; comment: string; failure?: { reason: FailureReason; budget: FailureBudget } },
): Promise<{ released: boolean; held: boolean; blocked?: boolean }> {
  const item = await readItemWithComments(ctx.gh, ctx.repo, issue);
  // Never back to the ready queue while a human's loom:abort stands: the claim goes, the issue stays out.
  const aborted = item.labels.includes(Label.abort) && (options.to ?? Label.issue) === Label.issue;
  let to = options.to ?? Label.issue;
  let text = options.comment;
  // A failed attempt is counted in the release comment (src/core/failure-budget.ts); the last one blocks.
  if (options.failure && to === Label.issue && !aborted) {
    const outcome = failedRelease(failuresOf(item.comments), options.failure.reason, options.failure.budget);
    if (outcome.block) {
      to = Label.blocked;
      text = budgetSpentComment(outcome.record);
    } else {
      const wait = Math.round(backoffSeconds(outcome.record, options.failure.budget) / 60);
      text = `${text} Failed attempts: ${outcome.record.count} of ${options.failure.budget.max_attempts}; the next claim waits ${wait} min.\n\n${outcome.mark}`;
    }
  }
  if (to === Label.blocked) text = `${text}\n\n${RESET_MARK}`;
  const held = item.labels.includes(Label.building);
  let released = false;
  if (held) {
    const open = item.state === 'OPEN';
    const toId = item.labelIds.get(to);
    if (open && !aborted && !toId) throw labelMissing(ctx.repo, to);
    const token = randomHex(8);
    const explain = !item.labels.includes(to);
    const readMark = item.comments.at(-1)?.databaseId ?? 0;
    // Release comments older than the claim being released belong to an earlier claim: never rivals.
    const claimFloor = Math.max(0, ...claimCommentsOf(item.comments).map((c) => c.databaseId));
    const { comment: posted } = await mutateItem(
      ctx.gh,
      item.id,
      {
        addIds: open && !aborted && !item.labels.includes(to) ? [toId!] : [],
        removeIds: [item.labelIds.get(Label.building)!],
        deleteCommentIds: claimCommentsOf(item.comments)
          .filter((c) => c.ownComment)
          .map((c) => c.id),
        // Already carrying the target label (e.g. someone marked it loom:blocked and said why): no second explanation.
        comment: explain ? releaseCommentBody(token, text) : undefined,
      },
      'LoomRelease',
    );
    const after = await readItemWithComments(ctx.gh, ctx.repo, issue, 'LoomReleaseCheck');
    released = !after.labels.includes(Label.building) && (!open || aborted || after.labels.includes(to));
    if (explain) {
      const mine = after.comments.find((c) => releaseTokenOf(c) === token);
      const windowStart = Date.parse(mine?.createdAt ?? posted?.createdAt ?? '') - RELEASE_WINDOW_SECONDS * 1000;
      const myId = mine?.databaseId ?? posted?.databaseId ?? Number.POSITIVE_INFINITY;
      const rival = after.comments.find((c) => {
        const other = releaseTokenOf(c);
        return (
          !!other &&
          other !== token &&
          c.databaseId < myId &&
          c.databaseId > claimFloor &&
          (c.databaseId > readMark || Date.parse(c.createdAt) >= windowStart)
        );
      });
      // Another release said it first: ours is taken back (the labels are the same either way).
      const ownId = mine?.id ?? posted?.id;
      if (rival && ownId) await mutateItem(ctx.gh, after.id, { deleteCommentIds: [ownId] }, 'LoomReleaseRetract');
    }
  }
  await releaseClaimLock(ctx.paths, issue);
  return { released, held, blocked: released && to === Label.blocked };
}
