/**
 * A shepherd's heartbeat (DESIGN.md §5.3, §9): `loom progress`, `loom checkpoint`
 * and each poll of `loom await` record that the issue's shepherd is alive,
 * through the state store's single writer. A shepherd holding a daemon slot
 * updates the slot; one typed by a user (`/shepherd N`) lands in `heartbeats`.
 * When this clone holds the issue's claim, the claim comment on GitHub is
 * edited too, at most once per `heartbeat_interval` (src/claims/heartbeat.ts),
 * so other clones see the shepherd alive.
 */
import { beatClaimComment } from '../claims/heartbeat.js';
import type { Config } from '../core/config.js';
import { isBusy } from '../core/daemon-state.js';
import { LoomError } from '../errors.js';
import type { GhClient } from '../github/gh.js';
import type { LoomPaths } from '../state/paths.js';
import type { StateStore } from '../state/store.js';

export interface HeartbeatReport {
  phase?: string;
  pr?: number;
  completed?: 'done' | 'failed';
}

export async function recordHeartbeat(
  ctx: { store: StateStore; now: () => Date; gh?: GhClient; paths?: LoomPaths; config?: () => Promise<Config> },
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
  if (report.completed || !ctx.gh || !ctx.paths || !ctx.config) return;
  try {
    await beatClaimComment(
      { gh: ctx.gh, paths: ctx.paths, now: ctx.now },
      issue,
      (await ctx.config()).heartbeat_interval,
    );
  } catch (error) {
    // GitHub unreachable or the comment gone: the local heartbeat stands; the next one tries again.
    if (!(error instanceof LoomError) || !error.code.startsWith('GH_')) throw error;
  }
}
