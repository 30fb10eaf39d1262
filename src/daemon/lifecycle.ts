/**
 * Daemon start (registration + crash recovery) and graceful shutdown (DESIGN.md §4.6).
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { claimContextOf, releaseIssue, settleClaim } from '../claims/claim.js';
import {
  type ClaimLock,
  listClaimLocks,
  ownerPid,
  readClaimLock,
  releaseClaimLock,
  updateClaimLock,
} from '../claims/claim-lock.js';
import type { LoomContext } from '../context.js';
import { claimStanding, latestHeartbeat } from '../core/claim-marks.js';
import {
  claimedSlot,
  type DaemonState,
  idleSlot,
  isBusy,
  MAX_COMPLETED,
  pushWarnings,
  type ShepherdSlot,
  type SupportRoleName,
} from '../core/daemon-state.js';
import { Label } from '../core/labels.js';
import {
  matchRuns,
  observedRemote,
  type Runner,
  slotCounts,
  unrecordedRuns,
  withRunner,
} from '../core/remote-slots.js';
import { pullForIssue } from '../core/snapshot.js';
import { LoomError } from '../errors.js';
import { safeWriteFile } from '../fs/safe-file.js';
import {
  type CleanupEntry,
  cleanupWarnings,
  type FinishedWork,
  liveIssues,
  localIssueWork,
  removeFinishedWork,
} from '../git/cleanup.js';
import { listDispatchedRuns } from '../github/actions.js';
import { readIssueWork } from '../github/issue-work.js';
import { takeSnapshot } from '../github/snapshot.js';
import { pidAlive } from '../process/liveness.js';
import { randomHex } from '../random.js';
import { checkDaemonOwner, daemonAlive } from './ownership.js';
import { liveRunner } from './run-lock.js';
import { observeTask } from './task-output.js';

export interface RecoveryAction {
  slot: string | null;
  issue: number;
  action: 'completed' | 'resume' | 'released' | 'kept' | 'freed';
  reason: string;
}

export interface StartResult {
  daemonId: string;
  recovered: RecoveryAction[];
  crashed: boolean;
  /** Local worktrees and feature/issue-N branches of merged or closed work: removed, or kept with the reason. */
  cleaned: CleanupEntry[];
}

/** At most this many local issue traces are looked up on GitHub per `loom start` (one request each). */
export const START_SWEEP_LIMIT = 50;

/**
 * `loom start`'s sweep: every local `.loom/worktrees/issue-N` and `feature/issue-N` whose issue is closed
 * with its PR merged (or without a PR) is removed, unless a shepherd of this clone holds it. One GitHub
 * request per issue with a local trace (at most START_SWEEP_LIMIT); an issue GitHub does not know is left.
 */
async function sweepFinishedWork(ctx: LoomContext, state: DaemonState): Promise<CleanupEntry[]> {
  const issues = (await localIssueWork(ctx.root)).slice(0, START_SWEEP_LIMIT);
  if (!issues.length) return [];
  const repo = await ctx.repo();
  const finished: FinishedWork[] = [];
  for (const issue of issues) {
    const work = await readIssueWork(ctx.gh, repo, issue).catch((error: unknown) => {
      if (error instanceof LoomError && error.code === 'GH_NOT_FOUND') return null;
      throw error;
    });
    if (work?.issue.state !== 'CLOSED') continue;
    const pull = work.pull?.pull;
    if (pull && pull.state !== 'MERGED') continue;
    finished.push({ issue });
  }
  return removeFinishedWork(ctx.root, ctx.root, finished, liveIssues(state.shepherds));
}

const newDaemonId = (now: Date) => `loom-${now.toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomHex(3)}`;

const RELEASE_COMMENT =
  'Loom: the daemon that claimed this issue stopped before finishing it (crash or shutdown), and no shepherd is working on it, so the claim is released and the issue is back in the ready queue.';

/** `loom start`: refuses when another daemon is alive (unless `force`), recovers after a crash, registers a new id. */
export async function startDaemon(
  ctx: LoomContext,
  options: { force?: boolean; runner?: Runner } = {},
): Promise<StartResult> {
  const config = withRunner(await ctx.config(), options.runner);
  return ctx.store.withLock(async () => {
    const state = await ctx.store.read();
    const now = ctx.now();
    if (daemonAlive(state, config, now) && !options.force) {
      // Same refusal as an iteration of a second daemon.
      checkDaemonOwner(state, '(new)', config, now);
    }
    const runner = state.running && !options.force ? await liveRunner(ctx.paths, state.daemon_id) : null;
    if (runner)
      throw new LoomError(
        'DAEMON_OWNED',
        `Another daemon (${state.daemon_id}, \`loom run\` pid ${runner.pid}) is running here; its last poll was at ${state.last_poll}.`,
        {
          hint: 'Stop it first (`touch .loom/stop-daemon`, or SIGTERM to that pid), or start with --force if it is stuck.',
          details: { owner: state.daemon_id, pid: runner.pid },
        },
      );
    const crashed = state.running;
    const daemonId = newDaemonId(now);
    const recovered = await recover(ctx, state, config.heartbeat_fresh, daemonId, slotCounts(config).actions > 0);
    // A failed sweep never stops a start: it is reported and tried again at the next one.
    let cleaned: CleanupEntry[] = [];
    const sweepWarnings: string[] = [];
    try {
      cleaned = await sweepFinishedWork(ctx, state);
      sweepWarnings.push(...cleanupWarnings(cleaned));
    } catch (error) {
      sweepWarnings.push(`local clean-up skipped: ${error instanceof Error ? error.message : String(error)}`);
    }
    // Stop files left from an earlier daemon must not stop this one.
    await rm(ctx.paths.stopDaemon, { force: true });
    await rm(ctx.paths.stopShepherds, { force: true });
    Object.assign(state, {
      daemon_id: daemonId,
      running: true,
      started_at: now.toISOString(),
      stopped_at: null,
      last_poll: now.toISOString(),
      iteration: 0,
    });
    state.cost = { ...state.cost, session_usd: 0 };
    if (recovered.length) {
      pushWarnings(state, [
        {
          time: now.toISOString(),
          type: 'crash-recovery',
          severity: 'warning',
          message: `recovered ${recovered.length} item(s) after ${crashed ? 'a crash' : 'a stop'}: ${recovered.map((r) => `#${r.issue} ${r.action}`).join(', ')}`,
          context: {},
        },
      ]);
    }
    pushWarnings(
      state,
      sweepWarnings.map((message) => ({
        time: now.toISOString(),
        type: 'cleanup-kept',
        severity: 'warning' as const,
        message,
        context: {},
      })),
    );
    await ctx.store.write(state);
    return { daemonId, recovered, crashed, cleaned };
  });
}

/**
 * Decides from GitHub what becomes of every recorded shepherd and every local
 * claim without one. Fail safe: a claim with a fresh heartbeat is kept.
 */
async function recover(
  ctx: LoomContext,
  state: DaemonState,
  freshSeconds: number,
  daemonId: string,
  actionsInUse: boolean,
): Promise<RecoveryAction[]> {
  const busy = Object.entries(state.shepherds).filter(([, slot]) => isBusy(slot));
  const orphanLocks = await orphanClaimLocks(ctx, state);
  const orphanClaims = orphanLocks.map((l) => l.issue);
  const roles = Object.keys(state.support_roles) as SupportRoleName[];
  for (const role of roles)
    if (state.support_roles[role].status === 'running') state.support_roles[role].status = 'idle';
  const remoteBusy = busy.some(([, slot]) => !!slot.remote);
  if (!busy.length && !orphanClaims.length && !actionsInUse) return [];

  const repo = await ctx.repo();
  const now = ctx.now();
  // Remote slots (DESIGN.md §4.9): one runs-list request. A scheduled daemon in Actions starts with no state
  // file: the Loom runs still queued or in progress give its remote slots back (checked against the claims).
  const runs = actionsInUse || remoteBusy ? await listDispatchedRuns(ctx.gh, repo) : [];
  const matched = matchRuns(Object.fromEntries(busy), runs);
  const rebuilt = unrecordedRuns(state.shepherds, runs);
  if (!busy.length && !orphanClaims.length && !rebuilt.length) return [];
  const snapshot = await takeSnapshot(
    ctx.gh,
    {
      repo,
      readyLimit: 1,
      trackIssues: [...busy.map(([, s]) => s.issue!), ...orphanClaims, ...rebuilt.map((r) => r.issue)],
      trackPulls: busy.flatMap(([, s]) => (s.pr_number ? [s.pr_number] : [])),
    },
    ctx.now,
  );
  const claimCtx = claimContextOf(ctx, repo, daemonId);
  const fresh = (time: string | null | undefined) => !!time && now.getTime() - Date.parse(time) < freshSeconds * 1000;
  const actions: RecoveryAction[] = [];

  for (const [slotId, slot] of busy) {
    const issue = slot.issue!;
    const tracked = snapshot.tracked.issues[issue];
    const merged = slot.pr_number ? snapshot.tracked.pulls[slot.pr_number]?.state === 'MERGED' : false;
    const openPull = pullForIssue(snapshot, issue);
    const output = await observeTask(slot.output_file);
    let action: RecoveryAction['action'];
    let reason: string;
    const token = (await readClaimLock(ctx.paths, issue))?.token;
    const standing = tracked ? claimStanding(tracked.labels, tracked.claims ?? [], token, Label.building) : 'ours';
    const run = slot.remote ? matched[slotId] : undefined;
    if (slot.remote && run && run.status !== 'completed' && tracked?.state === 'OPEN' && standing !== 'elsewhere') {
      // Its run is still queued or in progress on a runner: the slot goes on following it.
      slot.remote = observedRemote(slot.remote, run);
      actions.push({ slot: slotId, issue, action: 'kept', reason: `its Actions run ${run.id} is ${run.status}` });
      continue;
    }
    if (snapshot.tracked.vanished?.includes(issue)) {
      // Deleted or transferred: nothing on GitHub to release; the slot frees and the daemon goes on.
      action = 'freed';
      reason = 'issue no longer exists on GitHub (deleted or transferred)';
    } else if (merged || tracked?.state === 'CLOSED') {
      action = 'completed';
      reason = merged ? 'pull request merged' : 'issue closed';
      state.completed_issues = [...state.completed_issues.filter((n) => n !== issue), issue].slice(-MAX_COMPLETED);
      if (merged) state.total_prs_merged += 1;
    } else if (openPull) {
      action = 'resume';
      reason = `pull request #${openPull.number} is open: resume from judge`;
      Object.assign(slot, {
        status: 'paused',
        pr_number: openPull.number,
        last_phase: 'judge',
        idle_reason: 'resume after restart',
        task_id: null,
        output_file: null,
      });
      actions.push({ slot: slotId, issue, action, reason });
      continue;
    } else if (standing === 'elsewhere') {
      // Another clone claimed it after a release this daemon did not see: its claim is left alone.
      action = 'freed';
      reason = 'claimed by another Loom since';
    } else if (slot.status === 'paused' && slot.idle_reason === 'usage-limit' && tracked?.state === 'OPEN') {
      // Paused by a Claude usage limit: the claim is kept and the shepherd resumes after the reset.
      action = 'kept';
      reason = 'paused by a usage limit: resumes after the reset';
      actions.push({ slot: slotId, issue, action, reason });
      continue;
    } else if (
      fresh(slot.last_heartbeat) ||
      fresh(output.lastOutputAt) ||
      fresh(latestHeartbeat(tracked?.claims ?? []))
    ) {
      action = 'kept';
      reason = 'fresh heartbeat: a shepherd may still be working';
      actions.push({ slot: slotId, issue, action, reason });
      continue;
    } else if (tracked?.labels.includes(Label.building)) {
      await releaseIssue(claimCtx, issue, { comment: RELEASE_COMMENT });
      action = 'released';
      reason = 'loom:building with no pull request and no heartbeat';
    } else {
      action = 'freed';
      reason = 'issue no longer loom:building';
    }
    await releaseClaimLock(ctx.paths, issue);
    state.shepherds[slotId] = idleSlot({ idle_since: now.toISOString(), idle_reason: `recovery: ${action}` });
    actions.push({ slot: slotId, issue, action, reason });
  }

  for (const found of rebuilt) {
    const tracked = snapshot.tracked.issues[found.issue];
    // Only a run whose issue is still claimed on GitHub gets its slot back; any other run finds no claim to adopt.
    if (tracked?.state !== 'OPEN' || !tracked.labels.includes(Label.building) || !tracked.claims?.length) continue;
    state.shepherds[found.slot] = {
      ...claimedSlot(found.issue, found.run.run_started_at ?? found.run.created_at),
      remote: observedRemote(
        { dispatched_at: found.run.created_at, run_id: null, run_url: null, run_status: null, conclusion: null },
        found.run,
      ),
    };
    actions.push({
      slot: found.slot,
      issue: found.issue,
      action: 'kept',
      reason: `rebuilt from its Actions run ${found.run.id} (${found.run.status})`,
    });
  }

  for (const lock of orphanLocks) {
    const issue = lock.issue;
    if (snapshot.tracked.vanished?.includes(issue)) {
      await releaseClaimLock(ctx.paths, issue);
      actions.push({ slot: null, issue, action: 'freed', reason: 'issue no longer exists on GitHub' });
      continue;
    }
    if (lock.token) {
      // A claim whose iteration died before recording it: settle it on GitHub first (won, lost, or still in flight).
      const settled = await settleClaim(claimCtx, issue);
      if (!settled.claimed) {
        if (settled.pending)
          await updateClaimLock(ctx.paths, issue, { owner: daemonId }); // this daemon's iterations settle it
        else
          actions.push({ slot: null, issue, action: 'freed', reason: `unfinished claim undone (${settled.reason})` });
        continue;
      }
    }
    const tracked = snapshot.tracked.issues[issue];
    const building = lock.token ? true : !!tracked?.labels.includes(Label.building);
    const beat = fresh(state.heartbeats[String(issue)]) || fresh(latestHeartbeat(tracked?.claims ?? []));
    if (building && !pullForIssue(snapshot, issue) && !beat) {
      await releaseIssue(claimCtx, issue, { comment: RELEASE_COMMENT });
      actions.push({
        slot: null,
        issue,
        action: 'released',
        reason: 'claimed but never recorded (killed mid-iteration)',
      });
    } else {
      await releaseClaimLock(ctx.paths, issue);
    }
  }
  return actions;
}

/**
 * Local claim locks no recorded shepherd holds: claims whose iteration died
 * before saving state. Locks of a live `loom claim`/one-off process are not
 * orphans (a shepherd typed by a user holds its own claim).
 */
async function orphanClaimLocks(ctx: LoomContext, state: DaemonState): Promise<ClaimLock[]> {
  const held = new Set(
    Object.values(state.shepherds)
      .filter(isBusy)
      .map((s) => s.issue),
  );
  const now = ctx.now().getTime();
  return (await listClaimLocks(ctx.paths)).filter((lock) => {
    if (held.has(lock.issue)) return false;
    const pid = ownerPid(lock.owner);
    return !(pid !== undefined && pidAlive(pid) && Date.parse(lock.expires) > now);
  });
}

export interface ShutdownResult {
  drained: boolean;
  waitedSeconds: number;
  released: number[];
  stillRunning: number[];
}

/**
 * `loom shutdown`: stop spawning, ask shepherds to reach a safe point
 * (`.loom/stop-shepherds`), wait up to the drain time, release claims whose
 * shepherd never started, remove both stop files, record the stop.
 */
export async function shutdownDaemon(
  ctx: LoomContext,
  options: { daemonId: string; drainSeconds?: number; pollMs?: number },
): Promise<ShutdownResult> {
  const config = await ctx.config();
  const initial = await ctx.store.read();
  checkDaemonOwner(initial, options.daemonId, config, ctx.now());
  await ctx.store.assertWritable(); // the stop could not be recorded: refuse before asking shepherds to stop
  safeWriteFile(ctx.root, ctx.paths.stopShepherds, `requested by ${options.daemonId} at ${ctx.now().toISOString()}\n`);
  const drainMs = (options.drainSeconds ?? config.shutdown_drain) * 1000;
  const started = ctx.clock.monotonic();
  const pollMs = options.pollMs ?? Math.min(config.poll_interval * 1000, 5000);
  let busy = await busyUnfinished(ctx);
  while (busy.length && ctx.clock.monotonic() - started < drainMs) {
    await ctx.clock.sleep(pollMs);
    busy = await busyUnfinished(ctx);
  }
  const released: number[] = [];
  const stillRunning: number[] = [];
  await ctx.store.withLock(async () => {
    const state = await ctx.store.read();
    const ended = new Set<string>();
    for (const [slotId, slot] of Object.entries(state.shepherds)) {
      if (isBusy(slot) && slot.task_id && !slot.completed && (await observeTask(slot.output_file)).ended)
        ended.add(slotId);
    }
    const needsRelease = (slotId: string, slot: ShepherdSlot) =>
      !slot.completed && !slot.pr_number && (!slot.task_id || ended.has(slotId));
    const repo = Object.entries(state.shepherds).some(([id, s]) => isBusy(s) && needsRelease(id, s))
      ? await ctx.repo()
      : undefined;
    for (const [slotId, slot] of Object.entries(state.shepherds)) {
      if (!isBusy(slot) || slot.issue === null) continue;
      if (slot.remote) {
        // A remote shepherd runs on a GitHub Actions runner, which the stop file never reaches: its run goes on
        // under its claim, and the next `loom start` follows it again from the runs list (DESIGN.md §4.9).
        stillRunning.push(slot.issue);
      } else if (!slot.completed && !slot.task_id && (slot.pr_number || slot.idle_reason === 'usage-limit')) {
        // Waiting to be resumed (its PR is open, or a usage limit paused it): the next `loom start` resumes it;
        // releasing would re-queue PR'd work or burn a claim the limit interrupted.
        stillRunning.push(slot.issue);
      } else if (slot.completed || !slot.task_id || ended.has(slotId)) {
        // Finished, never started by the parent, or its task ended without reporting: the claim is ours to
        // settle. Released (one request moves the label and comments) unless a PR holds the issue.
        if (needsRelease(slotId, slot) && repo) {
          const outcome = await releaseIssue(claimContextOf(ctx, repo, options.daemonId), slot.issue, {
            comment: slot.task_id
              ? 'Loom: the shepherd for this issue ended without finishing it and the daemon shut down, so the claim is released.'
              : "Loom: the daemon shut down before this issue's shepherd started, so the claim is released.",
          });
          if (outcome.released) released.push(slot.issue);
        }
        await releaseClaimLock(ctx.paths, slot.issue);
        state.shepherds[slotId] = idleSlot({ idle_since: ctx.now().toISOString(), idle_reason: 'shutdown' });
      } else {
        // Still working past the drain: the next `loom start` decides (resume or release).
        stillRunning.push(slot.issue);
      }
    }
    // Support-role subagents end with the parent session; none is left running.
    for (const role of Object.values(state.support_roles)) if (role.status === 'running') role.status = 'idle';
    Object.assign(state, { running: false, stopped_at: ctx.now().toISOString() });
    await ctx.store.write(state);
  });
  await rm(ctx.paths.stopDaemon, { force: true });
  await rm(ctx.paths.stopShepherds, { force: true });
  return {
    drained: stillRunning.length === 0,
    waitedSeconds: Math.round((ctx.clock.monotonic() - started) / 1000),
    released,
    stillRunning,
  };
}

/** Issues of busy slots whose shepherd has not reported an end and whose task has not ended. */
async function busyUnfinished(ctx: LoomContext): Promise<number[]> {
  const state = await ctx.store.read();
  const open: number[] = [];
  for (const slot of Object.values(state.shepherds)) {
    if (!isBusy(slot) || slot.completed || !slot.task_id) continue;
    if ((await observeTask(slot.output_file)).ended) continue;
    open.push(slot.issue!);
  }
  return open;
}

export function assertNotStopping(ctx: LoomContext): void {
  if (existsSync(ctx.paths.stopDaemon)) {
    throw new LoomError('USAGE', 'The daemon is stopping (.loom/stop-daemon exists).', {
      hint: 'Wait for it to stop, then start again.',
    });
  }
}
