/**
 * Claiming and releasing an issue (SPEC §7): local lock, then the label swap
 * `loom:issue` → `loom:building` as one edit, then a re-read. A lost or wrong
 * result is undone and reported, never left half-applied.
 */
import { Label } from '../core/labels.js';
import { acquireClaimLock, releaseClaimLock } from '../state/claim-lock.js';
import type { LoomPaths } from '../state/paths.js';
import type { GhClient } from './gh.js';
import { addComment, readItem, transitionLabels } from './items.js';
import type { Repo } from './repo.js';

export interface ClaimContext {
  gh: GhClient;
  repo: Repo;
  paths: LoomPaths;
  /** Who claims (daemon id or `shepherd:<pid>`), written into the local lock. */
  owner: string;
  now: () => Date;
  /** Seconds the local lock lives (renewed by heartbeats); default 2 h. */
  ttlSeconds?: number;
}

export type ClaimOutcome = { claimed: true; title: string } | { claimed: false; reason: string };

export async function claimIssue(ctx: ClaimContext, issue: number): Promise<ClaimOutcome> {
  if (!(await acquireClaimLock(ctx.paths, issue, ctx.owner, ctx.ttlSeconds ?? 7200, ctx.now()))) {
    return { claimed: false, reason: 'held by another Loom process on this clone' };
  }
  try {
    const result = await transitionLabels(ctx.gh, ctx.repo, issue, { add: [Label.building], remove: [Label.issue] }, (item) => {
      if (item.isPullRequest) return 'is a pull request';
      if (item.state !== 'OPEN') return 'is closed';
      if (item.labels.includes(Label.building)) return 'already loom:building (another claimant holds it)';
      if (!item.labels.includes(Label.issue)) return 'no longer loom:issue';
      if (item.labels.includes(Label.blocked)) return 'is loom:blocked';
      if (item.labels.includes(Label.abort)) return 'is loom:abort';
      return undefined;
    });
    if (result.ok) return { claimed: true, title: result.before.title };
    if (result.after !== result.before) {
      // The edit went through only partly: put the labels back as they were.
      await transitionLabels(ctx.gh, ctx.repo, issue, { add: [Label.issue], remove: [Label.building] }).catch(() => undefined);
    }
    await releaseClaimLock(ctx.paths, issue);
    return { claimed: false, reason: result.reason ?? 'label change not confirmed' };
  } catch (error) {
    await releaseClaimLock(ctx.paths, issue);
    throw error;
  }
}

/**
 * Releases a claim: `loom:building` → `to` (default `loom:issue`) and one
 * comment saying why. Safe to call twice: a second call changes nothing and
 * posts no second comment.
 */
export async function releaseIssue(ctx: ClaimContext, issue: number, options: { to?: string; comment: string }): Promise<{ released: boolean }> {
  const to = options.to ?? Label.issue;
  const item = await readItem(ctx.gh, ctx.repo, issue);
  let released = false;
  if (item.labels.includes(Label.building)) {
    const result = await transitionLabels(ctx.gh, ctx.repo, issue, { add: item.state === 'OPEN' ? [to] : [], remove: [Label.building] });
    released = result.ok;
    if (released) await addComment(ctx.gh, item.id, options.comment);
  }
  await releaseClaimLock(ctx.paths, issue);
  return { released };
}
