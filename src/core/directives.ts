/**
 * Spawn directives: the lines `loom iterate` prints for the `/loom` parent,
 * one per background subagent to start. Format (space separated, args to end
 * of line): `SPAWN <slot> [model=<model>] <skill> [args…]`, e.g.
 * `SPAWN shepherd-2 shepherd 123 --force-pr`, `SPAWN guide guide` or, with
 * `models.shepherd` set, `SPAWN shepherd-2 model=opus shepherd 123 --force-pr`.
 * The parent passes `<skill>` and `[args…]` to the Skill tool unchanged, the
 * model (already an alias the Agent tool takes) as the Agent tool's `model`,
 * and records the launch with `loom record <slot>`.
 */
import * as z from 'zod/mini';
import './zod-setup.js';
import type { Config } from './config.js';
import { agentModel, modelFor } from './models.js';

export const DirectiveSchema = z.object({
  slot: z.string(),
  skill: z.string(),
  args: z.string(),
  issue: z.nullable(z.int().check(z.positive())),
  /** The configured model (config `models`, escalation applied), as `claude --model` takes it; null: the default. */
  model: z.nullable(z.string()),
});
export type Directive = z.infer<typeof DirectiveSchema>;

export function formatDirective(directive: Directive): string {
  const model = agentModel(directive.model);
  return ['SPAWN', directive.slot, model ? `model=${model}` : '', directive.skill, directive.args]
    .filter(Boolean)
    .join(' ');
}

type DirectiveConfig = Pick<Config, 'shepherd_args' | 'models'>;

/** A shepherd for `issue` in `slot` (`--resume` to continue from its checkpoint), on `models.shepherd`. */
export function shepherdDirective(slot: string, issue: number, config: DirectiveConfig, resume = false): Directive {
  const args = [String(issue), config.shepherd_args, resume ? '--resume' : ''].filter(Boolean).join(' ');
  return { slot, skill: 'shepherd', args, issue, model: modelFor(config.models, 'shepherd') };
}

/** A support role the planner starts; `escalate`: its run follows a Judge rejection (models.escalate_to). */
export function roleDirective(spawn: { role: string; args: string; escalate?: boolean }, config: DirectiveConfig) {
  return {
    slot: spawn.role,
    skill: spawn.role,
    args: spawn.args,
    issue: null,
    model: modelFor(config.models, spawn.role, { rejected: spawn.escalate }),
  } satisfies Directive;
}
