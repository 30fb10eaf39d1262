/**
 * The local half of a claim (SPEC §7): `.loom/claims/issue-N.json`, created
 * atomically with O_EXCL, holding the owner and an expiry. A second process on
 * this clone cannot take the same issue while the lock is live; an expired lock
 * is taken over. (The GitHub label swap + re-read guards other clones.)
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { z } from 'zod';
import { claimPath, type LoomPaths } from './paths.js';

export const ClaimLockSchema = z.object({ issue: z.number().int(), owner: z.string(), expires: z.string() });
export type ClaimLock = z.infer<typeof ClaimLockSchema>;

/** Tries to take the lock; returns false when someone else holds a live one. */
export async function acquireClaimLock(paths: LoomPaths, issue: number, owner: string, ttlSeconds: number, now: Date): Promise<boolean> {
  const file = claimPath(paths, issue);
  await mkdir(paths.claims, { recursive: true });
  const body = JSON.stringify({ issue, owner, expires: new Date(now.getTime() + ttlSeconds * 1000).toISOString() });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(body);
      await handle.close();
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const existing = await readClaimLock(paths, issue);
      if (existing && existing.owner !== owner && Date.parse(existing.expires) > now.getTime()) return false;
      // Expired, unreadable or our own: remove and retry once.
      await rm(file, { force: true });
    }
  }
  return false;
}

export async function readClaimLock(paths: LoomPaths, issue: number): Promise<ClaimLock | undefined> {
  try {
    const parsed = ClaimLockSchema.safeParse(JSON.parse(await readFile(claimPath(paths, issue), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function releaseClaimLock(paths: LoomPaths, issue: number): Promise<void> {
  await rm(claimPath(paths, issue), { force: true });
}
