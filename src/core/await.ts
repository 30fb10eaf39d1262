/**
 * What one poll of `loom await` concludes (DESIGN.md §8.4: shepherds wait between
 * phases, checking `loom:abort` and the stop file). Pure; the loop, the stop
 * file and GitHub reads are in src/commands/shepherd.ts.
 */
import * as z from 'zod';
import { Label } from './labels.js';

export type AwaitCondition =
  | { kind: 'label'; label: string }
  | { kind: 'merged' }
  | { kind: 'pr-label'; label: string };

export const AwaitOutcomeSchema = z.enum(['met', 'timeout', 'stopped', 'aborted', 'blocked']);
export type AwaitOutcome = z.infer<typeof AwaitOutcomeSchema>;

export interface AwaitFacts {
  issueLabels: string[];
  /** The PR watched (given with --pr, or the issue's PR), or null when there is none yet. */
  pr: { number: number; state: 'OPEN' | 'CLOSED' | 'MERGED'; labels: string[] } | null;
}

export function describeCondition(c: AwaitCondition): string {
  return c.kind === 'label'
    ? `label ${c.label} on the issue`
    : c.kind === 'merged'
      ? 'the PR merged'
      : `label ${c.label} on the PR`;
}

/**
 * One poll: `aborted` and `blocked` (the human signals on the issue) win over
 * the condition, unless the condition is exactly that label.
 */
export function evaluateAwait(condition: AwaitCondition, facts: AwaitFacts): 'met' | 'waiting' | 'aborted' | 'blocked' {
  const awaitedIssueLabel = condition.kind === 'label' ? condition.label : undefined;
  const met =
    condition.kind === 'label'
      ? facts.issueLabels.includes(condition.label)
      : condition.kind === 'merged'
        ? facts.pr?.state === 'MERGED'
        : Boolean(facts.pr && facts.pr.state !== 'CLOSED' && facts.pr.labels.includes(condition.label));
  if (facts.issueLabels.includes(Label.abort) && awaitedIssueLabel !== Label.abort) return 'aborted';
  if (facts.issueLabels.includes(Label.blocked) && awaitedIssueLabel !== Label.blocked) return 'blocked';
  return met ? 'met' : 'waiting';
}
