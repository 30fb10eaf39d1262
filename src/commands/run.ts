/**
 * `loom run [--force] [--print-unit systemd|launchd]`: the daemon as a
 * foreground process, with headless Claude Code workers (src/daemon/runner.ts).
 */
import path from 'node:path';
import type { Command } from 'commander';
import * as z from 'zod';
import { launchdPlist, systemdUnit } from '../core/units.js';
import { runDaemon } from '../daemon/runner.js';
import { exitCodeHelp } from './exit-codes.js';
import { context, parseOptions, type Run } from './shared.js';

const Options = z.object({
  force: z.boolean().default(false),
  printUnit: z.enum(['systemd', 'launchd']).optional(),
});

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
        const options = parseOptions(Options, raw);
        const ctx = await context(env);
        if (options.printUnit) {
          const config = await ctx.config();
          const input = {
            root: ctx.root,
            node: process.execPath,
            script: path.join(ctx.paths.scripts, 'loom'),
            path: env.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
            drainSeconds: config.shutdown_drain,
            name: path.basename(ctx.root).replace(/[^A-Za-z0-9_-]/g, '-') || 'repo',
          };
          env.io.out((options.printUnit === 'systemd' ? systemdUnit(input) : launchdPlist(input)).trimEnd());
          return 0;
        }
        await runDaemon(ctx, { force: options.force });
        return 0;
      }),
    );
}
