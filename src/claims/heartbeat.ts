/**
 * The heartbeat every clone can see (issue 10): the claim comment of an issue
 * this clone holds is edited in place to carry the time of the latest
 * heartbeat (`<!-- loom:heartbeat … -->`, src/core/claim-marks.ts), at most
 * once per `heartbeat_interval` seconds. Every clone's snapshot reads the
 * claim comments of the `loom:building` issues in its one request, so the
 * stale check of any clone sees a live shepherd.
 *
 * Cost: one GitHub request (`updateIssueComment`) per interval per shepherd,
 * that is 3600 / heartbeat_interval requests an hour (12 at the default 300 s);
 * every other heartbeat in between costs none. No read is needed: the claim
 * lock remembers the comment's node id from the claim.
 */
import { claimCommentBody } from '../core/claim-marks.js';
import type { GhClient } from '../github/gh.js';
import type { LoomPaths } from '../state/paths.js';
import { readClaimLock, updateClaimLock } from './claim-lock.js';

export type GitHubBeat = 'sent' | 'not-due' | 'no-claim';

/** Edits the claim comment when the last edit is `intervalSeconds` old or more. Throws the GitHub error if any. */
export async function beatClaimComment(
  ctx: { gh: GhClient; paths: LoomPaths; now: () => Date },
  issue: number,
  intervalSeconds: number,
): Promise<GitHubBeat> {
  const lock = await readClaimLock(ctx.paths, issue);
  if (!lock?.token || !lock.comment_id) return 'no-claim';
  const now = ctx.now();
  const last = Date.parse(lock.heartbeat_at ?? '');
  if (Number.isFinite(last) && now.getTime() - last < intervalSeconds * 1000 && last <= now.getTime()) return 'not-due';
  await ctx.gh.graphql(
    'mutation LoomHeartbeat($id: ID!, $body: String!) { updateIssueComment(input: { id: $id, body: $body }) { clientMutationId } }',
    { id: lock.comment_id, body: claimCommentBody(lock.token, lock.comment_owner ?? lock.owner, now) },
  );
  await updateClaimLock(ctx.paths, issue, { heartbeat_at: now.toISOString() });
  return 'sent';
}
