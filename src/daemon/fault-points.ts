/**
 * Test-only fault injection (reliability tests kill `loom iterate` after each
 * step). `LOOM_FAULT_KILL_AT=after-snapshot,after-claim-1` makes the process
 * SIGKILL itself when it reaches a named point. Unset in normal use: a no-op.
 */
import { readEnv } from '../env.js';

export type FaultPoint =
  | 'after-lock'
  | 'after-snapshot'
  | `after-claim-${number}`
  | `before-claim-${number}`
  | 'before-state-write'
  | 'after-state-write';

export function faultPoint(point: FaultPoint, env: NodeJS.ProcessEnv): void {
  const spec = readEnv('LOOM_FAULT_KILL_AT', env);
  if (spec && spec.split(',').includes(point)) process.kill(process.pid, 'SIGKILL');
}
