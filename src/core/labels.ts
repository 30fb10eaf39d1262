/**
 * The label protocol (DESIGN.md §3). These names are the only `loom:` labels Loom
 * code may use; `defaults/.github/labels.yml` declares the same set with
 * colours and descriptions, and `loom labels lint` checks both agree.
 */
export const Label = {
  triage: 'loom:triage',
  curating: 'loom:curating',
  curated: 'loom:curated',
  issue: 'loom:issue',
  building: 'loom:building',
  blocked: 'loom:blocked',
  urgent: 'loom:urgent',
  architect: 'loom:architect',
  hermit: 'loom:hermit',
  epic: 'loom:epic',
  epicPhase: 'loom:epic-phase',
  abort: 'loom:abort',
  manualMerge: 'loom:manual-merge',
  reviewRequested: 'loom:review-requested',
  reviewing: 'loom:reviewing',
  pr: 'loom:pr',
  changesRequested: 'loom:changes-requested',
  treating: 'loom:treating',
} as const;

export type LabelName = (typeof Label)[keyof typeof Label];
export const allLabelNames: readonly LabelName[] = Object.values(Label);
