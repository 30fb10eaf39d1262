import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusReportSchema } from '../src/core/status-report.js';
import { clip, formatDuration, relativeTime } from '../src/render/status-text.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { CONTROL_OR_BIDI, until } from './helpers/reliability.js';
import { createTestRepo, seedWith, type TestRepo } from './helpers/repo.js';

let emulator: EmulatorHandle;
let repo: TestRepo;

beforeAll(async () => {
  emulator = await startEmulator(
    seedWith(
      [
        { labels: ['loom:issue'] },
        { labels: ['loom:issue', 'loom:urgent'] },
        { labels: ['loom:building'] },
        { labels: ['loom:curated'], title: 'Add caching' },
        { labels: ['loom:architect'] },
        { labels: ['loom:architect'] },
        { labels: ['loom:hermit'] },
        { labels: ['loom:blocked'], title: 'Needs a decision' },
        { labels: ['loom:issue'], state: 'CLOSED' },
      ],
      [
        {
          number: 20,
          title: 'PR a',
          labels: ['loom:review-requested'],
          state: 'OPEN',
          headRefName: 'feature/issue-3',
          mergeable: 'MERGEABLE',
        },
        {
          number: 21,
          title: 'PR b',
          labels: ['loom:changes-requested'],
          state: 'OPEN',
          headRefName: 'feature/issue-30',
          mergeable: 'MERGEABLE',
        },
        {
          number: 22,
          title: 'PR c',
          labels: ['loom:pr'],
          state: 'OPEN',
          headRefName: 'feature/issue-31',
          mergeable: 'MERGEABLE',
        },
        {
          number: 23,
          title: 'PR d',
          labels: ['loom:pr'],
          state: 'MERGED',
          headRefName: 'feature/issue-32',
          mergeable: 'UNKNOWN',
        },
      ],
    ),
  );
  repo = await createTestRepo(emulator, { inProcess: true });
});
afterAll(async () => {
  repo.cleanup();
  await emulator.close();
});

describe('loom status', () => {
  it('--json gives exact counts in one GitHub request and matches the schema', async () => {
    emulator.clearRequests();
    const result = await repo.loom(['status', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = StatusReportSchema.parse(JSON.parse(result.stdout));
    expect(report.pipeline).toEqual({
      ready: 2,
      building: 1,
      curated: 1,
      architect_proposals: 2,
      hermit_proposals: 1,
      review_requested: 1,
      changes_requested: 1,
      ready_to_merge: 1,
      blocked: 1,
      triage: 0,
      pr_needs_fix: 0,
    });
    expect(report.pipeline_source).toBe('github');
    expect(report.daemon.status).toBe('never-started');
    expect(report.errors).toEqual([]);
    expect(report.human_actions.map((a) => [a.kind, a.number])).toEqual([
      ['approve-proposal', 4],
      ['approve-proposal', 5],
      ['approve-proposal', 6],
      ['approve-proposal', 7],
      // PR c keeps loom:pr but was last updated long before merge.max_age_hours: a person decides.
      ['merge-refused', 22],
      ['unblock', 8],
    ]);
    expect(report.human_actions.find((a) => a.kind === 'merge-refused')?.command).toBe(
      '.loom/scripts/loom merge 22 --force',
    );
    expect(report.human_actions[0]!.command).toBe(
      'gh issue edit 4 -R github.localhost/acme/widgets --remove-label loom:curated --add-label loom:issue',
    );
    expect(emulator.requests()).toHaveLength(1);
  });

  it("--fast makes zero requests and uses the last iteration's counts", async () => {
    await repo.loom(['iterate', '--dry-run']);
    const noPipeline = JSON.parse((await repo.loom(['status', '--json', '--fast'])).stdout);
    expect(noPipeline.pipeline.ready).toBeNull(); // a dry run saves nothing
    emulator.clearRequests();
    const result = await repo.loom(['status', '--json', '--fast']);
    expect(result.exitCode).toBe(0);
    expect(emulator.requests()).toEqual([]);
  });

  it('the text view shows every section and the exact commands for human actions', async () => {
    const result = await repo.loom(['status']);
    for (const section of ['Daemon:', 'Pipeline', 'Shepherds', 'Support roles', 'Session', 'Waiting for you'])
      expect(result.stdout).toContain(section);
    expect(result.stdout).toContain(
      'gh issue edit 8 -R github.localhost/acme/widgets --remove-label loom:blocked --add-label loom:issue',
    );
    expect(result.stdout).not.toContain('\u001b['); // NO_COLOR / not a TTY
    const forced = await repo.loom(['status', '--fast'], { env: { FORCE_COLOR: '1', NO_COLOR: undefined } });
    expect(forced.stdout).toContain('\u001b[1mPipeline');
    const both = await repo.loom(['status', '--fast'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(both.stdout).not.toContain('\u001b[');
    for (const args of [
      ['--interval', '5'],
      ['--watch', '--interval', '0'],
      ['--watch', '--interval', 'soon'],
    ]) {
      const refused = await repo.loom(['status', '--fast', ...args]);
      expect(refused.exitCode, args.join(' ')).toBe(2);
      expect(refused.stderr).toMatch(/--interval/);
    }
  });

  it('the loom-status.sh wrapper passes its arguments through', async () => {
    const result = await execa(path.join(repo.dir, '.loom/scripts/loom-status.sh'), ['--json', '--fast'], {
      cwd: repo.dir,
      env: repo.env,
      extendEnv: false,
    });
    expect(StatusReportSchema.parse(JSON.parse(result.stdout)).schema).toBe('loom.status/1');
  });

  it('shows Crashed when the state says running but nobody polled for three intervals', async () => {
    const stateFile = path.join(repo.dir, '.loom/daemon-state.json');
    await repo.loom(['start'], { env: { LOOM_NOW: '2026-05-01T10:00:00Z' } });
    const later = await repo.loom(['status', '--json', '--fast'], { env: { LOOM_NOW: '2026-05-01T10:01:29Z' } });
    expect(JSON.parse(later.stdout).daemon.status).toBe('running');
    const crashed = await repo.loom(['status', '--json', '--fast'], { env: { LOOM_NOW: '2026-05-01T10:01:31Z' } });
    expect(JSON.parse(crashed.stdout).daemon.status).toBe('crashed');
    const text = await repo.loom(['status', '--fast'], { env: { LOOM_NOW: '2026-05-01T10:01:31Z' } });
    expect(text.stdout).toContain('CRASHED');
    writeFileSync(stateFile, readFileSync(stateFile, 'utf8').replace('"running": true', '"running": false'));
  });
});

// The wiring of failures (gh's exit codes, a proxy that refuses, a missing binary) needs the real gh child.
describe('loom status when GitHub cannot be reached', () => {
  it('prints valid JSON with null counts and the reason under errors, and exits non-zero', async () => {
    const result = await repo.loomProcess(['status', '--json'], {
      env: { HTTP_PROXY: 'http://127.0.0.1:1', http_proxy: 'http://127.0.0.1:1', LOOM_GH_TIMEOUT: '10' },
    });
    const report = StatusReportSchema.parse(JSON.parse(result.stdout));
    expect(Object.values(report.pipeline).every((v) => v === null)).toBe(true);
    expect(report.errors[0]?.code).toBe('GH_NETWORK');
    expect(result.exitCode).toBe(6);
  });

  it('a 502 from GitHub is reported the same way', async () => {
    emulator.addFault({ match: { operation: 'LoomSnapshot' }, status: 502, times: 1 });
    const result = await repo.loomProcess(['status', '--json']);
    const report = StatusReportSchema.parse(JSON.parse(result.stdout));
    expect(report.pipeline.ready).toBeNull();
    expect(report.errors[0]).toMatchObject({ code: 'GH_NETWORK' });
    expect(report.errors[0]!.message).toContain('502');
  });

  it('says how to install gh when it is missing', async () => {
    const result = await repo.loomProcess(['iterate'], { env: { LOOM_GH: '/nonexistent/gh' } });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('GitHub CLI');
    expect(result.stderr).toMatch(/apt-get install gh|cli\.github\.com/);
  });

  it('says to log in when gh has no token', async () => {
    const result = await repo.loomProcess(['iterate'], { env: { GH_TOKEN: '' } });
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('gh auth login');
  });
});

describe('loom status shows trouble (issue 11)', () => {
  const T0 = Date.parse('2026-06-01T08:00:00Z');
  const at = (seconds: number) => ({ LOOM_NOW: new Date(T0 + seconds * 1000).toISOString() });
  const hostile = 'Fix \u001b[31mred\u001b[0m login\u202e and \u0007bell';
  const long = `Make the widget loader cache its results ${'and keep going '.repeat(8)}end`;
  let emulator: EmulatorHandle;
  let repo: TestRepo;
  let id: string;

  beforeAll(async () => {
    emulator = await startEmulator(
      seedWith(
        [
          { labels: ['loom:issue'], title: hostile },
          { labels: ['loom:issue'], title: long },
          { labels: ['loom:issue'], title: 'Plain title' },
        ],
        [
          {
            number: 40,
            title: 'Sibling change that conflicts',
            labels: ['loom:pr'],
            state: 'OPEN',
            headRefName: 'feature/issue-41',
            mergeable: 'CONFLICTING',
          },
        ],
      ),
    );
    repo = await createTestRepo(emulator, {
      config: { max_shepherds: 3, issue_threshold: 0, guide: { enabled: false } },
    });
    id = (await repo.loom(['start'], { env: at(0) })).stdout.trim();
    const first = await repo.loom(['iterate', '--daemon', id], { env: at(0) });
    expect(first.stdout.match(/^SPAWN shepherd-\d/gm)).toHaveLength(3);
    for (const n of [1, 2, 3]) {
      const log = `.loom/logs/shepherd-${n}-issue-${n}.jsonl`;
      await repo.loom(['record', `shepherd-${n}`, '--task-id', `task${n}`, '--output-file', log], { env: at(1) });
    }
    await repo.loom(['progress', '2', '--phase', 'builder'], { env: at(2) });
  });
  afterAll(async () => {
    repo.cleanup();
    await emulator.close();
  });

  it('says "working" at first; with the clock 2 h 40 m ahead every shepherd is stuck, as iterate counts', async () => {
    const early = StatusReportSchema.parse(JSON.parse((await repo.loom(['status', '--json'], { env: at(60) })).stdout));
    expect(early.shepherds.map((s) => [s.status, s.stuck])).toEqual([
      ['working', false],
      ['working', false],
      ['working', false],
    ]);
    const later = at(2 * 3600 + 40 * 60);
    emulator.clearRequests();
    const result = await repo.loom(['status', '--json'], { env: later });
    expect(emulator.requests()).toHaveLength(1);
    const report = StatusReportSchema.parse(JSON.parse(result.stdout));
    expect(report.shepherds.map((s) => [s.slot, s.issue, s.stuck])).toEqual([
      ['shepherd-1', 1, true],
      ['shepherd-2', 2, true],
      ['shepherd-3', 3, true],
    ]);
    // Per phase: the builder's threshold (default 3600 s) differs from the curator's.
    expect(report.shepherds[1]).toMatchObject({ phase: 'builder', stuck_after_seconds: 3600 });
    expect(report.shepherds[0]!.log).toBe('.loom/logs/shepherd-1-issue-1.jsonl');
    // gh shows control characters in caret notation (^[); the bidi override is removed by Loom.
    expect(report.shepherds[0]!.title).toMatch(/^Fix .*red.* login and .*bell$/);
    expect(report.shepherds[0]!.title).not.toMatch(CONTROL_OR_BIDI);
    expect(report.shepherds[2]!.title).toBe('Plain title');
    expect(report.pull_repairs).toEqual([{ number: 40, title: 'Sibling change that conflicts', reason: 'conflict' }]);
    // The same rule as the iteration's: at the same moment it counts three stuck shepherds.
    expect((await repo.loom(['iterate', '--daemon', id, '--dry-run'], { env: later })).stdout).toMatch(/stuck=3/);
  });

  it('the text view marks them STUCK, names titles, logs and repairs, in 80 columns, without ISO times', async () => {
    const result = await repo.loom(['status'], { env: { ...at(2 * 3600 + 40 * 60), COLUMNS: '80' } });
    expect(result.exitCode, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out.match(/STUCK/g)).toHaveLength(3);
    expect(out).toContain('3 shepherds working, 3 stuck');
    expect(out).toMatch(/ {2}shepherd-1 #1 Fix .*red.* login and .*bell\n/);
    expect(out).toContain('stuck: no sign of life for 2 h 39 m (limit 1 h in builder phase)');
    expect(out).toContain('log .loom/logs/shepherd-2-issue-2.jsonl');
    expect(out).toMatch(/#40 Sibling change that conflicts +\(conflicts with its base\)/);
    expect(out).toContain('last poll 2 h 40 m ago');
    expect(out).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/); // relative times only
    expect(out).not.toMatch(CONTROL_OR_BIDI);
    for (const line of out.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    // The long title is cut to the terminal's width.
    const narrow = await repo.loom(['status'], { env: { ...at(2 * 3600 + 40 * 60), COLUMNS: '50' } });
    const titleLine = narrow.stdout.split('\n').find((l) => l.startsWith('  shepherd-2 #2 Make'));
    expect(titleLine).toHaveLength(50);
    expect(titleLine!.endsWith('…')).toBe(true);
  });

  it('--watch refreshes from one request per refresh and ends cleanly with exit 0 on Ctrl-C', async () => {
    emulator.clearRequests();
    const child = execa('node', [path.join(repo.dir, '.loom/scripts/loom'), 'status', '--watch', '--interval', '1'], {
      cwd: repo.dir,
      env: repo.env,
      extendEnv: false,
      reject: false,
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    await until(() => (out.match(/^Loom acme\/widgets/gm) ?? []).length >= 2, 30_000, 'two refreshes');
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(0);
    const frames = (out.match(/^Loom acme\/widgets/gm) ?? []).length;
    expect(out).toContain('Refreshing every 1 s; Ctrl-C to stop.');
    expect(out).not.toContain('\u001b['); // not a terminal: plain appended blocks
    // Each refresh is the one-request snapshot (a refresh cut short by Ctrl-C may have sent its request).
    expect(emulator.requests().length).toBeGreaterThanOrEqual(frames);
    expect(emulator.requests().length).toBeLessThanOrEqual(frames + 1);
  });

  it('--watch on a terminal redraws in place, in colour, and Ctrl-C ends it with exit 0', async () => {
    // `script` gives the child a pseudo-terminal; a ^C typed into it reaches loom as SIGINT.
    const child = execa('script', ['-qfec', 'exec node "$LOOM_BIN" status --watch --fast --interval 1', '/dev/null'], {
      cwd: repo.dir,
      env: {
        ...repo.env,
        LOOM_BIN: path.join(repo.dir, '.loom/scripts/loom'),
        NO_COLOR: undefined,
        FORCE_COLOR: undefined,
        TERM: 'xterm',
      },
      extendEnv: false,
      reject: false,
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    await until(() => (out.match(/\u001b\[H/g) ?? []).length >= 2, 30_000, 'two redraws');
    child.stdin!.write('\u0003');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(out.startsWith('\u001b[2J\u001b[H')).toBe(true); // cleared once, then redrawn from the top
    expect(out).toContain('\u001b[31mSTUCK\u001b[39m');
    expect(out).not.toMatch(/^Loom acme\/widgets/m); // no appended plain blocks
  });

  it('--watch --json prints one status object per line', async () => {
    const child = execa(
      'node',
      [path.join(repo.dir, '.loom/scripts/loom'), 'status', '--watch', '--json', '--fast', '--interval', '1'],
      { cwd: repo.dir, env: repo.env, extendEnv: false, reject: false },
    );
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    await until(() => out.split('\n').length >= 3, 30_000, 'two JSON lines');
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(0);
    const lines = out.trim().split('\n');
    for (const line of lines) expect(StatusReportSchema.parse(JSON.parse(line)).schema).toBe('loom.status/1');
  });
});

describe('loom status shows outside issues waiting (trust boundary)', () => {
  it("counts a stranger's self-labelled issue in --json and says so in the text view", async () => {
    const seed = seedWith([{ title: 'Stranger asks for a feature', labels: ['loom:issue'] }]);
    for (const issue of seed.issues ?? []) Object.assign(issue, { author: 'stranger' });
    const emulator = await startEmulator({ ...seed, collaborators: ['maintainer'] });
    const repo = await createTestRepo(emulator);
    try {
      emulator.clearRequests();
      const json = StatusReportSchema.parse(JSON.parse((await repo.loom(['status', '--json'])).stdout));
      expect(json.outside_waiting).toBe(1);
      expect(emulator.requests()).toHaveLength(1);
      const text = (await repo.loom(['status'])).stdout;
      expect(text).toContain('1 outside waiting');
      expect(text).toContain('1 outside issue waits for a maintainer (trust.outside_issues)');
    } finally {
      repo.cleanup();
      await emulator.close();
    }
  });
});

describe('times and widths for people', () => {
  const now = '2026-06-01T12:00:00.000Z';
  it('relative times', () => {
    expect(relativeTime('2026-06-01T12:04:00Z', now)).toBe('in 4 m');
    expect(relativeTime('2026-06-01T11:48:00Z', now)).toBe('12 m ago');
    expect(relativeTime('2026-06-01T09:55:00Z', now)).toBe('2 h 5 m ago');
    expect(relativeTime('2026-06-03T15:00:00Z', now)).toBe('in 2 d 3 h');
    expect(relativeTime(now, now)).toBe('now');
    expect(relativeTime(null, now)).toBe('-');
  });
  it('durations and cuts', () => {
    expect([0, 59, 60, 3600, 3660, 86400].map(formatDuration)).toEqual(['0 s', '59 s', '1 m', '1 h', '1 h 1 m', '1 d']);
    expect(formatDuration(null)).toBe('-');
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('abcd', 4)).toBe('abcd');
  });
});
