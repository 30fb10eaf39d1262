/**
 * `loom adopt-claim` on a GitHub Actions runner (DESIGN.md §4.9): may this run work under the claim the
 * dispatching daemon holds? Pure: decided from the issue as read on GitHub and the token the run was given.
 */
import { type ClaimComment, type CommentFacts, claimCommentsOf } from './claim-rules.js';
import { Label } from './labels.js';

export interface AdoptableItem {
  state: string;
  isPullRequest: boolean;
  labels: readonly string[];
}

export type AdoptDecision<C extends CommentFacts> =
  | { adopt: true; claim: ClaimComment<C> }
  | { adopt: false; reason: string; next: string };

/** A claim token as the claim comment carries it. */
export const CLAIM_TOKEN = /^[0-9a-f]{16}$/;

/**
 * Adopt only an open, `loom:building` issue whose latest trusted claim comment carries `token`. Anything
 * else means the claim was released, taken by someone else, or never existed: the run must not work on it.
 */
export function adoptDecision<C extends CommentFacts>(
  item: AdoptableItem,
  comments: readonly C[],
  token: string,
): AdoptDecision<C> {
  const rerun = 'The daemon releases or re-dispatches it by itself; nothing to do on this runner.';
  if (item.isPullRequest) return { adopt: false, reason: 'is a pull request, not an issue', next: rerun };
  if (item.state !== 'OPEN') return { adopt: false, reason: 'is closed', next: rerun };
  if (!item.labels.includes(Label.building))
    return { adopt: false, reason: 'is not loom:building (the claim was released)', next: rerun };
  if (item.labels.includes(Label.abort))
    return { adopt: false, reason: 'carries loom:abort (a person stopped it)', next: rerun };
  const claims = claimCommentsOf(comments);
  const latest = claims.at(-1);
  if (!latest) return { adopt: false, reason: 'has no claim comment among its latest comments', next: rerun };
  if (latest.token !== token) {
    const older = claims.some((c) => c.token === token);
    return {
      adopt: false,
      reason: older
        ? `its claim comment with this token is not the latest claim (${latest.owner} claimed it after)`
        : 'no claim comment carries this token (another claimant holds it, or the token is wrong)',
      next: rerun,
    };
  }
  return { adopt: true, claim: latest };
}
