import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusReportSchema } from '../src/core/status-report.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
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
      'gh issue edit 4 -R acme/widgets --remove-label loom:curated --add-label loom:issue',
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
      'gh issue edit 8 -R acme/widgets --remove-label loom:blocked --add-label loom:issue',
    );
    expect(result.stdout).not.toContain('\u001b['); // NO_COLOR / not a TTY
  });

  it('the loom-status.sh wrapper passes its arguments through', async () => {
    const { execa } = await import('execa');
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
