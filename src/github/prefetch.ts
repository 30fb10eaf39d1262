/**
 * A gh process started ahead of the code that will ask for it. `loom status` makes exactly one GitHub request,
 * and that request depends only on the repository; so the launcher starts it (src/status-prefetch.ts) while
 * the CLI's modules are still being compiled, and the status command's ordinary gh call adopts the running process
 * instead of starting its own.
 *
 * The adoption is exact or nothing: `execGh` hands over the prefetched process only when the invocation it
 * would start itself (program, arguments, stdin, folder, environment, timeout) is the same in every field. A
 * guess that turned out wrong is never read; it costs one wasted read-only request, and `discardPrefetched`
 * stops it when the command ends.
 */
import { isDeepStrictEqual } from 'node:util';
import { type RunResult, runProcess } from '../process/run.js';

/** Everything that defines one gh call: what `runProcess` is given. */
export interface GhInvocation {
  bin: string;
  args: readonly string[];
  input: string | undefined;
  cwd: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Milliseconds until the call is abandoned. */
  timeoutMs: number;
}

interface Pending {
  invocation: GhInvocation;
  result: Promise<RunResult>;
  stop: AbortController;
}

// The launcher (src/bin.ts, its own bundle) starts the call and a chunk of the CLI adopts it: two copies of
// this module, so the one pending call lives on the global object under a registered symbol.
const SLOT = Symbol.for('loom.prefetchedGh');
const shared = globalThis as { [SLOT]?: Pending };

/** Starts `invocation` now, to be adopted later by `takePrefetched`. Replaces (and stops) an earlier one. */
export function prefetchGh(invocation: GhInvocation): void {
  discardPrefetched();
  const stop = new AbortController();
  const result = runProcess(invocation.bin, invocation.args, { ...invocation, signal: stop.signal });
  // Nobody may ever ask for it: its failure (gh missing, aborted) is reported only to the caller that adopts it.
  result.catch(() => undefined);
  shared[SLOT] = { invocation, result, stop };
}

/** The prefetched call's result when `invocation` is exactly the prefetched one (once); otherwise undefined. */
export function takePrefetched(invocation: GhInvocation): Promise<RunResult> | undefined {
  const pending = shared[SLOT];
  if (!pending || !isDeepStrictEqual(normalized(pending.invocation), normalized(invocation))) return undefined;
  shared[SLOT] = undefined;
  return pending.result;
}

/** Stops a prefetched call nobody adopted (the command ended without it), so the process can exit at once. */
export function discardPrefetched(): void {
  shared[SLOT]?.stop.abort();
  shared[SLOT] = undefined;
}

/** Environment values are compared as strings: an unset variable and one set to undefined are the same. */
function normalized(invocation: GhInvocation) {
  const env = Object.fromEntries(Object.entries(invocation.env).filter(([, value]) => value !== undefined));
  return { ...invocation, args: [...invocation.args], env };
}
