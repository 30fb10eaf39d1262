/**
 * The in-process test tier: runs the CLI's own `main()` inside the test process against the emulator, with no
 * `node` and no `gh` child per call. Requests still travel over HTTP to the same emulator, answers still go
 * through GhClient's parsing and error classification, and git stays the real binary; only the two process
 * starts (node for the CLI, gh for each request) are skipped. What those starts do — the bundle, the launcher,
 * gh's own flags, signals, exit codes of a dying process — stays covered by the process tier
 * (test/helpers/repo.ts `loom()`), which keeps the wiring without repeating every case.
 *
 * Not for tests that kill or signal the CLI, or that need two processes (two daemons, lock holders by pid):
 * everything here shares the test's pid.
 */
import type { Clock } from '../../src/clock.js';
import type { Faults } from '../../src/faults.js';
import { GhClient, type GhExec } from '../../src/github/gh.js';
import type { Output } from '../../src/io.js';
import { EMULATOR_TOKEN, type EmulatorHandle } from '../emulator/index.js';

/**
 * A GhExec that performs the `gh api` calls Loom makes (`api --include graphql --input -` and
 * `api --include -X METHOD PATH [--input -]`) as one HTTP request each to the emulator, and answers the way gh
 * does: `--include` output on stdout, exit code 1 and gh's `(HTTP n)` line on stderr for a 4xx/5xx.
 * Any other argument list is refused loudly: a new kind of gh call must be added here on purpose.
 */
export function emulatorExec(emulator: EmulatorHandle): GhExec {
  return async (args, input) => {
    const rest = [...args];
    if (rest.shift() !== 'api' || rest.shift() !== '--include') throw new Error(`in-process gh: unsupported ${args}`);
    let method = 'GET';
    let target: string | undefined;
    let body: string | undefined;
    while (rest.length) {
      const arg = rest.shift()!;
      if (arg === '-X') method = rest.shift()!;
      else if (arg === '--input' && rest.shift() === '-') body = input ?? '';
      else if (target === undefined && !arg.startsWith('-')) target = arg;
      else throw new Error(`in-process gh: unsupported argument ${arg} in ${args.join(' ')}`);
    }
    if (target === undefined) throw new Error(`in-process gh: no endpoint in ${args.join(' ')}`);
    if (target === 'graphql') method = 'POST';
    else if (body !== undefined && method === 'GET') method = 'POST'; // gh's rule: a body makes it a POST
    const url = `${emulator.url}/${target.replace(/^\//, '')}`;
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `token ${EMULATOR_TOKEN}`,
        accept: 'application/vnd.github+json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body,
    });
    const text = await response.text();
    const head = [`HTTP/1.1 ${response.status} ${response.statusText}`];
    for (const [name, value] of response.headers) head.push(`${name}: ${value}`);
    const stdout = `${head.join('\r\n')}\r\n\r\n${text}`;
    const failed = response.status >= 400 || (target === 'graphql' && /"errors"\s*:/.test(text));
    const stderr = response.status >= 400 ? `gh: ${response.statusText} (HTTP ${response.status})\n` : '';
    return { exitCode: failed ? 1 : 0, stdout, stderr };
  };
}

/** The GhClient of the in-process tier (see emulatorExec). */
export const emulatorGh = (emulator: EmulatorHandle): GhClient => new GhClient(emulatorExec(emulator));

/** Captured output of one in-process call. */
export interface CapturedOutput extends Output {
  readonly stdout: string[];
  readonly stderr: string[];
}

export function captureOutput(isTTY = false): CapturedOutput {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, isTTY, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

/**
 * Runs `loom <args>` in-process in `cwd` against the emulator; resolves like the process tier's `loom()`.
 * `clock` replaces the system clock (src/clock.ts) so waits and heartbeats take no real time; `faults` are the
 * injected faults (src/faults.ts) in place of `LOOM_FAULT_KILL_AT`.
 */
export async function runInProcess(
  emulator: EmulatorHandle,
  cwd: string,
  env: NodeJS.ProcessEnv,
  args: string[],
  clock?: Clock,
  faults?: Faults,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const { main } = await import('../../src/cli.js');
  const io = captureOutput();
  const exitCode = await main(args, { cwd, env, io, gh: emulatorGh(emulator), clock, faults });
  const join = (lines: string[]) => lines.join('\n');
  return { exitCode, stdout: join(io.stdout), stderr: join(io.stderr) };
}
