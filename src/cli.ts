/**
 * The `loom` CLI: one program, one file per command (src/commands/), and one
 * error sink. `main(argv, env)` is importable for in-process tests; it returns
 * the exit code instead of exiting.
 */
import { Command, CommanderError } from 'commander';
import { register as registerClaims } from './commands/claims.js';
import { register as registerDaemon } from './commands/daemon.js';
import { register as registerDeps } from './commands/deps.js';
import { register as registerInit } from './commands/init.js';
import { register as registerIterate } from './commands/iterate.js';
import { register as registerLabels } from './commands/labels.js';
import { register as registerLogs } from './commands/logs.js';
import { register as registerNext } from './commands/next.js';
import { register as registerPulls } from './commands/pulls.js';
import { register as registerRun } from './commands/run.js';
import { type CommandEnv, defaultCommandEnv, reportError } from './commands/shared.js';
import { register as registerShepherd } from './commands/shepherd.js';
import { register as registerStatus } from './commands/status.js';
import { register as registerWorktree } from './commands/worktree.js';
import { ExitCode } from './errors.js';

declare const __LOOM_VERSION__: string | undefined;
export const VERSION = typeof __LOOM_VERSION__ !== 'undefined' ? __LOOM_VERSION__ : '0.0.0-dev';

export type Runner = (fn: (env: CommandEnv) => Promise<number | void>, json?: boolean) => Promise<void>;

export function buildProgram(commandEnv: CommandEnv, setExit: (code: number) => void): Command {
  const program = new Command('loom')
    .description(
      'Loom: Claude Code agents run your project from its GitHub issues.\nDocs: README.md; every command has --help.',
    )
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => commandEnv.io.out(text.replace(/\n$/, '')),
      writeErr: (text) => commandEnv.io.err(text.replace(/\n$/, '')),
    })
    .exitOverride();
  const run: Runner = async (fn, json = false) => {
    try {
      setExit((await fn(commandEnv)) ?? 0);
    } catch (error) {
      setExit(reportError(error, commandEnv.io, json, [commandEnv.env.GH_TOKEN, commandEnv.env.GITHUB_TOKEN]));
    }
  };
  for (const register of [
    registerStatus,
    registerIterate,
    registerDaemon,
    registerInit,
    registerLabels,
    registerShepherd,
    registerClaims,
    registerPulls,
    registerDeps,
    registerWorktree,
    registerNext,
    registerRun,
    registerLogs,
  ])
    register(program, run);
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[], commandEnv: CommandEnv = defaultCommandEnv()): Promise<number> {
  let code: number = ExitCode.ok;
  const program = buildProgram(commandEnv, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors with 2.
      return error.exitCode === 0 ? 0 : ExitCode.usage;
    }
    return reportError(error, commandEnv.io, false);
  }
  return code;
}
