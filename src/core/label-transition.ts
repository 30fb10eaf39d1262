/**
 * Label moves with the exclusions of DESIGN.md §3.4 applied: `loom:pr` and
 * `loom:changes-requested` never coexist, nor `loom:issue` and
 * `loom:building`; adding one removes the other. Pure.
 */
import { allLabelNames, Label } from './labels.js';

/** Pairs of labels that never coexist. */
export const EXCLUSIVE_PAIRS: readonly (readonly [string, string])[] = [
  [Label.pr, Label.changesRequested],
  [Label.issue, Label.building],
];

export type TransitionPlan = { ok: true; add: string[]; remove: string[] } | { ok: false; problems: string[] };

/** Validates a requested move and adds the removals the exclusions require. */
export function planTransition(
  add: string[],
  remove: string[],
  declared: readonly string[] = allLabelNames,
): TransitionPlan {
  const problems: string[] = [];
  const uniq = (xs: string[]) => [...new Set(xs)];
  const wantAdd = uniq(add);
  const wantRemove = uniq(remove);
  for (const label of [...wantAdd, ...wantRemove]) {
    if (!declared.includes(label)) problems.push(`${label} is not a Loom label (see .github/labels.yml)`);
  }
  for (const label of wantAdd) if (wantRemove.includes(label)) problems.push(`${label} is both added and removed`);
  for (const [a, b] of EXCLUSIVE_PAIRS)
    if (wantAdd.includes(a) && wantAdd.includes(b)) problems.push(`${a} and ${b} never coexist`);
  if (!wantAdd.length && !wantRemove.length) problems.push('nothing to do: give --add and/or --remove');
  if (problems.length) return { ok: false, problems: uniq(problems) };
  const implied = EXCLUSIVE_PAIRS.flatMap(([a, b]) => (wantAdd.includes(a) ? [b] : wantAdd.includes(b) ? [a] : []));
  return { ok: true, add: wantAdd, remove: uniq([...wantRemove, ...implied]) };
}
