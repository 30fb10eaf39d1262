/**
 * The status view (DESIGN.md §6) as data: `buildStatus(state, config, snapshot, now)`
 * is pure; `loom status --json` prints its result, validated by
 * `StatusReportSchema`, and the text view renders the same object.
 */
import * as z from 'zod/mini';
import './zod-setup.js';
import { budgetReached, spentToday, usagePaused } from './accounting.js';
import type { Config } from './config.js';
import { type DaemonState, isBusy, type SupportRoleName } from './daemon-state.js';
import { Label } from './labels.js';
import { snapshotWaitReason } from './merge-gate.js';
import { isRemoteSlotId } from './remote-slots.js';
import { ghRepoArg } from './repo-arg.js';
import { cleanText } from './sanitize.js';
import { PipelineCountsSchema, repairReason, type Snapshot } from './snapshot.js';
import { idleness, latestTime } from './stuck.js';
import { mayEnter } from './trust.js';

const nullableCount = z.nullable(z.int().check(z.nonnegative()));

export const StatusErrorSchema = z.object({ code: z.string(), message: z.string(), hint: z.optional(z.string()) });

export const StatusReportSchema = z.object({
  schema: z.literal('loom.status/1'),
  generated_at: z.string(),
  repository: z.nullable(z.string()),
  daemon: z.object({
    status: z.enum(['running', 'stopping', 'stopped', 'crashed', 'never-started']),
    daemon_id: z.nullable(z.string()),
    started_at: z.nullable(z.string()),
    uptime_seconds: z.nullable(z.number()),
    iteration: z.int(),
    last_poll: z.nullable(z.string()),
    seconds_since_poll: z.nullable(z.number()),
    force_mode: z.boolean(),
    rate_limited_until: z.nullable(z.string()),
  }),
  /** Counts; `null` when GitHub could not be asked (see `errors`). */
  pipeline: z.object(
    Object.fromEntries(Object.keys(PipelineCountsSchema.shape).map((k) => [k, nullableCount])) as {
      [K in keyof typeof PipelineCountsSchema.shape]: typeof nullableCount;
    },
  ),
  /** Where the counts came from: this request (`github`), the last iteration (`cache`, with --fast), or nowhere. */
  pipeline_source: z.enum(['github', 'cache', 'none']),
  pipeline_updated_at: z.nullable(z.string()),
  shepherds: z.array(
    z.object({
      slot: z.string(),
      status: z.string(),
      issue: z.nullable(z.number()),
      phase: z.nullable(z.string()),
      pr: z.nullable(z.number()),
      running_seconds: z.nullable(z.number()),
      seconds_since_output: z.nullable(z.number()),
      task_id: z.nullable(z.string()),
      /** The running task's output: a `loom run` worker log (.loom/logs/…jsonl) or a `/loom` subagent's output file. */
      log: z.nullable(z.string()),
      /** USD spent on this slot's issue so far (finished tasks), or null. */
      cost_usd: z.nullable(z.number()),
      /** The issue's title (cleaned of control characters), or null when GitHub was not asked (--fast). */
      title: z.nullable(z.string()),
      /** Idle past its phase's `stuck_after` (the rule `iterate` counts as `stuck=N`, src/core/stuck.ts). */
      stuck: z.boolean(),
      /** The `stuck_after` threshold of its phase in seconds, or null when the rule does not apply yet. */
      stuck_after_seconds: z.nullable(z.number()),
      /** Where its shepherd runs: `local`, or `actions` for a remote slot (DESIGN.md §4.9). */
      runner: z._default(z.enum(['local', 'actions']), 'local'),
      /** A busy remote slot's GitHub Actions run page, once the run was seen in the runs list; else null. */
      run_url: z._default(z.nullable(z.string()), null),
      /** That run's status as last seen (`queued`, `in_progress`, `completed`), or null. */
      run_status: z._default(z.nullable(z.string()), null),
    }),
  ),
  support_roles: z.array(
    z.object({
      role: z.string(),
      status: z.string(),
      last_completed: z.nullable(z.string()),
      next_due: z.nullable(z.string()),
      last_result: z.nullable(z.string()),
      log: z.nullable(z.string()),
    }),
  ),
  /** Claude usage-limit pause: no new worker and no new claim before `paused_until` (ISO 8601), or null. */
  usage: z.object({ paused_until: z.nullable(z.string()), reason: z.nullable(z.string()) }),
  /** Worker cost in USD (from each worker's result): totals, and per issue (issue number as string → USD). */
  cost: z.object({
    total_usd: z.number(),
    today_usd: z.number(),
    session_usd: z.number(),
    by_issue: z.record(z.string(), z.number()),
    budget_daily_usd: z.nullable(z.number()),
    /** Today's cost reached `budget.daily_usd`: no new claims until tomorrow (UTC). */
    budget_reached: z.boolean(),
  }),
  stats: z.object({
    iterations: z.int(),
    completed_issues: z.int(),
    total_prs_merged: z.int(),
  }),
  warnings: z.array(z.object({ time: z.string(), severity: z.string(), type: z.string(), message: z.string() })),
  human_actions: z.array(
    z.object({
      kind: z.enum(['approve-proposal', 'unblock', 'merge-refused']),
      number: z.int(),
      title: z.string(),
      label: z.string(),
      command: z.string(),
      /** Why it waits for a person (merge-refused: the gate's reason). */
      reason: z.optional(z.string()),
    }),
  ),
  /** Approved PRs the Doctor must repair before they can merge: conflicts first, then failing checks. */
  pull_repairs: z.array(z.object({ number: z.int(), title: z.string(), reason: z.enum(['conflict', 'checks']) })),
  /**
   * Issues by outsiders (not owner, member or collaborator) that carry a queue label no maintainer gave them
   * (src/core/trust.ts), among the listed ready and triage issues: they wait for a maintainer. Null without a
   * snapshot (`--fast`).
   */
  outside_waiting: z.nullable(z.int().check(z.nonnegative())),
  errors: z.array(StatusErrorSchema),
});
export type StatusReport = z.infer<typeof StatusReportSchema>;

export interface StatusInput {
  state: DaemonState;
  config: Config;
  now: Date;
  repository: string | null;
  /**
   * The repository's GitHub host (`Repo.host`); the printed `gh … -R` commands name it unless it is github.com,
   * so on GitHub Enterprise they reach the same host as Loom. Omitted or null: github.com.
   */
  host?: string | null;
  snapshot: Snapshot | null;
  /** Local facts the pure function cannot read: stop files and task output times. */
  stopRequested: boolean;
  outputTimes: Record<string, string | null>;
  errors: z.infer<typeof StatusErrorSchema>[];
  fast: boolean;
}

const ROLES: SupportRoleName[] = ['architect', 'hermit', 'guide', 'curator', 'judge', 'champion', 'doctor'];
const secondsSince = (now: Date, time: string | null | undefined) =>
  time ? Math.max(0, Math.round((now.getTime() - Date.parse(time)) / 1000)) : null;

export function buildStatus(input: StatusInput): StatusReport {
  const { state, config, now, snapshot } = input;
  const sincePoll = secondsSince(now, state.last_poll ?? state.started_at);
  let status: StatusReport['daemon']['status'];
  if (!state.started_at && !state.running && state.iteration === 0) status = 'never-started';
  else if (!state.running) status = 'stopped';
  else if (sincePoll !== null && sincePoll > 3 * config.poll_interval) status = 'crashed';
  else if (input.stopRequested) status = 'stopping';
  else status = 'running';

  const cached = state.pipeline;
  const counts = snapshot?.counts ?? (input.fast && cached ? cached : null);
  const pipeline = Object.fromEntries(
    Object.keys(PipelineCountsSchema.shape).map((key) => [
      key,
      counts ? ((counts as Record<string, number>)[key] ?? null) : null,
    ]),
  ) as StatusReport['pipeline'];

  const titles = new Map(
    [...(snapshot?.buildingIssues ?? []), ...(snapshot?.readyIssues ?? [])].map((i) => [i.number, i.title]),
  );
  const repoArg = input.repository ? ` -R ${ghRepoArg(input.repository, input.host)}` : '';
  const proposals = snapshot?.proposals ?? [];
  const blocked =
    snapshot?.blockedIssues ??
    (input.fast ? (cached?.blocked_items ?? []).map((b) => ({ ...b, labels: [] as string[] })) : []);
  const humanActions: StatusReport['human_actions'] = [
    ...proposals.map((p) => {
      const label =
        p.labels.find((l) => l === 'loom:curated' || l === 'loom:architect' || l === 'loom:hermit') ?? 'loom:curated';
      return {
        kind: 'approve-proposal' as const,
        number: p.number,
        title: cleanText(p.title, 80),
        label,
        command: `gh issue edit ${p.number}${repoArg} --remove-label ${label} --add-label loom:issue`,
      };
    }),
    ...(snapshot?.approvedPulls ?? []).flatMap((p) => {
      const reason = repairReason(p) ? null : snapshotWaitReason(p, config.merge, now);
      if (!reason || p.labels.includes(Label.manualMerge)) return [];
      return [
        {
          kind: 'merge-refused' as const,
          number: p.number,
          title: cleanText(p.title, 80),
          label: Label.pr,
          command: `.loom/scripts/loom merge ${p.number} --force`,
          reason: cleanText(reason, 120),
        },
      ];
    }),
    ...blocked.map((b) => ({
      kind: 'unblock' as const,
      number: b.number,
      title: cleanText(b.title, 80),
      label: 'loom:blocked',
      command: `gh issue edit ${b.number}${repoArg} --remove-label loom:blocked --add-label loom:issue`,
    })),
  ];

  return {
    schema: 'loom.status/1',
    generated_at: now.toISOString(),
    repository: input.repository,
    daemon: {
      status,
      daemon_id: state.daemon_id,
      started_at: state.started_at,
      uptime_seconds: state.running ? secondsSince(now, state.started_at) : null,
      iteration: state.iteration,
      last_poll: state.last_poll,
      seconds_since_poll: sincePoll,
      force_mode: state.force_mode,
      rate_limited_until:
        state.rate_limited_until && Date.parse(state.rate_limited_until) > now.getTime()
          ? state.rate_limited_until
          : null,
    },
    pipeline,
    pipeline_source: snapshot ? 'github' : input.fast && cached ? 'cache' : 'none',
    pipeline_updated_at: snapshot?.takenAt ?? (input.fast ? (cached?.updated_at ?? null) : null),
    shepherds: Object.keys(state.shepherds)
      .sort(
        (a, b) =>
          Number(isRemoteSlotId(a)) - Number(isRemoteSlotId(b)) || Number(a.split('-')[1]) - Number(b.split('-')[1]),
      )
      .map((slot) => {
        const s = state.shepherds[slot]!;
        const busy = isBusy(s);
        const idle = idleness(s, input.outputTimes[slot], config, now);
        const title = busy && s.issue !== null ? titles.get(s.issue) : undefined;
        return {
          slot,
          status: s.status,
          issue: s.issue,
          phase: busy ? s.last_phase : null,
          pr: busy ? s.pr_number : null,
          running_seconds: busy ? secondsSince(now, s.started) : null,
          seconds_since_output: busy ? secondsSince(now, latestTime(input.outputTimes[slot], s.last_heartbeat)) : null,
          task_id: s.task_id,
          log: busy ? s.output_file : null,
          cost_usd: s.issue !== null ? (state.cost.by_issue[String(s.issue)]?.usd ?? null) : null,
          title: title === undefined ? null : cleanText(title, 200),
          stuck: idle?.stuck ?? false,
          stuck_after_seconds: idle?.thresholdSeconds ?? null,
          runner: s.remote || isRemoteSlotId(slot) ? ('actions' as const) : ('local' as const),
          run_url: busy && s.remote?.run_url ? cleanText(s.remote.run_url, 300) : null,
          run_status: busy ? (s.remote?.run_status ?? null) : null,
        };
      }),
    support_roles: ROLES.map((role) => {
      const r = state.support_roles[role];
      const interval = role === 'architect' || role === 'hermit' ? config[role].cooldown : config[role].interval;
      const base =
        role === 'architect'
          ? state.last_architect_trigger
          : role === 'hermit'
            ? state.last_hermit_trigger
            : (r.last_completed ?? state.started_at);
      return {
        role,
        status: r.status,
        last_completed: r.last_completed,
        next_due: r.status === 'running' || !base ? null : new Date(Date.parse(base) + interval * 1000).toISOString(),
        last_result: r.last_result === null ? null : cleanText(r.last_result, 120),
        log: r.status === 'running' ? r.output_file : null,
      };
    }),
    usage: usagePaused(state.usage, now)
      ? { paused_until: state.usage.paused_until, reason: state.usage.reason }
      : { paused_until: null, reason: null },
    cost: {
      total_usd: state.cost.total_usd,
      today_usd: spentToday(state.cost, now),
      session_usd: state.cost.session_usd,
      by_issue: Object.fromEntries(Object.entries(state.cost.by_issue).map(([issue, b]) => [issue, b.usd])),
      budget_daily_usd: config.budget.daily_usd ?? null,
      budget_reached: budgetReached(state.cost, config.budget.daily_usd, now),
    },
    stats: {
      iterations: state.iteration,
      completed_issues: state.completed_issues.length,
      total_prs_merged: state.total_prs_merged,
    },
    warnings: state.warnings
      .slice(-5)
      .map((w) => ({ time: w.time, severity: w.severity, type: w.type, message: cleanText(w.message, 160) })),
    human_actions: humanActions,
    pull_repairs: (snapshot?.approvedPulls ?? [])
      .flatMap((p) => {
        const reason = repairReason(p);
        return reason ? [{ number: p.number, title: cleanText(p.title, 80), reason }] : [];
      })
      .sort((a, b) => Number(a.reason === 'checks') - Number(b.reason === 'checks')),
    outside_waiting: snapshot ? outsideWaiting(snapshot, config) : null,
    errors: input.errors,
  };
}

/** Outside issues in Loom's queues that no maintainer admitted: ready ones not claimable, triage ones not curated. */
function outsideWaiting(snapshot: Snapshot, config: Config): number {
  const mode = config.trust.outside_issues;
  const waiting = new Set<number>();
  for (const issue of snapshot.readyIssues) if (!mayEnter(issue, 'build', mode)) waiting.add(issue.number);
  for (const issue of snapshot.triageIssues ?? []) if (!mayEnter(issue, 'curate', mode)) waiting.add(issue.number);
  return waiting.size;
}
