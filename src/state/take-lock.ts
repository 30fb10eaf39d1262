/**
 * A short-lived lock around one read–edit–re-read of an item's labels, so two
 * Loom processes on this clone (the daemon's roles and a person's) cannot both
 * pass the same precondition: the second waits, then reads the first's edit.
 * It is Loom's one inter-process lock (src/state/lock.ts) on
 * `.loom/claims/take-<number>`: a holder that died is taken over at once, a
 * hung one after `staleMs`.
 */
import path from 'node:path';
import { LoomError } from '../errors.js';
import { withFileLock } from './lock.js';
import type { LoomPaths } from './paths.js';

/**
 * Runs `fn` holding the take lock of item `number`. `waitMs` (default 30 000 ms):
 * how long to wait for another holder before failing with `LOCKED`; `staleMs`
 * (default 60 000 ms): a lock not refreshed this long is taken over.
 * Throws `LOCKED` when the wait runs out, `STATE_WRITE_FAILED` when `.loom/claims/` is not writable.
 */
export async function withTakeLock<T>(
  paths: LoomPaths,
  number: number,
  fn: () => Promise<T>,
  options: { waitMs?: number; staleMs?: number } = {},
): Promise<T> {
  if (!Number.isSafeInteger(number) || number <= 0) throw new RangeError(`not an item number: ${number}`);
  return withFileLock(paths.root, path.join(paths.claims, `take-${number}`), fn, {
    waitMs: options.waitMs ?? 30_000,
    staleMs: options.staleMs ?? 60_000,
    lockedError: (holder, cause) =>
      new LoomError(
        'LOCKED',
        `Another Loom process${holder ? ` (pid ${holder.pid})` : ''} is changing the labels of #${number}.`,
        { hint: 'Try again in a minute.', cause },
      ),
    failedError: (cause) =>
      new LoomError('STATE_WRITE_FAILED', `Cannot take the label lock of #${number} (.loom/claims/).`, {
        hint: 'Check the permissions of .loom/ and the free disk space.',
        cause,
      }),
  });
}
