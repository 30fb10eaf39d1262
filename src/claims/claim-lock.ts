/**
 * The local half of a claim (DESIGN.md §7.1): `.loom/claims/issue-N.json`,
 * written under a file lock, holding the owner and an expiry. A second process on
 * this clone cannot take the same issue while the lock is live; an expired lock
 * is taken over. (The GitHub label swap + re-read guards other clones.)
 */

import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import * as z from 'zod/mini';
import '../core/zod-setup.js';
import { LoomError } from '../errors.js';
import { safeMkdir, safeReadFile, safeWriteFile } from '../fs/safe-file.js';
import { pidAlive } from '../process/liveness.js';
import { withFileLock } from '../state/lock.js';
import { claimPath, type LoomPaths } from '../state/paths.js';

export const ClaimLockSchema = z.object({
  issue: z.int(),
  owner: z.string(),
  expires: z.string(),
  /** The token of this claim's GitHub claim comment (src/claims/claim.ts): lets a later run settle a claim whose process died. */
  token: z.optional(z.string()),
  /** Newest comment id when the claim read the issue: claim comments after it are rivals. */
  read_comment_id: z.optional(z.int().check(z.nonnegative())),
  /** When the lock was taken (a claim whose comment is not on GitHub yet may still be in flight). */
  claimed_at: z.optional(z.string()),
  /** Node id and owner of the won claim comment: the heartbeat edits it in place (src/claims/heartbeat.ts). */
  comment_id: z.optional(z.string()),
  comment_owner: z.optional(z.string()),
  /** When the last heartbeat reached the claim comment (ISO): at most one edit per `heartbeat_interval`. */
  heartbeat_at: z.optional(z.string()),
});
export type ClaimLock = z.infer<typeof ClaimLockSchema>;

/** Taking a claim lock is a read and a write: a wait this long means the other process hangs. */
const CLAIM_LOCK_WAIT_MS = 10_000;
const CLAIM_LOCK_STALE_MS = 20_000;

/**
 * Tries to take the claim lock; returns false when someone else holds a live
 * one. Decided and written under the file lock of src/state/lock.ts, so two
 * processes of this clone never both take it; an expired, unreadable or own
 * lock is replaced.
 */
export async function acquireClaimLock(
  paths: LoomPaths,
  issue: number,
  owner: string,
  ttlSeconds: number,
  now: Date,
  extra: { token?: string } = {},
): Promise<boolean> {
  const file = claimPath(paths, issue);
  safeMkdir(paths.root, paths.claims);
  const body = JSON.stringify({
    issue,
    owner,
    expires: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
    claimed_at: now.toISOString(),
    ...extra,
  });
  const failed = (cause: unknown) =>
    new LoomError('STATE_WRITE_FAILED', `Cannot take the claim lock of #${issue} (.loom/claims/).`, {
      hint: 'Check the permissions of .loom/ and the free disk space.',
      cause,
    });
  return withFileLock(
    paths.root,
    file,
    async () => {
      const existing = await readClaimLock(paths, issue);
      if (existing && existing.owner !== owner && Date.parse(existing.expires) > now.getTime()) return false;
      safeWriteFile(paths.root, file, body, { atomic: true });
      return true;
    },
    {
      waitMs: CLAIM_LOCK_WAIT_MS,
      staleMs: CLAIM_LOCK_STALE_MS,
      lockedError: (holder, cause) =>
        new LoomError(
          'LOCKED',
          `Another Loom process${holder ? ` (pid ${holder.pid})` : ''} is claiming #${issue} on this clone.`,
          { hint: 'Wait for it to finish, then try again.', cause },
        ),
      failedError: failed,
    },
  );
}

export async function readClaimLock(paths: LoomPaths, issue: number): Promise<ClaimLock | undefined> {
  try {
    const text = safeReadFile(paths.root, claimPath(paths, issue));
    if (text === undefined) return undefined;
    const parsed = ClaimLockSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch (error) {
    if (error instanceof LoomError) throw error; // a symlink or FIFO in .loom/claims: refused, not ignored
    return undefined;
  }
}

export async function releaseClaimLock(paths: LoomPaths, issue: number): Promise<void> {
  await rm(claimPath(paths, issue), { force: true });
}

/** Adds facts to a lock this process holds (plain rewrite: only the holder writes it). */
export async function updateClaimLock(
  paths: LoomPaths,
  issue: number,
  patch: Partial<Pick<ClaimLock, 'read_comment_id' | 'owner' | 'comment_id' | 'comment_owner' | 'heartbeat_at'>>,
): Promise<void> {
  const current = await readClaimLock(paths, issue);
  if (current)
    safeWriteFile(paths.root, claimPath(paths, issue), JSON.stringify({ ...current, ...patch }), { atomic: true });
}

/** Every readable claim lock of this clone. */
export async function listClaimLocks(paths: LoomPaths): Promise<ClaimLock[]> {
  if (!existsSync(paths.claims)) return [];
  const locks: ClaimLock[] = [];
  for (const name of await readdir(paths.claims)) {
    const issue = /^issue-(\d{1,9})\.json$/.exec(name)?.[1];
    if (!issue) continue;
    const lock = await readClaimLock(paths, Number(issue));
    if (lock && lock.issue === Number(issue)) locks.push(lock);
  }
  return locks.sort((a, b) => a.issue - b.issue);
}

/** The pid in a `one-off:<pid>` (a `loom iterate` without a daemon id) or `cli:<pid>` owner, if any. */
export function ownerPid(owner: string): number | undefined {
  const pid = /^(?:one-off|cli):(\d+)$/.exec(owner)?.[1];
  return pid ? Number(pid) : undefined;
}

/**
 * A lock whose holder can no longer act on it: it is `owner`'s own (a run of
 * the same daemon that died), it expired, or its process is gone. Such a
 * claim is settled (src/claims/claim.ts `settleClaim`), never just dropped:
 * GitHub may hold its half.
 */
export function claimLockAbandoned(lock: ClaimLock, owner: string, now: Date): boolean {
  if (lock.owner === owner || Date.parse(lock.expires) <= now.getTime()) return true;
  const pid = ownerPid(lock.owner);
  return pid !== undefined && !pidAlive(pid);
}
