/**
 * Which item a worker role takes when it is run without a number (`loom next
 * <role>`): the same rule for every run, decided here rather than in prompts.
 */
import * as z from 'zod';
import { Label } from './labels.js';
import { repairReason } from './snapshot.js';
import { type LabelEvent, mayEnter, type OutsideIssues } from './trust.js';

export const NextRoleSchema = z.enum(['builder', 'curator', 'judge', 'doctor', 'champion']);
export type NextRole = z.infer<typeof NextRoleSchema>;

export interface Candidate {
  number: number;
  labels: string[];
  createdAt: string;
  /** For pull requests: the issues they close, with their labels. */
  closes?: { number: number; labels: string[] }[];
  /** For pull requests: GitHub's mergeability and the head commit's check state. */
  mergeable?: string;
  checks?: string | null;
  /** For issues: the trust boundary's facts (src/core/trust.ts). */
  authorAssociation?: string | null;
  author?: string | null;
  labelEvents?: LabelEvent[];
}

/** The doctor's second queue: approved PRs, of which it takes those that conflict or fail checks. */
export function repairQueueQuery(): string {
  return `is:pr label:${Label.pr} -label:${Label.manualMerge} sort:created-asc`;
}

/** GitHub search qualifiers (after `repo:… is:open`) that list each role's queue, oldest first. */
export function queueQuery(role: NextRole): string {
  switch (role) {
    case 'builder':
      return `is:issue label:${Label.issue} -label:${Label.blocked} -label:${Label.building} -label:${Label.abort} sort:created-asc`;
    case 'curator':
      return `is:issue label:${Label.triage} -label:${Label.curating} sort:created-asc`;
    case 'judge':
      return `is:pr label:${Label.reviewRequested} sort:created-asc`;
    case 'doctor':
      return `is:pr label:${Label.changesRequested} -label:${Label.manualMerge} sort:created-asc`;
    case 'champion':
      return repairQueueQuery();
  }
}

/**
 * The pick: the builder takes `loom:urgent` first; the doctor takes approved
 * PRs that conflict first (they only get worse), then approved PRs with failing
 * checks, then `loom:changes-requested` ones, and skips a PR whose issue is
 * `loom:blocked` (a human must look; retrying would loop); the champion takes
 * approved PRs that need no repair (no conflict, no failing checks); otherwise the
 * oldest. The builder and the curator skip outside issues no maintainer
 * admitted (`outside`: config `trust.outside_issues`). Returns undefined when
 * the queue is empty.
 */
export function pickNext(
  role: NextRole,
  candidates: readonly Candidate[],
  outside: OutsideIssues = 'ignore',
): Candidate | undefined {
  // An outsider's issue no maintainer admitted is never taken (src/core/trust.ts).
  const queue = role === 'builder' ? 'build' : role === 'curator' ? 'curate' : null;
  const trusted = queue ? candidates.filter((c) => mayEnter(c, queue, outside)) : candidates;
  const oldestFirst = [...trusted].sort(
    (a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.number - b.number,
  );
  if (role === 'builder') return oldestFirst.find((c) => c.labels.includes(Label.urgent)) ?? oldestFirst[0];
  if (role === 'doctor') {
    const rank = (c: Candidate) => {
      if (!c.labels.includes(Label.pr)) return 2; // from the loom:changes-requested queue
      const reason = repairReason({ labels: c.labels, mergeable: c.mergeable ?? 'UNKNOWN', checks: c.checks ?? null });
      return reason === 'conflict' ? 0 : reason === 'checks' ? 1 : 3;
    };
    return oldestFirst
      .filter((c) => rank(c) < 3 && !(c.closes ?? []).some((issue) => issue.labels.includes(Label.blocked)))
      .sort((a, b) => rank(a) - rank(b))[0];
  }
  // The Champion merges approved PRs; one that conflicts or fails its checks is the Doctor's first.
  if (role === 'champion')
    return oldestFirst.find(
      (c) => !repairReason({ labels: c.labels, mergeable: c.mergeable ?? 'UNKNOWN', checks: c.checks ?? null }),
    );
  return oldestFirst[0];
}
