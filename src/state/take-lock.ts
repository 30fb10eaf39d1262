/**
 * A short-lived lock around one read–edit–re-read of an item's labels, so two
 * Loom processes on this clone (the daemon's roles and a person's) cannot both
 * pass the same precondition: the second waits, then reads the first's edit.
 * Created with O_EXCL; a lock older than `staleMs` belongs to a dead process.
 */
import { mkdir, open, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { LoomError } from '../errors.js';
import type { LoomPaths } from './paths.js';

export async function withTakeLock<T>(
  paths: LoomPaths,
  number: number,
  fn: () => Promise<T>,
  options: { waitMs?: number; staleMs?: number } = {},
): Promise<T> {
  if (!Number.isSafeInteger(number) || number <= 0) throw new RangeError(`not an item number: ${number}`);
  const file = path.join(paths.claims, `take-${number}.lock`);
  const deadline = Date.now() + (options.waitMs ?? 30_000);
  const staleMs = options.staleMs ?? 60_000;
  await mkdir(paths.claims, { recursive: true });
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(file).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > staleMs) await rm(file, { force: true });
      else if (Date.now() > deadline)
        throw new LoomError('LOCKED', `Another Loom process is changing the labels of #${number}.`, {
          hint: 'Try again in a minute.',
        });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(file, { force: true });
  }
}
