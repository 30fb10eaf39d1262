/**
 * Which phase a shepherd runs next for an issue (DESIGN.md §8.1), decided from facts
 * only: the issue's state and labels, the pull request that belongs to it
 * (open or merged; see pr-link.ts) and the checkpoint comment. Pure, so the
 * whole decision table is tested without GitHub.
 */
import * as z from 'zod';
import type { Checkpoint } from './checkpoint.js';
import type { Config } from './config.js';
import { Label } from './labels.js';
import { type AgentModel, agentModel, modelFor, rejectedByJudge } from './models.js';

export const PHASES = [
  'curator',
  'builder',
  'judge',
  'doctor',
  'merge',
  'done',
  'blocked',
  'aborted',
  'stopped',
] as const;
export const PhaseSchema = z.enum(PHASES);
export type Phase = z.infer<typeof PhaseSchema>;

/** DESIGN.md §8.1: the doctor loop runs at most this many rounds; then the issue needs a human. */
export const MAX_DOCTOR_ROUNDS = 3;

export interface PhaseIssue {
  state: 'OPEN' | 'CLOSED';
  labels: string[];
}

export interface PhasePull {
  number: number;
  state: 'OPEN' | 'CLOSED' | 'MERGED';
  labels: string[];
  /** MERGEABLE, CONFLICTING or UNKNOWN (GitHub computes it lazily). */
  mergeable: string;
}

export interface PhaseDecision {
  phase: Phase;
  reason: string;
}

const hasAny = (labels: string[], wanted: string[]) => wanted.some((l) => labels.includes(l));

/**
 * The next phase. Order matters: facts that end the work (closed, merged)
 * first, then the human stop signals, then the PR lane, then the issue lane.
 */
export function decidePhase(
  issue: PhaseIssue,
  pull: PhasePull | null,
  checkpoint: Checkpoint | null,
  stopRequested = false,
): PhaseDecision {
  if (pull?.state === 'MERGED') return { phase: 'done', reason: `PR #${pull.number} is merged` };
  if (issue.state === 'CLOSED') return { phase: 'done', reason: 'the issue is closed' };
  // `.loom/stop-shepherds` (daemon shutdown): reach a safe point now. A word, not an exit code, so the
  // prompt can read it (Claude Code shows a silent non-zero `test -f` the same as success).
  if (stopRequested) return { phase: 'stopped', reason: '.loom/stop-shepherds exists: the daemon is shutting down' };
  if (issue.labels.includes(Label.abort)) return { phase: 'aborted', reason: 'loom:abort is on the issue' };
  if (issue.labels.includes(Label.blocked)) return { phase: 'blocked', reason: 'loom:blocked is on the issue' };

  if (pull && pull.state === 'OPEN') {
    const rounds = checkpoint?.doctor_rounds ?? 0;
    const doctorReason = hasAny(pull.labels, [Label.changesRequested, Label.treating])
      ? `PR #${pull.number} has ${pull.labels.includes(Label.treating) ? Label.treating : Label.changesRequested}`
      : pull.mergeable === 'CONFLICTING'
        ? `PR #${pull.number} has merge conflicts`
        : undefined;
    if (doctorReason) {
      // The doctor loop is bounded: after the last round the judge may still approve, but no fourth round runs.
      if (rounds >= MAX_DOCTOR_ROUNDS)
        return {
          phase: 'blocked',
          reason: `${doctorReason}, but the doctor already ran ${rounds} rounds (max ${MAX_DOCTOR_ROUNDS})`,
        };
      return { phase: 'doctor', reason: doctorReason };
    }
    if (hasAny(pull.labels, [Label.reviewRequested, Label.reviewing])) {
      return {
        phase: 'judge',
        reason: `PR #${pull.number} has ${pull.labels.includes(Label.reviewing) ? Label.reviewing : Label.reviewRequested}`,
      };
    }
    if (pull.labels.includes(Label.pr)) return { phase: 'merge', reason: `PR #${pull.number} is approved (loom:pr)` };
    return { phase: 'judge', reason: `PR #${pull.number} is open without a review label` };
  }

  if (hasAny(issue.labels, [Label.triage, Label.curating])) {
    return {
      phase: 'curator',
      reason: `the issue has ${issue.labels.includes(Label.curating) ? Label.curating : Label.triage}`,
    };
  }
  if (issue.labels.includes(Label.building))
    return { phase: 'builder', reason: 'the issue is claimed (loom:building) and has no PR yet' };
  if (issue.labels.includes(Label.issue))
    return { phase: 'builder', reason: 'the issue is ready (loom:issue) and has no PR yet' };
  if (issue.labels.includes(Label.curated))
    return { phase: 'builder', reason: 'the issue is curated and awaits approval (gate 1) before building' };
  return { phase: 'curator', reason: 'the issue is not curated yet' };
}

/** The phases a role moves an issue past when it finishes its unit of work. */
const FINISHED_WHEN_NEXT: Record<string, readonly Phase[]> = {
  curator: ['builder', 'judge', 'doctor', 'merge', 'done'],
  builder: ['judge', 'doctor', 'merge', 'done'],
  judge: ['doctor', 'merge', 'done'],
  doctor: ['judge', 'merge', 'done'],
};

/**
 * Did role `role` finish, judged by the phase that comes next? A role's own
 * one-line answer is not trusted for this: the labels and the PR are. Phases
 * that are not a role's (merge, done…) always count as finished.
 */
export function roleFinished(role: string, next: Phase): boolean {
  const finishedWhen = FINISHED_WHEN_NEXT[role];
  return !finishedWhen || finishedWhen.includes(next);
}

/** The phases run by a role subagent the shepherd starts (the others are its own steps). */
const ROLE_PHASES: readonly Phase[] = ['curator', 'builder', 'judge', 'doctor'];

/**
 * The Agent tool's `model` for the role of `phase` (config `models.<role>`), or null for none. A Doctor
 * treating a PR the Judge sent back (`loom:changes-requested`), or a Builder starting over on an issue whose
 * earlier PR already went through a doctor round, runs on `models.escalate_to` when it is set.
 */
export function phaseModel(
  models: Config['models'],
  phase: Phase,
  pull: Pick<PhasePull, 'labels'> | null,
  checkpoint: Pick<Checkpoint, 'doctor_rounds'> | null,
): AgentModel | null {
  if (!ROLE_PHASES.includes(phase)) return null;
  const rejected =
    phase === 'doctor'
      ? rejectedByJudge(pull?.labels ?? [])
      : phase === 'builder' && (checkpoint?.doctor_rounds ?? 0) > 0;
  return agentModel(modelFor(models, phase, { rejected }));
}
