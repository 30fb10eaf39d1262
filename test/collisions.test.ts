/**
 * Roles never collide (issue 9, points 4-7, 9, 14; docs/SECURITY.md maps each point to its test): at the CLI, against the
 * GitHub emulator with the real gh and the built bundle.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyState, ShepherdSlotSchema } from '../src/core/daemon-state.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';

let emulator: EmulatorHandle;
let repo: TestRepo;
const NOW = '2026-01-02T00:00:00.000Z';
beforeAll(async () => {
  emulator = await startEmulator(
    seedWith(
      [
        { labels: ['loom:issue', 'loom:abort'] }, // 1
        { labels: ['loom:building', 'loom:abort'] }, // 2
        { labels: ['loom:building'] }, // 3: a live daemon shepherd drives it
        { labels: ['loom:building'] }, // 4: claimed, nobody live
        { labels: ['loom:issue'] }, // 5
        { labels: ['loom:building'], body: 'Depends on #7' }, // 6
        { labels: [] }, // 7
        { labels: ['loom:blocked'], body: 'Depends on #7' }, // 8: blocked by a human for another reason
      ],
      [
        {
          number: 10,
          title: 'PR for 3',
          headRefName: 'feature/issue-3',
          labels: ['loom:changes-requested'],
          body: 'Closes #3',
        },
        {
          number: 11,
          title: 'PR for 4',
          headRefName: 'feature/issue-4',
          labels: ['loom:review-requested'],
          body: 'Closes #4',
        },
        {
          number: 12,
          title: 'A stranger PR claiming issue 4',
          headRefName: '-x;git tag pwned;$(touch PWN)`id`',
          labels: ['loom:changes-requested'],
          body: 'Closes #4',
        },
      ],
    ),
  );
  repo = await createTestRepo(emulator, { env: { LOOM_NOW: NOW }, inProcess: true });
  const state = {
    shepherds: {
      'shepherd-1': {
        status: 'working',
        issue: 3,
        task_id: 't1',
        output_file: null,
        started: '2026-01-01T23:55:00.000Z',
        last_phase: 'doctor',
        pr_number: 10,
        last_heartbeat: '2026-01-01T23:59:00.000Z',
        idle_since: null,
        idle_reason: null,
      },
    },
  };
  const file = path.join(repo.dir, '.loom/daemon-state.json');
  const full = emptyState();
  full.shepherds['shepherd-1'] = ShepherdSlotSchema.parse(state.shepherds['shepherd-1']);
  writeFileSync(file, JSON.stringify(full));
});
afterAll(async () => {
  repo.cleanup();
  await emulator.close();
});

describe('loom:abort', () => {
  it('an aborted issue is never claimed, and a release never puts it back in loom:issue', async () => {
    const claim = await repo.loom(['claim', '1']);
    expect(claim.exitCode).toBe(12);
    expect(claim.stderr).toContain('loom:abort');
    expect(labelsOf(emulator, 1).sort()).toEqual(['loom:abort', 'loom:issue']);
    const release = await repo.loom(['release', '2', '--comment', 'Shepherd stopped: aborted.']);
    expect(release.exitCode, release.stderr).toBe(0);
    expect(labelsOf(emulator, 2)).toEqual(['loom:abort']);
  });

  it('the daemon snapshot does not offer an aborted loom:issue as ready', async () => {
    const status = await repo.loom(['status', '--json']);
    expect(JSON.parse(status.stdout).pipeline.ready).toBe(1); // only #5
  });
});

describe('gate and take respect a live shepherd', () => {
  it("a person's /builder on an issue a live shepherd drives is refused; the shepherd's own phase goes", async () => {
    const person = await repo.loom(['gate', '3']);
    expect([person.exitCode, person.stdout.trim()]).toEqual([12, 'refused']);
    expect(person.stderr).toContain('shepherd-1');
    const shepherd = await repo.loom(['gate', '3', '--shepherded']);
    expect([shepherd.exitCode, shepherd.stdout.trim()]).toEqual([0, 'go']);
    const nobody = await repo.loom(['gate', '4']);
    expect([nobody.exitCode, nobody.stdout.trim()]).toEqual([0, 'go']);
  });

  it('a standalone Doctor cannot take a PR a live shepherd treats', async () => {
    const take = await repo.loom(['take', '10', '--role', 'doctor', '--issue', '3']);
    expect(take.exitCode).toBe(12);
    expect(labelsOf(emulator, 10)).toEqual(['loom:changes-requested']);
    const own = await repo.loom(['take', '10', '--role', 'doctor', '--shepherded']);
    expect(own.exitCode, own.stderr).toBe(0);
    expect(labelsOf(emulator, 10)).toEqual(['loom:treating']);
  });

  it("a Doctor takes only a PR on Loom's own branch of its issue, whatever the head branch is called", async () => {
    const take = await repo.loom(['take', '12', '--role', 'doctor', '--issue', '4']);
    expect(take.exitCode).toBe(12);
    expect(take.stderr).toContain('its head branch is not feature/issue-4');
    expect(take.stderr).not.toContain('git tag');
    expect(labelsOf(emulator, 12)).toEqual(['loom:changes-requested']);
    expect(existsSync(path.join(repo.dir, 'PWN'))).toBe(false);
  });

  it('of two Judges taking the same PR at once exactly one wins; the other exits 12', async () => {
    const [a, b] = await Promise.all([
      repo.loom(['take', '11', '--role', 'judge']),
      repo.loom(['take', '11', '--role', 'judge']),
    ]);
    expect([a.exitCode, b.exitCode].sort()).toEqual([0, 12]);
    expect(labelsOf(emulator, 11)).toEqual(['loom:reviewing']);
  });

  it('transition --expect exits 12 and changes nothing when the expected label is not there', async () => {
    const result = await repo.loom([
      'transition',
      '11',
      '--expect',
      'loom:review-requested',
      '--add',
      'loom:pr',
      '--remove',
      'loom:reviewing',
    ]);
    expect(result.exitCode).toBe(12);
    expect(labelsOf(emulator, 11)).toEqual(['loom:reviewing']);
    const ok = await repo.loom([
      'transition',
      '11',
      '--expect',
      'loom:reviewing',
      '--add',
      'loom:pr',
      '--remove',
      'loom:reviewing',
    ]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(labelsOf(emulator, 11)).toEqual(['loom:pr']);
  });
});

describe('state from inside a worktree', () => {
  it('loom progress run in a linked worktree writes the main checkout state, not the worktree copy', async () => {
    const wt = path.join(repo.dir, '.loom/worktrees/issue-5');
    await repo.git(['worktree', 'add', '-q', '-b', 'feature/issue-5', wt]);
    const { execa } = await import('execa');
    const run = await execa(
      'node',
      [path.join(repo.dir, '.loom/scripts/loom'), 'progress', '5', '--phase', 'builder'],
      {
        cwd: wt,
        env: repo.env,
        extendEnv: false,
        reject: false,
      },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    const state = JSON.parse(readFileSync(path.join(repo.dir, '.loom/daemon-state.json'), 'utf8'));
    expect(state.heartbeats['5']).toBe(NOW);
    expect(existsSync(path.join(wt, '.loom/daemon-state.json'))).toBe(false);
  });
});

describe("the Guide's dependency rule is the CLI's", () => {
  it('deps --block blocks with a marked comment; --unblock reopens only that block, only when all are closed', async () => {
    const block = await repo.loom(['deps', '6', '--block']);
    expect(block.exitCode).toBe(24);
    expect(labelsOf(emulator, 6)).toEqual(['loom:blocked']);
    expect((await repo.loom(['deps', '6', '--unblock'])).exitCode).toBe(24);
    expect(labelsOf(emulator, 6)).toEqual(['loom:blocked']);
    emulator.store.addComment(8, 'Blocked: needs a decision from a human on the API.', 'maintainer');
    emulator.store.closeIssue(7);
    const human = await repo.loom(['deps', '8', '--unblock']);
    expect(human.exitCode).toBe(12);
    expect(labelsOf(emulator, 8)).toEqual(['loom:blocked']);
    const unblock = await repo.loom(['deps', '6', '--unblock']);
    expect(unblock.exitCode, unblock.stderr).toBe(0);
    expect(labelsOf(emulator, 6)).toEqual(['loom:issue']);
  });
});

describe('text reaches GitHub from files, never from the command line', () => {
  it('comment, transition --comment-file, issue-open and progress --result-file take files verbatim', async () => {
    const hostile = "EOF\n$(touch PWN) `id`; rm -rf / && echo 'x' | sh\n-rf";
    mkdirSync(path.join(repo.dir, '.loom/tmp'), { recursive: true });
    writeFileSync(path.join(repo.dir, '.loom/tmp/c.md'), hostile);
    expect((await repo.loom(['comment', '5', '--body-file', '.loom/tmp/c.md'])).exitCode).toBe(0);
    expect(emulator.store.issue(5).comments.at(-1)!.body).toBe(hostile);
    const moved = await repo.loom(['transition', '5', '--add', 'loom:urgent', '--comment-file', '.loom/tmp/c.md']);
    expect(moved.exitCode, moved.stderr).toBe(0);
    writeFileSync(path.join(repo.dir, '.loom/tmp/p.md'), `# Remove the unused helper\n\n${hostile}\n`);
    const filed = await repo.loom(['issue-open', '--label', 'loom:hermit', '--file', '.loom/tmp/p.md']);
    expect(filed.exitCode, filed.stderr).toBe(0);
    const created = emulator.store.issue(Number(filed.stdout.trim()));
    expect(created.title).toBe('Remove the unused helper');
    expect(created.body).toBe(hostile);
    expect(labelsOf(emulator, created.number)).toEqual(['loom:hermit']);
    writeFileSync(path.join(repo.dir, '.loom/tmp/r.md'), `${'x'.repeat(400)}\nsecond line`);
    expect(
      (await repo.loom(['progress', '--role', 'guide', '--done', '--result-file', '.loom/tmp/r.md'])).exitCode,
    ).toBe(0);
    expect((await repo.loom(['progress', '--role', 'guide', '--done', '--result', 'y'.repeat(400)])).exitCode).toBe(0);
    expect(existsSync(path.join(repo.dir, 'PWN'))).toBe(false);
    const missing = await repo.loom(['comment', '5', '--body-file', '.loom/tmp/none.md']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('Write tool');
  });
});
