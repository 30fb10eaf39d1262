/**
 * The pure rules of remote slots (src/core/remote-slots.ts) and of `loom adopt-claim` (src/core/adopt.ts),
 * table-tested: slot counts per runner choice, matching runs to slots, what a run's state means, the runs a
 * daemon with no state file takes back, and when a runner may adopt a claim.
 */
import { describe, expect, it } from 'vitest';
import { shepherdRunName } from '../src/core/actions-contract.js';
import { adoptDecision } from '../src/core/adopt.js';
import { claimCommentBody } from '../src/core/claim-marks.js';
import { defaultConfig } from '../src/core/config.js';
import { claimedSlot, emptyState, idleSlot, type ShepherdSlot } from '../src/core/daemon-state.js';
import { plan } from '../src/core/planner.js';
import {
  matchRuns,
  type RemoteRun,
  runVerdict,
  slotCounts,
  slotIdsOf,
  unrecordedRuns,
  type WorkflowRun,
} from '../src/core/remote-slots.js';
import type { Snapshot } from '../src/core/snapshot.js';
import { snapshotAt } from './helpers/snapshot.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function run(
  id: number,
  issue: number,
  slot: string,
  created: number,
  status = 'in_progress',
  conclusion: string | null = null,
): WorkflowRun {
  return {
    id,
    display_title: shepherdRunName(issue, slot),
    event: 'workflow_dispatch',
    status,
    conclusion,
    html_url: `https://github.example/o/r/actions/runs/${id}`,
    created_at: at(created),
    updated_at: at(created),
  };
}

const remote = (dispatched: number, extra: Partial<RemoteRun> = {}): RemoteRun => ({
  dispatched_at: at(dispatched),
  run_id: null,
  run_url: null,
  run_status: null,
  conclusion: null,
  ...extra,
});
const remoteSlot = (issue: number, dispatched: number): ShepherdSlot => ({
  ...claimedSlot(issue, at(dispatched)),
  remote: remote(dispatched),
});

describe('slotCounts', () => {
  it.each([
    ['local', 3, { local: 3, actions: 0 }],
    ['actions', 3, { local: 0, actions: 3 }],
    ['mixed', 3, { local: 3, actions: 0 }],
    ['local', { local: 2, actions: 4 }, { local: 2, actions: 0 }],
    ['actions', { local: 2, actions: 4 }, { local: 0, actions: 4 }],
    ['mixed', { local: 2, actions: 4 }, { local: 2, actions: 4 }],
  ] as const)('runner %s with max_shepherds %j', (runner, max, expected) => {
    expect(slotCounts({ runner, max_shepherds: max })).toEqual(expected);
  });

  it('--runner overrides the config, and the slot ids put local slots first', () => {
    const config = { runner: 'local' as const, max_shepherds: { local: 1, actions: 2 } };
    expect(slotIdsOf(slotCounts(config, 'mixed'))).toEqual(['shepherd-1', 'actions-1', 'actions-2']);
  });
});

describe('matchRuns', () => {
  const slots = {
    'actions-1': remoteSlot(7, 100),
    'actions-2': remoteSlot(8, 100),
    'shepherd-1': claimedSlot(9, at(0)),
  };

  it('matches the newest run naming the slot and issue, created after the dispatch (with clock slack)', () => {
    const runs = [
      run(5, 7, 'actions-1', 150),
      run(4, 7, 'actions-1', 120),
      run(3, 7, 'actions-1', -500), // an earlier attempt at the same issue in the same slot
      run(2, 8, 'actions-1', 130), // another issue in that slot
      run(1, 8, 'actions-2', 0), // 100 s before the dispatch: within the clock slack
    ];
    const matched = matchRuns(slots, runs);
    expect(matched['actions-1']?.id).toBe(5);
    expect(matched['actions-2']?.id).toBe(1);
    expect('shepherd-1' in matched).toBe(false);
  });

  it('maps a slot with no run of its own to null; runs of other workflows are ignored', () => {
    const other = { ...run(9, 7, 'actions-1', 150), display_title: 'CI' };
    expect(matchRuns(slots, [other, run(8, 7, 'actions-1', -1000)])).toEqual({ 'actions-1': null, 'actions-2': null });
  });
});

describe('runVerdict', () => {
  const config = { actions: { ...defaultConfig.actions, appear_timeout: 300, start_timeout: 1800 } };
  const now = (s: number) => new Date(T0 + s * 1000);
  it.each([
    ['not read this poll', undefined, 5000, 'running'],
    ['not listed yet, young', null, 299, 'running'],
    ['not listed after appear_timeout', null, 301, 'never-appeared'],
    ['queued, young', run(1, 7, 'actions-1', 0, 'queued'), 1799, 'running'],
    ['queued after start_timeout', run(1, 7, 'actions-1', 0, 'queued'), 1801, 'never-started'],
    ['in progress for hours', run(1, 7, 'actions-1', 0, 'in_progress'), 20_000, 'running'],
    ['success', run(1, 7, 'actions-1', 0, 'completed', 'success'), 10, 'succeeded'],
    ['failure', run(1, 7, 'actions-1', 0, 'completed', 'failure'), 10, 'failed'],
    ['cancelled', run(1, 7, 'actions-1', 0, 'completed', 'cancelled'), 10, 'failed'],
    ['timed out', run(1, 7, 'actions-1', 0, 'completed', 'timed_out'), 10, 'failed'],
  ] as const)('%s', (_what, observed, seconds, expected) => {
    expect(runVerdict(remote(0), observed, config, now(seconds))).toBe(expected);
  });
});

describe('unrecordedRuns', () => {
  it('gives back the slots of Loom runs still going that no busy slot records, newest run per slot and issue', () => {
    const slots = { 'actions-1': remoteSlot(7, 0), 'actions-2': idleSlot() };
    const runs = [
      run(10, 8, 'actions-2', 300),
      run(9, 8, 'actions-2', 200), // older run of the same slot
      run(8, 7, 'actions-3', 250), // issue 7 is already held by actions-1
      run(7, 9, 'actions-3', 100, 'completed', 'success'), // finished: nothing to follow
      run(6, 11, 'shepherd-2', 100), // not a remote slot name
      run(5, 12, 'actions-4', 100, 'queued'),
    ];
    expect(unrecordedRuns(slots, runs).map((r) => [r.slot, r.issue, r.run.id])).toEqual([
      ['actions-2', 8, 10],
      ['actions-4', 12, 5],
    ]);
  });
});

describe('adoptDecision', () => {
  const TOKEN = '0123456789abcdef';
  const OTHER = 'fedcba9876543210';
  const comment = (id: number, token: string, trusted = true) => ({
    databaseId: id,
    body: claimCommentBody(token, 'loom-20260301-abc'),
    createdAt: at(id),
    trusted,
  });
  const issue = (labels: string[], state = 'OPEN') => ({ state, isPullRequest: false, labels });
  it.each([
    ['the latest claim carries the token', issue(['loom:building']), [comment(1, OTHER), comment(2, TOKEN)], null],
    ['released', issue(['loom:issue']), [comment(2, TOKEN)], /not loom:building/],
    ['closed', issue(['loom:building'], 'CLOSED'), [comment(2, TOKEN)], /closed/],
    ['aborted by a person', issue(['loom:building', 'loom:abort']), [comment(2, TOKEN)], /loom:abort/],
    [
      'claimed again by someone else since',
      issue(['loom:building']),
      [comment(1, TOKEN), comment(2, OTHER)],
      /not the latest/,
    ],
    ['another claim only', issue(['loom:building']), [comment(2, OTHER)], /no claim comment carries this token/],
    [
      'the token only in an untrusted comment',
      issue(['loom:building']),
      [comment(2, TOKEN, false)],
      /no claim comment/,
    ],
  ] as const)('%s', (_what, item, comments, refusal) => {
    const decision = adoptDecision(item, comments, TOKEN);
    if (refusal === null) expect(decision).toMatchObject({ adopt: true, claim: { token: TOKEN, databaseId: 2 } });
    else expect(decision.adopt ? '' : decision.reason).toMatch(refusal);
  });
});

describe('the planner with remote slots', () => {
  const NOW = new Date(T0 + 4000 * 1000);
  const building = (issue: number, heartbeatAt: string | null = null) => ({
    number: issue,
    state: 'OPEN' as const,
    labels: ['loom:building'],
    claims: [{ token: '0123456789abcdef', owner: 'd', databaseId: 5, createdAt: at(0), heartbeatAt }],
  });
  const planWith = (
    slots: Record<string, ShepherdSlot>,
    runs: Record<string, WorkflowRun | null> | undefined,
    tracked: Snapshot['tracked'] = { issues: { 7: building(7) }, pulls: {} },
    extra: Partial<Snapshot> = {},
  ) =>
    plan({
      snapshot: snapshotAt(NOW.toISOString(), { tracked, ...extra }),
      state: { ...emptyState(), running: true, started_at: at(0), shepherds: slots },
      config: { ...defaultConfig, runner: 'actions', max_shepherds: { local: 0, actions: 2 } },
      now: NOW,
      runs,
    });

  it.each([
    [
      'success, yet still loom:building without a PR',
      'completed',
      'success',
      { reason: 'run-failed', release: true, failure: 'ended' },
    ],
    ['failure', 'completed', 'failure', { reason: 'run-failed', release: true, failure: 'ended' }],
    ['timed out', 'completed', 'timed_out', { reason: 'run-failed', release: true, failure: 'ended' }],
    ['never started', 'queued', null, { reason: 'run-not-started', release: true, cancelRun: 3 }],
  ] as const)('a run that ended in %s', (_what, status, conclusion, expected) => {
    const result = planWith(
      { 'actions-1': remoteSlot(7, 0) },
      { 'actions-1': run(3, 7, 'actions-1', 0, status, conclusion) },
    );
    expect(result.completions).toEqual([{ slot: 'actions-1', issue: 7, ...expected }]);
    expect(result.freeSlots).toEqual(['actions-1', 'actions-2']);
  });

  it.each([
    ['with a pull request', ['loom:building'], true, 'run-succeeded'],
    ['closed', [], false, 'issue-closed'],
    ['released by the shepherd itself', ['loom:issue'], false, 'run-failed'],
  ] as const)(
    'a successful run whose issue moved on (%s) frees its slot without a release',
    (_what, labels, withPull, reason) => {
      const pull = { number: 20, title: 'x', labels: [], headRefName: 'feature/issue-7', closingIssues: [7] };
      const tracked = {
        issues: {
          7: { ...building(7), labels: [...labels], state: labels.length ? ('OPEN' as const) : ('CLOSED' as const) },
        },
        pulls: {},
      };
      const result = planWith(
        { 'actions-1': remoteSlot(7, 0) },
        { 'actions-1': run(3, 7, 'actions-1', 0, 'completed', 'success') },
        tracked,
        withPull ? { pullRequests: [pull as unknown as Snapshot['pullRequests'][number]] } : {},
      );
      expect(result.completions).toEqual([{ slot: 'actions-1', issue: 7, reason, release: false }]);
    },
  );

  it('a failed run whose issue has a pull request open is not released (the work moved on)', () => {
    const pull = { number: 20, title: 'x', labels: [], headRefName: 'feature/issue-7', closingIssues: [7] };
    const result = planWith(
      { 'actions-1': remoteSlot(7, 0) },
      { 'actions-1': run(3, 7, 'actions-1', 0, 'completed', 'failure') },
      undefined,
      { pullRequests: [pull as unknown as Snapshot['pullRequests'][number]] },
    );
    expect(result.completions).toEqual([{ slot: 'actions-1', issue: 7, reason: 'run-failed', release: false }]);
  });

  it('a running remote shepherd is stuck by its GitHub heartbeat: warned, then cancelled (never restarted)', () => {
    const idle = { ...remoteSlot(7, 0), last_heartbeat: null };
    const going = { 'actions-1': run(3, 7, 'actions-1', 0) };
    expect(planWith({ 'actions-1': idle }, going).stuck).toEqual([
      expect.objectContaining({ slot: 'actions-1', action: 'warn' }),
    ]);
    const warned = { ...idle, stuck_since: at(3000) };
    expect(planWith({ 'actions-1': warned }, going).stuck).toEqual([
      expect.objectContaining({ slot: 'actions-1', action: 'cancel' }),
    ]);
    // A fresh heartbeat on the claim comment (any clone's, the runner's) keeps it from being stuck.
    const alive = { issues: { 7: building(7, at(3900)) }, pulls: {} };
    expect(planWith({ 'actions-1': idle }, going, alive).stuck).toEqual([]);
  });

  it('the runs list not read this poll keeps every remote slot as it is', () => {
    const result = planWith({ 'actions-1': remoteSlot(7, 0) }, undefined);
    expect(result.completions).toEqual([]);
    expect(result.freeSlots).toEqual(['actions-2']);
  });
});
