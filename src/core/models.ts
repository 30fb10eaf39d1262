/**
 * Which model a worker runs on (config `models`), decided once for both modes:
 * `loom run` passes it to `claude --model`, `/loom` and the shepherd pass it as
 * the Agent tool's `model`. Pure, so the whole table is tested.
 *
 * Escalation: after a Judge rejection (`loom:changes-requested` on the PR) the
 * next Builder or Doctor run uses `models.escalate_to` when it is set.
 */
import type { Config } from './config.js';
import { Label } from './labels.js';

/** The `model` values the Agent tool of Claude Code 2.1.197 accepts (an enum: full names are refused). */
export const AGENT_MODELS = ['sonnet', 'opus', 'haiku', 'fable'] as const;
export type AgentModel = (typeof AGENT_MODELS)[number];

/** The roles `escalate_to` applies to: the ones that write code. */
const ESCALATED_ROLES = new Set(['builder', 'doctor']);

export interface ModelFacts {
  /** The Judge sent the work back: the PR carries (or, for a new build, carried) `loom:changes-requested`. */
  rejected?: boolean;
}

/** The configured model for a worker running `role` (a command name), or null for Claude Code's default. */
export function modelFor(models: Config['models'], role: string, facts: ModelFacts = {}): string | null {
  if (facts.rejected && ESCALATED_ROLES.has(role) && models.escalate_to) return models.escalate_to;
  return (models as Record<string, string | undefined>)[role] ?? null;
}

/**
 * The same model as the Agent tool takes it: an alias as is, a full name narrowed to its family
 * (`claude-opus-4-1` → `opus`, `sonnet[1m]` → `sonnet`); null when no family is recognisable (the
 * subagent then inherits its parent's model).
 */
export function agentModel(model: string | null): AgentModel | null {
  if (!model) return null;
  const lower = model.toLowerCase();
  return AGENT_MODELS.find((alias) => new RegExp(`(^|[^a-z])${alias}([^a-z]|$)`).test(lower)) ?? null;
}

/** A Judge rejection as the labels of the PR show it. */
export function rejectedByJudge(pullLabels: readonly string[]): boolean {
  return pullLabels.includes(Label.changesRequested);
}
