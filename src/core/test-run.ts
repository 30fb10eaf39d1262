/**
 * The Judge's local test run (`loom pr-test`, DESIGN.md §8.8): which argument array runs the project's
 * test command, and how its outcome becomes a commit status (context `loom/tests`) on the head commit,
 * where the merge gate and the snapshot read it with the other checks. Pure.
 */
import { parseCommandString } from 'execa';
import type { Config } from './config.js';

/** The commit-status context Loom records its local test runs under. */
export const TEST_STATUS_CONTEXT = 'loom/tests';
/** Default seconds a test run may take: inside one Bash tool call of Claude Code (600 s) with room to spare. */
export const DEFAULT_TEST_TIMEOUT = 540;

/**
 * The test command as an argument array (never a shell string): `commands.test` split at spaces by execa's
 * parser (`\ ` keeps a space; quotes, pipes, globs and `$VARS` have no meaning). Undefined when it is not
 * set or `""` (init's "none").
 */
export function testArgv(config: Pick<Config, 'commands'>): string[] | undefined {
  const test = config.commands?.test?.trim();
  if (!test) return undefined;
  const argv = parseCommandString(test);
  return argv.length ? argv : undefined;
}

export type TestOutcome = { kind: 'passed' } | { kind: 'failed'; exitCode: number | null } | { kind: 'timed-out' };

/** The commit status a test outcome records: `success`, `failure` (red) or `error` (timed out, unknown). */
export function statusOf(outcome: TestOutcome): 'success' | 'failure' | 'error' {
  return outcome.kind === 'passed' ? 'success' : outcome.kind === 'failed' ? 'failure' : 'error';
}

/** GitHub keeps at most 140 characters of a status description. */
const DESCRIPTION_MAX = 140;

/** The status description: what ran, how it ended and how long it took. */
export function statusDescription(argv: readonly string[], outcome: TestOutcome, seconds: number): string {
  const what = outcome.kind === 'passed' ? 'passed' : outcome.kind === 'timed-out' ? `timed out` : 'failed';
  const code = outcome.kind === 'failed' && outcome.exitCode !== null ? ` (exit ${outcome.exitCode})` : '';
  const tail = ` ${what}${code} in ${Math.round(seconds)} s, local run before review`;
  const command = argv.join(' ');
  const room = DESCRIPTION_MAX - tail.length;
  return `${command.length > room ? `${command.slice(0, Math.max(0, room - 1))}…` : command}${tail}`;
}
