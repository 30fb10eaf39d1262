/**
 * The daemon's lifecycle and bookkeeping commands, each small:
 * `loom start`, `loom shutdown`, `loom record`, `loom spawn`, `loom stop`,
 * `loom progress`. All state changes go through the StateStore lock.
 */
import type { Command } from 'commander';
import * as z from 'zod';
import { ShepherdSlotIdSchema, SupportRoleNameSchema } from '../core/daemon-state.js';
import { formatDirective } from '../core/directives.js';
import { RUNNERS } from '../core/remote-slots.js';
import { PHASES, PhaseSchema } from '../core/shepherd-phase.js';
import { recordHeartbeat } from '../daemon/heartbeat.js';
import { shutdownDaemon, startDaemon } from '../daemon/lifecycle.js';
import { recordTask } from '../daemon/record.js';
import { spawnIssue } from '../daemon/spawn.js';
import { safeWriteFile } from '../fs/safe-file.js';
import { exitCodeHelp } from './exit-codes.js';
import { context, issueNumber, parseOptions, printJson, type Run } from './shared.js';
import { oneLine, readTextFile } from './text-file.js';

const daemonId = z.string().regex(/^[A-Za-z0-9._:-]{1,80}$/, 'must be the id `loom start` printed');

export function register(program: Command, run: Run): void {
  program
    .command('start')
    .description('Register a new daemon (one /loom session), after crash recovery; prints its id')
    .option(
      '--promote',
      'force mode: the Champion may promote architect and hermit proposals (what /loom --force means)',
    )
    .option('--take-over', 'take over even if another daemon polled recently (only when you know it is dead)')
    .option('--force', 'old form: --take-over plus --promote')
    .option('--json', 'print {daemon_id, crashed, recovered[], cleaned[]}')
    .option('--runner <runner>', 'local | actions | mixed: the runner choice to recover for (default: config runner)')
    .addHelpText(
      'after',
      `\nPrints the daemon id on the last line.\nAfter a crash: merged PR → completed; open PR → resumed from judge; loom:building without PR or fresh heartbeat → released with one comment.\nWith Actions in use (config runner or --runner actions|mixed; DESIGN.md §4.9) one workflow-runs request: a remote slot whose run is still queued or in progress is kept, and a Loom run no slot records (a scheduled daemon starts with no state file) gets its slot back while its issue is still claimed.\nThen local .loom/worktrees/issue-N and feature/issue-N of merged or closed work are removed (one GitHub request per issue with such a trace, at most 50), never one with uncommitted changes, unpushed commits or a live shepherd: those are listed as kept.\n${exitCodeHelp('start')}`,
    )
    .action((raw) =>
      run(async (env) => {
        const options = parseOptions(
          z.object({
            force: z.boolean().default(false),
            promote: z.boolean().default(false),
            takeOver: z.boolean().default(false),
            json: z.boolean().default(false),
            runner: z.enum(RUNNERS).optional(),
          }),
          raw,
        );
        const ctx = await context(env);
        const result = await startDaemon(ctx, { force: options.takeOver || options.force, runner: options.runner });
        if (options.promote || options.force) await ctx.store.update((s) => ({ ...s, force_mode: true }));
        if (options.json)
          return printJson(env.io, {
            daemon_id: result.daemonId,
            crashed: result.crashed,
            recovered: result.recovered,
            cleaned: result.cleaned,
          });
        for (const r of result.recovered) env.io.out(`recovered #${r.issue}: ${r.action} (${r.reason})`);
        for (const c of result.cleaned) env.io.out(`${c.action} local ${c.what} ${c.name} of #${c.issue}: ${c.reason}`);
        env.io.out(result.daemonId);
      }, Boolean(raw.json)),
    );

  program
    .command('shutdown')
    .description('Graceful stop: ask shepherds to reach a safe point, wait up to the drain time, record the stop')
    .requiredOption('--daemon <id>', 'the daemon id from `loom start`')
    .option('--drain <seconds>', 'seconds to wait for shepherds (default shutdown_drain, 300)')
    .option('--json', 'print {drained, waited_seconds, released[], still_running[]}')
    .addHelpText(
      'after',
      `\nRun it with a Bash timeout above the drain time. Removes .loom/stop-daemon and .loom/stop-shepherds at the end.\n${exitCodeHelp('shutdown')}`,
    )
    .action((raw) =>
      run(async (env) => {
        const options = parseOptions(
          z.object({
            daemon: daemonId,
            drain: z.coerce
              .number()
              .int()
              .nonnegative()
              .max(590, 'must be at most 590 seconds (a Bash tool call ends after 600 s)')
              .optional(),
            json: z.boolean().default(false),
          }),
          raw,
        );
        const ctx = await context(env);
        const result = await shutdownDaemon(ctx, { daemonId: options.daemon, drainSeconds: options.drain });
        if (options.json)
          return printJson(env.io, {
            drained: result.drained,
            waited_seconds: result.waitedSeconds,
            released: result.released,
            still_running: result.stillRunning,
          });
        env.io.out(
          `stopped: ${result.drained ? 'all shepherds reached a safe point' : `still running past the drain: ${result.stillRunning.map((n) => `#${n}`).join(' ')}`}` +
            (result.released.length ? `; released ${result.released.map((n) => `#${n}`).join(' ')}` : ''),
        );
      }, Boolean(raw.json)),
    );

  program
    .command('record <slot>')
    .description('Record the background task started for a slot (shepherd-N or a support role)')
    .requiredOption('--task-id <id>', 'the agentId from the Agent launch result')
    .requiredOption('--output-file <path>', 'the output_file from the Agent launch result')
    .addHelpText(
      'after',
      `\nExample: .loom/scripts/loom record shepherd-1 --task-id a1b2c3 --output-file …/tasks/a1b2c3.output\n${exitCodeHelp('record')}`,
    )
    .action((slot, raw) =>
      run(async (env) => {
        const options = parseOptions(
          z.object({
            slot: z.union([ShepherdSlotIdSchema, SupportRoleNameSchema]),
            taskId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, . _ - only'),
            outputFile: z.string().min(1).max(1000),
          }),
          { ...raw, slot },
        );
        const ctx = await context(env);
        await recordTask(ctx, options.slot, { taskId: options.taskId, outputFile: options.outputFile });
        env.io.out(`recorded ${options.slot}`);
      }),
    );

  program
    .command('spawn <issue>')
    .description('Claim one issue now (ahead of the queue) and print its SPAWN directive')
    .option('--daemon <id>', 'the id of the daemon running in this clone (required while one runs)')
    .option('--json', 'print the directive as JSON')
    .addHelpText('after', `\n${exitCodeHelp('spawn')}`)
    .action((issue, raw) =>
      run(async (env) => {
        const options = parseOptions(
          z.object({ issue: issueNumber, daemon: daemonId.optional(), json: z.boolean().default(false) }),
          { ...raw, issue },
        );
        const directive = await spawnIssue(await context(env), options.issue, options.daemon);
        if (options.json) printJson(env.io, directive);
        else env.io.out(formatDirective(directive));
      }, Boolean(raw.json)),
    );

  program
    .command('stop')
    .description('Ask the daemon to stop gracefully (creates .loom/stop-daemon)')
    .addHelpText('after', `\n${exitCodeHelp('stop')}`)
    .action(() =>
      run(async (env) => {
        const ctx = await context(env);
        safeWriteFile(ctx.root, ctx.paths.stopDaemon, `requested at ${ctx.now().toISOString()}\n`);
        env.io.out('stop requested: the daemon answers SHUTDOWN_SIGNAL at its next poll and drains its shepherds');
      }),
    );

  program
    .command('progress [issue]')
    .description("Report a heartbeat (and phase) for an issue's shepherd, or the end of a support role's run")
    .option('--phase <phase>', `current phase: ${PHASES.join(', ')}`)
    .option('--pr <number>', 'the pull request opened for the issue')
    .option('--done', 'the work ended successfully')
    .option('--failed', 'the work ended without success (the claim was released)')
    .option(
      '--role <role>',
      'report for a support role instead of an issue (architect, hermit, guide, champion, doctor)',
    )
    .option('--result <text>', 'one-line result for a support role (longer than 300 characters: cut)')
    .option('--result-file <path>', 'the result, from a file the role wrote: its first line (prompts use this form)')
    .addHelpText(
      'after',
      `\n${exitCodeHelp('progress')}\nExamples:\n  .loom/scripts/loom progress 123 --phase builder\n  .loom/scripts/loom progress 123 --phase merge --pr 130 --done\n  .loom/scripts/loom progress --role champion --done --result "merged 2 PRs"`,
    )
    .action((issue, raw) =>
      run(async (env) => {
        const options = parseOptions(
          z
            .object({
              issue: z.optional(issueNumber),
              phase: PhaseSchema.optional(),
              pr: z.optional(issueNumber),
              done: z.boolean().default(false),
              failed: z.boolean().default(false),
              role: z.optional(SupportRoleNameSchema),
              result: z.string().transform(oneLine).optional(),
            })
            .refine(
              (o) => (o.issue === undefined) !== (o.role === undefined),
              'give an issue number or --role, not both',
            ),
          {
            ...raw,
            issue,
            result: raw.resultFile !== undefined ? await readTextFile(env.cwd, raw.resultFile, 'result') : raw.result,
          },
        );
        const ctx = await context(env);
        if (options.issue !== undefined) {
          await recordHeartbeat(ctx, options.issue, {
            phase: options.phase,
            pr: options.pr,
            completed: options.done ? 'done' : options.failed ? 'failed' : undefined,
          });
        } else if (options.role && (options.done || options.failed)) {
          const role = options.role;
          const nowIso = ctx.now().toISOString();
          await ctx.store.update((state) => {
            Object.assign(state.support_roles[role], {
              status: 'idle',
              last_completed: nowIso,
              last_result: options.result ?? (options.done ? 'done' : 'failed'),
            });
            return state;
          });
        }
        env.io.out('ok');
      }),
    );
}
