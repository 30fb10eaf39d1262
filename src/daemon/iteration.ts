/**
 * One daemon iteration (DESIGN.md §4.3): lock → stop check → task outputs → snapshot (one request)
 * → plan (pure) → act (claims, releases, state) → save → summary. The only
 * place that turns a Plan into GitHub mutations and state changes.
 */
import { existsSync } from 'node:fs';
import { type ClaimContext, claimIssue, releaseIssue, settleClaim } from '../claims/claim.js';
import { claimLockAbandoned, listClaimLocks, releaseClaimLock } from '../claims/claim-lock.js';
import type { LoomContext } from '../context.js';
import { emptyUsage, recordTaskCost } from '../core/accounting.js';
import type { Config } from '../core/config.js';
import {
  claimedSlot,
  type DaemonState,
  idleSlot,
  isBusy,
  MAX_COMPLETED,
  pushWarnings,
  type Warning,
} from '../core/daemon-state.js';
import { type Directive, formatDirective, roleDirective, shepherdDirective } from '../core/directives.js';
import { Label } from '../core/labels.js';
import { plan as makePlan, type Plan, type TaskObservation } from '../core/planner.js';
import { cleanText, envSecrets, redactSecrets } from '../core/sanitize.js';
import type { Snapshot } from '../core/snapshot.js';
import { SHUTDOWN_SIGNAL, type SummaryFacts, summaryLine } from '../core/summary.js';
import { LoomError } from '../errors.js';
import { cleanupWarnings, liveIssues, removeFinishedWork } from '../git/cleanup.js';
import { addComment, transitionLabels } from '../github/items.js';
import { takeSnapshot } from '../github/snapshot.js';
import { faultPoint } from './fault-points.js';
import { assertCloneOwner } from './ownership.js';
import { observeTask } from './task-output.js';

export interface IterationOptions {
  /** The daemon id from `loom start`; absent for a one-off iteration. */
  daemonId?: string;
  dryRun?: boolean;
  /** `/loom --force`: recorded in state as force mode. */
  force?: boolean;
}

export interface IterationResult {
  shutdown: boolean;
  summary: string;
  directives: Directive[];
  /** What the planner decided (for --json and --dry-run). */
  plan: Plan | null;
  /** Claims tried and refused, with why (another claimant, label not confirmed…). */
  skipped: { issue: number; reason: string }[];
  /**
   * A GitHub failure that cut this iteration short (or the open rate-limit
   * breaker). What was done before it is saved and reported; an unfinished
   * claim keeps its local lock and is settled by the next iteration.
   */
  error: LoomError | null;
  /** The facts behind `summary` (absent for SHUTDOWN_SIGNAL and failures), so `--wait` can merge iterations. */
  facts?: SummaryFacts;
}

const activeCount = (state: DaemonState) => Object.values(state.shepherds).filter(isBusy).length;

export async function runIteration(ctx: LoomContext, options: IterationOptions = {}): Promise<IterationResult> {
  const config = await ctx.config();
  return ctx.store.withLock(async () => {
    faultPoint('after-lock', ctx.env);
    const state = await ctx.store.read();
    const now = ctx.now();
    if (!options.dryRun || options.daemonId) assertCloneOwner(state, options.daemonId, config, now);

    if (existsSync(ctx.paths.stopDaemon)) return shutdownResult();

    if (state.rate_limited_until && Date.parse(state.rate_limited_until) > now.getTime()) {
      // Breaker open (DESIGN.md §10.2): no GitHub call until the reset.
      return {
        shutdown: false,
        summary: `${summaryFromState(state, config)} warn=1`,
        directives: [],
        plan: null,
        skipped: [],
        error: new LoomError('GH_RATE_LIMITED', `GitHub rate limit: paused until ${state.rate_limited_until}.`, {
          hint: 'Loom resumes by itself after the reset; `loom status` shows it.',
          details: { resetAt: state.rate_limited_until },
        }),
      };
    }

    // Workers' outputs are read BEFORE the snapshot: a worker writes its end only after its last GitHub
    // change, so whatever end is seen here is already in the snapshot. Read after it, a worker finishing in
    // between looked "ended" against a stale snapshot (its issue still open): released as abandoned, and
    // its completion never counted.
    const tasks: Record<string, TaskObservation> = {};
    for (const [id, slot] of Object.entries(state.shepherds))
      if (slot.status === 'working') tasks[id] = await observeTask(slot.output_file, config.usage.pause_at);
    for (const [name, role] of Object.entries(state.support_roles))
      if (role.status === 'running') tasks[name] = await observeTask(role.output_file, config.usage.pause_at);

    const repo = await ctx.repo();
    const trackIssues = Object.values(state.shepherds).flatMap((s) => (isBusy(s) && s.issue ? [s.issue] : []));
    const trackPulls = Object.values(state.shepherds).flatMap((s) => (isBusy(s) && s.pr_number ? [s.pr_number] : []));
    let snapshot: Snapshot;
    try {
      snapshot = await takeSnapshot(
        ctx.gh,
        { repo, readyLimit: Math.max(5, config.max_shepherds * 2 + 2), trackIssues, trackPulls },
        ctx.now,
      );
    } catch (error) {
      if (error instanceof LoomError && !options.dryRun) await recordFailure(ctx, state, error);
      throw error;
    }
    faultPoint('after-snapshot', ctx.env);

    const forceMode = options.force ?? state.force_mode;
    const claimTokens: Record<number, string> = {};
    for (const lock of await listClaimLocks(ctx.paths)) if (lock.token) claimTokens[lock.issue] = lock.token;
    const plan = makePlan({ snapshot, state, config, now, tasks, forceMode, claimTokens });
    if (options.dryRun) return dryRunResult(plan, snapshot, state, config);

    let claimIndex = 0;
    const claimCtx: ClaimContext = {
      gh: ctx.gh,
      repo,
      paths: ctx.paths,
      owner: options.daemonId ?? `one-off:${process.pid}`,
      now: ctx.now,
      onStep: (step) => faultPoint(`${step}-${claimIndex}`, ctx.env),
    };
    const nowIso = now.toISOString();
    const directives: Directive[] = [];
    const completed: number[] = [];
    const skipped: IterationResult['skipped'] = [];
    const warnings: Warning[] = [...plan.warnings];
    const stopRequested = () => existsSync(ctx.paths.stopDaemon);
    state.force_mode = forceMode;
    let failure: LoomError | null = null;

    const account = (slot: string, taskId: string | null, role: string, issue: number | null, outcome: string) => {
      if (!taskId) return;
      const task = tasks[slot];
      state.cost = recordTaskCost(
        state.cost,
        {
          taskId,
          slot,
          role,
          issue,
          outcome: task?.refused ? 'usage-limit' : task?.failed ? 'failed' : outcome,
          result: task?.result ?? null,
        },
        now,
      );
    };
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

    try {
      for (const completion of plan.completions) {
        const slot = state.shepherds[completion.slot]!;
        account(completion.slot, slot.task_id, 'shepherd', completion.issue, 'ok');
        if (completion.release) {
          await releaseIssue(claimCtx, completion.issue, {
            comment: `Loom: the shepherd for this issue ended without finishing it, so the claim is released and the issue is back in the ready queue.`,
            ...(completion.failure ? { failure: { reason: completion.failure, budget: config.failure } } : {}),
          });
        } else {
          await releaseClaimLock(ctx.paths, completion.issue);
        }
        if (completion.reason === 'pr-merged') state.total_prs_merged += 1;
        if (completion.reason !== 'reported-failed' && completion.reason !== 'task-ended') {
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

      // Slots whose claim is gone (or whose issue vanished): freed here, untouched on GitHub.
      for (const orphan of plan.orphaned) {
        await releaseClaimLock(ctx.paths, orphan.issue);
        state.shepherds[orphan.slot] = idleSlot({ idle_since: nowIso, idle_reason: `reconciled: ${orphan.reason}` });
      }

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

      for (const stuck of plan.stuck) {
        const slot = state.shepherds[stuck.slot]!;
        if (stuck.action !== 'warn') account(stuck.slot, slot.task_id, 'shepherd', stuck.issue, 'killed');
        if (stuck.action === 'warn') {
          slot.stuck_since = nowIso;
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

      for (const stale of plan.staleReleases) {
        await releaseIssue(claimCtx, stale.issue, {
          comment: `Loom: this issue was loom:building for ${Math.round(stale.idleSeconds / 3600)} h with no pull request and no sign of a shepherd, so it is back in the ready queue.`,
          failure: { reason: 'stale', budget: config.failure },
        });
      }

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

      for (const resume of plan.resumes) {
        Object.assign(state.shepherds[resume.slot]!, {
          status: 'working',
          started: nowIso,
          task_id: null,
          output_file: null,
          idle_reason: null,
        });
        directives.push(shepherdDirective(resume.slot, resume.issue, config, true));
      }

      // Step 5: claim in order until the free slots run out; a stop file stops new claims at once.
      const freeSlots = [...plan.freeSlots];
      const occupy = (issue: number) => {
        const slotId = freeSlots.shift()!;
        state.shepherds[slotId] = claimedSlot(issue, nowIso);
        directives.push(shepherdDirective(slotId, issue, config));
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
        if (freeSlots.length) occupy(lock.issue);
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
        claimIndex += 1;
        faultPoint(`before-claim-${claimIndex}`, ctx.env);
        const outcome = await claimIssue(claimCtx, candidate.issue);
        faultPoint(`after-claim-${claimIndex}`, ctx.env);
        if (!outcome.claimed) {
          skipped.push({ issue: candidate.issue, reason: outcome.reason });
          continue;
        }
        occupy(candidate.issue);
      }

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
    } catch (error) {
      // A GitHub failure mid-way: keep what was done, save it, report the failure. Anything else is a bug.
      if (!(error instanceof LoomError) || !error.code.startsWith('GH_')) throw error;
      failure = error;
    }

    if (failure) {
      warnings.push(failureWarning(ctx, failure, nowIso));
      if (failure.code === 'GH_RATE_LIMITED') state.rate_limited_until = await breakerUntil(ctx, failure);
    } else {
      state.rate_limited_until = null;
    }
    pushWarnings(state, warnings);
    state.pipeline = pipelineFrom(snapshot);
    state.last_poll = nowIso;
    state.iteration += 1;
    faultPoint('before-state-write', ctx.env);
    await ctx.store.write(state);
    faultPoint('after-state-write', ctx.env);

    // A stop file seen mid-iteration: no spawn is handed out; `loom shutdown` releases the claims never started.
    if (stopRequested()) return { ...shutdownResult(), plan, skipped, error: failure };

    const spawnedIssues = directives.flatMap((d) => (d.skill === 'shepherd' && d.issue ? [d.issue] : []));
    const claims = directives.filter((d) => d.skill === 'shepherd' && !d.args.includes('--resume')).length;
    const facts: SummaryFacts = {
      ready: Math.max(0, snapshot.counts.ready - claims),
      building: snapshot.counts.building + claims,
      activeShepherds: activeCount(state),
      maxShepherds: config.max_shepherds,
      spawnedIssues,
      spawnedRoles: plan.roleSpawns.filter((s) => directives.some((d) => d.slot === s.role)).map((s) => s.role),
      completedIssues: completed,
      stuck: plan.stuck.length,
      warnings: warnings.length,
    };
    return { shutdown: false, summary: summaryLine(facts), facts, directives, plan, skipped, error: failure };
  });
}

function shutdownResult(): IterationResult {
  return { shutdown: true, summary: SHUTDOWN_SIGNAL, directives: [], plan: null, skipped: [], error: null };
}

function pipelineFrom(snapshot: Snapshot): DaemonState['pipeline'] {
  return {
    ...snapshot.counts,
    // Titles come from GitHub (hostile until proven otherwise, up to 256 KB): stored cleaned and short.
    blocked_items: snapshot.blockedIssues.map((i) => ({ number: i.number, title: cleanText(i.title, 200) })),
    updated_at: snapshot.takenAt,
  };
}

export function summaryFromState(state: DaemonState, config: Config): string {
  return summaryLine({
    ready: state.pipeline?.ready ?? null,
    building: state.pipeline?.building ?? null,
    activeShepherds: activeCount(state),
    maxShepherds: config.max_shepherds,
    spawnedIssues: [],
    spawnedRoles: [],
    completedIssues: [],
    stuck: 0,
    warnings: 0,
  });
}

function dryRunResult(plan: Plan, snapshot: Snapshot, state: DaemonState, config: Config): IterationResult {
  const directives: Directive[] = [
    ...plan.resumes.map((r) => shepherdDirective(r.slot, r.issue, config, true)),
    ...plan.claimCandidates
      .slice(0, plan.freeSlots.length)
      .map((c, i) => shepherdDirective(plan.freeSlots[i]!, c.issue, config)),
    ...plan.roleSpawns.map((s) => roleDirective(s, config)),
  ];
  const claims = directives.filter((d) => d.skill === 'shepherd' && !d.args.includes('--resume')).length;
  const summary = summaryLine({
    ready: Math.max(0, snapshot.counts.ready - claims),
    building: snapshot.counts.building + claims,
    activeShepherds: activeCount(state) - plan.completions.length + claims,
    maxShepherds: config.max_shepherds,
    spawnedIssues: directives.flatMap((d) => (d.skill === 'shepherd' && d.issue ? [d.issue] : [])),
    spawnedRoles: plan.roleSpawns.map((s) => s.role),
    completedIssues: plan.completions
      .filter((c) => c.reason !== 'reported-failed' && c.reason !== 'task-ended')
      .map((c) => c.issue),
    stuck: plan.stuck.length,
    warnings: plan.warnings.length,
  });
  return { shutdown: false, summary, directives, plan, skipped: [], error: null };
}

/** A failed snapshot is recorded (warning; breaker on rate limit) so status can show it. */
async function recordFailure(ctx: LoomContext, state: DaemonState, error: LoomError): Promise<void> {
  const nowIso = ctx.now().toISOString();
  pushWarnings(state, [failureWarning(ctx, error, nowIso)]);
  if (error.code === 'GH_RATE_LIMITED') state.rate_limited_until = await breakerUntil(ctx, error);
  state.last_poll = nowIso;
  await ctx.store.write(state).catch(() => undefined);
}

function failureWarning(ctx: LoomContext, error: LoomError, time: string): Warning {
  return {
    time,
    type: error.code.toLowerCase(),
    severity: 'error',
    message: redactSecrets(error.message, envSecrets(ctx.env)),
    context: {},
  };
}

/**
 * The breaker (DESIGN.md §10.2): asks `gh api rate_limit` once and pauses until the
 * later of that reset (when the GraphQL budget is spent) and the one the
 * failing answer gave (`x-ratelimit-reset`, or `retry-after` for a secondary
 * limit). If that one call fails too, the answer's own reset stands.
 */
async function breakerUntil(ctx: LoomContext, error: LoomError): Promise<string> {
  const now = ctx.now().getTime();
  const fromAnswer = typeof error.details.resetAt === 'string' ? Date.parse(error.details.resetAt) : NaN;
  let until = Number.isFinite(fromAnswer) ? fromAnswer : now + 60_000;
  try {
    const limits = await ctx.gh.rest<{ resources?: { graphql?: { remaining?: number; reset?: number } } }>(
      'GET',
      'rate_limit',
    );
    const graphql = limits?.resources?.graphql;
    if (graphql?.remaining === 0 && typeof graphql.reset === 'number') until = Math.max(until, graphql.reset * 1000);
  } catch {
    // The answer's own reset time stands.
  }
  return new Date(Math.max(until, now + 1000)).toISOString();
}

export { formatDirective };
