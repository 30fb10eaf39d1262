/**
 * Spawn directives: the lines `loom iterate` prints for the `/loom` parent,
 * one per background subagent to start. Format (space separated, args to end
 * of line): `SPAWN <slot> <skill> [args…]`, e.g.
 * `SPAWN shepherd-2 shepherd 123 --force-pr` or `SPAWN guide guide`.
 * The parent passes `<skill>` and `[args…]` to the Skill tool unchanged and
 * records the launch with `loom record <slot>`.
 */
import { z } from 'zod';

export const DirectiveSchema = z.object({
  slot: z.string(),
  skill: z.string(),
  args: z.string(),
  issue: z.number().int().positive().nullable(),
});
export type Directive = z.infer<typeof DirectiveSchema>;

export function formatDirective(directive: Directive): string {
  return ['SPAWN', directive.slot, directive.skill, directive.args].filter(Boolean).join(' ');
}

export function shepherdDirective(slot: string, issue: number, shepherdArgs: string, resume = false): Directive {
  const args = [String(issue), shepherdArgs, resume ? '--resume' : ''].filter(Boolean).join(' ');
  return { slot, skill: 'shepherd', args, issue };
}
