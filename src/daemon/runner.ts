/**
 * `loom run`: the daemon without an interactive session. The same code as
 * `/loom` — `startDaemon` (crash recovery, one owner per clone), then
 * `runIteration` every poll interval, `shutdownDaemon` on the stop file — with
 * each `SPAWN` started as a headless Claude Code child (src/daemon/worker.ts)
 * instead of a background subagent. Completion, failure, stuck handling, usage
 * limits and cost are read from each worker's log by the iteration, exactly as
 * `/loom` reads a subagent's output file; this module only starts, records and
 * stops processes.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoomContext } from '../context.js';
import type { Config } from '../core/config.js';
import type { DaemonState } from '../core/daemon-state.js';
import type { Directive } from '../core/directives.js';
import { LOOM_EXIT_TYPE } from '../core/worker-output.js';
import { readEnv } from '../env.js';
import { isTransient, LoomError } from '../errors.js';
import { waitForStopFile } from '../state/stop-file.js';
import { type IterationResult, runIteration, transientFailureResult } from './iteration.js';
import { type ShutdownResult, shutdownDaemon, startDaemon } from './lifecycle.js';
import { recordTask } from './record.js';
import { processAlive, removeRunLock, writeRunLock } from './run-lock.js';
import { startWorker, type Worker } from './worker.js';
import { newLogPath, rotateLogs } from './worker-log.js';

export interface RunOptions {
  force?: boolean;
  /** Called with each line `loom run` prints (default: ctx.io.out). */
  log?: (line: string) => void;
}

export interface RunOutcome {
  daemonId: string;
  iterations: number;
  workersStarted: number;
  shutdown: ShutdownResult;
}

/** The Claude Code binary: env `LOOM_CLAUDE`, else config `claude.command`, else `claude` on PATH. */
export function claudeCommand(env: NodeJS.ProcessEnv, config: Config): string {
  return readEnv('LOOM_CLAUDE', env) ?? config.claude.command ?? 'claude';
}

interface Running {
  worker: Worker;
  slot: string;
}

/** Finds `command` the way a spawn would (a path, or a name on PATH); throws a clear error when it is missing. */
export function assertRunnable(command: string, env: NodeJS.ProcessEnv): void {
  const candidates = command.includes('/')
    ? [command]
    : (env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, command));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return;
    } catch {
      // next
    }
  }
  throw new LoomError('USAGE', `The Claude Code binary \`${command}\` was not found or is not executable.`, {
    hint: 'Install Claude Code so `claude` is on PATH, or set `claude.command` in .loom/config.json or LOOM_CLAUDE to its path.',
  });
}

/** A worker's task id names its process (`run-<worker pid>-<serial>`), so a restarted `loom run` can tell whether it still runs. */
const taskIdOf = (pid: number, serial: number) => `run-${pid}-${serial}`;
const pidOfTask = (taskId: string | null) => {
  const m = /^run-(\d+)-\d+$/.exec(taskId ?? '');
  return m ? Number(m[1]) : undefined;
};

export async function runDaemon(ctx: LoomContext, options: RunOptions = {}): Promise<RunOutcome> {
  const config = await ctx.config();
  const say = options.log ?? ((line: string) => ctx.io.out(line));
  const stamp = () =>
    ctx
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  const command = claudeCommand(ctx.env, config);
  assertRunnable(command, ctx.env);

  const started = await startDaemon(ctx, { force: options.force });
  const daemonId = started.daemonId;
  await writeRunLock(ctx.paths, { pid: process.pid, daemon_id: daemonId });
  if (options.force) await ctx.store.update((s) => ({ ...s, force_mode: true }));
  say(`${stamp()} loom run: daemon ${daemonId} (pid ${process.pid}), workers: ${command}`);
  for (const r of started.recovered) say(`${stamp()} recovered #${r.issue}: ${r.action} (${r.reason})`);
  await markLostWorkers(ctx);

  const workers = new Map<string, Running>(); // task id → process
  let serial = 0;
  let wake: (() => void) | null = null;
  const nudge = () => wake?.();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      say(`${stamp()} ${signal}: stopping after the drain (again to stop the workers at once)`);
      void writeFile(ctx.paths.stopDaemon, `${signal} to loom run at ${ctx.now().toISOString()}\n`).then(nudge);
    } else {
      say(`${stamp()} ${signal} again: stopping the workers now`);
      for (const { worker } of workers.values()) worker.kill(2_000);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let iterations = 0;
  let lastSummary = '';
  try {
    for (;;) {
      iterations += 1;
      const result = await iterateOnce(ctx, daemonId);
      if (result.summary !== lastSummary || result.directives.length) say(`${stamp()} ${result.summary}`);
      lastSummary = result.summary;
      if (result.error) say(`${stamp()} ${result.error.code}: ${result.error.message}`);
      if (result.shutdown) break;

      const state = await ctx.store.read();
      stopReplaced(state, workers, say, stamp);
      for (const directive of result.directives) {
        serial += 1;
        const worker = await launch(ctx, config, command, directive, serial, workers);
        if (!worker) continue;
        say(
          `${stamp()} started ${directive.slot} /${directive.skill} ${directive.args} (pid ${worker.pid}) → ${worker.logFile}`,
        );
        void worker.exited.then((exit) => {
          say(
            `${stamp()} ended ${directive.slot}${directive.issue ? ` #${directive.issue}` : ''}: ${exit.signal ?? `exit ${exit.code}`}`,
          );
          nudge(); // the next iteration reads its end at once
        });
      }
      // The poll sleep, on the context's clock: cut short by the stop file or a worker's exit (`nudge`).
      const woken = new AbortController();
      wake = () => woken.abort();
      await waitForStopFile(ctx.clock, ctx.paths.stopDaemon, config.poll_interval * 1000, { signal: woken.signal });
      wake = null;
    }
    const shutdown = await shutdownDaemon(ctx, { daemonId });
    // Past the drain: the workers still running are stopped; the next start decides (resume or release).
    const left = [...workers.values()].map((r) => r.worker).filter((w) => !w.done);
    for (const w of left) w.kill();
    await Promise.all(left.map((w) => w.exited));
    say(
      `${stamp()} stopped: ${shutdown.drained ? 'all shepherds reached a safe point' : `still working past the drain: ${shutdown.stillRunning.map((n) => `#${n}`).join(' ')}`}`,
    );
    return { daemonId, iterations, workersStarted: serial, shutdown };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await removeRunLock(ctx.paths, daemonId);
  }
}

async function iterateOnce(ctx: LoomContext, daemonId: string): Promise<IterationResult> {
  try {
    return await runIteration(ctx, { daemonId });
  } catch (error) {
    // A transient failure is waited out: recorded in state and retried at the next poll.
    if (!isTransient(error)) throw error;
    return transientFailureResult(ctx, error);
  }
}

/** Starts the worker of one directive and records it; a binary that cannot start is reported, not thrown. */
async function launch(
  ctx: LoomContext,
  config: Config,
  command: string,
  directive: Directive,
  serial: number,
  workers: Map<string, Running>,
): Promise<Worker | null> {
  const logFile = await newLogPath(ctx.paths.logs, directive.slot, directive.issue ?? directive.skill, ctx.now());
  let worker: Worker;
  try {
    worker = await startWorker({
      command,
      skill: directive.skill,
      args: directive.args,
      model: directive.model ?? undefined,
      cwd: ctx.root,
      env: ctx.env,
      logFile,
    });
  } catch (error) {
    // It could not start (the binary vanished, too many processes): the log says so and the task counts as failed.
    await appendFile(
      logFile,
      `${JSON.stringify({ type: LOOM_EXIT_TYPE, code: null, signal: null, error: (error as Error).message })}\n`,
    );
    await recordTask(ctx, directive.slot, { taskId: taskIdOf(0, serial), outputFile: logFile });
    return null;
  }
  const taskId = taskIdOf(worker.pid, serial);
  workers.set(taskId, { worker, slot: directive.slot });
  void worker.exited.then(() => workers.delete(taskId));
  await recordTask(ctx, directive.slot, { taskId, outputFile: logFile });
  const inUse = new Set([...workers.values()].map((r) => r.worker.logFile));
  await rotateLogs(ctx.paths.logs, directive.slot, config.logs.keep, inUse);
  return worker;
}

/**
 * A worker whose slot moved on without it — restarted after being stuck or
 * failed (the slot records another task, or none yet), or moved to
 * loom:blocked — is stopped. One that finished its work and is only writing
 * its last lines is left to exit on its own (its result line carries the cost).
 */
function stopReplaced(
  state: DaemonState,
  workers: Map<string, Running>,
  say: (line: string) => void,
  stamp: () => string,
): void {
  for (const [taskId, { worker, slot }] of workers) {
    if (worker.done || !slot.startsWith('shepherd-')) continue;
    const now = state.shepherds[slot];
    const restarted = now?.status === 'working' && now.task_id !== taskId;
    const blocked = now?.status === 'idle' && (now.idle_reason ?? '').startsWith('blocked');
    if (!restarted && !blocked) continue;
    say(`${stamp()} stopping worker ${taskId} (pid ${worker.pid}) of ${slot}: ${restarted ? 'restarted' : 'blocked'}`);
    worker.kill();
  }
}

/**
 * Workers of an earlier `loom run` of this clone that are gone (that process was
 * killed) never got their exit line: add it, so the next iteration treats them
 * as failed (restart with --resume, then loom:blocked) instead of waiting for
 * the stuck threshold. A worker still alive keeps running and is read as usual.
 */
async function markLostWorkers(ctx: LoomContext): Promise<void> {
  const state = await ctx.store.read();
  const tasks = [
    ...Object.values(state.shepherds).filter((s) => s.status === 'working'),
    ...Object.values(state.support_roles).filter((r) => r.status === 'running'),
  ];
  for (const task of tasks) {
    const pid = pidOfTask(task.task_id);
    if (!pid || !task.output_file || processAlive(pid)) continue;
    if (!existsSync(task.output_file)) continue;
    await appendFile(
      task.output_file,
      `\n${JSON.stringify({ type: LOOM_EXIT_TYPE, code: null, signal: 'lost', time: ctx.now().toISOString() })}\n`,
    );
  }
}
