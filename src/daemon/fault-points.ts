/**
 * Test-only fault injection (reliability tests kill `loom iterate` after each
 * step). `LOOM_FAULT_KILL_AT=after-snapshot,after-claim-1` makes the process
 * SIGKILL itself when it reaches a named point. Unset in normal use: a no-op.
 *
 * Points, in the order an iteration reaches them: after-lock, after-snapshot,
 * then per claim N (1-based): before-claim-N, claim-locked-N (local lock
 * taken, nothing on GitHub yet), claim-edited-N (label edit + claim comment
 * sent, not re-read yet), after-claim-N; then before-state-write,
 * after-state-write. `fail-state-write` does not kill: it makes the state
 * write fail as on a full disk (ENOSPC), see src/state/store.ts.
 */
import { readEnv } from '../env.js';

export type FaultPoint =
  | 'after-lock'
  | 'after-snapshot'
  | `after-claim-${number}`
  | `before-claim-${number}`
  | `claim-locked-${number}`
  | `claim-edited-${number}`
  | 'before-state-write'
  | 'after-state-write';

export function faultPoint(point: FaultPoint, env: NodeJS.ProcessEnv): void {
  const spec = readEnv('LOOM_FAULT_KILL_AT', env);
  if (spec?.split(',').includes(point)) process.kill(process.pid, 'SIGKILL');
}
