/**
 * Test-only fault injection, carried by the command context (`ctx.faults`) like the clock: the reliability
 * tests stop an iteration at each named point and make the state write fail, to show that nothing is lost.
 * Normal use has no faults: every hook is a no-op.
 *
 * The process tier fills it from `LOOM_FAULT_KILL_AT=<point>[,<point>…]` (faultsFrom): the CLI SIGKILLs itself
 * on reaching a listed point, and `fail-state-write` makes state writes fail as on a full disk. The in-process
 * tier passes its own `Faults` (CommandEnv.faults), e.g. one whose `reach` throws, without environment variables.
 *
 * Points, in the order an iteration reaches them: after-lock, after-snapshot, then per claim N (1-based):
 * before-claim-N, claim-locked-N (local lock taken, nothing on GitHub yet), claim-edited-N (label edit + claim
 * comment sent, not re-read yet), after-claim-N; then before-state-write, after-state-write.
 */
import { readEnv } from './env.js';

export type FaultPoint =
  | 'after-lock'
  | 'after-snapshot'
  | `after-claim-${number}`
  | `before-claim-${number}`
  | `claim-locked-${number}`
  | `claim-edited-${number}`
  | 'before-state-write'
  | 'after-state-write';

/** Operations a fault plan can make fail: `state-write` fails like a full disk (ENOSPC), see src/state/store.ts. */
export type FaultFailure = 'state-write';

export interface Faults {
  /** The iteration reached `point`; a fault plan may end the run here (never returns then). */
  reach(point: FaultPoint): void;
  /** True when `operation` is to fail as injected. */
  failing(operation: FaultFailure): boolean;
}

export const noFaults: Faults = { reach: () => undefined, failing: () => false };

/** The process tier's faults: `LOOM_FAULT_KILL_AT` from `env` (unset or empty: none). */
export function faultsFrom(env: NodeJS.ProcessEnv): Faults {
  const spec = readEnv('LOOM_FAULT_KILL_AT', env);
  if (!spec) return noFaults;
  const listed = new Set(spec.split(',').map((s) => s.trim()));
  return {
    reach: (point) => {
      if (listed.has(point)) process.kill(process.pid, 'SIGKILL');
    },
    failing: (operation) => listed.has(`fail-${operation}`),
  };
}
