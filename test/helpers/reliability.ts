/**
 * Helpers shared by the reliability tests (test/reliability-*.test.ts): a
 * runner that also reports the signal a process died of and keeps everything
 * it printed, invariant checks on a clone, and the secret scan.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import { type DaemonState, DaemonStateSchema } from '../../src/core/daemon-state.js';
import { EMULATOR_TOKEN, type EmulatorHandle } from '../emulator/index.js';
import type { TestRepo } from './repo.js';

export interface RunResult {
  exitCode: number;
  signal: string | undefined;
  stdout: string;
  stderr: string;
}

/** Everything any `loom` process printed in this test file (scanned for secrets at the end). */
export const printed: string[] = [];

/**
 * Runs the repository's `loom`, recording its output; never throws. In a repository made with
 * `inProcess: true` the CLI runs inside the test process (test/helpers/in-process.ts): a case of logic, not of
 * process wiring. `LOOM_FAULT_KILL_AT` is refused there (a kill point would kill the test runner): use
 * `runProcess`, or give the repository its own faults (`inProcess: { faults }`, src/faults.ts).
 */
export async function run(
  repo: TestRepo,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
): Promise<RunResult> {
  if (!repo.inProcess) return runProcess(repo, args, env, timeoutMs);
  const faults = env.LOOM_FAULT_KILL_AT ?? repo.env.LOOM_FAULT_KILL_AT;
  if (faults) throw new Error(`run(): LOOM_FAULT_KILL_AT=${faults} needs a process of its own; use runProcess()`);
  const result = await repo.loom(args, { env, timeoutMs });
  printed.push(result.stdout, result.stderr);
  return { ...result, signal: undefined };
}

/** Runs the repository's installed `loom` as a child process (signals, kill points, exit codes of a real process). */
export async function runProcess(
  repo: TestRepo,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
): Promise<RunResult> {
  const result = await execa('node', [path.join(repo.dir, '.loom/scripts/loom'), ...args], {
    cwd: repo.dir,
    env: { ...repo.env, ...env },
    extendEnv: false,
    reject: false,
    timeout: timeoutMs,
  });
  const out = {
    exitCode: result.exitCode ?? -1,
    signal: result.signal ?? undefined,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
  };
  printed.push(out.stdout, out.stderr);
  return out;
}

export { big, hostileStrings } from './hostile.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` is true (or throws after `ms`). */
export async function until(check: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

export const stateFile = (repo: TestRepo) => path.join(repo.dir, '.loom/daemon-state.json');

/** The state file parsed with the real schema, or null when there is none. Throws when it is invalid. */
export function readState(repo: TestRepo): DaemonState | null {
  const file = stateFile(repo);
  if (!existsSync(file)) return null;
  return DaemonStateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Issue numbers with a local claim lock in this clone. */
export function claimLocks(repo: TestRepo): number[] {
  const dir = path.join(repo.dir, '.loom/claims');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^issue-(\d+)\.json$/.exec(f)?.[1])
    .filter((n): n is string => !!n)
    .map(Number)
    .sort((a, b) => a - b);
}

export function issueOf(emulator: EmulatorHandle, n: number) {
  return emulator.store.issue(n);
}

/** Comment bodies of an issue, by kind. Loom's claim comments carry `<!-- loom:claim …-->`. */
export function commentsOf(emulator: EmulatorHandle, n: number): { claims: string[]; others: string[] } {
  const bodies = emulator.store.issue(n).comments.map((c) => c.body);
  return {
    claims: bodies.filter((b) => b.includes('<!-- loom:claim')),
    others: bodies.filter((b) => !b.includes('<!-- loom:claim')),
  };
}

/**
 * DESIGN.md §4.6: no `loom:building` issue is left with nobody working on it —
 * each has a busy shepherd slot in the state file or a local claim lock.
 * `worked`: issues someone outside this clone works on (e.g. seeded with a PR).
 */
export function expectNoOrphanBuilding(emulator: EmulatorHandle, repo: TestRepo, worked: number[] = []): void {
  const state = readState(repo);
  const held = new Set(
    Object.values(state?.shepherds ?? {})
      .filter((s) => (s.status === 'working' || s.status === 'paused') && s.issue)
      .map((s) => s.issue),
  );
  const locks = new Set(claimLocks(repo));
  for (const issue of emulator.state().issues ?? []) {
    if (issue.state === 'OPEN' && issue.labels?.includes('loom:building') && !worked.includes(issue.number!)) {
      expect(
        held.has(issue.number!) || locks.has(issue.number!),
        `#${issue.number} is loom:building with no shepherd and no claim lock`,
      ).toBe(true);
    }
  }
}

/** Every file under `dir` (recursively), skipping the bundled scripts. */
function filesUnder(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const info = statSync(full);
    if (info.isDirectory()) {
      if (name !== 'scripts') filesUnder(full, out);
    } else out.push(full);
  }
  return out;
}

/**
 * DESIGN.md §11: no token ever lands in output, state, logs or the request log. Scans
 * what every `loom` printed in this file, every file under each clone's
 * `.loom/`, the emulator's request log and its data (comments Loom posted).
 */
export function expectNoSecrets(
  emulator: EmulatorHandle | undefined,
  repos: TestRepo[],
  extraSecrets: string[] = [],
): void {
  const secrets = [EMULATOR_TOKEN, ...extraSecrets];
  const texts: [string, string][] = printed.map((t, i) => [`output #${i}`, t]);
  for (const repo of repos) {
    for (const file of filesUnder(path.join(repo.dir, '.loom'))) texts.push([file, readFileSync(file, 'utf8')]);
  }
  if (emulator) {
    texts.push(['request log', JSON.stringify(emulator.requests())]);
    texts.push(['emulator data', JSON.stringify(emulator.state())]);
  }
  for (const [where, text] of texts) {
    for (const secret of secrets) expect(text.includes(secret), `secret found in ${where}`).toBe(false);
    expect(/authorization:\s*(token|bearer)\s+\S/i.test(text), `authorization header in ${where}`).toBe(false);
  }
}

/** Control characters and bidi overrides that must never reach a terminal. */
export const CONTROL_OR_BIDI = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
