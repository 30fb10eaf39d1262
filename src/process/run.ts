/**
 * Runs a program from an argument array (never through a shell) and collects
 * its output: how Loom starts git and gh. Built on node:child_process instead
 * of execa because nearly every call of `loom` starts one of these, and loading
 * execa (about 140 KB with its dependencies) cost more CPU than the call itself.
 */
import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  /** The child's whole environment; default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed (closed at once without it). */
  input?: string;
  /** Milliseconds until the child is killed (SIGTERM) and `timedOut` set; none when omitted. */
  timeoutMs?: number;
  /** Aborting it kills the child (SIGTERM); the call then rejects with node's AbortError. */
  signal?: AbortSignal;
}

export interface RunResult {
  /** The exit code; 1 when a signal ended the child (see `signal`). */
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The signal that ended the child, if one did. */
  signal: NodeJS.Signals | null;
}

/**
 * Resolves when the program has exited, whatever its exit code. Rejects only
 * when it cannot be started: the error's `code` is ENOENT (not found),
 * EACCES, … as node reports it.
 */
export function runProcess(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], {
      cwd: options.cwd,
      env: options.env,
      windowsHide: true,
      signal: options.signal,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGTERM');
          }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        exitCode: code ?? 1,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut,
        signal,
      });
    });
    // A program that exits without reading its input must not fail the call (EPIPE).
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
  });
}
