/**
 * Remote shepherd slots (DESIGN.md §4.9): slots whose shepherd runs on a GitHub Actions runner, dispatched
 * through `workflow_dispatch` (src/core/actions-contract.ts). Pure: which slots exist for a runner choice,
 * how the runs list is read and matched to slots, and what a run's state means for its slot. The reads and
 * writes are in src/github/actions.ts and src/daemon/remote.ts.
 */
import * as z from 'zod/mini';
import './zod-setup.js';
import { parseShepherdRunName } from './actions-contract.js';
import type { Config } from './config.js';
import type { ShepherdSlot } from './daemon-state.js';

export const RUNNERS = ['local', 'actions', 'mixed'] as const;
export type Runner = (typeof RUNNERS)[number];

/** Slot name prefixes: local shepherds (`shepherd-N`, started by the parent or `loom run`) and remote ones. */
export const LOCAL_SLOT_PREFIX = 'shepherd';
export const REMOTE_SLOT_PREFIX = 'actions';

/** How many slots of each kind a runner choice gives (`max_shepherds` as a number or `{local, actions}`). */
export function slotCounts(config: Pick<Config, 'runner' | 'max_shepherds'>, runner?: Runner): SlotCounts {
  const mode = runner ?? config.runner;
  const max = config.max_shepherds;
  const split = typeof max === 'number' ? null : max;
  if (mode === 'local') return { local: split ? split.local : (max as number), actions: 0 };
  // With Actions only, a plain number means that many runners: there is no local slot to give it to.
  if (mode === 'actions') return { local: 0, actions: split ? split.actions : (max as number) };
  return split ? { local: split.local, actions: split.actions } : { local: max as number, actions: 0 };
}

/** The config with `runner` replaced for one call (`loom iterate --runner`); unchanged without one. */
export function withRunner<C extends Pick<Config, 'runner'>>(config: C, runner: Runner | undefined): C {
  return runner ? { ...config, runner } : config;
}

export interface SlotCounts {
  local: number;
  actions: number;
}

export const totalSlots = (counts: SlotCounts): number => counts.local + counts.actions;

/** Every slot id of these counts: the local ones first (they cost no runner minutes), then the remote ones. */
export function slotIdsOf(counts: SlotCounts): string[] {
  return [
    ...Array.from({ length: counts.local }, (_, i) => `${LOCAL_SLOT_PREFIX}-${i + 1}`),
    ...Array.from({ length: counts.actions }, (_, i) => `${REMOTE_SLOT_PREFIX}-${i + 1}`),
  ];
}

export const isRemoteSlotId = (id: string): boolean => id.startsWith(`${REMOTE_SLOT_PREFIX}-`);

/** What the state records of a remote slot's run (the `remote` field of a slot). */
export const RemoteRunSchema = z.strictObject({
  /** When the daemon sent the dispatch (ISO): runs created before it belong to earlier attempts. */
  dispatched_at: z.iso.datetime({ offset: true }),
  run_id: z.nullable(z.int().check(z.positive())),
  /** The run's page on GitHub (what `loom status` shows). */
  run_url: z.nullable(z.string().check(z.maxLength(500))),
  run_status: z.nullable(z.string().check(z.maxLength(40))),
  conclusion: z.nullable(z.string().check(z.maxLength(40))),
});
export type RemoteRun = z.infer<typeof RemoteRunSchema>;

/** One workflow run as `GET /repos/{o}/{r}/actions/runs` lists it (the fields Loom reads; others pass). */
export const WorkflowRunSchema = z.object({
  id: z.int().check(z.positive()),
  display_title: z.string(),
  event: z.string(),
  status: z.nullable(z.string()),
  conclusion: z.nullable(z.string()),
  html_url: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  run_started_at: z.nullish(z.string()),
});
export type WorkflowRun = z.infer<typeof WorkflowRunSchema>;
export const WorkflowRunsSchema = z.object({
  total_count: z.int(),
  workflow_runs: z.array(WorkflowRunSchema),
});

/** Slack for clocks: a run created up to this long before its slot's dispatch time still counts as its run. */
const DISPATCH_SKEW_MS = 120_000;

/**
 * The run of each busy remote slot among `runs` (newest first, as GitHub lists them): the newest run whose
 * display title names the slot and its issue and that was created after the dispatch (less a clock skew).
 * A slot with no such run maps to null.
 */
export function matchRuns(
  slots: Record<string, ShepherdSlot>,
  runs: readonly WorkflowRun[],
): Record<string, WorkflowRun | null> {
  const matched: Record<string, WorkflowRun | null> = {};
  for (const [id, slot] of Object.entries(slots)) {
    if (!slot.remote || slot.issue === null) continue;
    const since = Date.parse(slot.remote.dispatched_at) - DISPATCH_SKEW_MS;
    const mine = runs
      .filter((run) => {
        const named = parseShepherdRunName(run.display_title);
        return named?.slot === id && named.issue === slot.issue && Date.parse(run.created_at) >= since;
      })
      .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id);
    matched[id] = mine[0] ?? null;
  }
  return matched;
}

/**
 * What a remote slot's run means now:
 * - `running`: queued or in progress within its time limits (or not seen yet, but young);
 * - `succeeded`: completed with success (the shepherd finished its work on the runner);
 * - `failed`: completed with any other conclusion (failure, cancelled, timed_out, …);
 * - `never-appeared`: no run in the list `actions.appear_timeout` seconds after the dispatch;
 * - `never-started`: still queued `actions.start_timeout` seconds after the dispatch (no runner took it).
 * `run` undefined: the runs list was not read this time; the slot keeps its last known state.
 */
export type RunVerdict = 'running' | 'succeeded' | 'failed' | 'never-appeared' | 'never-started';

export function runVerdict(
  remote: RemoteRun,
  run: WorkflowRun | null | undefined,
  config: Pick<Config, 'actions'>,
  now: Date,
): RunVerdict {
  if (run === undefined) return 'running';
  const age = (now.getTime() - Date.parse(remote.dispatched_at)) / 1000;
  if (run === null) return age > config.actions.appear_timeout ? 'never-appeared' : 'running';
  if (run.status === 'completed') return run.conclusion === 'success' ? 'succeeded' : 'failed';
  if (run.status !== 'in_progress' && age > config.actions.start_timeout) return 'never-started';
  return 'running';
}

/**
 * Runs still queued or in progress whose run name names a remote slot no busy slot records, nor any busy
 * slot's issue: what a daemon with no state file (a scheduled one in Actions) has in flight. Newest run per
 * slot; a slot or issue named twice keeps the newest run only.
 */
export function unrecordedRuns(
  slots: Record<string, ShepherdSlot>,
  runs: readonly WorkflowRun[],
): { slot: string; issue: number; run: WorkflowRun }[] {
  const busy = Object.entries(slots).filter(
    ([, s]) => (s.status === 'working' || s.status === 'paused') && s.issue !== null,
  );
  const takenSlots = new Set(busy.map(([id]) => id));
  const takenIssues = new Set(busy.map(([, s]) => s.issue));
  const found: { slot: string; issue: number; run: WorkflowRun }[] = [];
  const newestFirst = [...runs].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id);
  for (const run of newestFirst) {
    if (run.status === 'completed') continue;
    const named = parseShepherdRunName(run.display_title);
    if (!named || !isRemoteSlotId(named.slot) || takenSlots.has(named.slot) || takenIssues.has(named.issue)) continue;
    takenSlots.add(named.slot);
    takenIssues.add(named.issue);
    found.push({ slot: named.slot, issue: named.issue, run });
  }
  return found;
}

/** The slot's record after seeing `run` (unchanged fields stay). */
export function observedRemote(remote: RemoteRun, run: WorkflowRun | null | undefined): RemoteRun {
  if (!run) return remote;
  return { ...remote, run_id: run.id, run_url: run.html_url, run_status: run.status, conclusion: run.conclusion };
}
