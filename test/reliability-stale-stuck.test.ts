/**
 * Reliability scenario 4 — stale and stuck (DESIGN.md §9), with the clock moved by
 * LOOM_NOW. A stale `loom:building` issue without a PR is recovered only when
 * its heartbeat is old; a fresh heartbeat is never torn down (iteration or
 * `loom start`); a stuck shepherd is warned, restarted once with --resume,
 * then moved to `loom:blocked` with ONE comment; thresholds are per phase;
 * a young shepherd gets a start-up grace. Decisions, not wiring: the CLI runs
 * in-process (test/helpers/in-process.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { commentsOf, expectNoOrphanBuilding, expectNoSecrets, readState, run } from './helpers/reliability.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';

const T0 = Math.floor(Date.now() / 1000) * 1000;
const at = (seconds: number) => ({ LOOM_NOW: new Date(T0 + seconds * 1000).toISOString() });
const ago = (seconds: number) => new Date(T0 - seconds * 1000).toISOString();

describe('stale loom:building (no PR)', () => {
  let emulator: EmulatorHandle;
  let repo: TestRepo;
  beforeAll(async () => {
    emulator = await startEmulator(
      seedWith([
        { title: 'old, old heartbeat', labels: ['loom:building'], createdAt: ago(3 * 3600) },
        { title: 'old, fresh heartbeat', labels: ['loom:building'], createdAt: ago(3 * 3600) },
        { title: 'recent', labels: ['loom:building'], createdAt: ago(1800) },
      ]),
    );
    repo = await createTestRepo(emulator, {
      config: { max_shepherds: 0, issue_threshold: 0, guide: { enabled: false } },
      inProcess: true,
    });
  });
  afterAll(async () => {
    repo.cleanup();
    await emulator.close();
  });

  it('is released once its heartbeat is old, never while it is fresh', async () => {
    // Shepherds run by hand report heartbeats for issues without a daemon slot.
    expect((await run(repo, ['progress', '1', '--phase', 'builder'], at(-2.5 * 3600))).exitCode).toBe(0);
    expect((await run(repo, ['progress', '2', '--phase', 'builder'], at(-600))).exitCode).toBe(0);

    const first = await run(repo, ['iterate'], at(0));
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/ warn=1$/);
    expect(labelsOf(emulator, 1)).toEqual(['loom:issue']);
    expect(commentsOf(emulator, 1).others).toHaveLength(1);
    for (const n of [2, 3]) {
      expect(labelsOf(emulator, n)).toEqual(['loom:building']);
      expect(commentsOf(emulator, n).others).toEqual([]);
    }
    // Again at the same time: nothing more.
    await run(repo, ['iterate'], at(60));
    expect(commentsOf(emulator, 1).others).toHaveLength(1);
    expect(commentsOf(emulator, 2).others).toEqual([]);

    // Two hours later the heartbeat is old too: released, each with one comment.
    await run(repo, ['iterate'], at(2 * 3600 + 60));
    await run(repo, ['iterate'], at(2 * 3600 + 120));
    for (const n of [1, 2, 3]) {
      expect(labelsOf(emulator, n), `#${n}`).toEqual(['loom:issue']);
      expect(commentsOf(emulator, n).others, `#${n}`).toHaveLength(1);
    }
    expect(readState(repo)!.warnings.filter((w) => w.type === 'stale-building')).toHaveLength(3);
  });

  it('leaks no secret', () => expectNoSecrets(emulator, [repo]));
});

describe('crash recovery and heartbeats', () => {
  let emulator: EmulatorHandle;
  let repo: TestRepo;
  beforeAll(async () => {
    emulator = await startEmulator(seedWith([{ labels: ['loom:issue'] }]));
    repo = await createTestRepo(emulator, {
      config: { max_shepherds: 1, issue_threshold: 0, guide: { enabled: false } },
      inProcess: true,
    });
  });
  afterAll(async () => {
    repo.cleanup();
    await emulator.close();
  });

  it('`loom start` keeps a claim with a fresh heartbeat and releases it once the heartbeat is old', async () => {
    const id = (await run(repo, ['start'], at(0))).stdout.trim();
    expect((await run(repo, ['iterate', '--daemon', id], at(10))).stdout).toContain('SPAWN shepherd-1 shepherd 1');
    await run(
      repo,
      ['record', 'shepherd-1', '--task-id', 'task1', '--output-file', '/nonexistent/task1.output'],
      at(20),
    );
    await run(repo, ['progress', '1', '--phase', 'builder'], at(240));
    // The daemon died (no poll for 5 minutes); the shepherd's heartbeat is 1 minute old.
    const kept = JSON.parse((await run(repo, ['start', '--json'], at(300))).stdout);
    expect(kept.recovered).toEqual([expect.objectContaining({ issue: 1, action: 'kept' })]);
    expect(labelsOf(emulator, 1)).toEqual(['loom:building']);
    expect(commentsOf(emulator, 1).others).toEqual([]);
    expectNoOrphanBuilding(emulator, repo);
    // Half an hour later, still no heartbeat: released with one comment; a second start changes nothing.
    const released = JSON.parse((await run(repo, ['start', '--json'], at(2400))).stdout);
    expect(released.recovered).toEqual([expect.objectContaining({ issue: 1, action: 'released' })]);
    await run(repo, ['start', '--json'], at(2500));
    expect(labelsOf(emulator, 1)).toEqual(['loom:issue']);
    expect(commentsOf(emulator, 1)).toEqual({
      claims: [],
      others: [expect.stringContaining('no shepherd is working on it')],
    });
  });

  it('leaks no secret', () => expectNoSecrets(emulator, [repo]));
});

describe('a stuck shepherd', () => {
  let emulator: EmulatorHandle;
  let repo: TestRepo;
  beforeAll(async () => {
    emulator = await startEmulator(seedWith([{ labels: ['loom:issue'] }, { labels: ['loom:issue'] }]));
    repo = await createTestRepo(emulator, {
      config: {
        max_shepherds: 2,
        issue_threshold: 0,
        guide: { enabled: false },
        stuck_grace: 300,
        stuck_after: { curator: 60, builder: 3600, default: 1800 },
      },
      inProcess: true,
    });
  });
  afterAll(async () => {
    repo.cleanup();
    await emulator.close();
  });

  it('is warned, restarted once with --resume, then blocked with one comment; per phase; after a grace', async () => {
    const id = (await run(repo, ['start'], at(0))).stdout.trim();
    const iterate = (seconds: number) => run(repo, ['iterate', '--daemon', id], at(seconds));
    const first = await iterate(0);
    expect(first.stdout).toContain('SPAWN shepherd-1 shepherd 1 --force-pr');
    expect(first.stdout).toContain('SPAWN shepherd-2 shepherd 2 --force-pr');
    await run(repo, ['record', 'shepherd-1', '--task-id', 'task1', '--output-file', '/nonexistent/1.output'], at(1));
    await run(repo, ['record', 'shepherd-2', '--task-id', 'task2', '--output-file', '/nonexistent/2.output'], at(1));
    // #2 reports that it is building (threshold 3600 s); #1 stays silent in curator (threshold 60 s).
    await run(repo, ['progress', '2', '--phase', 'builder'], at(2));

    // Start-up grace: idle past its threshold, but younger than stuck_grace.
    expect((await iterate(200)).stdout.trim()).toBe('ready=0 building=2 shepherds=2/2');
    // Past the grace: a warning only, for #1 alone.
    const warned = await iterate(301);
    expect(warned.stdout.trim()).toBe('ready=0 building=2 shepherds=2/2 stuck=1 warn=1');
    expect(readState(repo)!.shepherds['shepherd-1']!.stuck_since).not.toBeNull();
    // The warning gets its grace too.
    expect((await iterate(400)).stdout).not.toContain('SPAWN');
    // Then one restart, with --resume.
    const restarted = await iterate(602);
    expect(restarted.stdout.split('\n')[0]).toBe('SPAWN shepherd-1 shepherd 1 --force-pr --resume');
    expect(readState(repo)!.shepherds['shepherd-1']!.restarts).toBe(1);
    await run(
      repo,
      ['record', 'shepherd-1', '--task-id', 'task1b', '--output-file', '/nonexistent/1b.output'],
      at(603),
    );
    // Still silent: warned again, then blocked — no second restart.
    expect((await iterate(903)).stdout).toMatch(/stuck=1/);
    const blocked = await iterate(1203);
    expect(blocked.stdout).not.toContain('SPAWN');
    expect(labelsOf(emulator, 1)).toEqual(['loom:blocked']);
    expect(commentsOf(emulator, 1)).toEqual({ claims: [], others: [expect.stringContaining('loom:blocked')] });
    expect(readState(repo)!.shepherds['shepherd-1']!.status).toBe('idle');
    // Never an endless loop: later iterations leave it alone.
    for (const seconds of [1600, 2400])
      expect((await iterate(seconds)).stdout).not.toContain('SPAWN shepherd-1 shepherd 1');
    expect(commentsOf(emulator, 1).others).toHaveLength(1);
    // The builder (threshold 3600 s) was never touched.
    expect(labelsOf(emulator, 2)).toEqual(['loom:building']);
    expect(readState(repo)!.shepherds['shepherd-2']!.restarts).toBe(0);
    expectNoOrphanBuilding(emulator, repo);
  });

  it('leaks no secret', () => expectNoSecrets(emulator, [repo]));
});
