/**
 * Records the task started for a `SPAWN` line: `loom record` in `/loom`
 * (the Agent launch's id and output file) and `loom run` (its worker's id and
 * log file) write the same fields through this one function; `loom progress --role` records the end of a
 * support role's run.
 */
import type { LoomContext } from '../context.js';
import { isBusy, type SupportRoleName } from '../core/daemon-state.js';
import { LoomError } from '../errors.js';

export async function recordTask(
  ctx: LoomContext,
  slot: string,
  task: { taskId: string; outputFile: string },
): Promise<void> {
  await ctx.store.update((state) => {
    if (slot.startsWith('shepherd-')) {
      const s = state.shepherds[slot];
      if (!s || !isBusy(s))
        throw new LoomError('USAGE', `Slot ${slot} has no shepherd to record.`, {
          hint: 'Record only slots named by a SPAWN line.',
        });
      Object.assign(s, {
        task_id: task.taskId,
        output_file: task.outputFile,
        last_heartbeat: ctx.now().toISOString(),
      });
    } else if (slot.startsWith('actions-')) {
      throw new LoomError('USAGE', `Slot ${slot} is a remote slot: its shepherd runs on GitHub Actions.`, {
        hint: 'Nothing to record: iterate prints no SPAWN line for a remote slot (DESIGN.md §4.9).',
      });
    } else {
      const role = state.support_roles[slot as SupportRoleName];
      if (role?.status !== 'running')
        throw new LoomError('USAGE', `Role ${slot} was not spawned.`, {
          hint: 'Record only slots named by a SPAWN line.',
        });
      Object.assign(role, { task_id: task.taskId, output_file: task.outputFile });
    }
    return state;
  });
}

/**
 * `loom progress --role R --done|--failed`: the support role's run ended; its slot goes idle with the
 * one-line result (default `done` or `failed`) and the time of the end (wall time, from `ctx.now`).
 */
export async function recordRoleEnd(
  ctx: Pick<LoomContext, 'store' | 'now'>,
  role: SupportRoleName,
  end: { outcome: 'done' | 'failed'; result?: string },
): Promise<void> {
  const nowIso = ctx.now().toISOString();
  await ctx.store.update((state) => {
    Object.assign(state.support_roles[role], {
      status: 'idle',
      last_completed: nowIso,
      last_result: end.result ?? end.outcome,
    });
    return state;
  });
}
