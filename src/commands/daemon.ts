/**
 * The daemon's lifecycle and bookkeeping commands, each small:
 * `loom start`, `loom shutdown`, `loom record`, `loom spawn`, `loom stop`,
 * `loom progress`. All state changes go through the StateStore lock; the work itself lives in src/daemon/
 * (lifecycle, spawn, record, heartbeat), each command only parses, calls and renders.
 */
import type { Command } from 'commander';
import * as z from 'zod';
import type { LoomContext, Output } from '../context.js';
import { ShepherdSlotIdSchema, SupportRoleNameSchema } from '../core/daemon-state.js';
import { type Directive, DirectiveSchema, formatDirective } from '../core/directives.js';
import { RUNNERS } from '../core/remote-slots.js';
import { PHASES, PhaseSchema } from '../core/shepherd-phase.js';
import { recordHeartbeat } from '../daemon/heartbeat.js';
import { shutdownDaemon, startDaemon } from '../daemon/lifecycle.js';
import { recordRoleEnd, recordTask } from '../daemon/record.js';
import { spawnIssue } from '../daemon/spawn.js';
import { ExitCode } from '../errors.js';
import { safeWriteFile } from '../fs/safe-file.js';
import { CleanupEntrySchema } from '../git/cleanup.js';
import { exitCodeHelp } from './exit-codes.js';
import { context, issueNumber, parseOptions, printJson, type Run } from './shared.js';
import { oneLine, readTextFile } from './text-file.js';

const daemonId = z.string().regex(/^[A-Za-z0-9._:-]{1,80}$/, 'must be the id `loom start` printed');

export const StartOptions = z.object({
  force: z.boolean().default(false),
  promote: z.boolean().default(false),
  takeOver: z.boolean().default(false),
  json: z.boolean().default(false),
  runner: z.enum(RUNNERS).optional(),
});
export type StartOptions = z.infer<typeof StartOptions>;

/** `loom start --json`: the new id, whether the last daemon crashed, what recovery and the local sweep did. */
export const StartJsonSchema = z.object({
  daemon_id: z.string(),
  crashed: z.boolean(),
  recovered: z.array(
    z.object({
      slot: z.string().nullable(),
      issue: z.number().int().positive(),
      action: z.enum(['completed', 'resume', 'released', 'kept', 'freed']),
      reason: z.string(),
    }),
  ),
  cleaned: z.array(CleanupEntrySchema),
});
export type StartJson = z.infer<typeof StartJsonSchema>;

export const ShutdownOptions = z.object({
  daemon: daemonId,
  drain: z.coerce
    .number()
    .int()
    .nonnegative()
    .max(590, 'must be at most 590 seconds (a Bash tool call ends after 600 s)')
    .optional(),
  json: z.boolean().default(false),
});
export type ShutdownOptions = z.infer<typeof ShutdownOptions>;

/** `loom shutdown --json`; `waited_seconds` in whole seconds of monotonic time. */
export const ShutdownJsonSchema = z.object({
  drained: z.boolean(),
  waited_seconds: z.number().int().nonnegative(),
  released: z.array(z.number().int().positive()),
  still_running: z.array(z.number().int().positive()),
});
export type ShutdownJson = z.infer<typeof ShutdownJsonSchema>;

export const RecordOptions = z.object({
  slot: z.union([ShepherdSlotIdSchema, SupportRoleNameSchema]),
  taskId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, . _ - only'),
  outputFile: z.string().min(1).max(1000),
});
export type RecordOptions = z.infer<typeof RecordOptions>;
/** What `loom record` recorded (it has no --json: it prints `recorded <slot>`). */
export const RecordJsonSchema = z.object({ slot: z.string(), task_id: z.string(), output_file: z.string() });
export type RecordJson = z.infer<typeof RecordJsonSchema>;

export const SpawnOptions = z.object({
  issue: issueNumber,
  daemon: daemonId.optional(),
  json: z.boolean().default(false),
});
export type SpawnOptions = z.infer<typeof SpawnOptions>;
/** `loom spawn --json`: the SPAWN directive (src/core/directives.ts). */
export const SpawnJsonSchema = DirectiveSchema;
export type SpawnJson = Directive;

export const StopOptions = z.object({});
export type StopOptions = z.infer<typeof StopOptions>;
/** What `loom stop` wrote (it has no --json): when the stop was requested, wall time. */
export const StopJsonSchema = z.object({ requested_at: z.string() });
export type StopJson = z.infer<typeof StopJsonSchema>;

export const ProgressOptions = z
  .object({
    issue: z.optional(issueNumber),
    phase: PhaseSchema.optional(),
    pr: z.optional(issueNumber),
    done: z.boolean().default(false),
    failed: z.boolean().default(false),
    role: z.optional(SupportRoleNameSchema),
    result: z.string().transform(oneLine).optional(),
  })
  .refine((o) => (o.issue === undefined) !== (o.role === undefined), 'give an issue number or --role, not both');
export type ProgressOptions = z.infer<typeof ProgressOptions>;
/**
 * What `loom progress` recorded (it has no --json: it prints `ok`): a shepherd's heartbeat, the end of a support
 * role's run, or nothing (a role reported without --done or --failed).
 */
export const ProgressJsonSchema = z.object({
  recorded: z.enum(['heartbeat', 'role-end', 'nothing']),
  issue: z.number().int().positive().nullable(),
  role: z.nullable(SupportRoleNameSchema),
});
export type ProgressJson = z.infer<typeof ProgressJsonSchema>;

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
        const options = parseOptions(StartOptions, raw);
        return renderStart(env.io, await start(await context(env), options), options);
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
        const options = parseOptions(ShutdownOptions, raw);
        return renderShutdown(env.io, await shutdown(await context(env), options), options);
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
        const options = parseOptions(RecordOptions, { ...raw, slot });
        return renderRecord(env.io, await record(await context(env), options), options);
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
        const options = parseOptions(SpawnOptions, { ...raw, issue });
        return renderSpawn(env.io, await spawn(await context(env), options), options);
      }, Boolean(raw.json)),
    );

  program
    .command('stop')
    .description('Ask the daemon to stop gracefully (creates .loom/stop-daemon)')
    .addHelpText('after', `\n${exitCodeHelp('stop')}`)
    .action(() =>
      run(async (env) => {
        const options = parseOptions(StopOptions, {});
        return renderStop(env.io, await stop(await context(env), options), options);
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
        const options = parseOptions(ProgressOptions, {
          ...raw,
          issue,
          result: raw.resultFile !== undefined ? await readTextFile(env.cwd, raw.resultFile, 'result') : raw.result,
        });
        return renderProgress(env.io, await progress(await context(env), options), options);
      }),
    );
}

const issues = (numbers: number[]) => numbers.map((n) => `#${n}`).join(' ');

/**
 * `loom start`: registers a new daemon after crash recovery and the local sweep (src/daemon/lifecycle.ts);
 * `--promote` (or the old `--force`) also sets force mode in the state file. GitHub: the recovery snapshot,
 * one workflow-runs request when Actions are in use, one request per local issue trace swept.
 * Errors: DAEMON_OWNED (exit 9) when another daemon is alive here and `--take-over` was not given.
 */
export async function start(ctx: LoomContext, options: StartOptions): Promise<StartJson> {
  const result = await startDaemon(ctx, { force: options.takeOver || options.force, runner: options.runner });
  if (options.promote || options.force) await ctx.store.update((s) => ({ ...s, force_mode: true }));
  return { daemon_id: result.daemonId, crashed: result.crashed, recovered: result.recovered, cleaned: result.cleaned };
}

/** Prints --json, or one line per recovery and clean-up action and the daemon id last; exit 0. */
export function renderStart(io: Output, result: StartJson, options: StartOptions): number {
  if (options.json) printJson(io, result);
  else {
    for (const r of result.recovered) io.out(`recovered #${r.issue}: ${r.action} (${r.reason})`);
    for (const c of result.cleaned) io.out(`${c.action} local ${c.what} ${c.name} of #${c.issue}: ${c.reason}`);
    io.out(result.daemon_id);
  }
  return ExitCode.ok;
}

/**
 * `loom shutdown`: asks shepherds to stop, waits up to `options.drain` seconds (default config shutdown_drain)
 * on the context's clock, releases claims whose shepherd never started or ended, records the stop.
 * Errors: DAEMON_OWNED (exit 9) when `options.daemon` is not the daemon of this clone.
 */
export async function shutdown(ctx: LoomContext, options: ShutdownOptions): Promise<ShutdownJson> {
  const result = await shutdownDaemon(ctx, { daemonId: options.daemon, drainSeconds: options.drain });
  return {
    drained: result.drained,
    waited_seconds: result.waitedSeconds,
    released: result.released,
    still_running: result.stillRunning,
  };
}

/** Prints --json, or one `stopped: …` line naming what still runs and what was released; exit 0. */
export function renderShutdown(io: Output, result: ShutdownJson, options: ShutdownOptions): number {
  if (options.json) printJson(io, result);
  else
    io.out(
      `stopped: ${result.drained ? 'all shepherds reached a safe point' : `still running past the drain: ${issues(result.still_running)}`}` +
        (result.released.length ? `; released ${issues(result.released)}` : ''),
    );
  return ExitCode.ok;
}

/**
 * `loom record <slot>`: the task id and output file of the background task started for a SPAWN line, into the
 * state file (src/daemon/record.ts). Errors: USAGE (exit 2) when the slot has nothing to record.
 */
export async function record(ctx: LoomContext, options: RecordOptions): Promise<RecordJson> {
  await recordTask(ctx, options.slot, { taskId: options.taskId, outputFile: options.outputFile });
  return { slot: options.slot, task_id: options.taskId, output_file: options.outputFile };
}

/** Prints `recorded <slot>`; exit 0. */
export function renderRecord(io: Output, result: RecordJson, _options: RecordOptions): number {
  io.out(`recorded ${result.slot}`);
  return ExitCode.ok;
}

/**
 * `loom spawn N`: claims the issue into a free local slot now (src/daemon/spawn.ts) and returns its directive.
 * GitHub: the claim (read, edit, re-read). Errors: DAEMON_OWNED (9), CLAIM_CONFLICT (12), USAGE (2, no free slot).
 */
export async function spawn(ctx: LoomContext, options: SpawnOptions): Promise<SpawnJson> {
  return spawnIssue(ctx, options.issue, options.daemon);
}

/** Prints the SPAWN line (or the directive as JSON); exit 0. */
export function renderSpawn(io: Output, result: SpawnJson, options: SpawnOptions): number {
  if (options.json) printJson(io, result);
  else io.out(formatDirective(result));
  return ExitCode.ok;
}

/** `loom stop`: writes .loom/stop-daemon (the daemon answers at its next poll). No GitHub request. */
export async function stop(ctx: LoomContext, _options: StopOptions): Promise<StopJson> {
  const requestedAt = ctx.now().toISOString();
  safeWriteFile(ctx.root, ctx.paths.stopDaemon, `requested at ${requestedAt}\n`);
  return { requested_at: requestedAt };
}

/** Prints what happens next; exit 0. */
export function renderStop(io: Output, _result: StopJson, _options: StopOptions): number {
  io.out('stop requested: the daemon answers SHUTDOWN_SIGNAL at its next poll and drains its shepherds');
  return ExitCode.ok;
}

/**
 * `loom progress`: a shepherd's heartbeat for `options.issue` (phase, PR, end; src/daemon/heartbeat.ts, which
 * may edit the claim comment on GitHub at most once per heartbeat_interval), or the end of a support role's run.
 */
export async function progress(ctx: LoomContext, options: ProgressOptions): Promise<ProgressJson> {
  const outcome = options.done ? 'done' : options.failed ? 'failed' : undefined;
  if (options.issue !== undefined) {
    await recordHeartbeat(ctx, options.issue, { phase: options.phase, pr: options.pr, completed: outcome });
    return { recorded: 'heartbeat', issue: options.issue, role: null };
  }
  if (options.role && outcome) {
    await recordRoleEnd(ctx, options.role, { outcome, result: options.result });
    return { recorded: 'role-end', issue: null, role: options.role };
  }
  return { recorded: 'nothing', issue: null, role: options.role ?? null };
}

/** Prints `ok`; exit 0. */
export function renderProgress(io: Output, _result: ProgressJson, _options: ProgressOptions): number {
  io.out('ok');
  return ExitCode.ok;
}
