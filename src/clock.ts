/**
 * Time as every command sees it: wall time for what is recorded and compared
 * with GitHub, a monotonic counter for elapsed times and deadlines, and sleep.
 * Commands take it from the context, so tests run waits on a fake clock.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { readEnv } from './env.js';
import { LoomError } from './errors.js';

export interface Clock {
  /** The wall time (`LOOM_NOW` pins it). */
  now(): Date;
  /** Milliseconds from an arbitrary start, never going back: for elapsed times and deadlines. */
  monotonic(): number;
  /** Resolves after `ms` milliseconds, or as soon as `signal` aborts (never rejects for that). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  monotonic: () => performance.now(),
  sleep: async (ms, signal) => {
    if (signal?.aborted) return;
    await delay(Math.max(0, ms), undefined, { signal }).catch((error: unknown) => {
      if (!signal?.aborted) throw error;
    });
  },
};

/** The system clock, with the wall time pinned by `LOOM_NOW` (tests, demos) when it is set. */
export function clockFrom(env: NodeJS.ProcessEnv): Clock {
  const fixed = readEnv('LOOM_NOW', env);
  if (!fixed) return systemClock;
  const time = Date.parse(fixed);
  if (Number.isNaN(time))
    throw new LoomError('USAGE', `LOOM_NOW="${fixed}" is not a date.`, {
      hint: 'Use an ISO date, e.g. 2026-01-01T00:00:00Z.',
    });
  return { ...systemClock, now: () => new Date(time) };
}
