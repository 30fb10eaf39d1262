/**
 * Gate 1 of a shepherd (DESIGN.md §8.2): may the builder start? Decided from the
 * issue's labels and the force flag only, so the prompt never reasons about it.
 */
import * as z from 'zod';
import { Label } from './labels.js';

export const GateActionSchema = z.enum(['go', 'claim', 'approve-and-claim', 'wait']);
export type GateAction = z.infer<typeof GateActionSchema>;

/**
 * - `loom:building`: already claimed (by the daemon or an earlier run); the claim implies approval.
 * - `loom:issue`: approved; claim it.
 * - otherwise, with a force flag: approve (→ `loom:issue`) and claim.
 * - otherwise: wait for a human or the Champion to approve.
 */
export function decideGate(labels: readonly string[], force: boolean): GateAction {
  if (labels.includes(Label.building)) return 'go';
  if (labels.includes(Label.issue)) return 'claim';
  return force ? 'approve-and-claim' : 'wait';
}
