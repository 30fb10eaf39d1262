/**
 * Does a live shepherd hold this issue or pull request? Decided from the
 * state file: a busy daemon slot on it, or a person's `/shepherd` heartbeat,
 * with activity younger than `heartbeat_fresh`. A standalone Judge, Doctor
 * or Builder must not work on what such a shepherd drives.
 */
import { type DaemonState, isBusy } from './daemon-state.js';

export function liveShepherdOn(
  state: DaemonState,
  target: { issue?: number; pr?: number },
  now: Date,
  freshSeconds: number,
): string | null {
  const fresh = (iso: string | null | undefined) => !!iso && now.getTime() - Date.parse(iso) <= freshSeconds * 1000;
  for (const [slot, s] of Object.entries(state.shepherds)) {
    if (!isBusy(s)) continue;
    const mine =
      (target.issue !== undefined && s.issue === target.issue) ||
      (target.pr !== undefined && s.pr_number === target.pr);
    if (mine && (fresh(s.last_heartbeat) || fresh(s.started))) return slot;
  }
  if (target.issue !== undefined && fresh(state.heartbeats[String(target.issue)])) return 'a /shepherd session';
  return null;
}
