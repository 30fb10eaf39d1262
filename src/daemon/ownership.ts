/**
 * One daemon per clone (DESIGN.md §4.3 step 1): an iteration names its daemon id;
 * another daemon whose last poll is recent owns the state and refuses it.
 */

import type { Config } from '../core/config.js';
import type { DaemonState } from '../core/daemon-state.js';
import { LoomError } from '../errors.js';

/** A daemon counts as alive while its last poll is younger than three poll intervals (also the Crashed rule of DESIGN.md §6). */
export function daemonAlive(state: DaemonState, config: Config, now: Date): boolean {
  if (!state.running || !state.daemon_id) return false;
  const last = state.last_poll ?? state.started_at;
  return !!last && now.getTime() - Date.parse(last) < 3 * config.poll_interval * 1000;
}

export function checkDaemonOwner(state: DaemonState, daemonId: string, config: Config, now: Date): void {
  if (state.daemon_id === daemonId && state.running) return;
  if (daemonAlive(state, config, now)) {
    throw new LoomError(
      'DAEMON_OWNED',
      `Another daemon (${state.daemon_id}) is running here; its last poll was at ${state.last_poll}.`,
      {
        hint: 'Stop it first (`touch .loom/stop-daemon`), or start this one with `loom start --force` if that daemon is gone.',
        details: { owner: state.daemon_id, last_poll: state.last_poll },
      },
    );
  }
  throw new LoomError(
    'USAGE',
    `Daemon ${daemonId} is not the registered daemon${state.daemon_id ? ` (that is ${state.daemon_id})` : ''}.`,
    {
      hint: 'Run `.loom/scripts/loom start` and use the id it prints.',
    },
  );
}

/**
 * One owner per clone (issue 11): a command that changes claims or slots
 * (`iterate`, `spawn`, `shutdown`) runs only as the live daemon, named by its
 * `--daemon` id, or when no daemon is alive here. A one-off run beside a live
 * daemon would claim issues behind its back and post comments about
 * shepherds that never start, so it is refused (exit 9). Read-only commands
 * (`iterate --dry-run`, `status`) never call this.
 */
export function assertCloneOwner(state: DaemonState, daemonId: string | undefined, config: Config, now: Date): void {
  if (daemonId) {
    checkDaemonOwner(state, daemonId, config, now);
    return;
  }
  if (!daemonAlive(state, config, now)) return;
  throw new LoomError(
    'DAEMON_OWNED',
    `A daemon (${state.daemon_id}) owns this clone (last poll ${state.last_poll ?? state.started_at}); this command changes claims, so only that daemon may run it.`,
    {
      hint: 'Look without changing anything with `loom iterate --dry-run` or `loom status`; stop the daemon first with `touch .loom/stop-daemon`.',
      details: { owner: state.daemon_id, last_poll: state.last_poll },
    },
  );
}
