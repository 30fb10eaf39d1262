/**
 * `loom guard`: the PreToolUse hook `loom init` registers in
 * .claude/settings.json. The bundle's entry (src/bin.ts) runs it without
 * loading the rest of the CLI; this registration gives it `--help`.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { runGuard } from '../guard/hook.js';
import { RULES } from '../guard/rules.js';
import { exitCodeHelp } from './exit-codes.js';
import type { Run } from './shared.js';

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
        return runGuard(stdin, env.env, env.io.err);
      }),
    );
}
