/**
 * One daemon iteration (DESIGN.md §4.3): lock → stop check → task outputs → snapshot (one request)
 * → plan (pure) → act (claims, releases, state) → save → summary. The only
 * place that turns a Plan into GitHub mutations and state changes.
 */
import { existsSync } from 'node:fs';
import { claimContextOf } from '../claims/claim.js';
import { listClaimLocks } from '../claims/claim-lock.js';
import type { LoomContext } from '../context.js';
import { recordTaskCost } from '../core/accounting.js';
import type { Config } from '../core/config.js';
import { type DaemonState, isBusy, pushWarnings, type Warning } from '../core/daemon-state.js';
import { type Directive, formatDirective, roleDirective, shepherdDirective } from '../core/directives.js';
import { countsAsCompleted, plan as makePlan, type Plan, type TaskObservation } from '../core/planner.js';
import { isRemoteSlotId, type Runner, slotCounts, totalSlots, withRunner } from '../core/remote-slots.js';
import { cleanText, envSecrets, redactSecrets } from '../core/sanitize.js';
import type { Snapshot } from '../core/snapshot.js';
import { SHUTDOWN_SIGNAL, type SummaryFacts, summaryLine } from '../core/summary.js';
import { LoomError } from '../errors.js';
import { takeSnapshot } from '../github/snapshot.js';
import {
  type Act,
  applyUsagePause,
  claimIssues,
  cleanUpFinishedWork,
  completeRoles,
  completeShepherds,
  freeOrphanedSlots,
  handleStuck,
  releaseStale,
  resumePaused,
  revertOrphanLabels,
  startRoles,
} from './iteration-steps.js';
import { assertCloneOwner } from './ownership.js';
import { adoptRunsInFlight, observeRuns, recordRuns } from './remote.js';
import { observeTask } from './task-output.js';

export interface IterationOptions {
  /** `loom iterate --runner`: the runner choice for this call instead of config `runner` (DESIGN.md §4.9). */
  runner?: Runner;
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
  /** Issues claimed and dispatched to GitHub Actions runners (remote slots): no directive, the parent starts nothing. */
  dispatched?: number[];
}

const activeCount = (state: DaemonState) => Object.values(state.shepherds).filter(isBusy).length;

export async function runIteration(ctx: LoomContext, options: IterationOptions = {}): Promise<IterationResult> {
  const config = withRunner(await ctx.config(), options.runner);
  return ctx.store.withLock(async () => {
    ctx.faults.reach('after-lock');
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
    const tasks = await observeTasks(state, config);

    const repo = await ctx.repo();
    const trackIssues = Object.values(state.shepherds).flatMap((s) => (isBusy(s) && s.issue ? [s.issue] : []));
    const trackPulls = Object.values(state.shepherds).flatMap((s) => (isBusy(s) && s.pr_number ? [s.pr_number] : []));
    let snapshot: Snapshot;
    try {
      snapshot = await takeSnapshot(
        ctx.gh,
        { repo, readyLimit: Math.max(5, totalSlots(slotCounts(config)) * 2 + 2), trackIssues, trackPulls },
        ctx.now,
      );
    } catch (error) {
      if (error instanceof LoomError && !options.dryRun) await recordFailure(ctx, state, error);
      throw error;
    }
    ctx.faults.reach('after-snapshot');
    // Remote slots: one runs-list request for all dispatched runs, only while one is busy (DESIGN.md §4.9).
    const runWarnings: Warning[] = [];
    // A one-off iteration in a checkout that never ran a daemon (loom-daemon.yml's) learns the runs in flight first.
    const stateless =
      !options.dryRun && !options.daemonId && state.daemon_id === null && slotCounts(config).actions > 0;
    const listed = stateless
      ? await adoptRunsInFlight(ctx.gh, repo, state, snapshot, runWarnings, now.toISOString())
      : undefined;
    const runs = options.dryRun
      ? undefined
      : await observeRuns(ctx.gh, repo, state, runWarnings, now.toISOString(), listed);

    const forceMode = options.force ?? state.force_mode;
    const claimTokens: Record<number, string> = {};
    for (const lock of await listClaimLocks(ctx.paths)) if (lock.token) claimTokens[lock.issue] = lock.token;
    if (!options.dryRun) recordRuns(state, runs, snapshot);
    const plan = makePlan({ snapshot, state, config, now, tasks, forceMode, claimTokens, runs });
    // Runs in flight unknown (the list failed): no remote slot is filled, so nothing is dispatched twice.
    if (stateless && !listed) plan.freeSlots = plan.freeSlots.filter((id) => !isRemoteSlotId(id));
    if (options.dryRun) return dryRunResult(plan, snapshot, state, config);

    const nowIso = now.toISOString();
    state.force_mode = forceMode;
    const act: Act = {
      ctx,
      config,
      repo,
      state,
      plan,
      now,
      nowIso,
      claimCtx: {
        ...claimContextOf(ctx, repo, options.daemonId ?? `one-off:${process.pid}`),
        onStep: (step) => ctx.faults.reach(`${step}-${act.claimIndex}`),
      },
      claimIndex: 0,
      directives: [],
      completed: [],
      dispatched: [],
      skipped: [],
      warnings: [...runWarnings, ...plan.warnings],
      stopRequested: () => existsSync(ctx.paths.stopDaemon),
      account: (slot, taskId, role, issue, outcome) => {
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
      },
    };
    const { directives, warnings, stopRequested } = act;

    applyUsagePause(act);
    let failure: LoomError | null = null;
    try {
      // The order matters: slots are freed before the claims that refill them, and a stop file checked
      // between claims ends them at once.
      await completeShepherds(act);
      await cleanUpFinishedWork(act);
      await freeOrphanedSlots(act);
      completeRoles(act);
      await handleStuck(act);
      await releaseStale(act);
      await revertOrphanLabels(act);
      await resumePaused(act);
      await claimIssues(act);
      startRoles(act);
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
    ctx.faults.reach('before-state-write');
    await ctx.store.write(state);
    ctx.faults.reach('after-state-write');

    // A stop file seen mid-iteration: no spawn is handed out; `loom shutdown` releases the claims never started.
    if (stopRequested()) return { ...shutdownResult(), plan, skipped: act.skipped, error: failure };

    const facts = summaryFacts(snapshot, config, directives, act.dispatched, {
      activeShepherds: activeCount(state),
      spawnedRoles: plan.roleSpawns.filter((s) => directives.some((d) => d.slot === s.role)).map((s) => s.role),
      completedIssues: act.completed,
      stuck: plan.stuck.length,
      warnings: warnings.length,
    });
    return {
      shutdown: false,
      summary: summaryLine(facts),
      facts,
      directives,
      plan,
      skipped: act.skipped,
      error: failure,
      dispatched: act.dispatched,
    };
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

export function summaryFromState(state: DaemonState, config: Config, warnings = 0): string {
  return summaryLine({
    ready: state.pipeline?.ready ?? null,
    building: state.pipeline?.building ?? null,
    activeShepherds: activeCount(state),
    maxShepherds: totalSlots(slotCounts(config)),
    spawnedIssues: [],
    spawnedRoles: [],
    completedIssues: [],
    stuck: 0,
    warnings,
  });
}

/**
 * The answer of an iteration a passing GitHub failure (`isTransient`) cut short, for the loops that wait it out
 * (`iterate --wait`, `loom run`) and retry at the next poll: nothing decided, the summary from the state file
 * with `warn=1`.
 */
export async function transientFailureResult(ctx: LoomContext, error: LoomError): Promise<IterationResult> {
  const state = await ctx.store.read();
  return {
    shutdown: false,
    summary: summaryFromState(state, await ctx.config(), 1),
    directives: [],
    plan: null,
    skipped: [],
    error,
  };
}

function dryRunResult(plan: Plan, snapshot: Snapshot, state: DaemonState, config: Config): IterationResult {
  // Claims into remote slots would be dispatched, not spawned: no directive, only the summary counts them.
  const claimed = plan.claimCandidates
    .slice(0, plan.freeSlots.length)
    .map((c, i) => ({ ...c, slot: plan.freeSlots[i]! }));
  const dispatched = claimed.filter((c) => isRemoteSlotId(c.slot)).map((c) => c.issue);
  const directives: Directive[] = [
    ...plan.resumes.filter((r) => !isRemoteSlotId(r.slot)).map((r) => shepherdDirective(r.slot, r.issue, config, true)),
    ...claimed.filter((c) => !isRemoteSlotId(c.slot)).map((c) => shepherdDirective(c.slot, c.issue, config)),
    ...plan.roleSpawns.map((s) => roleDirective(s, config)),
  ];
  const claims = directives.filter(isNewClaim).length + dispatched.length;
  const summary = summaryLine(
    summaryFacts(snapshot, config, directives, dispatched, {
      activeShepherds: activeCount(state) - plan.completions.length + claims,
      spawnedRoles: plan.roleSpawns.map((s) => s.role),
      completedIssues: plan.completions.filter((c) => countsAsCompleted(c.reason)).map((c) => c.issue),
      stuck: plan.stuck.length,
      warnings: plan.warnings.length,
    }),
  );
  return { shutdown: false, summary, directives, plan, skipped: [], error: null, dispatched };
}

/** Step: what each running worker's output file says (ended, result, usage limit); local files only. */
async function observeTasks(state: DaemonState, config: Config): Promise<Record<string, TaskObservation>> {
  const tasks: Record<string, TaskObservation> = {};
  for (const [id, slot] of Object.entries(state.shepherds))
    if (slot.status === 'working' && !slot.remote)
      tasks[id] = await observeTask(slot.output_file, config.usage.pause_at);
  for (const [name, role] of Object.entries(state.support_roles))
    if (role.status === 'running') tasks[name] = await observeTask(role.output_file, config.usage.pause_at);
  return tasks;
}

const isNewClaim = (d: Directive) => d.skill === 'shepherd' && !d.args.includes('--resume');

/**
 * The facts of the summary line: the snapshot's counts moved by this iteration's new claims (the snapshot was
 * taken before them), and the shepherds it started. The rest differs between a real and a dry run.
 */
function summaryFacts(
  snapshot: Snapshot,
  config: Config,
  directives: Directive[],
  dispatched: number[],
  rest: Pick<SummaryFacts, 'activeShepherds' | 'spawnedRoles' | 'completedIssues' | 'stuck' | 'warnings'>,
): SummaryFacts {
  const claims = directives.filter(isNewClaim).length + dispatched.length;
  return {
    ready: Math.max(0, snapshot.counts.ready - claims),
    building: snapshot.counts.building + claims,
    maxShepherds: totalSlots(slotCounts(config)),
    spawnedIssues: [...directives.flatMap((d) => (d.skill === 'shepherd' && d.issue ? [d.issue] : [])), ...dispatched],
    ...rest,
  };
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
