/**
 * The I/O of remote slots in an iteration (DESIGN.md §4.9): the one runs-list request that follows every
 * dispatched run (made only while a remote slot is busy), dispatching a claimed issue to a runner, and
 * cancelling a run whose slot is freed. The decisions are pure, in src/core/remote-slots.ts and the planner.
 */
import { releaseIssue } from '../claims/claim.js';
import { readClaimLock } from '../claims/claim-lock.js';
import { latestHeartbeat } from '../core/claim-marks.js';
import {
  claimedSlot,
  type DaemonState,
  idleSlot,
  isBusy,
  type ShepherdSlot,
  type Warning,
} from '../core/daemon-state.js';
import { matchRuns, observedRemote, unrecordedRuns, type WorkflowRun } from '../core/remote-slots.js';
import type { Snapshot } from '../core/snapshot.js';
import { latestTime } from '../core/stuck.js';
import { LoomError } from '../errors.js';
import { cancelRun, dispatchShepherd, getRun, listDispatchedRuns } from '../github/actions.js';
import type { GhClient } from '../github/gh.js';
import type { Repo } from '../github/repo.js';
import type { Act } from './iteration-steps.js';

/** The warning for a runs list GitHub did not give (a `GH_*` error); any other error is rethrown. */
function runsListFailed(error: unknown, nowIso: string, consequence: string): Warning {
  if (!(error instanceof LoomError) || !error.code.startsWith('GH_')) throw error;
  return {
    time: nowIso,
    type: 'runs-list-failed',
    severity: 'warning',
    message: `could not read the workflow runs (${error.message}); ${consequence}`,
    context: {},
  };
}

/** Busy slots that run on Actions. */
export const busyRemoteSlots = (state: DaemonState): [string, ShepherdSlot][] =>
  Object.entries(state.shepherds).filter(([, slot]) => isBusy(slot) && !!slot.remote);

/**
 * One request for all dispatched runs, only while some remote slot is busy (an idle poll stays one request).
 * Answers slot → run (null: not listed), or undefined when nothing was asked or the list failed (then a
 * warning says why and every remote slot keeps its state until the next poll).
 */
export async function observeRuns(
  gh: GhClient,
  repo: Repo,
  state: DaemonState,
  warnings: Warning[],
  nowIso: string,
  listed?: WorkflowRun[],
): Promise<Record<string, WorkflowRun | null> | undefined> {
  const remote = busyRemoteSlots(state);
  if (!remote.length) return undefined;
  try {
    const matched = matchRuns(Object.fromEntries(remote), listed ?? (await listDispatchedRuns(gh, repo)));
    // A run seen before but missing from the newest 100 (many other dispatches since): asked for by id, so it is
    // never taken for a run that never appeared. Rare; one request per such run.
    for (const [id, slot] of remote)
      if (matched[id] === null && slot.remote?.run_id) matched[id] = await getRun(gh, repo, slot.remote.run_id);
    return matched;
  } catch (error) {
    warnings.push(runsListFailed(error, nowIso, 'remote slots are checked again at the next poll'));
    return undefined;
  }
}

/** Records what the runs list and the snapshot said of each busy remote slot: its run, and GitHub's heartbeat. */
export function recordRuns(
  state: DaemonState,
  runs: Record<string, WorkflowRun | null> | undefined,
  snapshot: Snapshot,
): void {
  for (const [id, slot] of busyRemoteSlots(state)) {
    slot.remote = observedRemote(slot.remote!, runs?.[id]);
    // A remote shepherd's heartbeat is its claim comment's mark (DESIGN.md §7.5), read by the snapshot.
    const beat = latestHeartbeat(snapshot.tracked.issues[slot.issue!]?.claims ?? []);
    if (beat) slot.last_heartbeat = latestTime(slot.last_heartbeat, beat);
  }
}

/**
 * Dispatches the shepherd of `issue` to a runner for `slotId` (a claim this clone holds, or a resume):
 * the claim token goes with it, so the run adopts the claim (`loom adopt-claim`). True when dispatched; on a
 * refused or failed dispatch the claim is released with a comment saying why (it is not the issue's fault:
 * no failure is counted), the slot stays free and a warning names the fix.
 */
export async function dispatchSlot(act: Act, slotId: string, issue: number, resume: boolean): Promise<boolean> {
  const { ctx, config, repo, state, nowIso, warnings, claimCtx } = act;
  const lock = await readClaimLock(ctx.paths, issue);
  const args = [config.shepherd_args, resume ? '--resume' : ''].filter(Boolean).join(' ');
  try {
    if (!lock?.token) throw new LoomError('CLAIM_CONFLICT', `No claim token of #${issue} on this clone.`);
    await dispatchShepherd(ctx.gh, repo, { ref: config.actions.ref, issue, slot: slotId, args, claim: lock.token });
  } catch (error) {
    if (!(error instanceof LoomError)) throw error;
    warnings.push({
      time: nowIso,
      type: 'dispatch-failed',
      severity: 'error',
      message: `dispatch of #${issue} to ${slotId} failed: ${error.message}${error.hint ? ` → ${error.hint}` : ''}`,
      context: { slot: slotId, issue },
    });
    await releaseIssue(claimCtx, issue, {
      comment:
        'Loom: the shepherd for this issue could not be dispatched to a GitHub Actions runner, so the claim is released and the issue is back in the ready queue.',
    });
    state.shepherds[slotId] = idleSlot({ idle_since: nowIso, idle_reason: 'dispatch-failed' });
    return false;
  }
  state.shepherds[slotId] = {
    ...claimedSlot(issue, nowIso),
    ...(resume ? { last_phase: state.shepherds[slotId]?.last_phase ?? 'curator' } : {}),
    remote: { dispatched_at: nowIso, run_id: null, run_url: null, run_status: null, conclusion: null },
  };
  return true;
}

/** The run to cancel when a remote slot is freed: its known run while that may still be going, else none. */
export const activeRunOf = (slot: ShepherdSlot | undefined): number | null =>
  slot?.remote?.run_id && slot.remote.run_status !== 'completed' ? slot.remote.run_id : null;

/** Cancels a freed remote slot's run (one request; a run that finished meanwhile answers 409: nothing to do). */
export async function cancelSlotRun(act: Act, runId: number | null | undefined, issue: number, why: string) {
  if (!runId) return;
  const outcome = await cancelRun(act.ctx.gh, act.repo, runId);
  act.warnings.push({
    time: act.nowIso,
    type: 'run-cancelled',
    severity: 'warning',
    message: `run ${runId} of #${issue}: ${outcome === 'cancelled' ? 'cancelled' : 'already finished'} (${why})`,
    context: { run_id: runId, issue },
  });
}

/**
 * A one-off iteration on a checkout that never ran a daemon (the scheduled `loom iterate --runner actions` of
 * loom-daemon.yml starts from a fresh checkout, with no state file) does not know which remote slots are in
 * flight: it reads the runs list once and gives each Loom run still queued or in progress its slot back,
 * when the snapshot shows its issue `loom:building` with a claim comment (DESIGN.md §4.9). Returns the runs
 * read (the same list then serves `observeRuns`), or undefined when the list could not be read: then no
 * remote slot is filled in this iteration (a warning says why), so nothing is dispatched twice.
 */
export async function adoptRunsInFlight(
  gh: GhClient,
  repo: Repo,
  state: DaemonState,
  snapshot: Snapshot,
  warnings: Warning[],
  nowIso: string,
): Promise<WorkflowRun[] | undefined> {
  let runs: WorkflowRun[];
  try {
    runs = await listDispatchedRuns(gh, repo);
  } catch (error) {
    warnings.push(runsListFailed(error, nowIso, 'no remote slot is filled until they can be read'));
    return undefined;
  }
  for (const found of unrecordedRuns(state.shepherds, runs)) {
    const building = snapshot.buildingIssues.find((i) => i.number === found.issue);
    if (!building?.claims?.length) continue;
    state.shepherds[found.slot] = {
      ...claimedSlot(found.issue, found.run.run_started_at ?? found.run.created_at),
      remote: observedRemote(
        { dispatched_at: found.run.created_at, run_id: null, run_url: null, run_status: null, conclusion: null },
        found.run,
      ),
    };
  }
  return runs;
}
