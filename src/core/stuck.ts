/**
 * When a working shepherd counts as stuck (DESIGN.md §9.2): one pure rule that
 * the planner (what `iterate` acts on and counts as `stuck=N`) and `loom status`
 * (what a person sees) both read, so the two never disagree.
 */
import type { Config } from './config.js';
import type { ShepherdSlot } from './daemon-state.js';

export interface Idleness {
  /** Seconds since the last sign of life: heartbeat, task output or start, whichever is latest. */
  idleSeconds: number;
  /** The `stuck_after` threshold of the slot's phase, in seconds. */
  thresholdSeconds: number;
  /** Idle past the threshold (and past the start-up grace). */
  stuck: boolean;
}

/**
 * The idleness of a working slot, or null when the rule does not apply: not working, no issue, or
 * younger than `stuck_grace` seconds. `lastOutputAt` is the task output file's mtime (ISO) or null.
 */
export function idleness(
  slot: ShepherdSlot,
  lastOutputAt: string | null | undefined,
  config: Pick<Config, 'stuck_after' | 'stuck_grace'>,
  now: Date,
): Idleness | null {
  if (slot.status !== 'working' || slot.issue === null) return null;
  if (secondsSince(now, slot.started) < config.stuck_grace) return null;
  const idleSeconds = Math.round(secondsSince(now, latestTime(slot.last_heartbeat, lastOutputAt, slot.started)));
  const phase = (slot.last_phase ?? 'default') as keyof Config['stuck_after'];
  const thresholdSeconds = config.stuck_after[phase] ?? config.stuck_after.default;
  return { idleSeconds, thresholdSeconds, stuck: idleSeconds > thresholdSeconds };
}

/** Seconds from `earlier` to `later`, at least 0; infinite when there is no `earlier`. */
export const secondsSince = (later: Date, earlier: string | null | undefined): number =>
  earlier ? Math.max(0, (later.getTime() - Date.parse(earlier)) / 1000) : Number.POSITIVE_INFINITY;

/** The latest of some ISO times, ignoring missing ones; null when none is given. */
export function latestTime(...times: (string | null | undefined)[]): string | null {
  let best: string | null = null;
  for (const time of times) if (time && (!best || Date.parse(time) > Date.parse(best))) best = time;
  return best;
}
