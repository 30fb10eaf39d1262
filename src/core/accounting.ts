/**
 * Cost and token accounting of workers, and the usage-limit pause — pure.
 * The state keeps totals plus bounded breakdowns (per day, issue, role, model)
 * and the last {@link MAX_RECENT_TASKS} tasks, so a daemon running for weeks
 * keeps a small state file. Amounts are USD as Claude Code reports them
 * (`total_cost_usd`, `modelUsage[*].costUSD`); tokens are counts.
 */
import * as z from 'zod/mini';
import './zod-setup.js';
import type { LimitSignal, WorkerResult } from './worker-output.js';

export const MAX_RECENT_TASKS = 50;
export const MAX_COST_ISSUES = 200;
export const MAX_COST_DAYS = 31;

const usd = z.number().check(z.nonnegative());
const count = z.int().check(z.nonnegative());

export const CostBucketSchema = z.strictObject({
  usd,
  input_tokens: count,
  output_tokens: count,
  tasks: count,
});
export type CostBucket = z.infer<typeof CostBucketSchema>;

export const TaskCostSchema = z.strictObject({
  task_id: z.string(),
  time: z.string(),
  /** Slot (`shepherd-N`) or support role name. */
  slot: z.string(),
  role: z.string(),
  issue: z.nullable(z.int().check(z.positive())),
  usd,
  input_tokens: count,
  output_tokens: count,
  cache_read_input_tokens: count,
  cache_creation_input_tokens: count,
  by_model: z.record(z.string(), usd),
  /** How the task ended: `ok`, `error`, `usage-limit`, `crashed`, `killed`. */
  outcome: z.string(),
});
export type TaskCost = z.infer<typeof TaskCostSchema>;

export const CostStateSchema = z.strictObject({
  total_usd: usd,
  /** Since the current daemon started (`loom start`). */
  session_usd: usd,
  /** UTC day (YYYY-MM-DD) → USD; the last {@link MAX_COST_DAYS} days. */
  by_day: z.record(z.string(), usd),
  /** Issue number → totals; the last {@link MAX_COST_ISSUES} issues worked on. */
  by_issue: z.record(z.string().check(z.regex(/^\d+$/)), CostBucketSchema),
  by_role: z.record(z.string(), CostBucketSchema),
  by_model: z.record(z.string(), usd),
  recent: z.array(TaskCostSchema).check(z.maxLength(MAX_RECENT_TASKS)),
});
export type CostState = z.infer<typeof CostStateSchema>;

export const UsageStateSchema = z.strictObject({
  /** No new worker and no new claim before this time (ISO), or null. */
  paused_until: z.nullable(z.iso.datetime({ offset: true })),
  /** Why, e.g. `five_hour limit refused` or `seven_day utilization 0.96`. */
  reason: z.nullable(z.string()),
  since: z.nullable(z.iso.datetime({ offset: true })),
});
export type UsageState = z.infer<typeof UsageStateSchema>;

export const emptyCost = (): CostState => ({
  total_usd: 0,
  session_usd: 0,
  by_day: {},
  by_issue: {},
  by_role: {},
  by_model: {},
  recent: [],
});

export const emptyUsage = (): UsageState => ({ paused_until: null, reason: null, since: null });

export const utcDay = (time: Date): string => time.toISOString().slice(0, 10);

/** Sums in integer micro-dollars, so a thousand small costs add up exactly. */
const add = (a: number, b: number) => Math.round(a * 1e6 + b * 1e6) / 1e6;

function addTo(bucket: CostBucket | undefined, task: TaskCost): CostBucket {
  const b = bucket ?? { usd: 0, input_tokens: 0, output_tokens: 0, tasks: 0 };
  return {
    usd: add(b.usd, task.usd),
    input_tokens: b.input_tokens + task.input_tokens,
    output_tokens: b.output_tokens + task.output_tokens,
    tasks: b.tasks + 1,
  };
}

/** Keeps the last `max` keys of an insertion-ordered record (the newest are re-inserted last). */
function lastKeys<T>(record: Record<string, T>, max: number): Record<string, T> {
  const keys = Object.keys(record);
  return keys.length <= max ? record : Object.fromEntries(keys.slice(-max).map((k) => [k, record[k]!]));
}

export interface TaskEnd {
  taskId: string;
  slot: string;
  role: string;
  issue: number | null;
  outcome: string;
  result: WorkerResult | null;
}

/** Adds one finished task to the accounting; a task id already counted is ignored (exactly once). */
export function recordTaskCost(cost: CostState, end: TaskEnd, now: Date): CostState {
  if (cost.recent.some((t) => t.task_id === end.taskId)) return cost;
  const r = end.result;
  const task: TaskCost = {
    task_id: end.taskId,
    time: now.toISOString(),
    slot: end.slot,
    role: end.role,
    issue: end.issue,
    usd: r?.costUsd ?? 0,
    input_tokens: r?.usage.input_tokens ?? 0,
    output_tokens: r?.usage.output_tokens ?? 0,
    cache_read_input_tokens: r?.usage.cache_read_input_tokens ?? 0,
    cache_creation_input_tokens: r?.usage.cache_creation_input_tokens ?? 0,
    by_model: r?.costByModel ?? {},
    outcome: end.outcome,
  };
  const day = utcDay(now);
  const byDay = { ...cost.by_day, [day]: add(cost.by_day[day] ?? 0, task.usd) };
  const byIssue = { ...cost.by_issue };
  if (task.issue !== null) {
    const key = String(task.issue);
    const bucket = addTo(byIssue[key], task);
    delete byIssue[key]; // re-inserted last: the bound drops the issues worked on longest ago
    byIssue[key] = bucket;
  }
  const byModel = { ...cost.by_model };
  for (const [model, amount] of Object.entries(task.by_model)) byModel[model] = add(byModel[model] ?? 0, amount);
  return {
    total_usd: add(cost.total_usd, task.usd),
    session_usd: add(cost.session_usd, task.usd),
    by_day: Object.fromEntries(
      Object.entries(byDay)
        .sort(([a], [b]) => a.localeCompare(b))
        .slice(-MAX_COST_DAYS),
    ),
    by_issue: lastKeys(byIssue, MAX_COST_ISSUES),
    by_role: { ...cost.by_role, [task.role]: addTo(cost.by_role[task.role], task) },
    by_model: byModel,
    recent: [...cost.recent, task].slice(-MAX_RECENT_TASKS),
  };
}

/** Today's spend (UTC day). */
export const spentToday = (cost: CostState, now: Date): number => cost.by_day[utcDay(now)] ?? 0;

/** True when `budget.daily_usd` is set and today's spend reached it: no new claims until tomorrow (UTC). */
export function budgetReached(cost: CostState, dailyUsd: number | undefined, now: Date): boolean {
  return dailyUsd !== undefined && spentToday(cost, now) >= dailyUsd;
}

export interface PauseSettings {
  /** Seconds added to the reset time Claude Code names. */
  margin: number;
  /** Seconds to pause when the reset time is unknown (a transcript names none). */
  retry_after: number;
}

/** The pause a limit signal asks for, or null when its reset already passed. Later of it and an existing pause wins. */
export function pauseFor(
  signal: LimitSignal,
  current: UsageState,
  settings: PauseSettings,
  now: Date,
): UsageState | null {
  const until =
    signal.resetsAt !== null
      ? signal.resetsAt * 1000 + settings.margin * 1000
      : now.getTime() + settings.retry_after * 1000;
  if (until <= now.getTime()) return null;
  if (current.paused_until && Date.parse(current.paused_until) >= until) return current;
  const what = signal.limitType ?? 'usage';
  const reason =
    signal.kind === 'rejected'
      ? `${what} limit reached (a worker was refused)`
      : `${what} utilization ${signal.utilization?.toFixed(2)} ≥ pause_at`;
  return { paused_until: new Date(until).toISOString(), reason, since: current.since ?? now.toISOString() };
}

/** True while the usage pause holds: no new worker, no new claim. */
export const usagePaused = (usage: UsageState, now: Date): boolean =>
  !!usage.paused_until && Date.parse(usage.paused_until) > now.getTime();
