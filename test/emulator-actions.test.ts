/**
 * The emulator's GitHub Actions endpoints (test/emulator/actions.ts), driven by the real `gh api`:
 * dispatch with GitHub's validation, the runs list and its filters, one run, cancel, and runs moving on
 * the schedule a test sets (including "never starts" and "never appears").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SHEPHERD_RUN_NAME, SHEPHERD_WORKFLOW, shepherdRunName } from '../src/core/actions-contract.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';

let emu: EmulatorHandle;
let home: string;
const REPO = 'acme/widgets';
const runs = () => emu.store.actions;

beforeAll(async () => {
  emu = await startEmulator({ repo: REPO });
  home = mkdtempSync(join(tmpdir(), 'loom-emu-actions-'));
});
afterAll(async () => {
  await emu?.close();
  rmSync(home, { recursive: true, force: true });
});
beforeEach(() => {
  runs().registerWorkflow({
    file: SHEPHERD_WORKFLOW,
    name: 'Loom shepherd',
    run_name: SHEPHERD_RUN_NAME,
    inputs: { issue: { required: true }, slot: { required: true }, args: {}, claim: { required: true } },
    schedule: { start_after_ms: 0, complete_after_ms: null },
  });
});

async function api(method: string, path: string, body?: unknown) {
  const result = await execa('gh', ['api', '--include', '-X', method, path, ...(body ? ['--input', '-'] : [])], {
    env: { ...emu.env, HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin' },
    extendEnv: false,
    reject: false,
    input: body ? JSON.stringify(body) : undefined,
  });
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(result.stdout)?.[1] ?? 0);
  const text = result.stdout
    .split(/\r?\n\r?\n/)
    .slice(1)
    .join('\n\n');
  return { status, json: text.trim() ? JSON.parse(text) : undefined };
}

const dispatch = (inputs: Record<string, string>, ref = 'main', file = SHEPHERD_WORKFLOW) =>
  api('POST', `repos/${REPO}/actions/workflows/${file}/dispatches`, { ref, inputs });

describe('emulated GitHub Actions', () => {
  it('a dispatch answers 204 and creates a run titled by the evaluated run name', async () => {
    const before = runs().all().length;
    const answer = await dispatch({ issue: '12', slot: 'actions-1', claim: '0123456789abcdef' });
    expect(answer.status).toBe(204);
    expect(answer.json).toBeUndefined();
    const list = await api('GET', `repos/${REPO}/actions/runs?event=workflow_dispatch&per_page=100`);
    expect(list.status).toBe(200);
    expect(list.json.total_count).toBe(before + 1);
    const run = list.json.workflow_runs[0];
    expect(run).toMatchObject({
      name: 'Loom shepherd',
      display_title: shepherdRunName(12, 'actions-1'),
      event: 'workflow_dispatch',
      status: 'in_progress',
      conclusion: null,
      path: `.github/workflows/${SHEPHERD_WORKFLOW}`,
      head_branch: 'main',
    });
    for (const field of ['id', 'html_url', 'created_at', 'updated_at', 'run_started_at', 'run_number'])
      expect(run[field], field).toBeDefined();
    expect(runs().all().at(-1)?.inputs).toEqual({
      issue: '12',
      slot: 'actions-1',
      args: '',
      claim: '0123456789abcdef',
    });
    const one = await api('GET', `repos/${REPO}/actions/runs/${run.id}`);
    expect(one.json.id).toBe(run.id);
  });

  it('refuses a missing required input, an unknown input and a bad ref with 422, an unknown workflow with 404', async () => {
    const before = runs().all().length;
    expect((await dispatch({ issue: '1', slot: 'actions-1' })).status).toBe(422);
    expect((await dispatch({ issue: '1', slot: 'actions-1', claim: 'x', extra: 'y' })).status).toBe(422);
    const badRef = await dispatch({ issue: '1', slot: 'actions-1', claim: 'x' }, 'no-such-branch');
    expect(badRef.status).toBe(422);
    expect(badRef.json.message).toMatch(/No ref found/);
    expect((await dispatch({ issue: '1' }, 'main', 'other.yml')).status).toBe(404);
    expect(runs().all()).toHaveLength(before);
  });

  it('moves runs on the schedule the test sets, filters by status or conclusion, and cancels', async () => {
    runs().setSchedule(SHEPHERD_WORKFLOW, { start_after_ms: null });
    await dispatch({ issue: '20', slot: 'actions-2', claim: 'a' });
    const queued = runs().all().at(-1)!;
    expect((await api('GET', `repos/${REPO}/actions/runs/${queued.id}`)).json.status).toBe('queued');
    // Never starts: still queued however long we wait; then cancelled, and a second cancel is refused.
    expect((await api('POST', `repos/${REPO}/actions/runs/${queued.id}/cancel`)).status).toBe(202);
    const cancelled = (await api('GET', `repos/${REPO}/actions/runs/${queued.id}`)).json;
    expect([cancelled.status, cancelled.conclusion]).toEqual(['completed', 'cancelled']);
    expect((await api('POST', `repos/${REPO}/actions/runs/${queued.id}/cancel`)).status).toBe(409);

    runs().setSchedule(SHEPHERD_WORKFLOW, { start_after_ms: 0, complete_after_ms: 0, conclusion: 'failure' });
    await dispatch({ issue: '21', slot: 'actions-1', claim: 'b' });
    const failed = await api('GET', `repos/${REPO}/actions/runs?status=failure`);
    expect(failed.json.workflow_runs.map((r: { display_title: string }) => r.display_title)).toEqual([
      shepherdRunName(21, 'actions-1'),
    ]);
    const completed = await api('GET', `repos/${REPO}/actions/runs?status=completed&per_page=1`);
    expect(completed.json.workflow_runs).toHaveLength(1);
    expect(completed.json.total_count).toBe(2);

    // The control API forces a run's state.
    runs().setSchedule(SHEPHERD_WORKFLOW, { complete_after_ms: null });
    await dispatch({ issue: '22', slot: 'actions-3', claim: 'c' });
    const running = runs().all().at(-1)!;
    const forced = await fetch(`${emu.url}/_emulator/actions/runs/${running.id}`, {
      method: 'POST',
      body: JSON.stringify({ status: 'completed', conclusion: 'timed_out' }),
    });
    expect(forced.status).toBe(200);
    expect((await api('GET', `repos/${REPO}/actions/runs/${running.id}`)).json.conclusion).toBe('timed_out');
  });

  it('a run that never appears is not listed and not found', async () => {
    runs().setSchedule(SHEPHERD_WORKFLOW, { appear_after_ms: null });
    expect((await dispatch({ issue: '30', slot: 'actions-1', claim: 'd' })).status).toBe(204);
    const hidden = runs().all().at(-1)!;
    const list = await api('GET', `repos/${REPO}/actions/runs?event=workflow_dispatch&per_page=100`);
    expect(list.json.workflow_runs.map((r: { id: number }) => r.id)).not.toContain(hidden.id);
    expect((await api('GET', `repos/${REPO}/actions/runs/${hidden.id}`)).status).toBe(404);
  });

  it('logs each Actions request like any other', async () => {
    emu.clearRequests();
    await api('GET', `repos/${REPO}/actions/runs?event=workflow_dispatch`);
    expect(emu.requests().map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /repos/${REPO}/actions/runs?event=workflow_dispatch`,
    ]);
  });
});
