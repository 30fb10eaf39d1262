/**
 * The shepherd's CLI steps end to end: the built `loom` bundle, real `gh`,
 * the GitHub emulator and a real git repository. One emulator for the file;
 * each test works on its own issues.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TransitionJsonSchema } from '../src/commands/claims.js';
import { DepsJsonSchema } from '../src/commands/deps.js';
import { PrForJsonSchema } from '../src/commands/pulls.js';
import { AwaitJsonSchema, ShepherdPhaseJsonSchema } from '../src/commands/shepherd.js';
import { CheckpointSchema } from '../src/core/checkpoint.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { createTestRepo, labelsOf, type TestRepo } from './helpers/repo.js';

const issue = (number: number, labels: string[], extra: Record<string, unknown> = {}) => ({
  number,
  title: `Issue ${number}`,
  labels,
  ...extra,
});
const pull = (number: number, extra: Record<string, unknown>) => ({
  number,
  title: `PR ${number}`,
  headRefName: `branch-${number}`,
  ...extra,
});

const seed = {
  repo: 'acme/widgets',
  issues: [
    issue(1, ['loom:triage']),
    issue(2, ['loom:curated']),
    issue(3, ['loom:issue']),
    issue(4, ['loom:building']),
    issue(5, ['loom:building']),
    issue(6, ['loom:building']),
    issue(7, [], { state: 'CLOSED' }),
    issue(8, ['loom:building']),
    issue(9, ['loom:issue', 'loom:blocked']),
    issue(10, ['loom:building', 'loom:abort']),
    issue(11, ['loom:building']),
    issue(12, ['loom:building']),
    // await
    issue(13, ['loom:curated']),
    issue(14, ['loom:curated']),
    issue(15, ['loom:curated']),
    issue(16, ['loom:curated']),
    issue(17, ['loom:curated']),
    issue(18, ['loom:building']),
    // claim / release / transition
    issue(20, ['loom:issue']),
    issue(21, ['loom:triage']),
    issue(22, ['loom:issue']),
    // deps
    issue(25, [], { body: 'Depends on #7, #26\n\n- [ ] #27\n```\nBlocked by #28\n```' }),
    issue(26, [], { state: 'CLOSED' }),
    issue(27, [], { state: 'CLOSED' }),
    issue(28, [], { title: 'Issue 28 \u001b[31mred' }),
    issue(29, [], { body: 'Requires #7', blockedBy: [26] }),
    issue(30, [], { body: 'Blocked by #9999, #26' }),
    issue(31, [], { blockedBy: [28] }),
  ],
  pullRequests: [
    pull(104, { headRefName: 'feature/issue-4', labels: ['loom:review-requested'] }),
    pull(105, { body: 'This work.\n\nCloses #5', labels: ['loom:changes-requested'] }),
    pull(106, { closingIssues: [6], labels: ['loom:pr'] }),
    pull(108, { headRefName: 'feature/issue-8', state: 'MERGED', labels: ['loom:pr'] }),
    pull(110, { body: 'Fixes #10', labels: ['loom:review-requested'] }),
    pull(111, { headRefName: 'feature/issue-11', mergeable: 'CONFLICTING', labels: ['loom:pr'] }),
    pull(112, { headRefName: 'feature/issue-12', state: 'CLOSED' }),
    pull(118, { headRefName: 'feature/issue-18', labels: ['loom:review-requested'] }),
    pull(122, { headRefName: 'feature/issue-22-old', labels: ['loom:changes-requested'] }),
  ],
};

let em: EmulatorHandle;
let repo: TestRepo;

beforeAll(async () => {
  em = await startEmulator(seed);
  repo = await createTestRepo(em, { config: { poll_interval: 1 }, inProcess: true });
});

afterAll(async () => {
  repo?.cleanup();
  await em?.close();
});

const json = <T>(out: { stdout: string }) => JSON.parse(out.stdout) as T;

/** Waits until `loom await` has polled issue `n` at least once (each poll records a heartbeat). */
async function firstPoll(n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      const state = JSON.parse(readFileSync(path.join(repo.dir, '.loom/daemon-state.json'), 'utf8'));
      if (state.heartbeats?.[String(n)]) return;
    } catch {
      // not written yet
    }
    await sleep(100);
  }
  throw new Error(`no heartbeat for #${n}`);
}

describe.concurrent('shepherd-phase', () => {
  test.each([
    [1, 'curator', null],
    [2, 'builder', null],
    [3, 'builder', null],
    [4, 'judge', 104],
    [5, 'doctor', 105],
    [6, 'merge', 106],
    [7, 'done', null],
    [8, 'done', 108],
    [9, 'blocked', null],
    [10, 'aborted', 110],
    [11, 'doctor', 111],
    [12, 'builder', null],
  ])('#%i → %s', async (n, phase, pr) => {
    const text = await repo.loom(['shepherd-phase', String(n)]);
    expect(text.stderr).toBe('');
    expect(text.exitCode).toBe(0);
    expect(text.stdout.trim()).toBe(phase);
    const out = await repo.loom(['shepherd-phase', String(n), '--json']);
    const parsed = ShepherdPhaseJsonSchema.parse(json(out));
    expect(parsed).toMatchObject({ issue: n, phase, pr });
  });

  test('a PR number, a missing issue and a bad argument', async () => {
    expect((await repo.loom(['shepherd-phase', '104'])).exitCode).toBe(2);
    expect((await repo.loom(['shepherd-phase', '999'])).exitCode).toBe(7);
    for (const bad of ['../1', '1;rm', '-1']) expect((await repo.loom(['shepherd-phase', bad])).exitCode).toBe(2);
  });
});

describe('shepherd-phase with a model per role', () => {
  test("names the Agent model of the phase's role; a Doctor on a rejected PR gets models.escalate_to", async () => {
    const configFile = path.join(repo.dir, '.loom/config.json');
    const saved = readFileSync(configFile, 'utf8');
    writeFileSync(
      configFile,
      JSON.stringify({
        poll_interval: 1,
        models: { judge: 'haiku', doctor: 'sonnet', builder: 'claude-sonnet-4-5', escalate_to: 'claude-opus-4-1' },
      }),
    );
    try {
      const answer = async (n: number) => (await repo.loom(['shepherd-phase', String(n)])).stdout.trim();
      expect(await answer(4)).toBe('judge haiku');
      expect(await answer(5)).toBe('doctor opus'); // loom:changes-requested: escalated, narrowed to the alias
      expect(await answer(11)).toBe('doctor sonnet'); // merge conflicts only: no rejection
      expect(await answer(3)).toBe('builder sonnet');
      expect(await answer(1)).toBe('curator'); // no model for the curator
      expect(await answer(6)).toBe('merge');
      const parsed = ShepherdPhaseJsonSchema.parse(json(await repo.loom(['shepherd-phase', '5', '--json'])));
      expect(parsed).toMatchObject({ phase: 'doctor', model: 'opus' });
    } finally {
      writeFileSync(configFile, saved);
    }
  });
});

describe('shepherd-phase budget', () => {
  test('one GraphQL request per call', async () => {
    em.clearRequests();
    await repo.loom(['shepherd-phase', '4']);
    expect(em.requests().map((r) => r.operation)).toEqual(['LoomIssueWork']);
  });
});

describe('checkpoint', () => {
  test('create, then edit in place: one comment; doctor counts rounds; phase blocked after 3 rounds', async () => {
    expect((await repo.loom(['checkpoint', '11'])).stdout.trim()).toBe('null');
    let out = await repo.loom(['checkpoint', '11', '--phase', 'judge', '--pr', '111', '--json']);
    expect(out.exitCode).toBe(0);
    expect(json<{ created: boolean }>(out).created).toBe(true);
    // A doctor round is recorded only once GitHub shows it done (conflicts resolved, back in review).
    const pr111 = em.store.pullRequest(111);
    const refused = await repo.loom(['checkpoint', '11', '--phase', 'doctor']);
    expect(refused.exitCode).toBe(12);
    expect(refused.stderr).toContain('has not finished');
    for (let i = 0; i < 3; i++) {
      pr111.mergeable = 'MERGEABLE';
      em.store.setLabels(111, ['loom:review-requested']);
      expect((await repo.loom(['checkpoint', '11', '--phase', 'doctor'])).exitCode).toBe(0);
      pr111.mergeable = 'CONFLICTING';
      em.store.setLabels(111, ['loom:pr']);
    }
    out = await repo.loom(['checkpoint', '11']);
    const checkpoint = CheckpointSchema.parse(json(out));
    expect(checkpoint).toMatchObject({ phase: 'doctor', pr: 111, doctor_rounds: 3 });
    const comments = em.store.issue(11).comments.filter((c) => c.body.includes('loom:checkpoint'));
    expect(comments).toHaveLength(1);
    // PR 111 is conflicting: a fourth doctor round is not allowed.
    const phase = ShepherdPhaseJsonSchema.parse(json(await repo.loom(['shepherd-phase', '11', '--json'])));
    expect(phase).toMatchObject({ phase: 'blocked', checkpoint: { doctor_rounds: 3 } });
    // The write also recorded a heartbeat.
    const state = JSON.parse(readFileSync(path.join(repo.dir, '.loom/daemon-state.json'), 'utf8'));
    expect(state.heartbeats['11']).toBeTruthy();
  });

  test('a checkpoint from a stranger is ignored', async () => {
    em.store.addComment(
      12,
      '<!-- loom:checkpoint {"phase":"merge","pr":112,"doctor_rounds":0,"updated_at":"x"} -->',
      'mallory',
    );
    expect((await repo.loom(['checkpoint', '12'])).stdout.trim()).toBe('null');
    expect((await repo.loom(['checkpoint', '12', '--pr', '5'])).exitCode).toBe(2);
  });
});

describe.concurrent('await', () => {
  test('label appears → 0', async () => {
    const waiting = repo.loom(['await', '13', '--label', 'loom:issue', '--interval', '1', '--timeout', '15', '--json']);
    await firstPoll(13);
    em.store.addLabels(13, ['loom:issue']);
    const out = await waiting;
    expect(out.exitCode).toBe(0);
    const result = AwaitJsonSchema.parse(json(out));
    expect(result.outcome).toBe('met');
    expect(result.polls).toBeGreaterThanOrEqual(2);
  });

  test('timeout → 20', async () => {
    const out = await repo.loom(['await', '14', '--label', 'loom:issue', '--interval', '1', '--timeout', '3']);
    expect(out.exitCode).toBe(20);
    expect(out.stdout).toMatch(/^timeout:/);
  });

  test('stop-shepherds → 21, seen between polls (poll interval 30 s)', async () => {
    const stopDir = await createTestRepo(em, { config: { poll_interval: 30 } });
    try {
      const started = Date.now();
      const waiting = stopDir.loom(['await', '15', '--label', 'loom:issue', '--timeout', '60']);
      await sleep(2000);
      writeFileSync(path.join(stopDir.dir, '.loom/stop-shepherds'), 'stop\n');
      const out = await waiting;
      expect(out.exitCode).toBe(21);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      stopDir.cleanup();
    }
  });

  test('abort → 22', async () => {
    const waiting = repo.loom(['await', '16', '--label', 'loom:issue', '--interval', '1', '--timeout', '15']);
    await firstPoll(16);
    em.store.addLabels(16, ['loom:abort']);
    expect((await waiting).exitCode).toBe(22);
  });

  test('blocked → 23', async () => {
    const waiting = repo.loom(['await', '17', '--label', 'loom:issue', '--interval', '1', '--timeout', '15']);
    await firstPoll(17);
    em.store.addLabels(17, ['loom:blocked']);
    expect((await waiting).exitCode).toBe(23);
  });

  test('PR label and merge, found with pr-for logic or given with --pr', async () => {
    const label = repo.loom(['await', '18', '--pr-label', 'loom:pr', '--interval', '1', '--timeout', '15', '--json']);
    const merged = repo.loom(['await', '18', '--merged', '--pr', '118', '--interval', '1', '--timeout', '15']);
    await firstPoll(18);
    em.store.addLabels(118, ['loom:pr']);
    const labelled = await label;
    expect(labelled.exitCode).toBe(0);
    expect(AwaitJsonSchema.parse(json(labelled)).pr).toBe(118);
    em.store.mergePullRequest(118);
    expect((await merged).exitCode).toBe(0);
  });
});

describe('await arguments', () => {
  test('exactly one condition, declared labels only', async () => {
    expect((await repo.loom(['await', '13'])).exitCode).toBe(2);
    expect((await repo.loom(['await', '13', '--merged', '--label', 'loom:pr'])).exitCode).toBe(2);
    expect((await repo.loom(['await', '13', '--label', 'loom:nope'])).exitCode).toBe(2);
  });
});

describe('claim, release, transition', () => {
  test('claim then refuse; release is idempotent (one comment)', async () => {
    let out = await repo.loom(['claim', '20']);
    expect(out.exitCode).toBe(0);
    expect(labelsOf(em, 20)).toEqual(['loom:building']);
    out = await repo.loom(['claim', '20', '--json']);
    expect(out.exitCode).toBe(12);
    expect(json<{ claimed: boolean; reason: string }>(out)).toMatchObject({ claimed: false });
    out = await repo.loom(['claim', '21']);
    expect(out.exitCode).toBe(12);
    expect(out.stderr).toMatch(/no longer loom:issue/);

    out = await repo.loom(['release', '20', '--comment', 'Giving it back.']);
    expect(out.exitCode).toBe(0);
    expect(labelsOf(em, 20)).toEqual(['loom:issue']);
    out = await repo.loom(['release', '20', '--comment', 'Giving it back.', '--json']);
    expect(out.exitCode).toBe(0);
    expect(json<{ released: boolean }>(out).released).toBe(false);
    // One comment: the explanation, with the release mark that lets racing releases keep only one.
    expect(em.store.issue(20).comments.map((c) => c.body)).toEqual([
      expect.stringMatching(/^Giving it back\.\n\n<!-- loom:release [0-9a-f]{16} -->$/),
    ]);
    expect(existsSync(path.join(repo.dir, '.loom/claims/issue-20.json'))).toBe(false);
  });

  test('release --to another label', async () => {
    expect((await repo.loom(['claim', '22'])).exitCode).toBe(0);
    expect((await repo.loom(['release', '22', '--to', 'loom:blocked'])).exitCode).toBe(0);
    expect(labelsOf(em, 22)).toEqual(['loom:blocked']);
    expect((await repo.loom(['release', '22', '--to', 'loom:phantom'])).exitCode).toBe(2);
  });

  test('transition applies the exclusions both ways and verifies', async () => {
    let out = await repo.loom(['transition', '122', '--add', 'loom:pr', '--comment', 'Approved.', '--json']);
    expect(out.exitCode).toBe(0);
    expect(TransitionJsonSchema.parse(json(out)).ok).toBe(true);
    expect(labelsOf(em, 122)).toEqual(['loom:pr']);
    expect(em.store.pullRequest(122).comments.map((c) => c.body)).toEqual(['Approved.']);
    out = await repo.loom(['transition', '122', '--add', 'loom:changes-requested,loom:treating']);
    expect(out.exitCode).toBe(0);
    expect(labelsOf(em, 122)).toEqual(['loom:changes-requested', 'loom:treating']);

    em.store.setLabels(3, ['loom:issue']);
    expect((await repo.loom(['transition', '3', '--add', 'loom:building'])).exitCode).toBe(0);
    expect(labelsOf(em, 3)).toEqual(['loom:building']);
    expect((await repo.loom(['transition', '3', '--add', 'loom:issue'])).exitCode).toBe(0);
    expect(labelsOf(em, 3)).toEqual(['loom:issue']);
  });

  test('transition refuses undeclared labels and contradictions; 12 when not verified', async () => {
    expect((await repo.loom(['transition', '3', '--add', 'loom:shiny'])).exitCode).toBe(2);
    expect((await repo.loom(['transition', '3', '--add', 'loom:pr,loom:changes-requested'])).exitCode).toBe(2);
    expect((await repo.loom(['transition', '3'])).exitCode).toBe(2);
    // The add half of the edit is lost: the re-read shows it.
    em.addFault({ match: { operation: 'LoomEditLabels' }, status: 200, body: { data: { add: null } }, times: 1 });
    const out = await repo.loom(['transition', '3', '--add', 'loom:urgent']);
    em.clearFaults();
    expect(out.exitCode).toBe(12);
    expect(out.stderr).toMatch(/not verified/);
  });
});

describe.concurrent('pr-for', () => {
  test.each([
    [4, 104, 'branch'],
    [5, 105, 'body'],
    [6, 106, 'closing-reference'],
    [8, 108, 'branch'],
  ])('#%i → PR %i via %s', async (n, pr, via) => {
    const text = await repo.loom(['pr-for', String(n)]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout.trim()).toBe(String(pr));
    const parsed = PrForJsonSchema.parse(json(await repo.loom(['pr-for', String(n), '--json'])));
    expect(parsed.pr?.number).toBe(pr);
    expect(parsed.via).toContain(via);
  });

  test('none → exit 7 and nothing printed; a closed PR does not count', async () => {
    for (const n of ['1', '12']) {
      const out = await repo.loom(['pr-for', n]);
      expect(out.exitCode).toBe(7);
      expect(out.stdout).toBe('');
    }
    const out = await repo.loom(['pr-for', '12', '--json']);
    expect(out.exitCode).toBe(7);
    expect(PrForJsonSchema.parse(json(out)).pr).toBeNull();
  });
});

describe.concurrent('deps', () => {
  test('body references and task lists, code blocks ignored: all closed → 0', async () => {
    const out = await repo.loom(['deps', '25', '--json']);
    expect(out.exitCode).toBe(0);
    const parsed = DepsJsonSchema.parse(json(out));
    expect(parsed.dependencies.map((d) => d.number).sort()).toEqual([26, 27, 7]);
    expect(parsed.all_closed).toBe(true);
  });

  test('native blocked-by list counts', async () => {
    expect((await repo.loom(['deps', '29'])).exitCode).toBe(0);
    const out = await repo.loom(['deps', '31']);
    expect(out.exitCode).toBe(24);
    expect(out.stdout).toMatch(/#28 +Issue 28 .*red/);
    expect(out.stdout).not.toContain('\u001b');
  });

  test('an unresolvable dependency counts as open (fail closed)', async () => {
    const out = await repo.loom(['deps', '30', '--json']);
    expect(out.exitCode).toBe(24);
    const parsed = DepsJsonSchema.parse(json(out));
    expect(parsed.open).toEqual([9999]);
    expect(parsed.dependencies.find((d) => d.number === 9999)).toMatchObject({ resolved: false, state: 'open' });
  });

  test('no dependencies → 0', async () => {
    expect((await repo.loom(['deps', '28'])).exitCode).toBe(0);
  });
});

describe('help', () => {
  test('every new command documents its exit codes and an example', async () => {
    for (const cmd of [
      ['shepherd-phase'],
      ['checkpoint'],
      ['await'],
      ['claim'],
      ['release'],
      ['transition'],
      ['pr-for'],
      ['deps'],
      ['merge-gate'],
      ['merge'],
      ['worktree'],
      ['worktree', 'clean'],
      ['labels', 'lint'],
    ]) {
      const out = await repo.loom([...cmd, '--help']);
      expect(out.exitCode, cmd.join(' ')).toBe(0);
      expect(out.stdout, cmd.join(' ')).toMatch(/Exit codes:/);
      expect(out.stdout, cmd.join(' ')).toMatch(/Example/);
    }
  });
});

afterAll(() => {
  rmSync(path.join(repo?.dir ?? '/nonexistent', '.loom/stop-shepherds'), { force: true });
});
