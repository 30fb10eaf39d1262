/**
 * Which item a worker role takes when it is run without a number (`loom next
 * <role>`): the same rule for every run, decided here rather than in prompts.
 */
import { z } from 'zod';
import { Label } from './labels.js';

export const NextRoleSchema = z.enum(['builder', 'curator', 'judge', 'doctor']);
export type NextRole = z.infer<typeof NextRoleSchema>;

export interface Candidate {
  number: number;
  labels: string[];
  createdAt: string;
  /** For pull requests: the issues they close, with their labels. */
  closes?: { number: number; labels: string[] }[];
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
  }
}

/**
 * The pick: the builder takes `loom:urgent` first; the doctor skips a PR whose
 * issue is `loom:blocked` (a human must look; retrying would loop); otherwise
 * the oldest. Returns undefined when the queue is empty.
 */
export function pickNext(role: NextRole, candidates: readonly Candidate[]): Candidate | undefined {
  const oldestFirst = [...candidates].sort(
    (a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.number - b.number,
  );
  if (role === 'builder') return oldestFirst.find((c) => c.labels.includes(Label.urgent)) ?? oldestFirst[0];
  if (role === 'doctor')
    return oldestFirst.find((c) => !(c.closes ?? []).some((issue) => issue.labels.includes(Label.blocked)));
  return oldestFirst[0];
}
