/**
 * One `loom run` worker: a headless Claude Code child,
 * `claude -p "/<skill> <args>" --output-format stream-json --verbose [--model M]`,
 * cwd the main checkout, stdin closed, its stdout and stderr written straight
 * into its log file (the parent copies no bytes). Never with
 * `--dangerously-skip-permissions`: permissions come from the project's
 * `.claude/settings.json` and its hooks. When the process exits, a
 * `{"type":"loom_exit",…}` line is appended, so a reader can tell a crash (no
 * result line) from a finished run.
 *
 * The child gets its own process group (`detached`): a Ctrl-C in the terminal
 * reaches `loom run` only, which then drains the workers instead of losing them.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { systemClock } from '../clock.js';
import { LOOM_EXIT_TYPE } from '../core/worker-output.js';

export interface WorkerSpec {
  /** The Claude Code binary (a path or a name on PATH). */
  command: string;
  skill: string;
  args: string;
  model?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** The wall clock of the exit line's `time` (the runner's context clock; default the system's). */
  now?: () => Date;
}

export interface WorkerExit {
  code: number | null;
  signal: string | null;
}

export interface Worker {
  pid: number;
  logFile: string;
  exited: Promise<WorkerExit>;
  /** True once the process exited. */
  readonly done: boolean;
  /** SIGTERM to the worker's process group, SIGKILL after `graceMs` if it is still there. */
  kill(graceMs?: number): void;
}

/** The argument list of a worker (also shown by `loom run --dry-run`-like diagnostics and tests). */
export function workerArgs(spec: Pick<WorkerSpec, 'skill' | 'args' | 'model'>): string[] {
  const prompt = `/${spec.skill}${spec.args ? ` ${spec.args}` : ''}`;
  return ['-p', prompt, '--output-format', 'stream-json', '--verbose', ...(spec.model ? ['--model', spec.model] : [])];
}

export function startWorker(spec: WorkerSpec): Promise<Worker> {
  const fd = openSync(spec.logFile, 'a');
  return new Promise((resolve, reject) => {
    const child = spawn(spec.command, workerArgs(spec), {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    let done = false;
    const exited = new Promise<WorkerExit>((settle) => {
      child.once('exit', (code, signal) => {
        done = true;
        try {
          appendFileSync(
            spec.logFile,
            `\n${JSON.stringify({ type: LOOM_EXIT_TYPE, code, signal, time: (spec.now ?? systemClock.now)().toISOString() })}\n`,
          );
        } catch {
          // The log folder went away: the exit still settles the worker.
        }
        settle({ code, signal });
      });
    });
    child.once('error', (error) => {
      closeSync(fd);
      reject(error);
    });
    child.once('spawn', () => {
      closeSync(fd); // the child holds its own copy
      const signalGroup = (signal: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // already gone
        }
      };
      resolve({
        pid: child.pid!,
        logFile: spec.logFile,
        exited,
        get done() {
          return done;
        },
        kill(graceMs = 10_000) {
          if (done) return;
          signalGroup('SIGTERM');
          const timer = setTimeout(() => {
            if (!done) signalGroup('SIGKILL');
          }, graceMs);
          timer.unref();
          void exited.then(() => clearTimeout(timer));
        },
      });
    });
  });
}
