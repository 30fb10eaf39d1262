import { describe, expect, it } from 'vitest';
import { type Config, defaultConfig } from '../src/core/config.js';
import { type DaemonState, emptyState, type ShepherdSlot } from '../src/core/daemon-state.js';
import { orderReady, type PlanInput, plan } from '../src/core/planner.js';
import type { IssueSummary, Snapshot } from '../src/core/snapshot.js';
import { summaryLine } from '../src/core/summary.js';
import { snapshotAt } from './helpers/snapshot.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();

const issue = (number: number, labels: string[] = ['loom:issue'], createdAgo = 86400 - number * 60): IssueSummary => ({
  number,
  title: `Issue ${number}`,
  labels,
  createdAt: ago(createdAgo),
  updatedAt: ago(createdAgo),
});

const snapshot = (partial: Partial<Snapshot> = {}, counts: Partial<Snapshot['counts']> = {}): Snapshot =>
  snapshotAt(NOW.toISOString(), partial, counts);

const slot = (over: Partial<ShepherdSlot>): ShepherdSlot => ({
  status: 'working',
  issue: 1,
  task_id: 't',
  output_file: null,
  started: ago(60),
  last_phase: 'builder',
  pr_number: null,
  last_heartbeat: ago(30),
  idle_since: null,
  idle_reason: null,
  restarts: 0,
  completed: null,
  stuck_since: null,
  ...over,
});

function input(over: Omit<Partial<PlanInput>, 'config'> & { config?: Partial<Config> } = {}): PlanInput {
  return {
    snapshot: over.snapshot ?? snapshot(),
    state: over.state ?? { ...emptyState(), started_at: ago(60), running: true },
    config: { ...defaultConfig, ...over.config },
    now: NOW,
    tasks: over.tasks,
    forceMode: over.forceMode,
  };
}

describe('ordering of ready issues', () => {
  it('puts loom:urgent first, then the oldest', () => {
    const issues = [issue(1), issue(2), issue(3, ['loom:issue', 'loom:urgent']), issue(4)];
    expect(orderReady(issues).map((i) => i.number)).toEqual([3, 1, 2, 4]);
  });
  it('orders by creation time, not number', () => {
    expect(orderReady([issue(1, ['loom:issue'], 10), issue(2, ['loom:issue'], 500)]).map((i) => i.number)).toEqual([
      2, 1,
    ]);
  });
});

describe('claims (step 5)', () => {
  it.each([
    ['never failed', undefined, true],
    ['failed once, 10 min ago (back-off 15 min)', { count: 1, reasons: ['ended'], lastAt: ago(600) }, false],
    ['failed once, 16 min ago', { count: 1, reasons: ['ended'], lastAt: ago(960) }, true],
    ['failed twice, 30 min ago (back-off 60 min)', { count: 2, reasons: ['ended', 'stale'], lastAt: ago(1800) }, false],
    ['failed twice, 61 min ago', { count: 2, reasons: ['ended', 'stale'], lastAt: ago(3660) }, true],
  ])('failure back-off: %s → claimable %s', (_name, failures, claimable) => {
    const p = plan(
      input({ snapshot: snapshot({ readyIssues: [{ ...issue(1), ...(failures ? { failures } : {}) }] }) }),
    );
    expect(p.claimCandidates.map((c) => c.issue)).toEqual(claimable ? [1] : []);
    expect(p.heldBack.map((h) => h.reason)).toEqual(claimable ? [] : ['backoff']);
  });
  it.each([
    ['a collaborator', { authorAssociation: 'COLLABORATOR', author: 'c' }, 'ignore', true],
    ['a stranger', { authorAssociation: 'NONE', author: 's' }, 'ignore', false],
    ['a stranger in triage-only mode', { authorAssociation: 'NONE', author: 's' }, 'triage-only', false],
    [
      'a stranger, admitted by a maintainer',
      {
        authorAssociation: 'NONE',
        author: 's',
        labelEvents: [{ label: 'loom:issue', actor: 'maintainer', createdAt: ago(60) }],
      },
      'ignore',
      true,
    ],
  ] as const)('trust boundary: an issue by %s is claimable: %s', (_name, facts, mode, claimable) => {
    const p = plan(
      input({
        snapshot: snapshot({
          readyIssues: [{ ...issue(1), ...facts, labelEvents: 'labelEvents' in facts ? [...facts.labelEvents] : [] }],
        }),
        config: { trust: { outside_issues: mode } },
      }),
    );
    expect(p.claimCandidates.map((c) => c.issue)).toEqual(claimable ? [1] : []);
    expect(p.heldBack).toEqual(claimable ? [] : [{ issue: 1, reason: 'outside', until: null }]);
  });
  it('the Curator is not started for loom:triage issues only an outsider wrote', () => {
    const stranger = { ...issue(1, ['loom:triage']), authorAssociation: 'NONE', author: 's' };
    const config = { curator: { ...defaultConfig.curator, interval: 0 } };
    const only = plan(input({ snapshot: snapshot({ triageIssues: [stranger] }, { triage: 1 }), config }));
    expect(only.roleSpawns.map((r) => r.role)).not.toContain('curator');
    const inside = { ...issue(2, ['loom:triage']), authorAssociation: 'MEMBER', author: 'm' };
    const both = plan(input({ snapshot: snapshot({ triageIssues: [stranger, inside] }, { triage: 2 }), config }));
    expect(both.roleSpawns.map((r) => r.role)).toContain('curator');
  });
  it('offers every free slot and every unheld ready issue in claim order', () => {
    const p = plan(
      input({
        snapshot: snapshot({
          readyIssues: [issue(1), issue(2), issue(3, ['loom:issue', 'loom:urgent']), issue(4), issue(5)],
        }),
      }),
    );
    expect(p.freeSlots).toEqual(['shepherd-1', 'shepherd-2', 'shepherd-3']);
    expect(p.claimCandidates.map((c) => c.issue)).toEqual([3, 1, 2, 4, 5]);
    expect(p.claimCandidates[0]?.urgent).toBe(true);
  });
  it('counts busy and paused slots as taken and skips the issues they hold', () => {
    const state: DaemonState = {
      ...emptyState(),
      started_at: ago(60),
      shepherds: { 'shepherd-1': slot({ issue: 1 }), 'shepherd-3': slot({ issue: 9, status: 'paused' }) },
    };
    const p = plan(input({ state, snapshot: snapshot({ readyIssues: [issue(1), issue(2)] }) }));
    expect(p.freeSlots).toEqual(['shepherd-2']);
    expect(p.claimCandidates.map((c) => c.issue)).toEqual([2]);
    expect(p.resumes).toEqual([{ slot: 'shepherd-3', issue: 9 }]);
  });
  it('offers no slot when max_shepherds is 0', () => {
    expect(
      plan(input({ config: { max_shepherds: 0 }, snapshot: snapshot({ readyIssues: [issue(1)] }) })).freeSlots,
    ).toEqual([]);
  });
});

describe('completions (step 4)', () => {
  const busy = (over: Partial<ShepherdSlot> = {}): DaemonState => ({
    ...emptyState(),
    started_at: ago(60),
    shepherds: { 'shepherd-1': slot({ issue: 7, ...over }) },
  });
  it.each([
    [
      'issue closed',
      busy(),
      { issues: { 7: { number: 7, state: 'CLOSED' as const, labels: [] } }, pulls: {} },
      'issue-closed',
    ],
    [
      'PR merged',
      busy({ pr_number: 8 }),
      { issues: {}, pulls: { 8: { number: 8, state: 'MERGED' as const } } },
      'pr-merged',
    ],
    ['reported done', busy({ completed: 'done' }), { issues: {}, pulls: {} }, 'reported-done'],
    ['reported failed', busy({ completed: 'failed' }), { issues: {}, pulls: {} }, 'reported-failed'],
  ])('frees the slot when %s', (_name, state, tracked, reason) => {
    const p = plan(input({ state, snapshot: snapshot({ tracked }) }));
    expect(p.completions).toEqual([{ slot: 'shepherd-1', issue: 7, reason, release: false }]);
    expect(p.freeSlots).toContain('shepherd-1');
  });
  it('a task that ended leaving loom:building and no PR is released', () => {
    const tracked = { issues: { 7: { number: 7, state: 'OPEN' as const, labels: ['loom:building'] } }, pulls: {} };
    const p = plan(
      input({
        state: busy(),
        snapshot: snapshot({ tracked }),
        tasks: { 'shepherd-1': { ended: true, lastOutputAt: ago(5) } },
      }),
    );
    expect(p.completions).toEqual([
      { slot: 'shepherd-1', issue: 7, reason: 'task-ended', release: true, failure: 'ended' },
    ]);
  });
  it('a task that ended with a usage-limit signal is released without counting a failure', () => {
    const tracked = { issues: { 7: { number: 7, state: 'OPEN' as const, labels: ['loom:building'] } }, pulls: {} };
    const limit = { kind: 'near' as const, resetsAt: null, limitType: 'five_hour', utilization: 0.97 };
    const p = plan(
      input({
        state: busy(),
        snapshot: snapshot({ tracked }),
        tasks: { 'shepherd-1': { ended: true, lastOutputAt: ago(5), limit } },
      }),
    );
    expect(p.completions).toEqual([{ slot: 'shepherd-1', issue: 7, reason: 'task-ended', release: true }]);
  });
  it('an open issue with a running task is not completed', () => {
    const tracked = { issues: { 7: { number: 7, state: 'OPEN' as const, labels: ['loom:building'] } }, pulls: {} };
    expect(plan(input({ state: busy(), snapshot: snapshot({ tracked }) })).completions).toEqual([]);
  });
  // The worker of a finished issue still writing its last turns keeps its slot until its end (which carries its
  // cost): never two workers in one slot, never a cost lost. Builder threshold: stuck_after.builder (3600 s).
  const closed = { issues: { 7: { number: 7, state: 'CLOSED' as const, labels: ['loom:building'] } }, pulls: {} };
  it.each([
    ['output still being written', { ended: false, lastOutputAt: ago(5) }, slot({ issue: 7 }), false],
    ['output ended', { ended: true, lastOutputAt: ago(5) }, slot({ issue: 7 }), true],
    ['no output file (not recorded, or gone)', { ended: false, lastOutputAt: null }, slot({ issue: 7 }), true],
    [
      'silent past its stuck threshold',
      { ended: false, lastOutputAt: ago(3700) },
      slot({ issue: 7, last_heartbeat: ago(3700), started: ago(5000) }),
      true,
    ],
    [
      'reported done, still writing',
      { ended: false, lastOutputAt: ago(5) },
      slot({ issue: 7, completed: 'done' }),
      false,
    ],
  ])('a closed issue whose worker shows %s: completed now = %s', (_name, task, s, now) => {
    const state = { ...emptyState(), started_at: ago(60), shepherds: { 'shepherd-1': s } };
    const p = plan(input({ state, snapshot: snapshot({ tracked: closed }), tasks: { 'shepherd-1': task } }));
    expect(p.completions.map((c) => c.slot)).toEqual(now ? ['shepherd-1'] : []);
    expect(p.freeSlots.includes('shepherd-1')).toBe(now);
    // Neither stuck nor reconciled away while it finishes.
    expect(p.stuck).toEqual([]);
    expect(p.orphaned).toEqual([]);
  });
});

describe('work generation (step 6)', () => {
  it('triggers architect and hermit when ready is below the threshold', () => {
    const p = plan(input({ snapshot: snapshot({}, { ready: 1 }) }));
    expect(p.roleSpawns.map((r) => r.role)).toEqual(['architect', 'hermit']);
    expect(p.roleSpawns[0]?.args).toBe('--autonomous');
  });
  it('respects the cooldown since the last trigger', () => {
    const state = {
      ...emptyState(),
      started_at: ago(60),
      last_architect_trigger: ago(1799),
      last_hermit_trigger: ago(1800),
    };
    expect(plan(input({ state, snapshot: snapshot({}, { ready: 0 }) })).roleSpawns.map((r) => r.role)).toEqual([
      'hermit',
    ]);
  });
  it('respects the cap of open proposals', () => {
    expect(
      plan(input({ snapshot: snapshot({}, { ready: 0, architect_proposals: 2, hermit_proposals: 1 }) })).roleSpawns.map(
        (r) => r.role,
      ),
    ).toEqual(['hermit']);
  });
  it('does nothing when the backlog is full enough', () => {
    expect(plan(input({ snapshot: snapshot({}, { ready: 3 }) })).roleSpawns).toEqual([]);
  });
});

describe('support roles (step 7)', () => {
  const work = { ready: 5, ready_to_merge: 1, changes_requested: 1 };
  it('are due an interval after they last finished, not on every tick', () => {
    const state = emptyState();
    Object.assign(state, { started_at: ago(10_000), running: true });
    state.support_roles.guide.last_completed = ago(899);
    state.support_roles.champion.last_completed = ago(600);
    state.support_roles.doctor.last_completed = ago(301);
    expect(plan(input({ state, snapshot: snapshot({}, work) })).roleSpawns.map((r) => r.role)).toEqual([
      'champion',
      'doctor',
    ]);
  });
  it('a never-run role is due an interval after the daemon started', () => {
    const state = { ...emptyState(), started_at: ago(400), running: true };
    expect(plan(input({ state, snapshot: snapshot({}, work) })).roleSpawns.map((r) => r.role)).toEqual(['doctor']);
  });
  it('a running role is not spawned again; one whose task ended completes and is due later', () => {
    const state = { ...emptyState(), started_at: ago(10_000), running: true };
    state.support_roles.guide = { ...state.support_roles.guide, status: 'running', started: ago(100) };
    const p = plan(
      input({ state, snapshot: snapshot({}, work), tasks: { guide: { ended: true, lastOutputAt: ago(10) } } }),
    );
    expect(p.roleCompletions).toEqual([{ role: 'guide', reason: 'task-ended' }]);
    expect(p.roleSpawns.map((r) => r.role)).not.toContain('guide');
  });
  it('champion and doctor wait for work; champion gets --force in force mode', () => {
    const state = { ...emptyState(), started_at: ago(10_000), running: true };
    expect(plan(input({ state, snapshot: snapshot({}, { ready: 5 }) })).roleSpawns.map((r) => r.role)).toEqual([
      'guide',
    ]);
    const forced = plan(
      input({ state, forceMode: true, snapshot: snapshot({}, { ready: 5, architect_proposals: 1 }) }),
    );
    expect(forced.roleSpawns).toContainEqual({ role: 'champion', args: '--force' });
  });
  it('no standalone Doctor while a live shepherd holds every PR it could treat (issue 9, point 5)', () => {
    const pull = (number: number, issue: number) => ({
      number,
      title: 'x',
      labels: ['loom:changes-requested'],
      headRefName: `feature/issue-${issue}`,
      mergeable: 'MERGEABLE',
      updatedAt: ago(60),
      closingIssues: [issue],
      checks: null,
    });
    const state = { ...emptyState(), started_at: ago(10_000), running: true };
    state.shepherds['shepherd-1'] = slot({ issue: 3, last_phase: 'doctor', pr_number: 10 });
    state.support_roles.guide.last_completed = ago(10);
    const doctors = (pullRequests: ReturnType<typeof pull>[], complete = true) =>
      plan(
        input({
          state,
          snapshot: snapshot(
            { pullRequests, pullRequestsComplete: complete },
            { changes_requested: pullRequests.length, ready: 5 },
          ),
        }),
      ).roleSpawns.filter((r) => r.role === 'doctor').length;
    expect(doctors([pull(10, 3)])).toBe(0);
    expect(doctors([pull(10, 3), pull(11, 4)])).toBe(1);
    // A truncated PR list proves nothing: the Doctor runs and `loom take` decides.
    expect(doctors([pull(10, 3)], false)).toBe(1);
  });
  it('a disabled role never runs', () => {
    const state = { ...emptyState(), started_at: ago(10_000), running: true };
    expect(
      plan(input({ state, config: { guide: { interval: 900, enabled: false } }, snapshot: snapshot({}, { ready: 5 }) }))
        .roleSpawns,
    ).toEqual([]);
  });
});

describe('stale and stuck (step 8)', () => {
  it('releases a loom:building issue with no PR, nobody holding it, idle beyond the threshold', () => {
    const building = [
      { ...issue(4, ['loom:building']), updatedAt: ago(7201) },
      { ...issue(5, ['loom:building']), updatedAt: ago(100) },
    ];
    const p = plan(input({ snapshot: snapshot({ buildingIssues: building }) }));
    expect(p.staleReleases.map((s) => s.issue)).toEqual([4]);
  });
  it('never releases one with a fresh heartbeat or an open PR', () => {
    const building = [
      { ...issue(4, ['loom:building']), updatedAt: ago(9000) },
      { ...issue(5, ['loom:building']), updatedAt: ago(9000) },
    ];
    const state = { ...emptyState(), heartbeats: { '4': ago(60) } };
    const pulls = [
      {
        number: 9,
        title: 'x',
        labels: [],
        headRefName: 'feature/issue-5',
        mergeable: 'MERGEABLE',
        updatedAt: ago(9000),
        closingIssues: [],
        checks: null,
      },
    ];
    expect(
      plan(input({ state, snapshot: snapshot({ buildingIssues: building, pullRequests: pulls }) })).staleReleases,
    ).toEqual([]);
  });
  it('does not judge staleness when the PR list was truncated (fail safe)', () => {
    const building = [{ ...issue(4, ['loom:building']), updatedAt: ago(9000) }];
    expect(
      plan(input({ snapshot: snapshot({ buildingIssues: building, pullRequestsComplete: false }) })).staleReleases,
    ).toEqual([]);
  });
  it('stuck: warn, then one restart, then blocked; never during the start-up grace', () => {
    const idle = { last_heartbeat: ago(4000), started: ago(5000), last_phase: 'judge' };
    const at = (over: Partial<ShepherdSlot>) =>
      plan(input({ state: { ...emptyState(), shepherds: { 'shepherd-1': slot({ ...idle, ...over }) } } })).stuck.map(
        (s) => s.action,
      );
    expect(at({})).toEqual(['warn']);
    expect(at({ stuck_since: ago(60) })).toEqual([]);
    expect(at({ stuck_since: ago(700) })).toEqual(['restart']);
    expect(at({ stuck_since: ago(700), restarts: 1 })).toEqual(['block']);
    expect(at({ started: ago(300), last_heartbeat: null })).toEqual([]);
    expect(at({ last_heartbeat: ago(100) })).toEqual([]);
  });
  it('uses the per-phase threshold', () => {
    const s = (phase: string) =>
      plan(
        input({
          state: {
            ...emptyState(),
            shepherds: { 'shepherd-1': slot({ last_heartbeat: ago(2000), started: ago(5000), last_phase: phase }) },
          },
        }),
      ).stuck.length;
    expect(s('judge')).toBe(1); // 1200 s
    expect(s('builder')).toBe(0); // 3600 s
  });
});

describe('summary line (DESIGN.md §4.5)', () => {
  it('is grammatical and short', () => {
    const line = summaryLine({
      ready: 2,
      building: 3,
      activeShepherds: 3,
      maxShepherds: 3,
      spawnedIssues: [3, 1, 2],
      spawnedRoles: ['guide', 'architect'],
      completedIssues: [9],
      stuck: 1,
      warnings: 2,
    });
    expect(line).toBe(
      'ready=2 building=3 shepherds=3/3 +shepherd=#3 +shepherd=#1 +shepherd=#2 +architect +guide completed=#9 stuck=1 warn=2',
    );
    expect(line).toMatch(
      /^ready=\d+ building=\d+ shepherds=\d+\/\d+( \+shepherd=#\d+)*( \+(architect|hermit|guide|champion|doctor))*( completed=#\d+)*( stuck=\d+)?( warn=\d+)?$/,
    );
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(120);
  });
});
