/**
 * Pure decision logic of the shepherd commands: phase detection, checkpoints,
 * PR linking, await verdicts and label transitions. No processes.
 */
import { describe, expect, test } from 'vitest';
import { evaluateAwait } from '../src/core/await.js';
import {
  type Checkpoint,
  findCheckpointComment,
  formatCheckpointComment,
  nextCheckpoint,
  parseCheckpoint,
} from '../src/core/checkpoint.js';
import { planTransition } from '../src/core/label-transition.js';
import { closingRefsInBody, type PullCandidate, selectPullForIssue } from '../src/core/pr-link.js';
import { decidePhase, type PhasePull, roleFinished } from '../src/core/shepherd-phase.js';

const open = (labels: string[]) => ({ state: 'OPEN' as const, labels });
const pr = (labels: string[], extra: Partial<PhasePull> = {}): PhasePull => ({
  number: 10,
  state: 'OPEN',
  labels,
  mergeable: 'MERGEABLE',
  ...extra,
});
const cp = (doctor_rounds: number): Checkpoint => ({
  phase: 'judge',
  pr: 10,
  doctor_rounds,
  updated_at: '2026-01-01T00:00:00Z',
});

describe('roleFinished', () => {
  test.each([
    ['curator', 'builder', true],
    ['curator', 'curator', false],
    ['builder', 'builder', false],
    ['builder', 'judge', true],
    ['builder', 'blocked', false],
    ['judge', 'judge', false],
    ['judge', 'merge', true],
    ['judge', 'doctor', true],
    ['doctor', 'doctor', false],
    ['doctor', 'judge', true],
    ['merge', 'done', true],
  ] as const)('%s then next %s → %s', (role, next, finished) => {
    expect(roleFinished(role, next)).toBe(finished);
  });
});

describe('decidePhase', () => {
  test('answers stopped while .loom/stop-shepherds exists, unless the work is already done', () => {
    expect(decidePhase(open(['loom:building']), pr(['loom:review-requested']), null, true).phase).toBe('stopped');
    expect(decidePhase(open(['loom:building']), pr(['loom:pr'], { state: 'MERGED' }), null, true).phase).toBe('done');
    expect(decidePhase(open(['loom:building']), null, null, false).phase).toBe('builder');
  });
  test.each([
    ['new issue, no labels', open([]), null, null, 'curator'],
    ['loom:triage', open(['loom:triage']), null, null, 'curator'],
    ['loom:curating', open(['loom:curating']), null, null, 'curator'],
    ['loom:curated awaits approval', open(['loom:curated']), null, null, 'builder'],
    ['loom:issue ready', open(['loom:issue']), null, null, 'builder'],
    ['loom:building claimed', open(['loom:building']), null, null, 'builder'],
    ['PR review requested', open(['loom:building']), pr(['loom:review-requested']), null, 'judge'],
    ['PR reviewing', open(['loom:building']), pr(['loom:reviewing']), null, 'judge'],
    ['PR without review label', open(['loom:building']), pr([]), null, 'judge'],
    ['PR changes requested', open(['loom:building']), pr(['loom:changes-requested']), cp(1), 'doctor'],
    ['PR treating', open(['loom:building']), pr(['loom:treating']), null, 'doctor'],
    ['PR conflicting', open(['loom:building']), pr(['loom:pr'], { mergeable: 'CONFLICTING' }), null, 'doctor'],
    ['PR approved', open(['loom:building']), pr(['loom:pr']), null, 'merge'],
    ['PR approved after 3 doctor rounds', open(['loom:building']), pr(['loom:pr']), cp(3), 'merge'],
    [
      'changes requested after 3 doctor rounds',
      open(['loom:building']),
      pr(['loom:changes-requested']),
      cp(3),
      'blocked',
    ],
    ['PR merged', open(['loom:building']), pr(['loom:pr'], { state: 'MERGED' }), null, 'done'],
    ['issue closed', { state: 'CLOSED' as const, labels: [] }, null, null, 'done'],
    ['loom:blocked', open(['loom:issue', 'loom:blocked']), null, null, 'blocked'],
    ['loom:abort', open(['loom:building', 'loom:abort']), pr(['loom:pr']), null, 'aborted'],
    ['loom:abort beats loom:blocked', open(['loom:abort', 'loom:blocked']), null, null, 'aborted'],
    ['merged beats abort', open(['loom:abort']), pr([], { state: 'MERGED' }), null, 'done'],
  ])('%s → %s', (_name, issue, pull, checkpoint, phase) => {
    const decision = decidePhase(issue, pull, checkpoint);
    expect(decision.phase).toBe(phase);
    expect(decision.reason).not.toBe('');
  });
});

describe('checkpoint', () => {
  test('format then parse round-trips', () => {
    const c: Checkpoint = { phase: 'doctor', pr: 12, doctor_rounds: 2, updated_at: '2026-01-01T00:00:00.000Z' };
    const body = formatCheckpointComment(c);
    expect(body).toContain('<!-- loom:checkpoint {');
    expect(parseCheckpoint(body)).toEqual(c);
  });
  test('doctor counts rounds; pr is kept unless given', () => {
    const now = new Date('2026-01-02T00:00:00Z');
    const a = nextCheckpoint(null, { phase: 'builder' }, now);
    expect(a).toEqual({ phase: 'builder', pr: null, doctor_rounds: 0, updated_at: now.toISOString() });
    const b = nextCheckpoint(a, { phase: 'judge', pr: 7 }, now);
    const c = nextCheckpoint(b, { phase: 'doctor' }, now);
    const d = nextCheckpoint(c, { phase: 'doctor' }, now);
    expect([b.pr, c.pr, d.pr]).toEqual([7, 7, 7]);
    expect(d.doctor_rounds).toBe(2);
  });
  test('unreadable markers parse as nothing', () => {
    expect(parseCheckpoint('<!-- loom:checkpoint {not json} -->')).toBeUndefined();
    expect(parseCheckpoint('<!-- loom:checkpoint {"phase":"x"} -->')).toBeUndefined();
    expect(parseCheckpoint('no marker')).toBeUndefined();
  });
  test('only the viewer or a collaborator is trusted', () => {
    const body = formatCheckpointComment(cp(1));
    const stranger = { id: 'a', body, viewerDidAuthor: false, authorAssociation: 'NONE' };
    const collaborator = { id: 'b', body, viewerDidAuthor: false, authorAssociation: 'COLLABORATOR' };
    const own = { id: 'c', body, viewerDidAuthor: true, authorAssociation: 'OWNER' };
    expect(findCheckpointComment([stranger])).toBeUndefined();
    expect(findCheckpointComment([stranger, collaborator])?.id).toBe('b');
    expect(findCheckpointComment([collaborator, own])?.id).toBe('c');
  });
});

describe('PR linking', () => {
  const cand = (over: Partial<PullCandidate>): PullCandidate => ({
    number: 20,
    state: 'OPEN',
    headRefName: 'some-branch',
    body: '',
    url: 'u',
    updatedAt: '2026-01-01T00:00:00Z',
    labels: [],
    mergeable: 'MERGEABLE',
    isDraft: false,
    closingIssues: [],
    ...over,
  });
  test('closing keywords', () => {
    expect(closingRefsInBody('Closes #3, fixes: #4 and Resolved #5; mentions #6; prefix#7')).toEqual([3, 4, 5]);
  });
  test('by closing reference, body and branch', () => {
    expect(selectPullForIssue(5, [cand({ closingIssues: [5] })])?.via).toEqual(['closing-reference']);
    expect(selectPullForIssue(5, [cand({ body: 'Fixes #5' })])?.via).toEqual(['body']);
    expect(selectPullForIssue(5, [cand({ headRefName: 'feature/issue-5' })])?.via).toEqual(['branch']);
    expect(selectPullForIssue(5, [cand({ headRefName: 'feature/issue-55', body: 'Fixes #55' })])).toBeNull();
  });
  test('open beats merged; closed never counts', () => {
    const merged = cand({ number: 21, state: 'MERGED', closingIssues: [5], updatedAt: '2026-02-01T00:00:00Z' });
    const opened = cand({ number: 22, closingIssues: [5] });
    const closed = cand({ number: 23, state: 'CLOSED', closingIssues: [5], updatedAt: '2026-03-01T00:00:00Z' });
    expect(selectPullForIssue(5, [merged, opened, closed])?.pull.number).toBe(22);
    expect(selectPullForIssue(5, [merged, closed])?.pull.number).toBe(21);
    expect(selectPullForIssue(5, [closed])).toBeNull();
  });
});

describe('await verdicts', () => {
  const prOf = (labels: string[], state: 'OPEN' | 'MERGED' | 'CLOSED' = 'OPEN') => ({ number: 9, state, labels });
  test.each([
    [{ kind: 'label', label: 'loom:issue' } as const, ['loom:issue'], null, 'met'],
    [{ kind: 'label', label: 'loom:issue' } as const, ['loom:curated'], null, 'waiting'],
    [{ kind: 'label', label: 'loom:issue' } as const, ['loom:issue', 'loom:abort'], null, 'aborted'],
    [{ kind: 'label', label: 'loom:issue' } as const, ['loom:curated', 'loom:blocked'], null, 'blocked'],
    [{ kind: 'label', label: 'loom:blocked' } as const, ['loom:blocked'], null, 'met'],
    [{ kind: 'merged' } as const, [], prOf([], 'MERGED'), 'met'],
    [{ kind: 'merged' } as const, [], prOf([]), 'waiting'],
    [{ kind: 'merged' } as const, [], null, 'waiting'],
    [{ kind: 'pr-label', label: 'loom:pr' } as const, [], prOf(['loom:pr']), 'met'],
    [{ kind: 'pr-label', label: 'loom:pr' } as const, [], prOf(['loom:pr'], 'CLOSED'), 'waiting'],
    [{ kind: 'pr-label', label: 'loom:pr' } as const, ['loom:abort'], prOf(['loom:pr']), 'aborted'],
  ])('%o with %o', (condition, issueLabels, pull, verdict) => {
    expect(evaluateAwait(condition, { issueLabels, pr: pull })).toBe(verdict);
  });
});

describe('planTransition', () => {
  test('exclusions add the implied removals', () => {
    expect(planTransition(['loom:pr'], ['loom:reviewing'])).toEqual({
      ok: true,
      add: ['loom:pr'],
      remove: ['loom:reviewing', 'loom:changes-requested'],
    });
    expect(planTransition(['loom:changes-requested'], [])).toEqual({
      ok: true,
      add: ['loom:changes-requested'],
      remove: ['loom:pr'],
    });
    expect(planTransition(['loom:building'], [])).toEqual({ ok: true, add: ['loom:building'], remove: ['loom:issue'] });
    expect(planTransition(['loom:issue'], ['loom:building'])).toEqual({
      ok: true,
      add: ['loom:issue'],
      remove: ['loom:building'],
    });
  });
  test('refuses phantom labels, contradictions and nothing', () => {
    const bad = (add: string[], remove: string[]) => {
      const plan = planTransition(add, remove);
      return plan.ok ? [] : plan.problems;
    };
    expect(bad(['loom:nope'], [])[0]).toMatch(/not a Loom label/);
    expect(bad(['loom:pr'], ['loom:pr'])[0]).toMatch(/both added and removed/);
    expect(bad(['loom:pr', 'loom:changes-requested'], [])[0]).toMatch(/never coexist/);
    expect(bad([], [])[0]).toMatch(/nothing to do/);
  });
});
