/** The one wait on a stop file (`.loom/stop-daemon`, `.loom/stop-shepherds`). */
import { existsSync } from 'node:fs';
import type { Clock } from '../clock.js';

/** How often a wait looks for the stop file (at least twice a second, as --help promises). */
const CHECK_MS = 250;

/**
 * Sleeps up to `ms` milliseconds on `clock`, checking `file` every CHECK_MS; true as soon as the file exists. An aborted `signal` ends the wait early (`loom run` wakes when a worker exits).
 */
export async function waitForStopFile(
  clock: Clock,
  file: string,
  ms: number,
  options: { signal?: AbortSignal } = {},
): Promise<boolean> {
  const until = clock.monotonic() + ms;
  while (clock.monotonic() < until && !options.signal?.aborted) {
    if (existsSync(file)) return true;
    await clock.sleep(Math.min(CHECK_MS, Math.max(1, until - clock.monotonic())), options.signal);
  }
  return existsSync(file);
}
