/**
 * `loom guard`: the PreToolUse hook `loom init` registers in .claude/settings.json. The bundle's entry
 * (src/bin.ts) runs `loom guard` without loading the rest of the CLI: it calls the same `guard` and
 * `renderGuard`, which live in src/guard/hook.ts so that path loads no commander and no zod. This registration
 * gives the command its `--help` and the in-process tier its `main(['guard'])`.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import * as z from 'zod/mini';
import '../core/zod-setup.js';
import { guard, renderGuard } from '../guard/hook.js';
import { RULES } from '../guard/rules.js';
import { exitCodeHelp } from './exit-codes.js';
import { parseOptions, type Run } from './shared.js';

export { type GuardResult, guard, renderGuard } from '../guard/hook.js';

/** The hook JSON Claude Code writes on stdin (read at the edge, in the action). */
export const GuardOptions = z.object({ input: z.string() });
export type GuardOptions = z.infer<typeof GuardOptions>;

export const GUARD_EXIT_CODES = { allowed: 0, blocked: 2 } as const;

export function register(program: Command, run: Run): void {
  program
    .command('guard')
    .description(
      'Claude Code PreToolUse hook: block destructive or out-of-bounds tool calls (reads hook JSON on stdin)',
    )
    .addHelpText(
      'after',
      `
Reads Claude Code's hook JSON on stdin ({tool_name, tool_input, cwd, ...}) and checks Bash, Write, Edit,
MultiEdit and NotebookEdit calls. Compound commands are split and each part checked; bash -c is read inside.
Rules (switch one off with "guard": {"<rule>": false} in .loom/config.json, all with "guard": false):
${RULES.map((rule) => `  ${rule.id.padEnd(22)} ${rule.summary}`).join('\n')}
${exitCodeHelp('guard')}
Example: echo '{"tool_name":"Bash","tool_input":{"command":"git push -f"},"cwd":"."}' | .loom/scripts/loom guard`,
    )
    .action(() =>
      run(async (env) => {
        let stdin = '';
        try {
          stdin = readFileSync(0, 'utf8');
        } catch {
          stdin = '';
        }
        const options = parseOptions(GuardOptions, { input: stdin });
        return renderGuard(env.io, guard(env, options), options);
      }),
    );
}
