/**
 * Issue 11, "no dead ends": each place where work used to stall silently,
 * shown on the emulator through the real `gh` and the built CLI.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DaemonStateSchema } from '../src/core/daemon-state.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';

let emulator: EmulatorHandle | undefined;
let repo: TestRepo | undefined;
afterEach(async () => {
  repo?.cleanup();
  await emulator?.close();
  repo = emulator = undefined;
});

async function setup(
  issues: Parameters<typeof seedWith>[0],
  config: Record<string, unknown> = {},
  pulls: Parameters<typeof seedWith>[1] = [],
) {
  emulator = await startEmulator(seedWith(issues, pulls));
  repo = await createTestRepo(emulator, {
    config: { max_shepherds: 2, issue_threshold: 0, ...config },
    inProcess: true,
  });
  emulator.clearRequests();
  return { emulator, repo };
}

const stateOf = (r: TestRepo) =>
  DaemonStateSchema.parse(JSON.parse(readFileSync(path.join(r.dir, '.loom/daemon-state.json'), 'utf8')));

describe('one owner per clone', () => {
  it('a terminal iterate or spawn beside a live daemon is refused with exit 9 and changes nothing', async () => {
    const { emulator, repo } = await setup([{ labels: ['loom:issue'] }, { labels: ['loom:issue'] }]);
    const id = (await repo.loom(['start'])).stdout.trim().split('\n').at(-1)!;
    const forgeBefore = JSON.stringify(emulator.state());

    const iterate = await repo.loom(['iterate']);
    expect(iterate.exitCode).toBe(9);
    expect(iterate.stderr).toContain(id);
    const spawn = await repo.loom(['spawn', '1']);
    expect(spawn.exitCode).toBe(9);
    const shutdown = await repo.loom(['shutdown', '--daemon', 'loom-someone-else', '--drain', '0']);
    expect(shutdown.exitCode).toBe(9);
    // No claim, no "a shepherd is starting" comment that would be false.
    expect(JSON.stringify(emulator.state())).toBe(forgeBefore);
    expect(Object.values(stateOf(repo).shepherds).filter((s) => s.issue)).toEqual([]);

    // Looking is still allowed, and the owner itself still works.
    const dry = await repo.loom(['iterate', '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('SPAWN shepherd-1 shepherd 1');
    expect((await repo.loom(['status', '--json'])).exitCode).toBe(0);
    const owned = await repo.loom(['spawn', '2', '--daemon', id]);
    expect(owned.exitCode, owned.stderr).toBe(0);
    expect(labelsOf(emulator, 2)).toEqual(['loom:building']);
    const own = await repo.loom(['iterate', '--daemon', id]);
    expect(own.stdout).toContain('SPAWN shepherd-2 shepherd 1');
  });
});

describe('approved PRs keep moving', () => {
  const pr = (number: number, over: Record<string, unknown>) => ({
    number,
    title: `PR ${number}`,
    headRefName: `feature/issue-${number - 10}`,
    labels: ['loom:pr'],
    additions: 20,
    deletions: 5,
    checks: 'SUCCESS' as const,
    createdAt: new Date(Date.parse('2026-01-01T00:00:00Z') + number * 60_000).toISOString(),
    updatedAt: new Date().toISOString(),
    ...over,
  });

  it('conflicting or red loom:pr PRs go to the Doctor; a PR too big for the gate gets one comment and waits for a person', async () => {
    const { emulator, repo } = await setup(
      [],
      { doctor: { interval: 0 }, champion: { interval: 0 }, guide: { enabled: false } },
      [pr(11, { checks: 'FAILURE' }), pr(12, { mergeable: 'CONFLICTING' }), pr(13, { additions: 400, deletions: 20 })],
    );
    const id = (await repo.loom(['start'])).stdout.trim().split('\n').at(-1)!;
    const iterate = await repo.loom(['iterate', '--daemon', id]);
    expect(iterate.exitCode, iterate.stderr).toBe(0);
    // The Doctor is started for the stranded PRs; the Champion is not started to refuse them again.
    expect(iterate.stdout).toContain('SPAWN doctor doctor');
    expect(iterate.stdout).not.toContain('SPAWN champion');

    // The Doctor takes the conflicting one first, although the red one is older.
    expect((await repo.loom(['next', 'doctor'])).stdout.trim()).toBe('12');

    // The gate refuses the big PR: one comment saying why and what a person can do, never a second.
    for (let i = 0; i < 2; i++) expect((await repo.loom(['merge', '13'])).exitCode).toBe(25);
    const notes = emulator.store.item(13).comments.map((c) => c.body);
    expect(notes).toHaveLength(1);
    expect(notes[0], notes[0]).toContain('420 changed lines');
    expect(notes[0]).toContain('loom merge 13 --force');

    const status = JSON.parse((await repo.loom(['status', '--json'])).stdout);
    expect(status.pipeline.pr_needs_fix).toBe(2);
    expect(status.pull_repairs.map((p: { number: number; reason: string }) => [p.number, p.reason])).toEqual([
      [12, 'conflict'],
      [11, 'checks'],
    ]);
    const waiting = status.human_actions.find((a: { kind: string }) => a.kind === 'merge-refused');
    expect(waiting).toMatchObject({ number: 13, command: '.loom/scripts/loom merge 13 --force' });
    expect(waiting.reason).toContain('420 changed lines');
  });
});

describe('every orphan is recovered', () => {
  const old = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
  const pull = (number: number, labels: string[], updatedAt: string) => ({
    number,
    title: `PR ${number}`,
    headRefName: `person/change-${number}`,
    labels,
    createdAt: updatedAt,
    updatedAt,
  });
  const quiet = { guide: { enabled: false }, champion: { enabled: false }, doctor: { enabled: false } };

  it('loom:triage issues start the Curator; a review-requested PR no shepherd holds gets a Judge', async () => {
    const { emulator, repo } = await setup([{ labels: ['loom:triage'] }], quiet, [
      pull(12, ['loom:review-requested'], old(0)),
    ]);
    // An hour after the start, so the roles' default intervals (curator 600 s, judge 300 s) have passed.
    const at = (seconds: number) => ({ env: { LOOM_NOW: new Date(Date.now() + seconds * 1000).toISOString() } });
    const id = (await repo.loom(['start'], at(0))).stdout.trim().split('\n').at(-1)!;
    emulator.clearRequests();
    const result = await repo.loom(['iterate', '--daemon', id], at(3600));
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toContain('SPAWN curator curator');
    expect(lines).toContain('SPAWN judge judge 12');
    // Still one GitHub request: the new counts and lists are aliases of the one snapshot.
    expect(emulator.requests().map((r) => r.operation)).toEqual(['LoomSnapshot']);
    // Running roles are not started twice.
    const again = await repo.loom(['iterate', '--daemon', id], at(3630));
    expect(again.stdout).not.toContain('SPAWN');
  });

  it('worker labels left by crashed agents go back to the state before them, with one comment', async () => {
    const { emulator, repo } = await setup(
      [
        { labels: ['loom:curating'], createdAt: old(3) },
        { labels: ['loom:curating'], createdAt: old(0.1) },
      ],
      quiet,
      [pull(11, ['loom:reviewing'], old(2)), pull(12, ['loom:treating'], old(3)), pull(13, ['loom:treating'], old(1))],
    );
    const id = (await repo.loom(['start'])).stdout.trim().split('\n').at(-1)!;
    for (let i = 0; i < 2; i++) {
      const result = await repo.loom(['iterate', '--daemon', id]);
      expect(result.exitCode, result.stderr).toBe(0);
    }
    expect(labelsOf(emulator, 1)).toEqual(['loom:triage']);
    expect(labelsOf(emulator, 2)).toEqual(['loom:curating']); // fresh: its Curator may still be at work
    expect(labelsOf(emulator, 11)).toEqual(['loom:review-requested']);
    expect(labelsOf(emulator, 12)).toEqual(['loom:changes-requested']);
    expect(labelsOf(emulator, 13)).toEqual(['loom:treating']); // below orphan_after.treating (2 h)
    for (const n of [1, 11, 12]) {
      const notes = emulator.store.item(n).comments.map((c) => c.body);
      expect(notes, `#${n}`).toHaveLength(1);
      expect(notes[0]).toMatch(/nobody working on it/);
    }
    expect(emulator.store.item(2).comments).toHaveLength(0);
  });
});

describe('failures have a budget', () => {
  const transcript = `${JSON.stringify({ type: 'user', message: { role: 'user', content: 'go' } })}\n${JSON.stringify({ type: 'assistant', message: { role: 'assistant', stop_reason: 'end_turn', content: [] } })}\n`;
  const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();

  /** One attempt: an iteration at `at` (claims when it may), and if it claimed, a shepherd that ends at once. */
  async function attempt(r: TestRepo, id: string, at: string, n: number): Promise<boolean> {
    const env = { LOOM_NOW: at };
    const iterate = await r.loom(['iterate', '--daemon', id], { env });
    expect(iterate.exitCode, iterate.stderr).toBe(0);
    if (!iterate.stdout.includes('SPAWN shepherd-1 shepherd 1')) return false;
    const output = path.join(r.home, `attempt-${n}.output`);
    writeFileSync(output, transcript);
    expect(
      (await r.loom(['record', 'shepherd-1', '--task-id', `t${n}`, '--output-file', output], { env })).exitCode,
    ).toBe(0);
    // The next iteration sees the task ended without finishing: the claim is released.
    expect((await r.loom(['iterate', '--daemon', id], { env })).exitCode).toBe(0);
    return true;
  }

  it('without a budget the same issue is claimed again and again (the stall)', async () => {
    const { emulator, repo } = await setup([{ labels: ['loom:issue'] }], {
      max_shepherds: 1,
      guide: { enabled: false },
      failure: { max_attempts: 100, backoff: [0] },
    });
    const id = (await repo.loom(['start'])).stdout.trim().split('\n').at(-1)!;
    for (let n = 1; n <= 3; n++) expect(await attempt(repo, id, minutes(n), n)).toBe(true);
    expect(labelsOf(emulator, 1)).toEqual(['loom:issue']);
    expect(emulator.store.item(1).comments.filter((c) => c.body.includes('ended without finishing'))).toHaveLength(3);
  }, 180_000);

  it('each failure waits longer, the third blocks with one comment naming the attempts, unblocking resets', async () => {
    const { emulator, repo } = await setup([{ labels: ['loom:issue'] }], {
      max_shepherds: 1,
      guide: { enabled: false },
      failure: { max_attempts: 3, backoff: [900, 3600] },
    });
    const id = (await repo.loom(['start'])).stdout.trim().split('\n').at(-1)!;
    expect(await attempt(repo, id, minutes(0), 1)).toBe(true);
    expect(labelsOf(emulator, 1)).toEqual(['loom:issue']);
    expect(emulator.store.item(1).comments.at(-1)?.body).toContain(
      'Failed attempts: 1 of 3; the next claim waits 15 min',
    );

    // Within the back-off the issue is not claimed, and the idle iteration is still ONE request.
    emulator.clearRequests();
    expect(await attempt(repo, id, minutes(10), 2)).toBe(false);
    expect(emulator.requests().map((r) => r.operation)).toEqual(['LoomSnapshot']);
    const dry = JSON.parse(
      (await repo.loom(['iterate', '--dry-run', '--json'], { env: { LOOM_NOW: minutes(10) } })).stdout,
    );
    expect(dry.held_back).toEqual([{ issue: 1, reason: 'backoff', until: expect.any(String) }]);

    expect(await attempt(repo, id, minutes(16), 2)).toBe(true);
    // The second back-off is longer: 15 min later is not enough, an hour is.
    expect(await attempt(repo, id, minutes(32), 3)).toBe(false);
    expect(await attempt(repo, id, minutes(80), 3)).toBe(true);

    expect(labelsOf(emulator, 1)).toEqual(['loom:blocked']);
    const notes = emulator.store.item(1).comments.map((c) => c.body);
    expect(notes.filter((b) => b.includes('marked loom:blocked'))).toHaveLength(1);
    expect(notes.at(-1)).toContain('3 attempts');
    expect(notes.at(-1)).toContain('1. the shepherd ended without finishing');
    expect(notes.at(-1)).toContain('3. the shepherd ended without finishing');
    expect(await attempt(repo, id, minutes(200), 4)).toBe(false);

    // A person unblocks it: a fresh budget, claimable at once.
    emulator.store.removeLabels(1, ['loom:blocked']);
    emulator.store.addLabels(1, ['loom:issue']);
    expect(await attempt(repo, id, minutes(201), 4)).toBe(true);
    expect(labelsOf(emulator, 1)).toEqual(['loom:issue']);
    expect(emulator.store.item(1).comments.at(-1)?.body).toContain('Failed attempts: 1 of 3');
  }, 300_000);

  it('a usage-limit stop does not count against the budget', async () => {
    const { emulator, repo } = await setup([{ labels: ['loom:issue'] }], {
      max_shepherds: 1,
      guide: { enabled: false },
      failure: { max_attempts: 1 },
    });
    const id = (await repo.loom(['start'])).stdout.trim().split('\n').at(-1)!;
    expect((await repo.loom(['iterate', '--daemon', id])).stdout).toContain('SPAWN shepherd-1 shepherd 1');
    const output = path.join(repo.home, 'limit.output');
    // The worker was refused by a usage limit (stream-json of `loom run`: the rate-limit event and the 429).
    const refused = [
      { type: 'system', subtype: 'init', session_id: 's' },
      { type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: 1_800_000_000 } },
      { type: 'result', subtype: 'success', is_error: true, api_error_status: 429, result: 'limit', total_cost_usd: 0 },
    ];
    writeFileSync(output, `${refused.map((e) => JSON.stringify(e)).join('\n')}\n`);
    await repo.loom(['record', 'shepherd-1', '--task-id', 't1', '--output-file', output]);
    expect((await repo.loom(['iterate', '--daemon', id])).exitCode).toBe(0);
    // Paused with its claim, never released or blocked, no failures mark anywhere.
    expect(labelsOf(emulator, 1)).toEqual(['loom:building']);
    expect(emulator.store.item(1).comments.some((c) => c.body.includes('loom:failures'))).toBe(false);
    expect(stateOf(repo).shepherds['shepherd-1']?.status).toBe('paused');
  }, 120_000);
});

describe('strangers issues wait for a maintainer', () => {
  it('an outsider labelled loom:issue is not claimed, taken or promoted; once a collaborator labels it, it is claimed', async () => {
    const seed = seedWith([
      { title: 'From a stranger', labels: ['loom:issue'] },
      { title: 'Another stranger', labels: [] },
    ]);
    // Both written by a stranger, who labelled the first himself (as an issue template would).
    for (const issue of seed.issues ?? []) Object.assign(issue, { author: 'stranger' });
    emulator = await startEmulator({ ...seed, collaborators: ['maintainer'] });
    repo = await createTestRepo(emulator, {
      config: { max_shepherds: 2, issue_threshold: 0, guide: { enabled: false } },
    });
    const id = (await repo.loom(['start'])).stdout.trim().split('\n').at(-1)!;

    emulator.clearRequests();
    const idle = JSON.parse((await repo.loom(['iterate', '--daemon', id, '--json'])).stdout);
    expect(idle.directives).toEqual([]);
    expect(idle.held_back).toEqual([{ issue: 1, reason: 'outside', until: null }]);
    expect(emulator.requests().map((r) => r.operation)).toEqual(['LoomSnapshot']);
    expect(labelsOf(emulator, 1)).toEqual(['loom:issue']);
    expect((await repo.loom(['next', 'builder'])).exitCode).toBe(7);
    // Loom's own roles cannot move a stranger's issue into a queue either.
    const promote = await repo.loom(['transition', '2', '--add', 'loom:issue']);
    expect(promote.exitCode).toBe(12);
    expect(promote.stderr).toContain('outside the repository');
    expect(labelsOf(emulator, 2)).toEqual([]);
    expect(JSON.parse((await repo.loom(['status', '--json'])).stdout).outside_waiting).toBe(1);

    // A collaborator labels it by hand: admitted.
    emulator.store.removeLabels(1, ['loom:issue']);
    emulator.store.addLabels(1, ['loom:issue'], 'maintainer');
    expect((await repo.loom(['next', 'builder'])).stdout.trim()).toBe('1');
    const claimed = await repo.loom(['iterate', '--daemon', id]);
    expect(claimed.stdout).toContain('SPAWN shepherd-1 shepherd 1');
    expect(labelsOf(emulator, 1)).toEqual(['loom:building']);
    expect(JSON.parse((await repo.loom(['status', '--json'])).stdout).outside_waiting).toBe(0);
  }, 180_000);

  it('triage-only: the Guide may triage an outsider issue, the Curator is not started for it', async () => {
    const seed = seedWith([{ title: 'Stranger idea', labels: [] }]);
    Object.assign(seed.issues![0]!, { author: 'stranger' });
    emulator = await startEmulator(seed);
    repo = await createTestRepo(emulator, {
      config: {
        issue_threshold: 0,
        guide: { enabled: false },
        curator: { interval: 0 },
        trust: { outside_issues: 'triage-only' },
      },
    });
    expect((await repo.loom(['transition', '1', '--add', 'loom:triage'])).exitCode).toBe(0);
    expect((await repo.loom(['transition', '1', '--add', 'loom:curating'])).exitCode).toBe(12);
    expect((await repo.loom(['next', 'curator'])).exitCode).toBe(7);
    const id = (await repo.loom(['start'])).stdout.trim().split('\n').at(-1)!;
    expect((await repo.loom(['iterate', '--daemon', id])).stdout).not.toContain('SPAWN curator');
  }, 120_000);
});
