/**
 * `.loom/run.lock`: which `loom run` process holds the clone (pid and daemon
 * id). The daemon-owner rule of DESIGN.md §4.3 step 1 judges liveness by the last poll;
 * a `loom run` whose poll is late (a slow GitHub answer, a busy machine) is
 * still alive while its process is, so a second daemon is refused then too.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoomPaths } from '../state/paths.js';

const lockFile = (paths: LoomPaths) => path.join(paths.loomDir, 'run.lock');

export interface RunLock {
  pid: number;
  daemon_id: string;
}

export async function readRunLock(paths: LoomPaths): Promise<RunLock | null> {
  try {
    const lock = JSON.parse(await readFile(lockFile(paths), 'utf8')) as Partial<RunLock>;
    return typeof lock.pid === 'number' && typeof lock.daemon_id === 'string'
      ? { pid: lock.pid, daemon_id: lock.daemon_id }
      : null;
  } catch {
    return null;
  }
}

export async function writeRunLock(paths: LoomPaths, lock: RunLock): Promise<void> {
  await writeFile(lockFile(paths), `${JSON.stringify(lock)}\n`);
}

export async function removeRunLock(paths: LoomPaths, daemonId: string): Promise<void> {
  if ((await readRunLock(paths))?.daemon_id === daemonId) await rm(lockFile(paths), { force: true });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running `loom run` of this clone's registered daemon, when its process is alive (and is not us). */
export async function liveRunner(paths: LoomPaths, daemonId: string | null): Promise<RunLock | null> {
  const lock = await readRunLock(paths);
  if (!lock || !daemonId || lock.daemon_id !== daemonId || lock.pid === process.pid) return null;
  return processAlive(lock.pid) ? lock : null;
}
