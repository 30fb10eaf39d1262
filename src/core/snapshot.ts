/**
 * What one iteration knows about GitHub: the result of the single snapshot
 * request (src/github/snapshot.ts). Pure data, so the planner and the status
 * view are tested from plain objects.
 */
import * as z from 'zod/mini';
import './zod-setup.js';
import { FailureRecordSchema } from './failure-budget.js';
import { Label } from './labels.js';
import { LabelEventSchema } from './trust.js';

/** A trusted claim comment as the snapshot saw it (src/core/claim-marks.ts). */
export const ClaimMarkSchema = z.object({
  token: z.string(),
  owner: z.string(),
  databaseId: z.int(),
  createdAt: z.string(),
  heartbeatAt: z.nullable(z.string()),
});

export const IssueSummarySchema = z.object({
  number: z.int().check(z.positive()),
  title: z.string(),
  labels: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Claim comments among the latest comments (listed for `loom:building` issues only): their heartbeats. */
  claims: z.optional(z.array(ClaimMarkSchema)),
  /** GitHub's authorAssociation and the author's login (src/core/trust.ts); absent when not read. */
  authorAssociation: z.optional(z.nullable(z.string())),
  author: z.optional(z.nullable(z.string())),
  /** The latest `loom:` label events (ready and triage lists): who admitted an outside issue. */
  labelEvents: z.optional(z.array(LabelEventSchema)),
  /** Failed attempts so far, from the newest failures mark in its latest comments (ready lists). */
  failures: z.optional(FailureRecordSchema),
});
export type IssueSummary = z.infer<typeof IssueSummarySchema>;

export const PullSummarySchema = z.object({
  number: z.int().check(z.positive()),
  title: z.string(),
  labels: z.array(z.string()),
  headRefName: z.string(),
  mergeable: z.string(),
  updatedAt: z.string(),
  closingIssues: z.array(z.int()),
  checks: z.nullable(z.string()),
});
export type PullSummary = z.infer<typeof PullSummarySchema>;

export const PipelineCountsSchema = z.object({
  ready: z.int().check(z.nonnegative()),
  building: z.int().check(z.nonnegative()),
  curated: z.int().check(z.nonnegative()),
  architect_proposals: z.int().check(z.nonnegative()),
  hermit_proposals: z.int().check(z.nonnegative()),
  review_requested: z.int().check(z.nonnegative()),
  changes_requested: z.int().check(z.nonnegative()),
  ready_to_merge: z.int().check(z.nonnegative()),
  blocked: z.int().check(z.nonnegative()),
  /** Counts added after the first release default to 0 so older state files still read. */
  triage: z._default(z.int().check(z.nonnegative()), 0),
  /** Approved (`loom:pr`) pull requests that conflict or whose checks fail: the Doctor's work. */
  pr_needs_fix: z._default(z.int().check(z.nonnegative()), 0),
});
export type PipelineCounts = z.infer<typeof PipelineCountsSchema>;

/** An approved (`loom:pr`) pull request with the facts the planner and status judge it by. */
export const ApprovedPullSchema = z.object({
  number: z.int().check(z.positive()),
  title: z.string(),
  labels: z.array(z.string()),
  mergeable: z.string(),
  checks: z.nullable(z.string()),
  additions: z.int().check(z.nonnegative()),
  deletions: z.int().check(z.nonnegative()),
  updatedAt: z.string(),
});
export type ApprovedPull = z.infer<typeof ApprovedPullSchema>;

/** State on GitHub of an issue a shepherd slot holds (fetched by alias in the same request). */
export interface TrackedIssue {
  number: number;
  state: 'OPEN' | 'CLOSED';
  labels: string[];
  /** Trusted claim comments among its latest comments, oldest first (whose claim it is, and its heartbeat). */
  claims?: z.infer<typeof ClaimMarkSchema>[];
}

export interface TrackedPull {
  number: number;
  state: 'OPEN' | 'CLOSED' | 'MERGED';
}

export interface Snapshot {
  /** When the snapshot was taken (ISO). */
  takenAt: string;
  counts: PipelineCounts;
  /** Claimable issues: `loom:urgent` first, then oldest first; a short list, not the backlog. */
  readyIssues: IssueSummary[];
  /** `loom:triage` issues not being curated (up to 20, oldest first): the Curator's work once trusted. */
  triageIssues?: IssueSummary[];
  /** Open `loom:building` issues (up to 100). */
  buildingIssues: IssueSummary[];
  /**
   * Items carrying a worker label (`loom:curating`, `loom:reviewing`, `loom:treating`; up to 10 each, least
   * recently updated first), with the label recovery moves them back to. Empty in counts-only snapshots.
   */
  workerLabels: (IssueSummary & { label: string; to: string; isPull: boolean })[];
  /** Open pull requests (most recently updated first, up to 50) and whether the list is complete. */
  pullRequests: PullSummary[];
  pullRequestsComplete: boolean;
  /** A few blocked issues and proposals, for the human-actions section of status. */
  blockedIssues: IssueSummary[];
  proposals: IssueSummary[];
  /** Open `loom:pr` pull requests (up to 20), oldest first. */
  approvedPulls: ApprovedPull[];
  /** Issues and PRs held by shepherd slots, by number; `vanished`: tracked issues GitHub no longer has (deleted, transferred). */
  tracked: { issues: Record<number, TrackedIssue>; pulls: Record<number, TrackedPull>; vanished?: number[] };

  rateLimit: { remaining: number; resetAt: string } | null;
}

/** True when an open pull request belongs to the issue (closing reference or `feature/issue-N` branch). */
export function pullForIssue(snapshot: Snapshot, issue: number): PullSummary | undefined {
  return snapshot.pullRequests.find(
    (pull) => pull.closingIssues.includes(issue) || pull.headRefName === `feature/issue-${issue}`,
  );
}

/**
 * Why an approved pull request needs the Doctor before it can merge: it
 * conflicts with its base, or its checks fail. Null when it does not (or a
 * person took it over with `loom:manual-merge`).
 */
export function repairReason(
  pull: Pick<ApprovedPull, 'labels' | 'mergeable' | 'checks'>,
): 'conflict' | 'checks' | null {
  if (!pull.labels.includes(Label.pr) || pull.labels.includes(Label.manualMerge)) return null;
  if (pull.mergeable === 'CONFLICTING') return 'conflict';
  if (pull.checks === 'FAILURE' || pull.checks === 'ERROR') return 'checks';
  return null;
}
