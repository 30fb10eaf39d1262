import { type ClaimContext, claimIssue, releaseIssue, settleClaim } from '../claims/claim.js';
import { claimLockAbandoned, listClaimLocks, releaseClaimLock } from '../claims/claim-lock.js';
import type { LoomContext } from '../context.js';
import { emptyUsage } from '../core/accounting.js';
import type { Config } from '../core/config.js';
import { claimedSlot, type DaemonState, idleSlot, isBusy, MAX_COMPLETED, type Warning } from '../core/daemon-state.js';
import { type Directive, roleDirective, shepherdDirective } from '../core/directives.js';
import { Label } from '../core/labels.js';
import { countsAsCompleted, type Plan } from '../core/planner.js';
import { isRemoteSlotId } from '../core/remote-slots.js';
import { cleanupWarnings, liveIssues, removeFinishedWork } from '../git/cleanup.js';
import { addComment, transitionLabels } from '../github/items.js';
import type { Repo } from '../github/repo.js';
import { activeRunOf, cancelSlotRun, dispatchSlot } from './remote.js';

/** What the acting steps of one iteration share; `state` is changed in place and saved by the iteration. */
export interface Act {
  ctx: LoomContext;
  config: Config;
  repo: Repo;
  state: DaemonState;
  plan: Plan;
  now: Date;
  nowIso: string;
  claimCtx: ClaimContext;
  /** Counts claims tried in this iteration (names the fault points of the reliability suite). */
  claimIndex: number;
  /** Directives for the parent loop, in order. */
  directives: Directive[];
  /** Issues completed in this iteration (for the summary line). */
  completed: number[];
  /** Issues newly claimed and dispatched to an Actions runner in this iteration (no directive; in the summary). */
  dispatched: number[];
  /** Claims tried and refused, with why. */
  skipped: { issue: number; reason: string }[];
  warnings: Warning[];
  /** True once `.loom/stop-daemon` exists. */
  stopRequested: () => boolean;
  /** Records the cost of a finished task in `state.cost` (src/core/accounting.ts). */
  account: (slot: string, taskId: string | null, role: string, issue: number | null, outcome: string) => void;
}

/** Step: a usage limit met by a worker pauses new work; slots whose worker was refused keep their claim, paused until the reset. */
export function applyUsagePause(act: Act): void {
  const { state, plan, warnings, nowIso, account } = act;
  if (plan.usagePause) {
    state.usage = plan.usagePause;
    warnings.push({
      time: nowIso,
      type: 'usage-limit',
      severity: 'warning',
      message: `Claude usage: ${plan.usagePause.reason}; no new worker or claim until ${plan.usagePause.paused_until}`,
      context: {},
    });
  } else if (state.usage.paused_until && !plan.hold.usage) {
    state.usage = emptyUsage(); // the reset passed: resumes and claims go on
  }
  for (const pause of plan.limitPauses) {
    const slot = state.shepherds[pause.slot]!;
    account(pause.slot, slot.task_id, 'shepherd', pause.issue, 'usage-limit');
    // The claim stays (label and lock): the resume after the reset continues from the checkpoint.
    Object.assign(slot, {
      status: 'paused',
      task_id: null,
      output_file: null,
      idle_since: nowIso,
      idle_reason: 'usage-limit',
      stuck_since: null,
    });
  }
}

/** Step: finished shepherds free their slots; an unfinished one releases its issue (a failure counts against its budget). */
export async function completeShepherds(act: Act): Promise<void> {
  const { ctx, config, state, plan, nowIso, claimCtx, completed, account } = act;
  for (const completion of plan.completions) {
    const slot = state.shepherds[completion.slot]!;
    account(completion.slot, slot.task_id, 'shepherd', completion.issue, 'ok');
    // A remote slot whose run never started in time: the run is cancelled before the claim goes. (A run still
    // going when its PR merged or its issue closed is left to finish: it is wrapping up.)
    await cancelSlotRun(act, completion.cancelRun, completion.issue, completion.reason);
    if (completion.release) {
      await releaseIssue(claimCtx, completion.issue, {
        comment:
          completion.reason === 'run-not-started'
            ? 'Loom: the GitHub Actions run for this issue did not start in time, so it was cancelled, the claim is released and the issue is back in the ready queue.'
            : completion.reason === 'run-failed'
              ? 'Loom: the GitHub Actions run of the shepherd for this issue ended without finishing it, so the claim is released and the issue is back in the ready queue.'
              : `Loom: the shepherd for this issue ended without finishing it, so the claim is released and the issue is back in the ready queue.`,
        ...(completion.failure ? { failure: { reason: completion.failure, budget: config.failure } } : {}),
      });
    } else {
      await releaseClaimLock(ctx.paths, completion.issue);
    }
    if (completion.reason === 'pr-merged') state.total_prs_merged += 1;
    if (countsAsCompleted(completion.reason)) {
      state.completed_issues = [
        ...state.completed_issues.filter((n) => n !== completion.issue),
        completion.issue,
      ].slice(-MAX_COMPLETED);
      completed.push(completion.issue);
    }
    state.shepherds[completion.slot] = idleSlot({
      idle_since: nowIso,
      idle_reason: completion.reason,
      task_id: slot.task_id,
    });
  }
}

/** Step: the local worktree and branch of merged or closed work are removed (no GitHub request). */
export async function cleanUpFinishedWork(act: Act): Promise<void> {
  const { ctx, state, plan, nowIso, warnings } = act;
  // The local worktree and branch of merged or closed work go once its shepherd is done (DESIGN.md §8.5);
  // what must stay (uncommitted changes, unpushed commits, a live shepherd) is a warning. No GitHub request.
  const finished = plan.completions
    .filter((c) => c.reason === 'pr-merged' || c.reason === 'issue-closed')
    .map((c) => ({ issue: c.issue }));
  if (finished.length) {
    const notes = await removeFinishedWork(ctx.root, ctx.root, finished, liveIssues(state.shepherds)).then(
      cleanupWarnings,
      (error: unknown) => [`local clean-up skipped: ${error instanceof Error ? error.message : String(error)}`],
    );
    for (const message of notes)
      warnings.push({ time: nowIso, type: 'cleanup-kept', severity: 'warning', message, context: {} });
  }
}

/** Step: slots whose claim is gone, or whose issue vanished, are freed without touching GitHub. */
export async function freeOrphanedSlots(act: Act): Promise<void> {
  const { ctx, state, plan, nowIso } = act;
  // Slots whose claim is gone (or whose issue vanished): freed here, untouched on GitHub.
  for (const orphan of plan.orphaned) {
    // The claim is not ours any more: a remote shepherd still running on it is stopped.
    await cancelSlotRun(act, activeRunOf(state.shepherds[orphan.slot]), orphan.issue, `reconciled: ${orphan.reason}`);
    await releaseClaimLock(ctx.paths, orphan.issue);
    state.shepherds[orphan.slot] = idleSlot({ idle_since: nowIso, idle_reason: `reconciled: ${orphan.reason}` });
  }
}

/** Step: support roles whose worker ended become idle. */
export function completeRoles(act: Act): void {
  const { state, plan, nowIso, account } = act;
  for (const done of plan.roleCompletions) {
    const role = state.support_roles[done.role];
    account(done.role, role.task_id, done.role, null, done.reason === 'timed-out' ? 'timed-out' : 'ok');
    state.support_roles[done.role] = {
      ...role,
      status: 'idle',
      last_completed: nowIso,
      last_result: role.last_result ?? done.reason,
    };
  }
}

/** Step: stuck shepherds are warned, restarted once with --resume, then blocked with one comment. */
export async function handleStuck(act: Act): Promise<void> {
  const { config, state, plan, nowIso, claimCtx, directives, account } = act;
  for (const stuck of plan.stuck) {
    const slot = state.shepherds[stuck.slot]!;
    if (stuck.action !== 'warn') account(stuck.slot, slot.task_id, 'shepherd', stuck.issue, 'killed');
    if (stuck.action === 'warn') {
      slot.stuck_since = nowIso;
    } else if (stuck.action === 'cancel') {
      // A remote shepherd without a heartbeat is not restarted: its run stops and the attempt counts as failed.
      await cancelSlotRun(act, activeRunOf(slot), stuck.issue, 'no heartbeat');
      await releaseIssue(claimCtx, stuck.issue, {
        comment: `Loom: the GitHub Actions run of the shepherd for this issue showed no heartbeat for ${Math.round(stuck.idleSeconds / 60)} min, so it was cancelled and the claim is released.`,
        failure: { reason: 'ended', budget: config.failure },
      });
      state.shepherds[stuck.slot] = idleSlot({ idle_since: nowIso, idle_reason: 'cancelled: stuck' });
    } else if (stuck.action === 'restart') {
      Object.assign(slot, {
        status: 'working',
        started: nowIso,
        task_id: null,
        output_file: null,
        restarts: slot.restarts + 1,
        stuck_since: null,
      });
      directives.push(shepherdDirective(stuck.slot, stuck.issue, config, true));
    } else {
      // One verified move to loom:blocked with its one comment (one request; a repeat finds nothing to do).
      await releaseIssue(claimCtx, stuck.issue, {
        to: Label.blocked,
        comment:
          stuck.cause === 'failed'
            ? 'Loom: the shepherd for this issue ended without a result twice (its worker crashed or failed), so it is marked loom:blocked for a human to look at.'
            : `Loom: the shepherd for this issue stopped making progress twice (idle ${Math.round(stuck.idleSeconds / 60)} min), so it is marked loom:blocked for a human to look at.`,
      });
      state.shepherds[stuck.slot] = idleSlot({ idle_since: nowIso, idle_reason: 'blocked: stuck' });
    }
  }
}

/** Step: loom:building issues with no PR and no shepherd for too long go back to the ready queue. */
export async function releaseStale(act: Act): Promise<void> {
  const { config, plan, claimCtx } = act;
  for (const stale of plan.staleReleases) {
    await releaseIssue(claimCtx, stale.issue, {
      comment: `Loom: this issue was loom:building for ${Math.round(stale.idleSeconds / 3600)} h with no pull request and no sign of a shepherd, so it is back in the ready queue.`,
      failure: { reason: 'stale', budget: config.failure },
    });
  }
}

/** Step: labels a crashed worker left (loom:curating, loom:reviewing, loom:treating) go back to the state before. */
export async function revertOrphanLabels(act: Act): Promise<void> {
  const { ctx, plan, repo } = act;
  // Crashed workers' labels go back to the state before them; the precondition keeps this to one move and
  // one comment even when two clones see the same orphan (the second finds the label gone).
  for (const orphan of plan.orphanReverts) {
    const moved = await transitionLabels(
      ctx.gh,
      repo,
      orphan.number,
      { add: [orphan.to], remove: [orphan.label] },
      (item) => (item.labels.includes(orphan.label) ? undefined : `${orphan.label} is already gone`),
    );
    if (!moved.ok) continue;
    await addComment(
      ctx.gh,
      moved.before.id,
      `Loom: ${orphan.label} sat on this ${Math.round(orphan.idleSeconds / 60)} min with nobody working on it (its agent probably stopped), so it is back to ${orphan.to} for the next one.`,
    );
  }
}

/** Step: slots paused by a usage limit resume their shepherd after the reset (a remote one is dispatched again). */
export async function resumePaused(act: Act): Promise<void> {
  const { config, state, plan, nowIso, directives } = act;
  for (const resume of plan.resumes) {
    if (isRemoteSlotId(resume.slot)) {
      await dispatchSlot(act, resume.slot, resume.issue, true);
      continue;
    }
    Object.assign(state.shepherds[resume.slot]!, {
      status: 'working',
      started: nowIso,
      task_id: null,
      output_file: null,
      idle_reason: null,
    });
    directives.push(shepherdDirective(resume.slot, resume.issue, config, true));
  }
}

/** Step: settle claims an earlier process left unfinished, then claim candidates in order until the free slots run out; a stop file stops new claims at once. */
export async function claimIssues(act: Act): Promise<void> {
  const { ctx, config, state, plan, now, nowIso, claimCtx, directives, skipped, stopRequested } = act;
  // Step 5: claim in order until the free slots run out; a stop file stops new claims at once.
  let freeSlots = [...plan.freeSlots];
  const occupy = async (issue: number) => {
    const slotId = freeSlots.shift()!;
    if (!isRemoteSlotId(slotId)) {
      state.shepherds[slotId] = claimedSlot(issue, nowIso);
      directives.push(shepherdDirective(slotId, issue, config));
      return;
    }
    // A remote slot: the claim is dispatched to a runner; the parent has nothing to start (no SPAWN line).
    if (await dispatchSlot(act, slotId, issue, false)) act.dispatched.push(issue);
    // Refused (no workflow, bad ref…): the next dispatches would be refused too; no more remote claims now.
    else freeSlots = freeSlots.filter((id) => !isRemoteSlotId(id));
  };
  // First the claims an earlier run of this daemon (or a one-off that died) left unsettled: a won one is simply ours.
  const held = new Set(
    Object.values(state.shepherds)
      .filter(isBusy)
      .map((s) => s.issue),
  );
  for (const lock of await listClaimLocks(ctx.paths)) {
    if (held.has(lock.issue) || !lock.token || !claimLockAbandoned(lock, claimCtx.owner, now) || stopRequested())
      continue;
    const outcome = await settleClaim(claimCtx, lock.issue);
    if (!outcome.claimed) {
      if (outcome.pending) held.add(lock.issue); // still in flight: not claimed again before it lands or expires
      continue;
    }
    if (freeSlots.length) await occupy(lock.issue);
    else
      await releaseIssue(claimCtx, lock.issue, {
        comment:
          'Loom: a claim on this issue was left unfinished by a Loom process that stopped, and no shepherd slot is free, so the issue is back in the ready queue.',
      });
    held.add(lock.issue);
  }
  for (const candidate of plan.claimCandidates) {
    if (!freeSlots.length || stopRequested()) break;
    if (held.has(candidate.issue)) continue;
    act.claimIndex += 1;
    ctx.faults.reach(`before-claim-${act.claimIndex}`);
    const outcome = await claimIssue(claimCtx, candidate.issue);
    ctx.faults.reach(`after-claim-${act.claimIndex}`);
    if (!outcome.claimed) {
      skipped.push({ issue: candidate.issue, reason: outcome.reason });
      continue;
    }
    await occupy(candidate.issue);
  }
}

/** Step: support roles the planner chose are marked running and get their directive (none once a stop file appears). */
export function startRoles(act: Act): void {
  const { config, state, plan, nowIso, directives, stopRequested } = act;
  if (!stopRequested()) {
    for (const spawn of plan.roleSpawns) {
      state.support_roles[spawn.role] = {
        ...state.support_roles[spawn.role],
        status: 'running',
        started: nowIso,
        task_id: null,
        output_file: null,
      };
      if (spawn.role === 'architect') state.last_architect_trigger = nowIso;
      if (spawn.role === 'hermit') state.last_hermit_trigger = nowIso;
      directives.push(roleDirective(spawn, config));
    }
  }
}
