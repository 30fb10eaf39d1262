/**
 * The pure heart of an iteration (DESIGN.md §4.3 steps 4–8):
 * `(snapshot, state, config, now, observations) → plan`. No I/O: the caller
 * gathers observations (task output files) beforehand and carries out the plan
 * afterwards (src/core/iteration.ts), so every rule is table-tested here.
 */

import { budgetReached, pauseFor, type UsageState, usagePaused } from './accounting.js';
import { claimStanding, latestHeartbeat } from './claim-marks.js';
import type { Config } from './config.js';
import { type DaemonState, isBusy, type SupportRoleName, type Warning } from './daemon-state.js';
import { claimableAt, type FailureReason, NO_FAILURES } from './failure-budget.js';
import { countsDrainedBy, type DrainingRole, ownerOf } from './label-owners.js';
import { Label } from './labels.js';
import { snapshotWaitReason } from './merge-gate.js';
import { rejectedByJudge } from './models.js';
import { isRemoteSlotId, runVerdict, slotCounts, slotIdsOf, type WorkflowRun } from './remote-slots.js';
import { type IssueSummary, pullForIssue, repairReason, type Snapshot } from './snapshot.js';
import { idleness, latestTime } from './stuck.js';
import { mayEnter } from './trust.js';
import type { LimitSignal, WorkerResult } from './worker-output.js';

/** What the iteration saw of one background task's output file (by slot id or role name). */
export interface TaskObservation {
  /** The transcript's last entry is a finished assistant turn. */
  ended: boolean;
  /** mtime of the output file (ISO), or null when missing. */
  lastOutputAt: string | null;
  /** A usage-limit signal in the output (refused, or utilization at `usage.pause_at`). */
  limit?: LimitSignal | null;
  /** The run ended because a usage limit refused it: the issue keeps its claim and resumes after the reset. */
  refused?: boolean;
  /** The run ended badly: the process died without a result line, or its result is an error. */
  failed?: boolean;
  /** The result line (cost, tokens), when the output has one. */
  result?: WorkerResult | null;
}

export interface PlanInput {
  snapshot: Snapshot;
  state: DaemonState;
  config: Config;
  now: Date;
  tasks?: Record<string, TaskObservation>;
  /** `/loom --force`: Champion may auto-promote proposals. */
  forceMode?: boolean;
  /** Issue → token of this clone's claim lock: whose claim comment marks the slot's claim as ours. */
  claimTokens?: Record<number, string>;
  /**
   * Remote slots' runs from this iteration's one runs-list request (src/core/remote-slots.ts `matchRuns`):
   * slot → its run, or null when no run of it is listed. Absent when the list was not read.
   */
  runs?: Record<string, WorkflowRun | null>;
}

/** Why a slot was freed by reconciliation: its issue is gone, or its claim is not this daemon's any more. */
export type OrphanReason = 'vanished' | 'claim-gone' | 'claimed-elsewhere';

export type CompletionReason =
  | 'issue-closed'
  | 'pr-merged'
  | 'reported-done'
  | 'reported-failed'
  | 'task-ended'
  /** A remote slot's run completed with success. */
  | 'run-succeeded'
  /** A remote slot's run completed with failure, cancelled, timed_out or another conclusion. */
  | 'run-failed'
  /** A remote slot's run never showed in the runs list, or no runner started it, in time: cancelled. */
  | 'run-not-started';

/** Whether a completion counts as finished work (`completed=#N`, `completed_issues`). */
export const countsAsCompleted = (reason: CompletionReason): boolean =>
  reason !== 'reported-failed' && reason !== 'task-ended' && reason !== 'run-failed' && reason !== 'run-not-started';

export interface Completion {
  slot: string;
  issue: number;
  reason: CompletionReason;
  /** The claim must be released (label back to `loom:issue`, one comment): the shepherd ended mid-work. */
  release: boolean;
  /** The release counts against the issue's failure budget (never for a usage-limit stop). */
  failure?: FailureReason;
  /** A remote slot's run still queued or in progress: cancelled when the slot is freed. */
  cancelRun?: number;
}

export interface ClaimCandidate {
  issue: number;
  title: string;
  urgent: boolean;
}

export interface RoleSpawn {
  role: SupportRoleName;
  args: string;
  /** The run follows a Judge rejection (a Doctor while a PR with loom:changes-requested waits): `models.escalate_to`. */
  escalate?: boolean;
}

export interface StuckAction {
  slot: string;
  issue: number;
  /** `cancel`: a remote slot is never restarted; its run is cancelled and the claim released as a failure. */
  action: 'warn' | 'restart' | 'block' | 'cancel';
  idleSeconds: number;
  /** Why: no sign of life (`idle`), or the worker process ended badly (`failed`). */
  cause?: 'idle' | 'failed';
}

export interface Plan {
  completions: Completion[];
  /** Support roles whose run ended (their slot frees; `last_completed` is set). */
  roleCompletions: { role: SupportRoleName; reason: 'task-ended' | 'timed-out' }[];
  /** Slots free for new shepherds after completions, in order. */
  freeSlots: string[];
  /** Ready issues to try, in claim order (`loom:urgent` first, then oldest); claim until `freeSlots` run out. */
  claimCandidates: ClaimCandidate[];
  /**
   * Ready issues not claimed now: in back-off after a failed attempt (`until`: when they may be), or written
   * by an outsider no maintainer admitted (src/core/trust.ts).
   */
  heldBack: { issue: number; reason: 'backoff' | 'outside'; until: string | null }[];
  /** Slots whose shepherd must be started again with `--resume` (after crash recovery). */
  resumes: { slot: string; issue: number }[];
  roleSpawns: RoleSpawn[];
  /** `loom:building` issues nobody works on: back to `loom:issue` with one comment. */
  staleReleases: { issue: number; title: string; idleSeconds: number }[];
  /** Worker labels left by a crashed agent on an item nobody holds: back to the state before, with one comment. */
  orphanReverts: { number: number; label: string; to: string; idleSeconds: number }[];
  stuck: StuckAction[];
  /**
   * Slots reconciled away (issue 10): their issue vanished from GitHub or no longer carries this
   * daemon's claim. Freed with a warning, never resumed, and nothing is done on GitHub (it is not ours).
   */
  orphaned: { slot: string; issue: number; reason: OrphanReason }[];
  warnings: Warning[];
  /** Working slots whose worker a usage limit refused: paused (claim kept), resumed after the reset. */
  limitPauses: { slot: string; issue: number }[];
  /** The usage pause to record when a limit signal asks for a new or longer one; null: unchanged. */
  usagePause: UsageState | null;
  /** True while no new worker or claim may start (usage pause or daily budget); the reason for status. */
  hold: { usage: boolean; budget: boolean };
}

const SUPPORT_ROLES = ['guide', 'curator', 'judge', 'champion', 'doctor'] as const;
/** A support role that has shown no sign of life for this long is considered finished. */
const ROLE_TIMEOUT_SECONDS = 2 * 3600;

const secondsBetween = (later: Date, earlier: string | null): number =>
  earlier ? Math.max(0, (later.getTime() - Date.parse(earlier)) / 1000) : Number.POSITIVE_INFINITY;

const latest = (...times: (string | null | undefined)[]): string | null => {
  let best: string | null = null;
  for (const time of times) if (time && (!best || Date.parse(time) > Date.parse(best))) best = time;
  return best;
};

/** The slot's work is done but its worker is still writing (output readable, no end yet, not stuck). */
function awaitingEnd(
  slot: DaemonState['shepherds'][string],
  task: TaskObservation | undefined,
  config: Config,
  now: Date,
) {
  if (slot.status !== 'working' || !task?.lastOutputAt || task.ended) return false;
  return !idleness(slot, task.lastOutputAt, config, now)?.stuck;
}

/** The local slot ids `shepherd-1` … `shepherd-max`. */
export function slotIds(max: number): string[] {
  return slotIdsOf({ local: max, actions: 0 });
}

export { isRemoteSlotId };

export function plan(input: PlanInput): Plan {
  const { snapshot, state, config, now } = input;
  const tasks = input.tasks ?? {};
  const nowIso = now.toISOString();
  const warnings: Warning[] = [];

  // Usage limits: a refused worker's slot pauses with its claim; any signal may start or extend the pause.
  const limitPauses: Plan['limitPauses'] = [];
  const failedSlots = new Set<string>();
  let usage: UsageState = state.usage;
  let usagePause: UsageState | null = null;
  for (const [id, task] of Object.entries(tasks)) {
    if (task.limit) {
      const next = pauseFor(task.limit, usage, config.usage, now);
      if (next && next !== usage) usage = usagePause = next;
    }
    const slot = state.shepherds[id];
    if (slot?.status !== 'working' || slot.issue === null) continue;
    if (task.refused) limitPauses.push({ slot: id, issue: slot.issue });
    else if (task.failed && !slot.completed) failedSlots.add(id);
  }
  const pausedSlots = new Set(limitPauses.map((p) => p.slot));
  const hold = { usage: usagePaused(usage, now), budget: budgetReached(state.cost, config.budget.daily_usd, now) };

  // Step 4: completions. A worker whose output is readable but has not ended yet is still writing its last
  // turns (its result line carries the cost): the slot completes with that end, not before — unless it shows
  // no sign of life for its phase's stuck threshold, when it completes without it (the work is done).
  const completions: Completion[] = [];
  const finishing = new Set<string>();
  for (const [slotId, slot] of Object.entries(state.shepherds)) {
    if (!isBusy(slot) || slot.issue === null || pausedSlots.has(slotId) || failedSlots.has(slotId)) continue;
    const issue = slot.issue;
    const tracked = snapshot.tracked.issues[issue];
    const pull = slot.pr_number ? snapshot.tracked.pulls[slot.pr_number] : undefined;
    let reason: CompletionReason | undefined;
    let release = false;
    if (pull?.state === 'MERGED') reason = 'pr-merged';
    else if (tracked?.state === 'CLOSED') reason = 'issue-closed';
    else if (slot.completed === 'done') reason = 'reported-done';
    else if (slot.completed === 'failed') reason = 'reported-failed';
    else if (slot.remote) {
      // A remote slot ends with its run (DESIGN.md §4.9): the run's conclusion says how.
      const verdict = runVerdict(slot.remote, input.runs?.[slotId], config, now);
      if (verdict === 'running') continue;
      const onGitHub = !!tracked?.labels.includes(Label.building) && !pullForIssue(snapshot, issue) && !slot.pr_number;
      const active = slot.remote.run_status !== 'completed' ? (input.runs?.[slotId]?.id ?? slot.remote.run_id) : null;
      // A successful run leaves the issue closed, with a pull request, or handed on; one that left it
      // loom:building with no pull request ended without finishing (as a local task ending silently).
      if (verdict === 'succeeded' && !onGitHub)
        completions.push({
          slot: slotId,
          issue,
          // Back in the ready queue (the shepherd released it itself): not finished work.
          reason: tracked?.state === 'OPEN' && tracked.labels.includes(Label.issue) ? 'run-failed' : 'run-succeeded',
          release: false,
        });
      else if (verdict === 'failed' || verdict === 'succeeded')
        completions.push({
          slot: slotId,
          issue,
          reason: 'run-failed',
          release: onGitHub,
          ...(onGitHub ? { failure: 'ended' as const } : {}),
        });
      else
        completions.push({
          slot: slotId,
          issue,
          reason: 'run-not-started',
          release: onGitHub,
          ...(active && input.runs?.[slotId]?.status !== 'completed' ? { cancelRun: active } : {}),
        });
      continue;
    } else if (slot.status === 'working' && tasks[slotId]?.ended) {
      reason = 'task-ended';
      // Ended without reporting: if it left the claim behind with no PR, nobody is working on it.
      release = !!tracked?.labels.includes(Label.building) && !pullForIssue(snapshot, issue) && !slot.pr_number;
    }
    if (!reason) continue;
    if (reason !== 'task-ended' && awaitingEnd(slot, tasks[slotId], config, now)) {
      finishing.add(slotId);
      continue;
    }
    // A usage limit in the output stopped it: the issue is not at fault, its budget stays as it was.
    const failure = release && !tasks[slotId]?.limit ? ('ended' as const) : undefined;
    completions.push({ slot: slotId, issue, reason, release, ...(failure ? { failure } : {}) });
  }
  // Reconciliation with GitHub, from the snapshot alone: a slot is only ours while its claim is.
  const orphaned: Plan['orphaned'] = [];
  for (const [slotId, slot] of Object.entries(state.shepherds)) {
    if (!isBusy(slot) || slot.issue === null || finishing.has(slotId) || completions.some((c) => c.slot === slotId))
      continue;
    const issue = slot.issue;
    const tracked = snapshot.tracked.issues[issue];
    let reason: OrphanReason | undefined;
    if (snapshot.tracked.vanished?.includes(issue)) reason = 'vanished';
    else if (tracked?.state === 'OPEN' && !slot.pr_number && !pullForIssue(snapshot, issue)) {
      const standing = claimStanding(tracked.labels, tracked.claims ?? [], input.claimTokens?.[issue], Label.building);
      if (standing === 'gone') reason = 'claim-gone';
      else if (standing === 'elsewhere') reason = 'claimed-elsewhere';
    }
    if (!reason) continue;
    orphaned.push({ slot: slotId, issue, reason });
    warnings.push({
      time: nowIso,
      type: reason === 'vanished' ? 'issue-vanished' : 'claim-lost',
      severity: reason === 'vanished' ? 'error' : 'warning',
      message:
        reason === 'vanished'
          ? `#${issue} no longer exists on GitHub (deleted or transferred): its slot ${slotId} is freed`
          : reason === 'claim-gone'
            ? `#${issue} is no longer loom:building (released elsewhere): slot ${slotId} is freed, its shepherd is not resumed`
            : `#${issue} is claimed by another Loom (${tracked?.claims?.at(-1)?.owner ?? 'unknown'}): slot ${slotId} is freed, its shepherd is not resumed`,
      context: { slot: slotId, issue, reason },
    });
  }
  const orphanedSlots = new Set(orphaned.map((o) => o.slot));
  const completedSlots = new Set([...completions.map((c) => c.slot), ...orphanedSlots]);

  // Stuck shepherds (DESIGN.md §9.2): warn, then one restart, then blocked. A worker that died or ended in an
  // error is treated the same without the warning step (it is certainly not working any more).
  const stuck: StuckAction[] = [];
  for (const slotId of failedSlots) {
    const slot = state.shepherds[slotId]!;
    const action = slot.restarts < 1 ? 'restart' : 'block';
    stuck.push({ slot: slotId, issue: slot.issue!, action, idleSeconds: 0, cause: 'failed' });
    warnings.push({
      time: nowIso,
      type: 'worker-failed',
      severity: action === 'block' ? 'error' : 'warning',
      message: `shepherd for #${slot.issue} ended without a result in phase ${slot.last_phase ?? 'unknown'}: ${action}`,
      context: { slot: slotId, issue: slot.issue, action },
    });
  }
  for (const [slotId, slot] of Object.entries(state.shepherds)) {
    if (
      slot.status !== 'working' ||
      slot.issue === null ||
      completedSlots.has(slotId) ||
      finishing.has(slotId) ||
      pausedSlots.has(slotId) ||
      failedSlots.has(slotId)
    )
      continue;
    // A remote shepherd's sign of life is its claim comment's heartbeat on GitHub (DESIGN.md §7.5), not a file.
    const lastSign = slot.remote
      ? latestTime(latestHeartbeat(snapshot.tracked.issues[slot.issue]?.claims ?? []), slot.remote.dispatched_at)
      : tasks[slotId]?.lastOutputAt;
    const idle = idleness(slot, lastSign, config, now);
    if (!idle?.stuck) continue;
    const { idleSeconds } = idle;
    let action: StuckAction['action'];
    if (!slot.stuck_since) action = 'warn';
    else if (secondsBetween(now, slot.stuck_since) < config.stuck_grace)
      continue; // give the warning time
    else if (slot.remote) action = 'cancel';
    else action = slot.restarts < 1 ? 'restart' : 'block';
    stuck.push({ slot: slotId, issue: slot.issue, action, idleSeconds, cause: 'idle' });
    warnings.push({
      time: nowIso,
      type: 'stuck',
      severity: action === 'block' ? 'error' : 'warning',
      message: `shepherd for #${slot.issue} idle ${Math.round(idleSeconds / 60)} min in phase ${slot.last_phase ?? 'unknown'}: ${action}`,
      context: { slot: slotId, issue: slot.issue, action },
    });
  }
  const blockedSlots = new Set(stuck.filter((s) => s.action === 'block' || s.action === 'cancel').map((s) => s.slot));

  // Resumes: slots paused by crash recovery or a usage limit get their shepherd again (never during the pause).
  const resumes = hold.usage
    ? []
    : Object.entries(state.shepherds)
        .filter(([id, slot]) => slot.status === 'paused' && slot.issue !== null && !completedSlots.has(id))
        .map(([slot, s]) => ({ slot, issue: s.issue as number }));

  // Step 5: free slots and claim candidates (none while the usage pause or the daily budget holds).
  const freeSlots =
    hold.usage || hold.budget
      ? []
      : slotIdsOf(slotCounts(config)).filter(
          (id) => !isBusy(state.shepherds[id]) || completedSlots.has(id) || blockedSlots.has(id),
        );
  const held = new Set(
    Object.entries(state.shepherds)
      .filter(([id, slot]) => isBusy(slot) && !completedSlots.has(id))
      .map(([, slot]) => slot.issue),
  );
  // A reconciled issue is not claimed again in the same iteration: its old shepherd may not have noticed yet.
  const orphanIssues = new Set(orphaned.map((o) => o.issue));
  const heldBack: Plan['heldBack'] = [];
  const claimCandidates = orderReady(snapshot.readyIssues)
    .filter((issue) => !held.has(issue.number) && !orphanIssues.has(issue.number))
    .filter((issue) => {
      if (!mayEnter(issue, 'build', config.trust.outside_issues)) {
        heldBack.push({ issue: issue.number, reason: 'outside', until: null });
        return false;
      }
      const until = claimableAt(issue.failures ?? NO_FAILURES, config.failure, now);
      if (until) heldBack.push({ issue: issue.number, reason: 'backoff', until });
      return !until;
    })
    .map((issue) => ({ issue: issue.number, title: issue.title, urgent: issue.labels.includes(Label.urgent) }));

  // Support roles: completion of running ones.
  const roleCompletions: Plan['roleCompletions'] = [];
  for (const [name, role] of Object.entries(state.support_roles) as [
    SupportRoleName,
    DaemonState['support_roles'][SupportRoleName],
  ][]) {
    if (role.status !== 'running') continue;
    if (tasks[name]?.ended) roleCompletions.push({ role: name, reason: 'task-ended' });
    else if (secondsBetween(now, latest(role.started, tasks[name]?.lastOutputAt)) > ROLE_TIMEOUT_SECONDS) {
      roleCompletions.push({ role: name, reason: 'timed-out' });
    }
  }
  const finished = new Set(roleCompletions.map((r) => r.role));
  const idle = (role: SupportRoleName) => state.support_roles[role].status !== 'running' || finished.has(role);
  const lastFinished = (role: SupportRoleName) =>
    finished.has(role) ? nowIso : state.support_roles[role].last_completed;

  const roleSpawns: RoleSpawn[] = [];
  const force = input.forceMode ?? state.force_mode;
  // Step 6: work generation when the backlog is low.
  if (snapshot.counts.ready < config.issue_threshold) {
    const proposals = { architect: snapshot.counts.architect_proposals, hermit: snapshot.counts.hermit_proposals };
    for (const role of ['architect', 'hermit'] as const) {
      const settings = config[role];
      const lastTrigger = role === 'architect' ? state.last_architect_trigger : state.last_hermit_trigger;
      if (
        settings.enabled &&
        idle(role) &&
        proposals[role] < settings.cap &&
        secondsBetween(now, lastTrigger) >= settings.cooldown
      ) {
        roleSpawns.push({ role, args: role === 'architect' ? '--autonomous' : '' });
      }
    }
  }
  // Step 7: support roles on their interval since they last finished (or since the daemon started).
  // A role has work while a label it drains (per the label-ownership table) has items.
  const drains = (role: DrainingRole) => countsDrainedBy(role).some((key) => workIn(key) > 0);
  // Approved PRs the Champion cannot merge (the Doctor's, or a person's) are not its work: no run every interval.
  const approvedListed = snapshot.approvedPulls.length >= snapshot.counts.ready_to_merge;
  const triageListed = !!snapshot.triageIssues && snapshot.triageIssues.length >= snapshot.counts.triage;
  const workIn = (key: keyof Snapshot['counts']): number =>
    key === 'triage' && triageListed
      ? snapshot.triageIssues!.filter((i) => mayEnter(i, 'curate', config.trust.outside_issues)).length
      : key === 'ready_to_merge' && approvedListed
        ? snapshot.approvedPulls.filter(
            (p) =>
              !repairReason(p) && !p.labels.includes(Label.manualMerge) && !snapshotWaitReason(p, config.merge, now),
          ).length
        : snapshot.counts[key];
  // Issues and PRs a busy slot holds: its issue, its recorded PR, and any open PR of its issue.
  const heldPulls = new Set<number>(
    Object.entries(state.shepherds).flatMap(([id, slot]) =>
      isBusy(slot) && !completedSlots.has(id) && slot.pr_number ? [slot.pr_number] : [],
    ),
  );
  for (const pull of snapshot.pullRequests)
    if (
      pull.closingIssues.some((n) => held.has(n)) ||
      held.has(Number(/^feature\/issue-(\d+)$/.exec(pull.headRefName)?.[1]))
    )
      heldPulls.add(pull.number);
  // A review-requested PR no shepherd holds (a person's, or a dead shepherd's) gets a Judge from the daemon.
  const unheldReview = snapshot.pullRequests
    .filter((p) => p.labels.includes(Label.reviewRequested) && !heldPulls.has(p.number))
    .sort((a, b) => a.number - b.number)[0];
  const allDoctorWorkHeld = () => {
    const items = [
      ...snapshot.pullRequests.filter((p) => p.labels.includes(Label.changesRequested)),
      ...snapshot.approvedPulls.filter((p) => repairReason(p)),
    ];
    return snapshot.pullRequestsComplete && items.length > 0 && items.every((p) => heldPulls.has(p.number));
  };
  // A rejected PR no shepherd holds: the daemon's Doctor runs on the escalation model (config models.escalate_to).
  const rejectedWaiting = snapshot.pullRequests.some((p) => rejectedByJudge(p.labels) && !heldPulls.has(p.number));
  const curating = snapshot.workerLabels.filter((w) => w.label === Label.curating).length;
  const hasWork: Record<(typeof SUPPORT_ROLES)[number], boolean> = {
    guide: true,
    curator: drains('curator') && curating < config.curator.cap,
    judge: !!unheldReview,
    champion:
      drains('champion') || (force && snapshot.counts.architect_proposals + snapshot.counts.hermit_proposals > 0),
    // A PR a live shepherd holds is its own Doctor's: a standalone one would only be refused by `loom take`
    // (issue 9, point 5), so it is not started while every PR it could treat is held.
    doctor: drains('doctor') && !allDoctorWorkHeld(),
  };
  for (const role of SUPPORT_ROLES) {
    const settings = config[role];
    const since = lastFinished(role) ?? state.started_at;
    if (settings.enabled && idle(role) && hasWork[role] && since && secondsBetween(now, since) >= settings.interval) {
      const args = role === 'champion' && force ? '--force' : role === 'judge' ? String(unheldReview?.number) : '';
      roleSpawns.push(role === 'doctor' && rejectedWaiting ? { role, args, escalate: true } : { role, args });
    }
  }

  // Step 8: stale `loom:building` issues nobody is working on.
  const staleReleases: Plan['staleReleases'] = [];
  const building = ownerOf(Label.building);
  const staleAfter = building.orphanAfter(config);
  if (snapshot.pullRequestsComplete && staleAfter !== null) {
    for (const issue of snapshot.buildingIssues) {
      if (held.has(issue.number)) continue;
      // Heartbeats from any clone count: this clone's journal and the claim comments the snapshot read.
      const beat = latest(state.heartbeats[String(issue.number)], latestHeartbeat(issue.claims ?? []));
      if (secondsBetween(now, beat) < config.heartbeat_fresh) continue; // a fresh heartbeat anywhere: never released
      const idleSeconds = secondsBetween(now, latest(issue.updatedAt, beat));
      if (idleSeconds <= staleAfter) continue;
      if (pullForIssue(snapshot, issue.number)) continue;
      staleReleases.push({ issue: issue.number, title: issue.title, idleSeconds: Math.round(idleSeconds) });
      warnings.push({
        time: nowIso,
        type: 'stale-building',
        severity: 'warning',
        message: `#${issue.number} was loom:building for ${Math.round(idleSeconds / 3600)} h with no pull request: released`,
        context: { issue: issue.number },
      });
    }
  }

  // Worker labels a crashed agent left behind (the label-ownership table says where each goes back to).
  const orphanReverts: Plan['orphanReverts'] = [];
  for (const item of snapshot.workerLabels) {
    const owner = ownerOf(item.label as Parameters<typeof ownerOf>[0]);
    const after = owner.orphanAfter(config);
    if (after === null) continue;
    if (item.isPull ? heldPulls.has(item.number) : held.has(item.number)) continue;
    // The daemon's own worker for this label is still running: it holds the item.
    if (
      owner.movedBy.some(
        (a) => a.kind === 'role' && state.support_roles[a.role as SupportRoleName]?.status === 'running',
      )
    )
      continue;
    const idleSeconds = secondsBetween(now, latest(item.updatedAt, state.heartbeats[String(item.number)]));
    if (idleSeconds <= after) continue;
    orphanReverts.push({ number: item.number, label: item.label, to: item.to, idleSeconds: Math.round(idleSeconds) });
  }

  return {
    completions,
    roleCompletions,
    freeSlots,
    claimCandidates,
    heldBack,
    resumes,
    // A usage pause or a spent budget starts no worker: no support role and no stuck restart either.
    roleSpawns: hold.usage || hold.budget ? [] : roleSpawns,
    staleReleases,
    orphanReverts,
    stuck: hold.usage ? stuck.filter((s) => s.action !== 'restart') : stuck,
    orphaned,
    warnings,
    limitPauses,
    usagePause,
    hold,
  };
}

/** `loom:urgent` first, then oldest created first; stable for equal dates. */
export function orderReady(issues: readonly IssueSummary[]): IssueSummary[] {
  return [...issues].sort((a, b) => {
    const urgency = Number(b.labels.includes(Label.urgent)) - Number(a.labels.includes(Label.urgent));
    if (urgency) return urgency;
    return Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.number - b.number;
  });
}
