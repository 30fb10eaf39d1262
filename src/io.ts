/**
 * The process's output streams, the per-call settings the CLI passes to a command, and the one error sink.
 * Kept free of libraries: src/cli.ts loads this on every call, before it knows which command runs.
 */
import type { Clock } from './clock.js';
import { redactSecrets } from './core/sanitize.js';
import { LoomError } from './errors.js';
import type { Faults } from './faults.js';
import type { GhClient } from './github/gh.js';

export interface Output {
  out(line: string): void;
  err(line: string): void;
  /** True when stdout is a terminal (colour, tables). */
  isTTY: boolean;
  /** The terminal's width in columns, when stdout is a terminal. */
  columns?: number;
}

export const processOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  isTTY: Boolean(process.stdout.isTTY),
  get columns() {
    return process.stdout.columns || undefined;
  },
};

/** Per-process settings the CLI entry passes to commands (tests pass their own). */
export interface CommandEnv {
  cwd: string;
  env: NodeJS.ProcessEnv;
  io: Output;
  /** The GitHub client every command's context uses (default: the `gh` binary). The in-process test tier passes one. */
  gh?: GhClient;
  /** The clock every command's context uses (default: the system clock, `LOOM_NOW` pins wall time). */
  clock?: Clock;
  /** Test-only faults every command's context uses (default: from `LOOM_FAULT_KILL_AT`). The in-process tier passes them. */
  faults?: Faults;
}

export const defaultCommandEnv = (): CommandEnv => ({ cwd: process.cwd(), env: process.env, io: processOutput });

export function printJson(io: Output, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/**
 * Runs one command's work on `env` and resolves to its exit code: the code it returns (none: 0), or whatever
 * the one error sink (`reportError`) makes of what it throws, with gh's tokens redacted.
 */
export async function runCommand(
  env: CommandEnv,
  fn: (env: CommandEnv) => Promise<number | void>,
  json: boolean,
): Promise<number> {
  try {
    return (await fn(env)) ?? 0;
  } catch (error) {
    return reportError(error, env.io, json, [env.env.GH_TOKEN, env.env.GITHUB_TOKEN]);
  }
}

/**
 * The one error sink. Typed errors print their message and next step (or a
 * JSON envelope with --json) and set the documented exit code; anything else
 * is a bug and prints its stack.
 */
export function reportError(error: unknown, io: Output, json: boolean, secrets: (string | undefined)[] = []): number {
  if (error instanceof LoomError) {
    if (json) printJson(io, { ok: false, error: error.toJSON() });
    io.err(redactSecrets(`loom: ${error.message}`, secrets));
    if (error.hint) io.err(redactSecrets(`  → ${error.hint}`, secrets));
    return error.exitCode;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  if (json)
    printJson(io, {
      ok: false,
      error: { code: 'BUG', message: redactSecrets(String((error as Error)?.message ?? error), secrets) },
    });
  io.err(redactSecrets(`loom: unexpected error (a bug; please report it):\n${text}`, secrets));
  return 1;
}
