/**
 * The one inter-process lock of Loom (state file, claim leases, worktrees):
 * proper-lockfile's lock directory (`<file>.lock`, its mtime refreshed by the
 * holder), plus `<file>.lock-owner` naming the holder (pid, host), which
 * proper-lockfile does not record. A waiter takes an abandoned lock over: at
 * once when the recorded holder is a process of this host that no longer
 * exists (a `loom` killed mid-step), else once the lock has not been refreshed
 * for `staleMs`. Every takeover happens under one exclusive marker
 * (`<file>.lock-takeover`, mkdir), so two waiters never both take it.
 */
import { mkdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoomError } from '../errors.js';
import { safeMkdir, safeReadFile, safeWriteFile, UnsafePathError } from '../fs/safe-file.js';
import { pidAlive } from '../process/liveness.js';
import { randomHex } from '../random.js';

export interface LockOwner {
  pid: number;
  host: string;
  token: string;
  since: string;
}

export interface FileLockOptions {
  /** Milliseconds to keep retrying while another live process holds the lock (0: one try). */
  waitMs: number;
  /** Milliseconds without a refresh after which a lock is taken over (holder hung, or on another host). */
  staleMs: number;
  /** The error when the wait ran out; `owner` is the holder when it is known. */
  lockedError(owner: LockOwner | undefined, cause: unknown): LoomError;
  /** The error when the lock could not be taken for another reason (permissions, disk). */
  failedError(cause: unknown): LoomError;
}

/** A takeover marker older than this was left by a process that died mid-takeover. */
const TAKEOVER_STALE_MS = 10_000;
/** How often the holder refreshes the lock's mtime (well inside every `staleMs` in use). */
const REFRESH_MS = 5_000;

/**
 * Runs `fn` while holding the lock on `file` (the file itself need not exist).
 * `root` is the repository root the lock's files stay inside: a symlink or
 * special file in place of the owner file is refused (src/fs/safe-file.ts).
 */
export async function withFileLock<T>(
  root: string,
  file: string,
  fn: () => Promise<T>,
  options: FileLockOptions,
): Promise<T> {
  safeMkdir(root, path.dirname(file));
  safeReadFile(root, ownerFile(file));
  // Loaded here, not at the top: `loom status` reads the state without locking and need not parse it.
  const { default: lockfile } = await import('proper-lockfile');
  const deadline = Date.now() + options.waitMs;
  let release: () => Promise<void>;
  for (;;) {
    takeOverAbandoned(root, file, options.staleMs);
    try {
      // Staleness is judged by takeOverAbandoned, not by proper-lockfile (whose removal would race with it).
      release = await lockfile.lock(file, { realpath: false, stale: 24 * 3600_000, update: REFRESH_MS, retries: 0 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw options.failedError(error);
      if (Date.now() >= deadline) throw options.lockedError(readOwner(root, file), error);
      await sleep(Math.min(100 + Math.floor(Math.random() * 100), Math.max(1, deadline - Date.now())));
    }
  }
  const token = randomHex(8);
  try {
    safeWriteFile(
      root,
      ownerFile(file),
      JSON.stringify({
        pid: process.pid,
        host: hostname(),
        token,
        since: new Date().toISOString(),
      } satisfies LockOwner),
      { atomic: true },
    );
  } catch (error) {
    if (error instanceof UnsafePathError) {
      await release().catch(() => undefined);
      throw error;
    }
    // Without the owner file a dead holder is only detected by staleness.
  }
  try {
    return await fn();
  } finally {
    if (readOwner(root, file)?.token === token) rmSync(ownerFile(file), { force: true });
    await release().catch(() => undefined);
  }
}

const ownerFile = (file: string) => `${file}.lock-owner`;

/** The recorded holder of the lock on `file`, if one is recorded and readable. */
export function readOwner(root: string, file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(safeReadFile(root, ownerFile(file)) ?? '') as LockOwner;
    return typeof owner.pid === 'number' && typeof owner.token === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the lock when its holder is gone (dead pid on this host) or it went stale; true when it did. */
function takeOverAbandoned(root: string, file: string, staleMs: number): boolean {
  const lockDir = `${file}.lock`;
  const judge = (): { token: string | undefined } | undefined => {
    let mtime: number;
    try {
      mtime = statSync(lockDir).mtimeMs;
    } catch {
      return undefined; // no lock
    }
    const owner = readOwner(root, file);
    const dead = !!owner && owner.host === hostname() && !pidAlive(owner.pid);
    return dead || Date.now() - mtime > staleMs ? { token: owner?.token } : undefined;
  };
  const first = judge();
  if (!first) return false;
  const marker = `${file}.lock-takeover`;
  try {
    mkdirSync(marker);
  } catch {
    try {
      if (Date.now() - statSync(marker).mtimeMs > TAKEOVER_STALE_MS) rmdirSync(marker);
    } catch {
      // Another waiter is taking over right now.
    }
    return false;
  }
  try {
    // Re-judged under the marker: still the same abandoned lock.
    const again = judge();
    if (!again || again.token !== first.token) return false;
    rmSync(ownerFile(file), { force: true });
    rmSync(lockDir, { recursive: true, force: true });
    return true;
  } finally {
    rmSync(marker, { recursive: true, force: true });
  }
}
