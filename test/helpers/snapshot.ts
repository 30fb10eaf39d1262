/** A Snapshot for pure planner tests: nothing on GitHub, taken at `takenAt`, with `partial` and `counts` laid over it. */
import type { Snapshot } from '../../src/core/snapshot.js';

export function snapshotAt(
  takenAt: string,
  partial: Partial<Snapshot> = {},
  counts: Partial<Snapshot['counts']> = {},
): Snapshot {
  return {
    takenAt,
    counts: {
      ready: partial.readyIssues?.length ?? 0,
      building: 0,
      curated: 0,
      architect_proposals: 0,
      hermit_proposals: 0,
      review_requested: 0,
      changes_requested: 0,
      ready_to_merge: 0,
      blocked: 0,
      triage: 0,
      pr_needs_fix: 0,
      ...counts,
    },
    readyIssues: [],
    buildingIssues: [],
    pullRequests: [],
    pullRequestsComplete: true,
    blockedIssues: [],
    proposals: [],
    approvedPulls: [],
    workerLabels: [],
    tracked: { issues: {}, pulls: {} },
    rateLimit: null,
    ...partial,
  };
}
