import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { DaemonStateSchema } from '../src/core/daemon-state.js';
import { type EmulatorHandle, type RequestLogEntry, startEmulator } from './emulator/index.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';

const SUMMARY =
  /^ready=\d+ building=\d+ shepherds=\d+\/\d+( \+shepherd=#\d+)*( \+(architect|hermit|guide|champion|doctor))*( completed=#\d+)*( stuck=\d+)?( warn=\d+)?$/;

let emulator: EmulatorHandle | undefined;
let repo: TestRepo | undefined;
/** Called after the emulator answered each request: a test changes GitHub between two iterations of one wait. */
let onRequest: ((entry: RequestLogEntry) => void) | undefined;
afterEach(async () => {
  onRequest = undefined;
  repo?.cleanup();
  await emulator?.close();
  repo = emulator = undefined;
});

async function setup(issues: Parameters<typeof seedWith>[0], config: Record<string, unknown> = {}) {
  emulator = await startEmulator(seedWith(issues), { onRequest: (entry) => onRequest?.(entry) });
  // Work generation off unless a test asks for it (issue_threshold 0), so directives are only the ones under test.
  repo = await createTestRepo(emulator, {
    config: { max_shepherds: 3, issue_threshold: 0, ...config },
    inProcess: true,
  });
  emulator.clearRequests();
  return { emulator, repo };
}

const readyFive = () => [
  { labels: ['loom:issue'] },
  { labels: ['loom:issue'] },
  { labels: ['loom:issue'] },
  { labels: ['loom:issue', 'loom:urgent'] },
  { labels: ['loom:issue'] },
];
const stateOf = (r: TestRepo) =>
  DaemonStateSchema.parse(JSON.parse(readFileSync(path.join(r.dir, '.loom/daemon-state.json'), 'utf8')));

describe('loom iterate', () => {
  it('claims the urgent issue then the two oldest, prints 3 directives and a summary', async () => {
    const { emulator, repo } = await setup(readyFive());
    const result = await repo.loom(['iterate']);
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'SPAWN shepherd-1 shepherd 4 --force-pr',
      'SPAWN shepherd-2 shepherd 1 --force-pr',
      'SPAWN shepherd-3 shepherd 2 --force-pr',
    ]);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('ready=2 building=3 shepherds=3/3 +shepherd=#4 +shepherd=#1 +shepherd=#2');
    expect(lines[3]).toMatch(SUMMARY);
    expect(labelsOf(emulator, 4)).toEqual(['loom:building', 'loom:urgent']);
    expect(labelsOf(emulator, 1)).toEqual(['loom:building']);
    expect(labelsOf(emulator, 2)).toEqual(['loom:building']);
    expect(labelsOf(emulator, 3)).toEqual(['loom:issue']);
    const requests = emulator.requests();
    // One snapshot, then per claim: read, one edit, re-read.
    expect(requests.filter((r) => r.operation === 'LoomSnapshot')).toHaveLength(1);
    expect(requests.filter((r) => r.operation === 'LoomEditLabels')).toHaveLength(3);
    expect(requests).toHaveLength(10);
    const state = stateOf(repo);
    expect(Object.values(state.shepherds).map((s) => s.issue)).toEqual([4, 1, 2]);
    expect(state.iteration).toBe(1);
  });

  it('an idle iteration costs exactly one GitHub request', async () => {
    const { emulator, repo } = await setup(
      [
        { labels: ['loom:curated'] },
        { labels: ['loom:issue'] },
        { labels: ['loom:issue'] },
        { labels: ['loom:issue'] },
      ],
      { max_shepherds: 0 },
    );
    const result = await repo.loom(['iterate']);
    expect(result.stdout.trim()).toBe('ready=3 building=0 shepherds=0/0');
    expect(emulator.requests()).toHaveLength(1);
  });

  it('a closed issue frees its slot at the next iteration, which claims the next one', async () => {
    const { emulator, repo } = await setup(readyFive());
    await repo.loom(['iterate']);
    emulator.store.closeIssue(4);
    const result = await repo.loom(['iterate']);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('SPAWN shepherd-1 shepherd 3 --force-pr');
    expect(lines.at(-1)).toBe('ready=1 building=3 shepherds=3/3 +shepherd=#3 completed=#4');
    expect(stateOf(repo).completed_issues).toEqual([4]);
  });

  it('--dry-run prints the plan and leaves GitHub and the state file byte-identical', async () => {
    const { emulator, repo } = await setup(readyFive());
    await repo.loom(['iterate']);
    emulator.store.closeIssue(4);
    const stateFile = path.join(repo.dir, '.loom/daemon-state.json');
    const before = readFileSync(stateFile);
    const forgeBefore = JSON.stringify(emulator.state());
    emulator.clearRequests();
    const result = await repo.loom(['iterate', '--dry-run']);
    expect(result.stdout).toContain('SPAWN shepherd-1 shepherd 3 --force-pr');
    expect(result.stdout.trim().split('\n').at(-1)).toBe('ready=1 building=3 shepherds=3/3 +shepherd=#3 completed=#4');
    expect(readFileSync(stateFile).equals(before)).toBe(true);
    expect(JSON.stringify(emulator.state())).toBe(forgeBefore);
    expect(emulator.requests().map((r) => r.operation)).toEqual(['LoomSnapshot']);
  });

  it('the stop file yields SHUTDOWN_SIGNAL with no mutation and no GitHub request', async () => {
    const { emulator, repo } = await setup(readyFive());
    writeFileSync(path.join(repo.dir, '.loom/stop-daemon'), '');
    const forgeBefore = JSON.stringify(emulator.state());
    const result = await repo.loom(['iterate']);
    expect(result.stdout.trim()).toBe('SHUTDOWN_SIGNAL');
    expect(JSON.stringify(emulator.state())).toBe(forgeBefore);
    expect(emulator.requests()).toEqual([]);
    expect(existsSync(path.join(repo.dir, '.loom/daemon-state.json'))).toBe(false);
  });

  it('--json prints the loom.iterate/1 object', async () => {
    const { repo } = await setup(readyFive(), { max_shepherds: 1 });
    const result = await repo.loom(['iterate', '--json']);
    const answer = JSON.parse(result.stdout);
    expect(answer).toMatchObject({
      schema: 'loom.iterate/1',
      shutdown: false,
      directives: [{ slot: 'shepherd-1', skill: 'shepherd', args: '4 --force-pr', issue: 4 }],
    });
  });

  it('two iterations started together never claim an issue twice', async () => {
    const issues = Array.from({ length: 8 }, () => ({ labels: ['loom:issue'] }));
    const { emulator, repo } = await setup(issues, { max_shepherds: 3 });
    const [a, b] = await Promise.all([repo.loom(['iterate']), repo.loom(['iterate'])]);
    const spawned = [a, b].flatMap((r) =>
      r.stdout
        .split('\n')
        .filter((l) => l.startsWith('SPAWN'))
        .map((l) => Number(l.split(' ')[3])),
    );
    // Three slots in all: the second iteration sees them taken.
    expect(spawned).toHaveLength(3);
    expect(new Set(spawned).size).toBe(3);
    expect(emulator.requests().filter((r) => r.operation === 'LoomEditLabels')).toHaveLength(3);
  });

  it('refuses a second daemon while the owner polls, naming it', async () => {
    const { repo } = await setup([{ labels: ['loom:issue'] }]);
    const start = await repo.loom(['start']);
    const id = start.stdout.trim().split('\n').at(-1)!;
    expect(id).toMatch(/^loom-\d{14}-[0-9a-f]{6}$/);
    const second = await repo.loom(['start']);
    expect(second.exitCode).toBe(9);
    expect(second.stderr).toContain(id);
    const other = await repo.loom(['iterate', '--daemon', 'loom-20200101000000-abcdef']);
    expect(other.exitCode).toBe(9);
    expect(other.stderr).toContain(id);
    expect((await repo.loom(['iterate', '--daemon', id])).exitCode).toBe(0);
  });
});

describe('loom iterate --wait', () => {
  /** Runs `steps[n]` right after the wait's n-th snapshot (from 0) was answered: between two of its iterations. */
  const afterSnapshots = (steps: (() => void)[]) => {
    let seen = 0;
    onRequest = (entry) => {
      if (entry.operation === 'LoomSnapshot') steps[seen++]?.();
    };
    return () => seen;
  };

  it('keeps iterating while idle and returns as soon as a ready issue appears', async () => {
    const { emulator, repo } = await setup([{ labels: ['loom:curated'] }], { poll_interval: 1, issue_threshold: 0 });
    const id = (await repo.loom(['start'])).stdout.trim();
    // Two idle iterations, then an approved issue appears (as a person would label it).
    const snapshots = afterSnapshots([
      () => undefined,
      () => emulator.store.addIssue({ title: 'New work', labels: ['loom:issue'] }),
    ]);
    const result = await repo.loom(['iterate', '--daemon', id, '--wait', '--budget', '60']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(snapshots()).toBe(3);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toEqual(['SPAWN shepherd-1 shepherd 2 --force-pr', expect.stringMatching(SUMMARY)]);
  });

  it('its answer still names an issue completed by an earlier, idle iteration of the same wait', async () => {
    const { emulator, repo } = await setup([{ labels: ['loom:issue'] }], { poll_interval: 1, max_shepherds: 1 });
    const id = (await repo.loom(['start'])).stdout.trim();
    expect((await repo.loom(['iterate', '--daemon', id])).stdout).toContain('SPAWN shepherd-1 shepherd 1');
    // Issue 1 closes after the wait's first iteration; its second (idle) one frees the slot; then the next issue comes.
    const snapshots = afterSnapshots([
      () => emulator.store.closeIssue(1),
      () => emulator.store.addIssue({ title: 'Next', labels: ['loom:issue'] }),
    ]);
    const lines = (await repo.loom(['iterate', '--daemon', id, '--wait', '--budget', '60'])).stdout.trim().split('\n');
    expect(snapshots()).toBe(3);
    expect(lines).toEqual([
      'SPAWN shepherd-1 shepherd 2 --force-pr',
      'ready=0 building=1 shepherds=1/1 +shepherd=#2 completed=#1',
    ]);
  });

  it('returns SHUTDOWN_SIGNAL at once when the stop file is created', async () => {
    const { repo } = await setup([], { poll_interval: 30 });
    const id = (await repo.loom(['start'])).stdout.trim();
    const waiting = repo.loom(['iterate', '--daemon', id, '--wait', '--budget', '120']);
    await new Promise((r) => setTimeout(r, 1500));
    const stopAt = Date.now();
    await repo.loom(['stop']);
    const result = await waiting;
    expect(result.stdout.trim()).toBe('SHUTDOWN_SIGNAL');
    // Well under one poll interval (30 s): the wait watches the stop file.
    expect(Date.now() - stopAt).toBeLessThan(15_000);
  });

  it('answers with the latest summary when its time budget ends', async () => {
    const { repo } = await setup([], { poll_interval: 1, issue_threshold: 0 });
    const id = (await repo.loom(['start'])).stdout.trim();
    const result = await repo.loom(['iterate', '--daemon', id, '--wait', '--budget', '2']);
    expect(result.stdout.trim()).toBe('ready=0 building=0 shepherds=0/3');
  });
});

describe('cooldowns and intervals with an injected clock', () => {
  it('triggers the architect, then not again until its cooldown has passed since the last trigger', async () => {
    const { repo } = await setup([], { issue_threshold: 3, hermit: { enabled: false }, guide: { enabled: false } });
    const at = (iso: string) => ({ env: { LOOM_NOW: iso } });
    const id = (await repo.loom(['start'], at('2026-03-01T10:00:00Z'))).stdout.trim();
    const first = await repo.loom(['iterate', '--daemon', id], at('2026-03-01T10:00:10Z'));
    expect(first.stdout).toContain('SPAWN architect architect --autonomous');
    expect(first.stdout.trim().split('\n').at(-1)).toBe('ready=0 building=0 shepherds=0/3 +architect');
    await repo.loom(
      ['progress', '--role', 'architect', '--done', '--result', 'proposed #7'],
      at('2026-03-01T10:05:00Z'),
    );
    const early = await repo.loom(['iterate', '--daemon', id], at('2026-03-01T10:29:00Z'));
    expect(early.stdout).not.toContain('SPAWN');
    const due = await repo.loom(['iterate', '--daemon', id], at('2026-03-01T10:30:10Z'));
    expect(due.stdout).toContain('SPAWN architect architect --autonomous');
  });

  it('runs a support role an interval after it last finished', async () => {
    const { repo } = await setup([{ labels: ['loom:issue'] }, { labels: ['loom:issue'] }, { labels: ['loom:issue'] }], {
      max_shepherds: 0,
      architect: { enabled: false },
      hermit: { enabled: false },
    });
    const at = (iso: string) => ({ env: { LOOM_NOW: iso } });
    const id = (await repo.loom(['start'], at('2026-03-01T10:00:00Z'))).stdout.trim();
    expect((await repo.loom(['iterate', '--daemon', id], at('2026-03-01T10:14:00Z'))).stdout).not.toContain(
      'SPAWN guide',
    );
    const due = await repo.loom(['iterate', '--daemon', id], at('2026-03-01T10:15:00Z'));
    expect(due.stdout).toContain('SPAWN guide guide');
    await repo.loom(
      ['record', 'guide', '--task-id', 'abc123', '--output-file', path.join(tmpdir(), 'loom-none.output')],
      at('2026-03-01T10:15:01Z'),
    );
    expect((await repo.loom(['iterate', '--daemon', id], at('2026-03-01T10:40:00Z'))).stdout).not.toContain(
      'SPAWN guide',
    );
    await repo.loom(['progress', '--role', 'guide', '--done'], at('2026-03-01T10:41:00Z'));
    expect((await repo.loom(['iterate', '--daemon', id], at('2026-03-01T10:55:00Z'))).stdout).not.toContain(
      'SPAWN guide',
    );
    expect((await repo.loom(['iterate', '--daemon', id], at('2026-03-01T10:56:00Z'))).stdout).toContain(
      'SPAWN guide guide',
    );
  });
});

describe('gh itself', () => {
  it('is the real binary', async () => {
    const { stdout } = await execa('gh', ['--version']);
    expect(stdout).toMatch(/gh version 2\./);
  });
});
