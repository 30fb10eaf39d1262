/**
 * The one stop-file wait (src/state/stop-file.ts), used by `iterate --wait`, `loom await` and `loom run`: on a
 * fake clock, so no test waits in real time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../src/clock.js';
import { waitForStopFile } from '../src/state/stop-file.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'loom-stop-file-'));
  file = path.join(dir, 'stop-daemon');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A clock whose sleeps pass at once; `onSleep` runs after each, with the count so far. An aborted sleep returns
 * at once with no time passing, as the system clock's does: a wait that kept sleeping after the abort would spin,
 * so the clock refuses after 100 of those.
 */
function fakeClock(onSleep: (n: number) => void = () => undefined): Clock & { slept: number[] } {
  let t = 0;
  let spins = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => new Date(t),
    monotonic: () => t,
    sleep: async (ms, signal) => {
      if (signal?.aborted) {
        if (++spins > 100) throw new Error('sleeping again and again after the abort');
        return;
      }
      slept.push(ms);
      t += ms;
      onSleep(slept.length);
    },
  };
}

describe('waitForStopFile', () => {
  it('waits the whole time in steps of at most 250 ms when no stop file appears', async () => {
    const clock = fakeClock();
    expect(await waitForStopFile(clock, file, 1000)).toBe(false);
    expect(clock.slept).toEqual([250, 250, 250, 250]);
  });

  it('answers true at the first check after the file appears', async () => {
    const clock = fakeClock((n) => n === 2 && writeFileSync(file, ''));
    expect(await waitForStopFile(clock, file, 10_000)).toBe(true);
    expect(clock.slept).toHaveLength(2);
  });

  it('ends early when the signal aborts (a worker of loom run exited), saying whether the file exists', async () => {
    const woken = new AbortController();
    const clock = fakeClock((n) => n === 3 && woken.abort());
    expect(await waitForStopFile(clock, file, 10_000, { signal: woken.signal })).toBe(false);
    expect(clock.slept).toHaveLength(3);

    writeFileSync(file, '');
    expect(await waitForStopFile(fakeClock(), file, 10_000, { signal: woken.signal })).toBe(true);
  });
});
