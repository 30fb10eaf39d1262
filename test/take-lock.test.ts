/**
 * `withTakeLock` (src/state/take-lock.ts) is Loom's one file lock (src/state/lock.ts) on
 * `.loom/claims/take-<n>`: holders are serialized, and a lock whose holder died is taken over at once.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { LoomError } from '../src/errors.js';
import { loomPaths } from '../src/state/paths.js';
import { withTakeLock } from '../src/state/take-lock.js';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

const setup = () => {
  root = mkdtempSync(path.join(tmpdir(), 'loom-take-'));
  return loomPaths(root);
};

describe('the take lock', () => {
  it('serializes two holders of the same item and leaves nothing behind', async () => {
    const paths = setup();
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let entered!: () => void;
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    const first = withTakeLock(paths, 7, async () => {
      events.push('first in');
      entered();
      await gate;
      events.push('first out');
    });
    await inside; // the first holds the lock
    const second = withTakeLock(paths, 7, async () => {
      events.push('second in');
    });
    await new Promise((r) => setTimeout(r, 300)); // time for the second to try (it cannot get in however long)
    expect(events).toEqual(['first in']);
    release();
    await Promise.all([first, second]);
    expect(events).toEqual(['first in', 'first out', 'second in']);
    expect(readdirSync(paths.claims)).toEqual([]);
  });

  it('takes over at once a lock whose holder process is gone, and says who holds a live one', async () => {
    const paths = setup();
    const gone = execa('node', ['-e', '0']);
    await gone;
    const dead = gone.pid!;
    const file = path.join(paths.claims, 'take-3');
    mkdirSync(`${file}.lock`, { recursive: true });
    writeFileSync(
      `${file}.lock-owner`,
      JSON.stringify({ pid: dead, host: hostname(), token: 'abc', since: new Date().toISOString() }),
    );
    expect(await withTakeLock(paths, 3, async () => 'taken', { waitMs: 0 })).toBe('taken');

    // A live holder (this process) is waited for, then refused with LOCKED naming its pid.
    const error = await withTakeLock(paths, 4, () => withTakeLock(paths, 4, async () => 'never', { waitMs: 200 })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LoomError);
    expect((error as LoomError).code).toBe('LOCKED');
    expect((error as LoomError).message).toContain(`pid ${process.pid}`);
  });
});
