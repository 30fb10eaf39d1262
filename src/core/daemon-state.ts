/**
 * `.loom/daemon-state.json` (DESIGN.md §5.1): a journal and cache; GitHub stays
 * authoritative. Versioned: a file with a newer `version` than this code knows
 * is refused, never rewritten. Times are ISO-8601 strings (UTC).
 */
import * as z from 'zod/mini';
import './zod-setup.js';
import { CostStateSchema, emptyCost, emptyUsage, UsageStateSchema } from './accounting.js';
import { RemoteRunSchema } from './remote-slots.js';
import { PipelineCountsSchema } from './snapshot.js';

export const STATE_VERSION = 1;
/** Warnings kept in state (the newest); older ones are dropped by `pushWarnings`. */
export const MAX_WARNINGS = 50;
/** Completed issue numbers kept in state (the newest). */
export const MAX_COMPLETED = 200;

const isoTime = z.iso.datetime({ offset: true });
const nullableTime = z.nullable(isoTime);

/** A shepherd slot's name: `shepherd-1` … `shepherd-99` (local), `actions-1` … `actions-99` (remote, DESIGN.md §4.9). */
export const ShepherdSlotIdSchema = z
  .string()
  .check(z.regex(/^(?:shepherd|actions)-[1-9]\d?$/, 'must be a slot name like shepherd-1 or actions-1'));

export const ShepherdStatusSchema = z.enum(['working', 'idle', 'errored', 'paused']);

export const ShepherdSlotSchema = z.strictObject({
  status: ShepherdStatusSchema,
  issue: z.nullable(z.int().check(z.positive())),
  /** Claude Code background task id (the Agent launch result's `agentId`), set by `loom record`. */
  task_id: z.nullable(z.string()),
  /** The task's output file (a transcript; its mtime tells when it last wrote). */
  output_file: z.nullable(z.string()),
  started: nullableTime,
  last_phase: z.nullable(z.string()),
  pr_number: z.nullable(z.int().check(z.positive())),
  last_heartbeat: nullableTime,
  idle_since: nullableTime,
  idle_reason: z.nullable(z.string()),
  /** How often this issue's shepherd was restarted after being stuck (DESIGN.md §9.2: once at most). */
  restarts: z._default(z.int().check(z.nonnegative()), 0),
  /** Set when `loom progress --done/--failed` reported the end of the work. */
  completed: z._default(z.nullable(z.enum(['done', 'failed'])), null),
  /** When the stuck check first warned about this shepherd (cleared by a restart or activity). */
  stuck_since: z._default(nullableTime, null),
  /** A remote slot's GitHub Actions run (DESIGN.md §4.9); null or absent for a local slot. */
  remote: z.nullish(RemoteRunSchema),
});
export type ShepherdSlot = z.infer<typeof ShepherdSlotSchema>;

export const SupportRoleNameSchema = z.enum(['architect', 'hermit', 'guide', 'champion', 'doctor', 'curator', 'judge']);
export type SupportRoleName = z.infer<typeof SupportRoleNameSchema>;

export const SupportRoleSchema = z.strictObject({
  status: z.enum(['idle', 'running']),
  task_id: z.nullable(z.string()),
  output_file: z.nullable(z.string()),
  started: nullableTime,
  last_completed: nullableTime,
  last_result: z.nullable(z.string()),
});
export type SupportRole = z.infer<typeof SupportRoleSchema>;

export const WarningSchema = z.strictObject({
  time: isoTime,
  type: z.string(),
  severity: z.enum(['info', 'warning', 'error']),
  message: z.string(),
  context: z._default(z.record(z.string(), z.unknown()), {}),
});
export type Warning = z.infer<typeof WarningSchema>;

/** Counts of the last snapshot (the same fields `loom status --json` shows) plus a few blocked items. */
export const PipelineSchema = z.strictObject({
  ...PipelineCountsSchema.shape,
  blocked_items: z._default(z.array(z.strictObject({ number: z.int(), title: z.string() })), []),
  updated_at: isoTime,
});
export type Pipeline = z.infer<typeof PipelineSchema>;

export const DaemonStateSchema = z.strictObject({
  version: z.literal(STATE_VERSION),
  /** The id `loom start` gave the running daemon (one `/loom` session). */
  daemon_id: z.nullable(z.string()),
  started_at: nullableTime,
  last_poll: nullableTime,
  running: z.boolean(),
  stopped_at: nullableTime,
  iteration: z.int().check(z.nonnegative()),
  force_mode: z.boolean(),
  /** Slot names as the CLI accepts them (`loom record shepherd-N`): the state file is input too. */
  shepherds: z.record(ShepherdSlotIdSchema, ShepherdSlotSchema),
  // Roles added after the first release (curator, judge) start idle in an older file (zod/mini has no
  // `preprocess`: a transform piped into the schema is what classic zod builds for it).
  support_roles: z.pipe(
    z.transform((value: unknown) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? { ...Object.fromEntries(SupportRoleNameSchema.options.map((r) => [r, idleRole()])), ...value }
        : value,
    ),
    z.record(SupportRoleNameSchema, SupportRoleSchema),
  ),
  last_architect_trigger: nullableTime,
  last_hermit_trigger: nullableTime,
  completed_issues: z.array(z.int().check(z.positive())),
  total_prs_merged: z.int().check(z.nonnegative()),
  warnings: z.array(WarningSchema).check(z.maxLength(MAX_WARNINGS)),
  pipeline: z.nullable(PipelineSchema),
  /** Set while GitHub's rate limit is exhausted: no GitHub call before this time (DESIGN.md §10.2). */
  rate_limited_until: z._default(nullableTime, null),
  /** Heartbeats of shepherds that hold no daemon slot (a `/shepherd N` typed by a user): issue → time. */
  heartbeats: z._default(z.record(z.string().check(z.regex(/^\d+$/)), isoTime), {}),
  /** Claude usage-limit pause (no new worker, no new claim before `paused_until`). Added compatibly: older files get the default. */
  usage: z._default(UsageStateSchema, emptyUsage),
  /** Worker cost and tokens: totals and bounded breakdowns (src/core/accounting.ts). */
  cost: z._default(CostStateSchema, emptyCost),
});
export type DaemonState = z.infer<typeof DaemonStateSchema>;

const idleRole = (): SupportRole => ({
  status: 'idle',
  task_id: null,
  output_file: null,
  started: null,
  last_completed: null,
  last_result: null,
});

/** A fresh state: nothing running, nothing recorded. */
export function emptyState(): DaemonState {
  return {
    version: STATE_VERSION,
    daemon_id: null,
    started_at: null,
    last_poll: null,
    running: false,
    stopped_at: null,
    iteration: 0,
    force_mode: false,
    shepherds: {},
    support_roles: {
      architect: idleRole(),
      hermit: idleRole(),
      guide: idleRole(),
      champion: idleRole(),
      doctor: idleRole(),
      curator: idleRole(),
      judge: idleRole(),
    },
    last_architect_trigger: null,
    last_hermit_trigger: null,
    completed_issues: [],
    total_prs_merged: 0,
    warnings: [],
    pipeline: null,
    rate_limited_until: null,
    heartbeats: {},
    usage: emptyUsage(),
    cost: emptyCost(),
  };
}

/** An empty shepherd slot (nothing claimed), with `fields` set on top (e.g. why and since when it is idle). */
export function idleSlot(fields: Partial<ShepherdSlot> = {}): ShepherdSlot {
  return {
    status: 'idle',
    issue: null,
    task_id: null,
    output_file: null,
    started: null,
    last_phase: null,
    pr_number: null,
    last_heartbeat: null,
    idle_since: null,
    idle_reason: null,
    restarts: 0,
    completed: null,
    stuck_since: null,
    remote: null,
    ...fields,
  };
}

/** A slot whose shepherd was just handed `issue` (claimed at `startedIso`); it starts with the curator phase. */
export function claimedSlot(issue: number, startedIso: string): ShepherdSlot {
  return idleSlot({ status: 'working', issue, started: startedIso, last_phase: 'curator' });
}

/** A slot holds an issue: its shepherd is working, or paused waiting to be resumed. */
export function isBusy(slot: ShepherdSlot | undefined): boolean {
  return !!slot && (slot.status === 'working' || slot.status === 'paused') && slot.issue !== null;
}

/** Appends warnings, keeping the newest MAX_WARNINGS (the schema refuses more). */
export function pushWarnings(state: DaemonState, warnings: Warning[]): void {
  state.warnings = [...state.warnings, ...warnings].slice(-MAX_WARNINGS);
}
