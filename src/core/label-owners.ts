/**
 * Who moves each `loom:` label on (issue 11: no dead ends). For every label
 * Loom declares: which actor takes an item out of that state (a daemon step, a
 * role the daemon starts, or a person), after how long an item left there
 * counts as orphaned, and what recovery does then. The planner's role
 * triggers and its orphan checks read this table, so a label cannot be added
 * without saying who owns it (test/label-owners.test.ts checks labels.yml).
 */
import type { Config } from './config.js';
import { Label, type LabelName } from './labels.js';
import type { PipelineCounts } from './snapshot.js';

/** Roles the daemon can start on its own to drain a label. */
export type DrainingRole = 'curator' | 'judge' | 'doctor' | 'champion';

export type Actor =
  /** A step of `loom iterate` itself (claims, releases, recoveries). */
  | { kind: 'daemon'; step: 'claim' | 'release' | 'recover' }
  /** A role run as a Claude Code subagent (by a shepherd, by the daemon, or by a person's slash command). */
  | { kind: 'role'; role: 'shepherd' | 'builder' | 'curator' | 'judge' | 'doctor' | 'champion' | 'guide' | 'architect' }
  | { kind: 'person' };

export type Recovery =
  /** The daemon starts this role while items carry the label (the role's own interval applies). */
  | { kind: 'spawn'; role: DrainingRole }
  /** A claim nobody works on: released back to `to` with one comment. */
  | { kind: 'release'; to: LabelName }
  /** A worker label left by a crashed agent: back to the state before it, with one comment. */
  | { kind: 'revert'; to: LabelName }
  /** Only a person can move it on: `loom status` lists it under "Waiting for you" with the command. */
  | { kind: 'ask-person' }
  /** A modifier riding along another state label: it never blocks the pipeline by itself. */
  | { kind: 'modifier' };

export interface LabelOwnership {
  label: LabelName;
  on: 'issue' | 'pr';
  /** Who moves an item out of this state (first = the usual one). */
  movedBy: Actor[];
  /**
   * Seconds after which an item still in this state, held by nobody, counts as
   * orphaned; null when the state cannot be orphaned (modifiers, a person's call).
   */
  orphanAfter: (config: Config) => number | null;
  recovery: Recovery;
  /** The snapshot count that measures this state, when there is one. */
  count?: keyof PipelineCounts;
  /** Items in this state that another role must repair first (approved PRs that conflict or fail checks). */
  repair?: { role: DrainingRole; count: keyof PipelineCounts };
}

const never = () => null;
const immediately = () => 0;

export const LABEL_OWNERS: readonly LabelOwnership[] = [
  {
    label: Label.triage,
    on: 'issue',
    movedBy: [{ kind: 'role', role: 'curator' }],
    orphanAfter: immediately,
    recovery: { kind: 'spawn', role: 'curator' },
    count: 'triage',
  },
  {
    label: Label.curating,
    on: 'issue',
    movedBy: [{ kind: 'role', role: 'curator' }],
    orphanAfter: (c) => c.orphan_after.curating,
    recovery: { kind: 'revert', to: Label.triage },
  },
  {
    label: Label.curated,
    on: 'issue',
    movedBy: [{ kind: 'person' }, { kind: 'role', role: 'champion' }],
    orphanAfter: never,
    recovery: { kind: 'spawn', role: 'champion' },
    count: 'curated',
  },
  {
    label: Label.issue,
    on: 'issue',
    movedBy: [{ kind: 'daemon', step: 'claim' }],
    orphanAfter: immediately,
    recovery: { kind: 'modifier' },
    count: 'ready',
  },
  {
    label: Label.building,
    on: 'issue',
    movedBy: [
      { kind: 'role', role: 'shepherd' },
      { kind: 'daemon', step: 'release' },
    ],
    orphanAfter: (c) => c.stale_building,
    recovery: { kind: 'release', to: Label.issue },
    count: 'building',
  },
  {
    label: Label.blocked,
    on: 'issue',
    movedBy: [{ kind: 'person' }],
    orphanAfter: never,
    recovery: { kind: 'ask-person' },
    count: 'blocked',
  },
  {
    label: Label.urgent,
    on: 'issue',
    movedBy: [{ kind: 'role', role: 'guide' }],
    orphanAfter: never,
    recovery: { kind: 'modifier' },
  },
  {
    label: Label.architect,
    on: 'issue',
    movedBy: [{ kind: 'person' }, { kind: 'role', role: 'champion' }],
    orphanAfter: never,
    recovery: { kind: 'ask-person' },
    count: 'architect_proposals',
  },
  {
    label: Label.hermit,
    on: 'issue',
    movedBy: [{ kind: 'person' }, { kind: 'role', role: 'champion' }],
    orphanAfter: never,
    recovery: { kind: 'ask-person' },
    count: 'hermit_proposals',
  },
  {
    label: Label.epic,
    on: 'issue',
    movedBy: [{ kind: 'role', role: 'architect' }],
    orphanAfter: never,
    recovery: { kind: 'modifier' },
  },
  {
    label: Label.epicPhase,
    on: 'issue',
    movedBy: [{ kind: 'role', role: 'architect' }],
    orphanAfter: never,
    recovery: { kind: 'modifier' },
  },
  // A person sets it; the shepherd holding the issue reads it at its next gate and stops.
  {
    label: Label.abort,
    on: 'issue',
    movedBy: [{ kind: 'role', role: 'shepherd' }],
    orphanAfter: never,
    recovery: { kind: 'modifier' },
  },
  {
    label: Label.manualMerge,
    on: 'pr',
    movedBy: [{ kind: 'person' }],
    orphanAfter: never,
    recovery: { kind: 'modifier' },
  },
  {
    label: Label.reviewRequested,
    on: 'pr',
    movedBy: [{ kind: 'role', role: 'judge' }],
    orphanAfter: immediately,
    recovery: { kind: 'spawn', role: 'judge' },
    count: 'review_requested',
  },
  {
    label: Label.reviewing,
    on: 'pr',
    movedBy: [{ kind: 'role', role: 'judge' }],
    orphanAfter: (c) => c.orphan_after.reviewing,
    recovery: { kind: 'revert', to: Label.reviewRequested },
  },
  {
    label: Label.pr,
    on: 'pr',
    // Merged by the Champion when it passes the gate; conflicting or red ones go to the Doctor; refused ones to a person.
    movedBy: [{ kind: 'role', role: 'champion' }, { kind: 'role', role: 'doctor' }, { kind: 'person' }],
    orphanAfter: never,
    recovery: { kind: 'spawn', role: 'champion' },
    count: 'ready_to_merge',
    repair: { role: 'doctor', count: 'pr_needs_fix' },
  },
  {
    label: Label.changesRequested,
    on: 'pr',
    movedBy: [{ kind: 'role', role: 'doctor' }],
    orphanAfter: immediately,
    recovery: { kind: 'spawn', role: 'doctor' },
    count: 'changes_requested',
  },
  {
    label: Label.treating,
    on: 'pr',
    movedBy: [{ kind: 'role', role: 'doctor' }],
    orphanAfter: (c) => c.orphan_after.treating,
    recovery: { kind: 'revert', to: Label.changesRequested },
  },
];

/** The entry of one label; throws for a label without an owner (a bug the table test catches first). */
export function ownerOf(label: LabelName): LabelOwnership {
  const entry = LABEL_OWNERS.find((e) => e.label === label);
  if (!entry) throw new Error(`label ${label} has no owner in LABEL_OWNERS`);
  return entry;
}

/** Labels a crashed worker can leave behind, with the label each goes back to. */
export function revertibleLabels(): { label: LabelName; to: LabelName; on: 'issue' | 'pr' }[] {
  return LABEL_OWNERS.flatMap((e) =>
    e.recovery.kind === 'revert' ? [{ label: e.label, to: e.recovery.to, on: e.on }] : [],
  );
}

/** Snapshot counts whose items a role drains: the daemon starts `role` while any of them is above zero. */
export function countsDrainedBy(role: DrainingRole): (keyof PipelineCounts)[] {
  return LABEL_OWNERS.flatMap((e) => [
    ...(e.recovery.kind === 'spawn' && e.recovery.role === role && e.count ? [e.count] : []),
    ...(e.repair?.role === role ? [e.repair.count] : []),
  ]);
}
