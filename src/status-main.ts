/**
 * The plain `loom status` and `loom status --json` — what `.loom/scripts/loom-status.sh`, a watching terminal
 * and the /loom parent run most — without commander: the launcher (src/bin.ts) loads this entry chunk
 * (lib/status-main.mjs) instead of the program for exactly those two command lines, and it runs the same
 * `statusCommand` through the same error sink as the program would. Every other command line, `--help`
 * included, goes through src/cli.ts.
 */
import { statusCommand } from './commands/status.js';
import { defaultCommandEnv, runCommand } from './io.js';
import { isPlainStatus } from './status-prefetch.js';

export { isPlainStatus };

/** Runs `argv` (a plain status, see isPlainStatus) and resolves to its exit code. */
export function statusMain(argv: readonly string[]): Promise<number> {
  const json = argv.includes('--json');
  return runCommand(defaultCommandEnv(), (env) => statusCommand(env, { json }), json);
}
