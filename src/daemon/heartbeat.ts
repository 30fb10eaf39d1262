/**
 * A shepherd's heartbeat (DESIGN.md §5.3, §9): `loom progress`, `loom checkpoint`
 * and each poll of `loom await` record that the issue's shepherd is alive,
 * through the state store's single writer. A shepherd holding a daemon slot
 * updates the slot; one typed by a user (`/shepherd N`) lands in `heartbeats`.
 */
import { isBusy } from '../core/daemon-state.js';
import type { StateStore } from '../state/store.js';

export interface HeartbeatReport {
  phase?: string;
  pr?: number;
  completed?: 'done' | 'failed';
}

export async function recordHeartbeat(
  ctx: { store: StateStore; now: () => Date },
  issue: number,
  report: HeartbeatReport = {},
): Promise<void> {
  const nowIso = ctx.now().toISOString();
  await ctx.store.update((state) => {
    const slot = Object.values(state.shepherds).find((s) => isBusy(s) && s.issue === issue);
    if (!slot) {
      state.heartbeats[String(issue)] = nowIso;
      return state;
    }
    Object.assign(slot, {
      last_heartbeat: nowIso,
      stuck_since: null,
      ...(report.phase ? { last_phase: report.phase } : {}),
      ...(report.pr ? { pr_number: report.pr } : {}),
      ...(report.completed ? { completed: report.completed } : {}),
    });
    return state;
  });
}
