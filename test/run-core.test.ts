/**
 * Pure logic behind `loom run` and the usage-limit pause: reading worker
 * output (stream-json logs and /loom transcripts, shapes as Claude Code 2.1.197
 * prints them), cost accounting, the pause and budget gates of the planner,
 * log names. The processes themselves are tested in test/run.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyCost, pauseFor, recordTaskCost, usagePaused } from '../src/core/accounting.js';
import { ConfigSchema } from '../src/core/config.js';
import { emptyState } from '../src/core/daemon-state.js';
import { formatDirective, roleDirective, shepherdDirective } from '../src/core/directives.js';
import { renderLogLine } from '../src/core/log-view.js';
import { agentModel, modelFor } from '../src/core/models.js';
import { plan } from '../src/core/planner.js';
import { phaseModel } from '../src/core/shepherd-phase.js';
import type { Snapshot } from '../src/core/snapshot.js';
import { estimateCost, readTranscriptUsage, transcriptResult } from '../src/core/transcript-cost.js';
import { diedWithoutResult, readWorkerOutput, refusedByLimit } from '../src/core/worker-output.js';
import { parseLogName } from '../src/daemon/worker-log.js';
import { snapshotAt } from './helpers/snapshot.js';

const lines = (...entries: unknown[]) => entries.map((e) => JSON.stringify(e)).join('\n');
const refusedStream = lines(
  { type: 'system', subtype: 'init', session_id: 's' },
  {
    type: 'rate_limit_event',
    rate_limit_info: { status: 'rejected', resetsAt: 1_800_000_000, rateLimitType: 'five_hour', isUsingOverage: false },
  },
  {
    type: 'result',
    subtype: 'success',
    is_error: true,
    api_error_status: 429,
    result: "You've hit your session limit · resets 8:32am (UTC)",
    total_cost_usd: 0,
    usage: { input_tokens: 0, output_tokens: 0 },
    modelUsage: {},
  },
);

describe('reading worker output', () => {
  it('a refused run: the rate_limit_event and the 429 result, never the wording', () => {
    const out = readWorkerOutput(refusedStream);
    expect(out.limit).toEqual({ kind: 'rejected', resetsAt: 1_800_000_000, limitType: 'five_hour', utilization: null });
    expect(refusedByLimit(out)).toBe(true);
    // Same words without the event or the status: not a limit.
    const words = readWorkerOutput(lines({ type: 'result', is_error: false, result: "You've hit your session limit" }));
    expect(refusedByLimit(words)).toBe(false);
  });

  it('an allowed event clears nothing and pauses nothing; utilization at pause_at is a near signal', () => {
    expect(
      readWorkerOutput(lines({ type: 'rate_limit_event', rate_limit_info: { status: 'allowed' } })).limit,
    ).toBeNull();
    const near = readWorkerOutput(
      lines({
        type: 'rate_limit_event',
        rate_limit_info: { status: 'allowed_warning', utilization: 0.96, resetsAt: 5 },
      }),
      0.95,
    );
    expect(near.limit?.kind).toBe('near');
    expect(refusedByLimit(near)).toBe(false);
  });

  it('a /loom transcript refused by a limit (isApiErrorMessage, apiErrorStatus 429) counts, with no reset time', () => {
    const transcript = lines(
      { type: 'user', message: { role: 'user', content: 'do it' } },
      {
        type: 'assistant',
        message: { role: 'assistant', stop_reason: 'stop_sequence', content: [{ type: 'text', text: 'limit' }] },
        error: 'rate_limit',
        isApiErrorMessage: true,
        apiErrorStatus: 429,
      },
    );
    const out = readWorkerOutput(transcript);
    expect(refusedByLimit(out)).toBe(true);
    expect(out.limit?.resetsAt).toBeNull();
  });

  it('cost and tokens from the result line; a process that exited without one died', () => {
    const ok = readWorkerOutput(
      lines({
        type: 'result',
        is_error: false,
        total_cost_usd: 0.0125,
        usage: { input_tokens: 10, output_tokens: 2, cache_read_input_tokens: 5 },
        modelUsage: { 'claude-opus': { costUSD: 0.01 }, 'claude-haiku': { costUSD: 0.0025 } },
      }),
    );
    expect(ok.result).toMatchObject({
      costUsd: 0.0125,
      usage: { input_tokens: 10, output_tokens: 2, cache_read_input_tokens: 5, cache_creation_input_tokens: 0 },
      costByModel: { 'claude-opus': 0.01, 'claude-haiku': 0.0025 },
    });
    const crashed = readWorkerOutput(
      `${lines({ type: 'assistant', message: {} }, { type: 'loom_exit', code: 3, signal: null })}\n{"type":"res`,
    );
    expect(diedWithoutResult(crashed)).toBe(true);
    expect(diedWithoutResult(ok)).toBe(false);
  });
});

describe('cost accounting', () => {
  const result = (usd: number) => ({
    isError: false,
    apiErrorStatus: null,
    costUsd: usd,
    usage: { input_tokens: 100, output_tokens: 10, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    costByModel: { m: usd },
    text: '',
  });
  const now = new Date('2026-01-02T03:04:05Z');

  it('sums exactly, counts each task once, and keeps breakdowns by issue, role, day and model', () => {
    let cost = emptyCost();
    for (let i = 1; i <= 1000; i++)
      cost = recordTaskCost(
        cost,
        {
          taskId: `t${i}`,
          slot: 'shepherd-1',
          role: 'shepherd',
          issue: (i % 3) + 1,
          outcome: 'ok',
          result: result(0.0001),
        },
        now,
      );
    cost = recordTaskCost(
      cost,
      { taskId: 't1000', slot: 'shepherd-1', role: 'shepherd', issue: 1, outcome: 'ok', result: result(5) },
      now,
    );
    expect(cost.total_usd).toBe(0.1);
    expect(cost.by_day['2026-01-02']).toBe(0.1);
    expect(cost.by_role.shepherd).toEqual({ usd: 0.1, input_tokens: 100_000, output_tokens: 10_000, tasks: 1000 });
    expect(cost.by_issue['1']!.tasks + cost.by_issue['2']!.tasks + cost.by_issue['3']!.tasks).toBe(1000);
    expect(cost.by_model.m).toBe(0.1);
    expect(cost.recent).toHaveLength(50);
  });

  it('stays bounded: the last 200 issues and 31 days', () => {
    let cost = emptyCost();
    for (let i = 1; i <= 250; i++)
      cost = recordTaskCost(
        cost,
        { taskId: `t${i}`, slot: 's', role: 'shepherd', issue: i, outcome: 'ok', result: result(0.01) },
        new Date(Date.parse('2026-01-01T00:00:00Z') + i * 86_400_000),
      );
    expect(Object.keys(cost.by_issue)).toHaveLength(200);
    expect(Object.keys(cost.by_issue)[0]).toBe('51');
    expect(Object.keys(cost.by_day)).toHaveLength(31);
    expect(cost.total_usd).toBe(2.5);
  });
});

describe('the usage pause and the daily budget in the planner', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  const snapshot = (ready: number[]): Snapshot =>
    snapshotAt(
      now.toISOString(),
      {
        readyIssues: ready.map((n) => ({
          number: n,
          title: `#${n}`,
          labels: ['loom:issue'],
          createdAt: now.toISOString(),
          updatedAt: now.toISOString(),
        })),
        tracked: { issues: { 1: { number: 1, state: 'OPEN', labels: ['loom:building'] } }, pulls: {} },
      },
      { building: 1 },
    );
  const working = () => {
    const state = emptyState();
    state.started_at = '2026-01-01T11:00:00Z';
    state.shepherds['shepherd-1'] = {
      status: 'working',
      issue: 1,
      task_id: 'run-1-1',
      output_file: '/x.jsonl',
      started: '2026-01-01T11:59:00Z',
      last_phase: 'builder',
      pr_number: null,
      last_heartbeat: null,
      idle_since: null,
      idle_reason: null,
      restarts: 0,
      completed: null,
      stuck_since: null,
    };
    return state;
  };
  const config = ConfigSchema.parse({ max_shepherds: 2, issue_threshold: 0 });
  const refused = readWorkerOutput(refusedStream);

  it('a refused worker pauses its slot (claim kept), records the pause and claims nothing until the reset', () => {
    const p = plan({
      snapshot: snapshot([2, 3]),
      state: working(),
      config,
      now,
      tasks: {
        'shepherd-1': {
          ended: true,
          lastOutputAt: now.toISOString(),
          limit: refused.limit,
          refused: true,
          failed: false,
          result: refused.result,
        },
      },
    });
    expect(p.limitPauses).toEqual([{ slot: 'shepherd-1', issue: 1 }]);
    expect(p.completions).toEqual([]);
    expect(p.stuck).toEqual([]);
    expect(p.freeSlots).toEqual([]);
    expect(p.roleSpawns).toEqual([]);
    expect(p.usagePause).toMatchObject({
      paused_until: new Date(1_800_000_000_000 + 120_000).toISOString(),
      reason: 'five_hour limit reached (a worker was refused)',
    });
  });

  it('while paused nothing resumes; after the reset the paused slot resumes and claims go on', () => {
    const state = working();
    state.shepherds['shepherd-1']!.status = 'paused';
    state.shepherds['shepherd-1']!.task_id = null;
    state.usage = { paused_until: '2026-01-01T13:00:00Z', reason: 'x', since: now.toISOString() };
    const during = plan({ snapshot: snapshot([2]), state, config, now });
    expect(during.resumes).toEqual([]);
    expect(during.freeSlots).toEqual([]);
    expect(during.hold.usage).toBe(true);
    const after = plan({ snapshot: snapshot([2]), state, config, now: new Date('2026-01-01T13:00:01Z') });
    expect(after.resumes).toEqual([{ slot: 'shepherd-1', issue: 1 }]);
    expect(after.freeSlots).toEqual(['shepherd-2']);
  });

  it('a worker that died without a result is restarted once, then blocked, without the warning step', () => {
    const state = working();
    const died = { ended: true, lastOutputAt: now.toISOString(), failed: true, refused: false };
    expect(plan({ snapshot: snapshot([]), state, config, now, tasks: { 'shepherd-1': died } }).stuck).toEqual([
      { slot: 'shepherd-1', issue: 1, action: 'restart', idleSeconds: 0, cause: 'failed' },
    ]);
    state.shepherds['shepherd-1']!.restarts = 1;
    expect(plan({ snapshot: snapshot([]), state, config, now, tasks: { 'shepherd-1': died } }).stuck[0]?.action).toBe(
      'block',
    );
  });

  it('budget.daily_usd reached: no new claim today, tomorrow again', () => {
    const state = emptyState();
    state.started_at = '2026-01-01T00:00:00Z';
    state.cost = recordTaskCost(
      state.cost,
      {
        taskId: 't',
        slot: 'shepherd-1',
        role: 'shepherd',
        issue: 9,
        outcome: 'ok',
        result: { ...readWorkerOutput(refusedStream).result!, costUsd: 2 },
      },
      now,
    );
    const budget = ConfigSchema.parse({ max_shepherds: 2, issue_threshold: 0, budget: { daily_usd: 2 } });
    expect(plan({ snapshot: snapshot([2]), state, config: budget, now }).freeSlots).toEqual([]);
    expect(
      plan({ snapshot: snapshot([2]), state, config: budget, now: new Date('2026-01-02T00:00:01Z') }).freeSlots,
    ).toEqual(['shepherd-1', 'shepherd-2']);
  });

  it('pauseFor: reset + margin, retry_after when the reset is unknown, nothing when the reset passed', () => {
    const settings = { margin: 60, retry_after: 900 };
    const empty = { paused_until: null, reason: null, since: null };
    expect(
      pauseFor(
        { kind: 'rejected', resetsAt: now.getTime() / 1000 + 10, limitType: 'seven_day', utilization: null },
        empty,
        settings,
        now,
      )?.paused_until,
    ).toBe('2026-01-01T12:01:10.000Z');
    expect(
      pauseFor({ kind: 'rejected', resetsAt: null, limitType: null, utilization: null }, empty, settings, now)
        ?.paused_until,
    ).toBe('2026-01-01T12:15:00.000Z');
    expect(
      pauseFor({ kind: 'near', resetsAt: 1, limitType: null, utilization: 0.99 }, empty, settings, now),
    ).toBeNull();
    expect(usagePaused({ paused_until: '2026-01-01T12:00:00Z', reason: null, since: null }, now)).toBe(false);
  });
});

describe('logs', () => {
  it('log names carry slot, issue or role and the UTC start time', () => {
    expect(parseLogName('/l', 'shepherd-2-123-20260101T120000Z.jsonl')).toMatchObject({
      slot: 'shepherd-2',
      subject: '123',
      stamp: '20260101T120000Z',
    });
    expect(parseLogName('/l', 'guide-guide-20260101T120000Z-2.jsonl')).toMatchObject({
      slot: 'guide',
      subject: 'guide',
    });
    expect(parseLogName('/l', '../etc-passwd-20260101T120000Z.jsonl')).toBeNull();
  });

  it('the readable view: a tool call per line, the result with cost, the exit; control characters removed', () => {
    expect(
      renderLogLine(
        JSON.stringify({
          type: 'assistant',
          message: { content: [{ type: 'tool_use', name: 'Bash', input: { command: 'gh pr create\n--fill' } }] },
        }),
      ),
    ).toBe('→ Bash gh pr create');
    expect(renderLogLine(refusedStream.split('\n')[1]!)).toBe(
      'usage limit rejected (five_hour, resets 2027-01-15T08:00:00.000Z)',
    );
    expect(renderLogLine(refusedStream.split('\n')[2]!)).toMatch(
      /^result error \(API 429\): .* · \$0\.0000 · 0 in \/ 0 out tokens/,
    );
    expect(renderLogLine(JSON.stringify({ type: 'loom_exit', code: null, signal: 'SIGTERM' }))).toBe(
      'exit signal SIGTERM',
    );
    expect(
      renderLogLine(
        JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text: 'hi \u001b[31mred\u0007' }] } }),
      ),
    ).toBe('“hi red”');
  });
});

describe('model per role (config models, escalation)', () => {
  const models = { shepherd: 'claude-opus-4-1', judge: 'haiku', doctor: 'sonnet', escalate_to: 'opus' } as const;
  it.each([
    ['shepherd', {}, 'claude-opus-4-1'],
    ['judge', {}, 'haiku'],
    ['judge', { rejected: true }, 'haiku'], // escalation is for the roles that write code
    ['doctor', {}, 'sonnet'],
    ['doctor', { rejected: true }, 'opus'],
    ['builder', {}, null],
    ['builder', { rejected: true }, 'opus'],
    ['guide', {}, null],
  ])('%s %j → %s', (role, facts, expected) => {
    expect(modelFor(models, role, facts)).toBe(expected);
  });
  it('without escalate_to a rejected run keeps its role model', () => {
    expect(modelFor({ doctor: 'sonnet' }, 'doctor', { rejected: true })).toBe('sonnet');
  });
  it.each([
    ['opus', 'opus'],
    ['claude-opus-4-1', 'opus'],
    ['claude-sonnet-4-5-20250929', 'sonnet'],
    ['sonnet[1m]', 'sonnet'],
    ['claude-haiku-4-5', 'haiku'],
    ['my-custom-model', null],
    [null, null],
  ])('the Agent tool alias of %s is %s', (model, alias) => {
    expect(agentModel(model)).toBe(alias);
  });
  it('the SPAWN line carries the Agent alias after the slot, only when a model is set', () => {
    const config = { shepherd_args: '--force-pr', models };
    expect(formatDirective(shepherdDirective('shepherd-2', 12, config))).toBe(
      'SPAWN shepherd-2 model=opus shepherd 12 --force-pr',
    );
    expect(shepherdDirective('shepherd-2', 12, config).model).toBe('claude-opus-4-1'); // loom run: --model as configured
    expect(formatDirective(shepherdDirective('shepherd-1', 3, { shepherd_args: '', models: {} }, true))).toBe(
      'SPAWN shepherd-1 shepherd 3 --resume',
    );
    expect(formatDirective(roleDirective({ role: 'doctor', args: '', escalate: true }, config))).toBe(
      'SPAWN doctor model=opus doctor',
    );
    expect(formatDirective(roleDirective({ role: 'guide', args: '' }, config))).toBe('SPAWN guide guide');
  });
  it.each([
    ['doctor', ['loom:changes-requested'], null, 'opus'],
    ['doctor', ['loom:pr'], null, 'sonnet'],
    ['doctor', ['loom:treating'], null, 'sonnet'],
    ['builder', [], { doctor_rounds: 1 }, 'opus'],
    ['builder', [], { doctor_rounds: 0 }, null],
    ['judge', ['loom:review-requested'], null, 'haiku'],
    ['merge', ['loom:pr'], null, null],
    ['done', [], null, null],
  ] as const)('the shepherd phase %s (PR %j, checkpoint %j) → %s', (phase, labels, checkpoint, expected) => {
    expect(phaseModel(models, phase, { labels: [...labels] }, checkpoint)).toBe(expected);
  });
  const snap = (partial: Partial<Snapshot> = {}): Snapshot => snapshotAt('2026-01-02T00:00:00Z', partial);
  it("the daemon's Doctor escalates while a rejected PR no shepherd holds waits", () => {
    const config = ConfigSchema.parse({ doctor: { interval: 0 } });
    const pullRequest = (number: number, labels: string[]) => ({
      number,
      title: `PR ${number}`,
      labels,
      headRefName: `feature/issue-${number - 100}`,
      closingIssues: [number - 100],
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    });
    const state = { ...emptyState(), started_at: '2026-01-01T00:00:00Z', running: true };
    const now = new Date('2026-01-02T00:00:00Z');
    const doctorOf = (pulls: ReturnType<typeof pullRequest>[]) =>
      plan({
        snapshot: snap({ pullRequests: pulls as never, counts: { ...snap().counts, changes_requested: pulls.length } }),
        state,
        config,
        now,
      }).roleSpawns.find((s) => s.role === 'doctor');
    expect(doctorOf([pullRequest(105, ['loom:changes-requested'])])).toEqual({
      role: 'doctor',
      args: '',
      escalate: true,
    });
    expect(doctorOf([pullRequest(105, ['loom:pr'])])?.escalate).toBeUndefined();
  });
});

describe('cost of a /loom subagent from its transcript (Claude Code 2.1.197 output files)', () => {
  // Real transcripts of a background shepherd subagent and the Builder it ran in the foreground, written by
  // Claude Code 2.1.197 against the scripted model (each answer: 100 input, 10 output tokens); paths moved to /tmp/widgets.
  const dir = path.resolve(import.meta.dirname, 'fixtures/claude-2.1.197-subagents');
  const shepherd = readFileSync(path.join(dir, 'agent-a210b1710fc01afa4.jsonl'), 'utf8');
  const builder = readFileSync(path.join(dir, 'agent-af538614854598faa.jsonl'), 'utf8');

  it('counts each API message once per model and finds the subagents it started', () => {
    const usage = readTranscriptUsage(shepherd);
    expect(usage.agentIds).toEqual(['af538614854598faa']);
    expect(usage.byModel).toEqual({
      'claude-opus-4-8': {
        input_tokens: 300,
        output_tokens: 30,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
      },
    });
    expect(readTranscriptUsage(builder).byModel['claude-haiku-4-5-20251001']?.input_tokens).toBe(200);
    // An entry repeated per content block (same message id) counts once; a synthetic error entry not at all.
    const repeated = lines(
      {
        type: 'assistant',
        message: { id: 'm1', model: 'claude-sonnet-4-5', usage: { input_tokens: 7, output_tokens: 2 } },
      },
      {
        type: 'assistant',
        message: { id: 'm1', model: 'claude-sonnet-4-5', usage: { input_tokens: 7, output_tokens: 2 } },
      },
      { type: 'assistant', message: { id: 'm2', model: '<synthetic>', usage: { input_tokens: 0, output_tokens: 0 } } },
    );
    expect(readTranscriptUsage(repeated).byModel).toEqual({
      'claude-sonnet-4-5': {
        input_tokens: 7,
        output_tokens: 2,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
      },
    });
  });

  it('estimates the cost at list prices per model family; an unknown model counts tokens only', () => {
    const result = transcriptResult([readTranscriptUsage(shepherd), readTranscriptUsage(builder)]);
    // opus (4.5 and later) 5/25 USD per million: 300·5 + 30·25 = 0.00225; haiku 4.5 1/5: 200·1 + 20·5 = 0.0003.
    expect(result.costByModel).toEqual({ 'claude-opus-4-8': 0.00225, 'claude-haiku-4-5-20251001': 0.0003 });
    expect(result.costUsd).toBe(0.00255);
    expect(result.usage).toMatchObject({ input_tokens: 500, output_tokens: 50 });
    const usage = {
      input_tokens: 1e6,
      output_tokens: 0,
      cache_read_input_tokens: 1e6,
      cache_creation_input_tokens: 1e6,
    };
    expect(estimateCost('claude-sonnet-4-5', usage)).toBe(3 + 0.3 + 3.75);
    expect(estimateCost('claude-opus-4-1-20250805', usage)).toBe(15 + 1.5 + 18.75);
    expect(estimateCost('some-local-model', usage)).toBeNull();
  });
});
