/**
 * `loom run [--force] [--print-unit systemd|launchd]`: the daemon as a
 * foreground process, with headless Claude Code workers (src/daemon/runner.ts).
 */
import path from 'node:path';
import type { Command } from 'commander';
import * as z from 'zod';
import type { LoomContext, Output } from '../context.js';
import { launchdPlist, systemdUnit } from '../core/units.js';
import { runDaemon } from '../daemon/runner.js';
import { ExitCode } from '../errors.js';
import { exitCodeHelp } from './exit-codes.js';
import { context, parseOptions, type Run } from './shared.js';

export const RunOptions = z.object({
  force: z.boolean().default(false),
  printUnit: z.enum(['systemd', 'launchd']).optional(),
});
export type RunOptions = z.infer<typeof RunOptions>;

/**
 * What `loom run` did (it has no --json): printed a service unit, or ran the daemon until it stopped
 * (its id, iterations and workers started, and what the final drain left running).
 */
export const RunResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('unit'), unit: z.enum(['systemd', 'launchd']), text: z.string() }),
  z.object({
    kind: z.literal('daemon'),
    daemon_id: z.string(),
    iterations: z.number().int().nonnegative(),
    workers_started: z.number().int().nonnegative(),
    drained: z.boolean(),
    still_running: z.array(z.number().int().positive()),
  }),
]);
export type RunResult = z.infer<typeof RunResultSchema>;

export function register(program: Command, run: Run): void {
  program
    .command('run')
    .description('Run the daemon in the foreground with headless Claude Code workers (tmux, systemd, launchd, CI)')
    .option('--force', 'take over even if another daemon polled recently; also sets force mode')
    .option('--print-unit <kind>', 'print a systemd unit or a launchd plist for this repository, and exit')
    .addHelpText(
      'after',
      `
Same planner as /loom: \`loom start\` (crash recovery), an iteration every poll_interval, and on
.loom/stop-daemon, SIGINT or SIGTERM the same drain as \`loom shutdown\` (a second signal stops the workers
at once). Each SPAWN runs as: claude -p "/<skill> <args>" --output-format stream-json --verbose [--model M]
in the repository root with stdin closed, logged to .loom/logs/<slot>-<issue or role>-<UTC time>.jsonl.
Claude Code binary: env LOOM_CLAUDE, else config claude.command, else \`claude\` on PATH.
Usage limits pause new workers and claims until the reset; a refused issue keeps its claim and resumes.
${exitCodeHelp('run')}
Examples:
  tmux new -d -s loom '.loom/scripts/loom run'
  .loom/scripts/loom run --print-unit systemd > ~/.config/systemd/user/loom-myproject.service`,
    )
    .action((raw) =>
      run(async (env) => {
        const options = parseOptions(RunOptions, raw);
        return renderLoomRun(env.io, await loomRun(await context(env), options), options);
      }),
    );
}

/**
 * `loom run`: with `printUnit`, the systemd unit or launchd plist that runs this repository's daemon (no
 * GitHub request); else the daemon in the foreground (src/daemon/runner.ts) until .loom/stop-daemon, SIGINT or
 * SIGTERM and its drain. The daemon's log is the product of a foreground process, so it streams through
 * `ctx.io` while it runs (one time-stamped line per event); the returned result only sums it up.
 * Errors: USAGE (exit 2) when the Claude Code binary cannot be found; DAEMON_OWNED (exit 9) as `loom start`.
 */
export async function loomRun(ctx: LoomContext, options: RunOptions): Promise<RunResult> {
  if (options.printUnit) {
    const config = await ctx.config();
    const input = {
      root: ctx.root,
      node: process.execPath,
      script: path.join(ctx.paths.scripts, 'loom'),
      path: ctx.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      drainSeconds: config.shutdown_drain,
      name: path.basename(ctx.root).replace(/[^A-Za-z0-9_-]/g, '-') || 'repo',
    };
    const text = options.printUnit === 'systemd' ? systemdUnit(input) : launchdPlist(input);
    return { kind: 'unit', unit: options.printUnit, text };
  }
  const outcome = await runDaemon(ctx, { force: options.force });
  return {
    kind: 'daemon',
    daemon_id: outcome.daemonId,
    iterations: outcome.iterations,
    workers_started: outcome.workersStarted,
    drained: outcome.shutdown.drained,
    still_running: outcome.shutdown.stillRunning,
  };
}

/** Prints the unit (the daemon's own lines were printed as it ran); exit 0. */
export function renderLoomRun(io: Output, result: RunResult, _options: RunOptions): number {
  if (result.kind === 'unit') io.out(result.text.trimEnd());
  return ExitCode.ok;
}
