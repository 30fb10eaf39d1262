/**
 * GitHub Actions in the emulator: registered workflows, `workflow_dispatch`,
 * and the runs it creates. A run moves queued → in_progress → completed on a
 * schedule the test sets (per workflow, or per run through `setRun`),
 * evaluated lazily against the wall clock whenever a run is read, so nothing
 * ticks in the background. A schedule can also say "never appears" (the
 * dispatch was accepted but no run shows up) or "never starts" (queued for
 * ever, as when no runner picks it up).
 */
import { z } from 'zod';
import { WEB_BASE } from './objects.js';
import { fakeSha, isoSeconds, StoreError, VIEWER_LOGIN } from './store.js';

export const RunConclusionSchema = z.enum(['success', 'failure', 'cancelled', 'timed_out', 'skipped', 'neutral']);
export type RunConclusion = z.infer<typeof RunConclusionSchema>;

/** When a dispatched run moves on, in milliseconds; `null` means never. */
export const RunScheduleSchema = z.object({
  /** After the dispatch, until the run shows in the runs list (GitHub creates it asynchronously). */
  appear_after_ms: z.number().int().nonnegative().nullable().default(0),
  /** After the dispatch, until a runner picks it up (in_progress). */
  start_after_ms: z.number().int().nonnegative().nullable().default(0),
  /** After it started, until it completes with `conclusion`. */
  complete_after_ms: z.number().int().nonnegative().nullable().default(null),
  conclusion: RunConclusionSchema.default('success'),
});
export type RunSchedule = z.infer<typeof RunScheduleSchema>;

export const WorkflowSpecSchema = z.object({
  /** The file name under `.github/workflows/` (the API names a workflow by it). */
  file: z.string().regex(/^[A-Za-z0-9._-]+\.ya?ml$/),
  name: z.string().min(1).optional(),
  /** `run-name:` with `${{ inputs.NAME }}` expressions; absent: the workflow's name. */
  run_name: z.string().optional(),
  inputs: z
    .record(z.string(), z.object({ required: z.boolean().default(false), default: z.string().optional() }))
    .default({}),
  schedule: RunScheduleSchema.prefault({}),
});
export type WorkflowSpec = z.input<typeof WorkflowSpecSchema>;

/** A forced change of one run (the control API): a status, optionally a conclusion. */
export const RunPatchSchema = z.object({
  status: z.enum(['queued', 'in_progress', 'completed']).optional(),
  conclusion: RunConclusionSchema.optional(),
  schedule: RunScheduleSchema.partial().optional(),
});

interface Workflow {
  id: number;
  file: string;
  name: string;
  runName?: string;
  inputs: Record<string, { required: boolean; default?: string }>;
  schedule: RunSchedule;
}

export interface WorkflowRun {
  id: number;
  workflowId: number;
  file: string;
  name: string;
  displayTitle: string;
  runNumber: number;
  event: string;
  ref: string;
  /** The inputs as dispatched (GitHub does not list them with the run; tests read them here). */
  inputs: Record<string, string>;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: RunConclusion | null;
  dispatchedAt: number;
  startedAt: number | null;
  updatedAt: number;
  schedule: RunSchedule;
  /** Set by `setRun`: the schedule no longer moves the run. */
  pinned: boolean;
}

export class ActionsStore {
  private readonly workflows = new Map<string, Workflow>();
  private readonly runList: WorkflowRun[] = [];
  private nextRunId = 9_000_001;
  private nextWorkflowId = 501;
  /** Refs a dispatch may name (branches of the emulated repository). */
  readonly refs = new Set<string>(['main']);

  constructor(private readonly repo: string) {}

  registerWorkflow(spec: WorkflowSpec): void {
    const parsed = WorkflowSpecSchema.parse(spec);
    const existing = this.workflows.get(parsed.file);
    this.workflows.set(parsed.file, {
      id: existing?.id ?? this.nextWorkflowId++,
      file: parsed.file,
      name: parsed.name ?? parsed.file,
      runName: parsed.run_name,
      inputs: Object.fromEntries(
        Object.entries(parsed.inputs).map(([k, v]) => [k, { required: v.required, default: v.default }]),
      ),
      schedule: parsed.schedule,
    });
  }

  /** Sets the schedule of the workflow's future runs. */
  setSchedule(file: string, schedule: Partial<RunSchedule>): void {
    const workflow = this.workflow(file);
    workflow.schedule = RunScheduleSchema.parse({ ...workflow.schedule, ...schedule });
  }

  private workflow(file: string): Workflow {
    const workflow = this.workflows.get(file);
    if (!workflow) throw new StoreError('NOT_FOUND', `workflow ${file}`);
    return workflow;
  }

  /** `POST …/actions/workflows/{file}/dispatches`: validates like GitHub, then creates the run (maybe hidden). */
  dispatch(file: string, body: unknown, now = Date.now()): WorkflowRun {
    const workflow = this.workflow(file);
    const request = z
      .object({
        ref: z.string(),
        inputs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
      })
      .safeParse(body);
    if (!request.success)
      throw new StoreError('UNPROCESSABLE', 'Invalid request: ref and inputs are required as strings.');
    const ref = request.data.ref.replace(/^refs\/heads\//, '');
    if (!this.refs.has(ref)) throw new StoreError('UNPROCESSABLE', `No ref found for: ${request.data.ref}`);
    const given = Object.fromEntries(Object.entries(request.data.inputs ?? {}).map(([k, v]) => [k, String(v)]));
    const unexpected = Object.keys(given).filter((k) => !(k in workflow.inputs));
    if (unexpected.length)
      throw new StoreError('UNPROCESSABLE', `Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
    const inputs: Record<string, string> = {};
    for (const [key, spec] of Object.entries(workflow.inputs)) {
      const value = given[key] ?? spec.default;
      if (spec.required && (value === undefined || value === ''))
        throw new StoreError('UNPROCESSABLE', `Required input '${key}' not provided`);
      inputs[key] = value ?? '';
    }
    const displayTitle = workflow.runName
      ? workflow.runName.replace(/\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}/g, (_, name: string) => inputs[name] ?? '')
      : workflow.name;
    const run: WorkflowRun = {
      id: this.nextRunId++,
      workflowId: workflow.id,
      file: workflow.file,
      name: workflow.name,
      displayTitle,
      runNumber: this.runList.filter((r) => r.workflowId === workflow.id).length + 1,
      event: 'workflow_dispatch',
      ref,
      inputs,
      status: 'queued',
      conclusion: null,
      dispatchedAt: now,
      startedAt: null,
      updatedAt: now,
      schedule: { ...workflow.schedule },
      pinned: false,
    };
    this.runList.push(run);
    return run;
  }

  /** Moves a run along its schedule up to `now`. */
  private advance(run: WorkflowRun, now: number): void {
    if (run.pinned || run.status === 'completed') return;
    const { start_after_ms: start, complete_after_ms: complete, conclusion } = run.schedule;
    if (run.status === 'queued' && start !== null && now >= run.dispatchedAt + start) {
      run.status = 'in_progress';
      run.startedAt = run.dispatchedAt + start;
      run.updatedAt = run.startedAt;
    }
    if (run.status === 'in_progress' && complete !== null && run.startedAt !== null) {
      const end = run.startedAt + complete;
      if (now >= end) Object.assign(run, { status: 'completed', conclusion, updatedAt: end });
    }
  }

  private visible(run: WorkflowRun, now: number): boolean {
    const appear = run.schedule.appear_after_ms;
    return run.pinned || (appear !== null && now >= run.dispatchedAt + appear);
  }

  /** Every run, hidden ones too, in creation order (tests inspect the inputs). */
  all(now = Date.now()): WorkflowRun[] {
    for (const run of this.runList) this.advance(run, now);
    return [...this.runList];
  }

  /** `GET …/actions/runs`: newest first; `status` filters by status or by conclusion, as GitHub's does. */
  list(filter: { event?: string; status?: string }, now = Date.now()): WorkflowRun[] {
    return this.all(now)
      .filter((run) => this.visible(run, now))
      .filter((run) => !filter.event || run.event === filter.event)
      .filter((run) => !filter.status || run.status === filter.status || run.conclusion === filter.status)
      .sort((a, b) => b.dispatchedAt - a.dispatchedAt || b.id - a.id);
  }

  get(id: number, now = Date.now()): WorkflowRun {
    const run = this.runList.find((r) => r.id === id);
    if (!run || !this.visible(run, now)) throw new StoreError('NOT_FOUND', `run ${id}`);
    this.advance(run, now);
    return run;
  }

  /** `POST …/actions/runs/{id}/cancel`: a finished run cannot be cancelled (409). */
  cancel(id: number, now = Date.now()): WorkflowRun {
    const run = this.get(id, now);
    if (run.status === 'completed') throw new StoreError('CONFLICT', 'Cannot cancel a workflow run that is completed.');
    Object.assign(run, { status: 'completed', conclusion: 'cancelled', updatedAt: now, pinned: true });
    return run;
  }

  /** The control API: forces a run's status (and conclusion) now, or replaces part of its schedule. */
  setRun(id: number, patch: z.input<typeof RunPatchSchema>, now = Date.now()): WorkflowRun {
    const parsed = RunPatchSchema.parse(patch);
    const run = this.runList.find((r) => r.id === id);
    if (!run) throw new StoreError('NOT_FOUND', `run ${id}`);
    if (parsed.schedule) run.schedule = RunScheduleSchema.parse({ ...run.schedule, ...parsed.schedule });
    if (parsed.status) {
      run.pinned = true;
      run.status = parsed.status;
      run.updatedAt = now;
      if (parsed.status !== 'queued' && run.startedAt === null) run.startedAt = now;
      run.conclusion = parsed.status === 'completed' ? (parsed.conclusion ?? 'success') : null;
    }
    return run;
  }

  /** A run as the REST API shows it. */
  rest(api: string, run: WorkflowRun) {
    const sha = fakeSha(`run:${run.id}`);
    const runUrl = `${api}/repos/${this.repo}/actions/runs/${run.id}`;
    const actor = { login: VIEWER_LOGIN, id: 1, type: 'User', url: `${api}/users/${VIEWER_LOGIN}` };
    return {
      id: run.id,
      name: run.name,
      node_id: `WFR_emu${run.id}`,
      head_branch: run.ref,
      head_sha: sha,
      path: `.github/workflows/${run.file}`,
      display_title: run.displayTitle,
      run_number: run.runNumber,
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: run.workflowId,
      check_suite_id: run.id + 1,
      url: runUrl,
      html_url: `${WEB_BASE}/${this.repo}/actions/runs/${run.id}`,
      pull_requests: [],
      created_at: isoSeconds(run.dispatchedAt),
      updated_at: isoSeconds(run.updatedAt),
      actor,
      triggering_actor: actor,
      run_attempt: 1,
      run_started_at: isoSeconds(run.startedAt ?? run.dispatchedAt),
      jobs_url: `${runUrl}/jobs`,
      logs_url: `${runUrl}/logs`,
      cancel_url: `${runUrl}/cancel`,
      rerun_url: `${runUrl}/rerun`,
      workflow_url: `${api}/repos/${this.repo}/actions/workflows/${run.workflowId}`,
    };
  }
}
