/**
 * The `loom` CLI: one program, one file per command (src/commands/), and one
 * error sink. `main(argv, env)` is importable for in-process tests; it returns
 * the exit code instead of exiting.
 *
 * Start-up cost matters (the /loom parent, the guard hook and every status refresh start a process), so a call
 * loads only the code of the command it runs: `COMMANDS` maps each top-level command name to a dynamic
 * `import()` of its module, and the build (scripts/build.mjs) turns each such import into its own chunk under
 * .loom/scripts/lib/. To add a command:
 *   1. write src/commands/<name>.ts exporting `register(program, run)`, which defines the command with commander
 *      (description, options, --help text with its exit codes) and calls `run(...)` in its action, in the one
 *      command shape: parse the options with a module-level zod schema (`parseOptions`), call the exported
 *      `<name>(ctx, options)` that does the work and returns the data `--json` prints (no printing of its own),
 *      then `render<Name>(io, result, options)`, which prints text or JSON and returns the exit code
 *      (test/command-shape.test.ts calls such functions on a context of its own);
 *   2. add one line per top-level name it registers to COMMANDS: `name: () => import('./commands/<name>.js')`.
 * Never import a command module statically from here or from another command: that puts its code (and its
 * libraries) on every call's path. Heavy libraries (yaml, cli-table3, proper-lockfile, …) stay out of modules
 * that status, iterate and guard load; where a rarely taken branch needs one, `await import()` it there.
 * test/cli.test.ts checks that COMMANDS and what the modules register agree.
 */
import { Command, CommanderError } from 'commander';
import { allExitCodesHelp } from './commands/exit-codes.js';
import type { Run } from './commands/shared.js';
import { ExitCode } from './errors.js';
import { type CommandEnv, defaultCommandEnv, reportError, runCommand } from './io.js';
import { BUILD, VERSION } from './version.js';

export { VERSION } from './version.js';

/** What a command module exports. */
export interface CommandModule {
  register(program: Command, run: Run): void;
}

const claims = () => import('./commands/claims.js');
const daemon = () => import('./commands/daemon.js');
const pulls = () => import('./commands/pulls.js');
const shepherd = () => import('./commands/shepherd.js');
const post = () => import('./commands/post.js');
const lifecycle = () => import('./commands/lifecycle.js');

/** Top-level command name → its module, loaded only when that command runs (or for the full --help). */
export const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  status: () => import('./commands/status.js'),
  iterate: () => import('./commands/iterate.js'),
  start: daemon,
  shutdown: daemon,
  record: daemon,
  spawn: daemon,
  stop: daemon,
  progress: daemon,
  init: () => import('./commands/init.js'),
  actions: () => import('./commands/actions.js'),
  version: lifecycle,
  upgrade: lifecycle,
  uninstall: lifecycle,
  doctor: () => import('./commands/doctor.js'),
  labels: () => import('./commands/labels.js'),
  'shepherd-phase': shepherd,
  checkpoint: shepherd,
  await: shepherd,
  claim: claims,
  gate: claims,
  release: claims,
  transition: claims,
  'pr-for': pulls,
  'merge-gate': pulls,
  merge: pulls,
  'pr-test': () => import('./commands/pr-test.js'),
  deps: () => import('./commands/deps.js'),
  worktree: () => import('./commands/worktree.js'),
  next: () => import('./commands/next.js'),
  guard: () => import('./commands/guard.js'),
  run: () => import('./commands/run.js'),
  logs: () => import('./commands/logs.js'),
  dashboard: () => import('./commands/dashboard.js'),
  take: () => import('./commands/take.js'),
  comment: post,
  'pr-open': post,
  'issue-open': post,
  'adopt-claim': () => import('./commands/adopt.js'),
};

/** The modules a call needs: the one owning `argv`'s command, or all of them (help, unknown names). */
function modulesFor(argv: readonly string[]): (() => Promise<CommandModule>)[] {
  const name = argv.find((arg) => !arg.startsWith('-'));
  const own = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  return own ? [own] : [...new Set(Object.values(COMMANDS))];
}

/**
 * The commander program with the commands `argv` needs registered (all of them when `argv` is omitted), each
 * action running through the one error sink. Exported for tests that parse command lines against the real program.
 */
export async function buildProgram(
  commandEnv: CommandEnv,
  setExit: (code: number) => void,
  argv?: readonly string[],
): Promise<Command> {
  const program = new Command('loom')
    .description(
      `Loom ${VERSION}: Claude Code agents run your project from its GitHub issues.\nEvery command has --help with its options and exit codes; \`loom doctor\` checks this installation.`,
    )
    .addHelpText('after', `\n${allExitCodesHelp()}`)
    .version(`${VERSION} (build ${BUILD})`, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => commandEnv.io.out(text.replace(/\n$/, '')),
      writeErr: (text) => commandEnv.io.err(text.replace(/\n$/, '')),
    })
    .exitOverride();
  const run: Run = async (fn, json = false) => setExit(await runCommand(commandEnv, fn, json));
  const modules = await Promise.all((argv ? modulesFor(argv) : [...new Set(Object.values(COMMANDS))]).map((l) => l()));
  for (const module of modules) module.register(program, run);
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[], commandEnv: CommandEnv = defaultCommandEnv()): Promise<number> {
  let code: number = ExitCode.ok;
  try {
    const program = await buildProgram(commandEnv, (c) => (code = c), argv);
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
