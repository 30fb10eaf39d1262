/**
 * Reliability scenario 5 — state file abuse, beyond test/robustness.test.ts
 * (which covers truncated JSON, wrong top-level types, a newer version and an
 * unknown top-level key): garbage, an empty file, `null`, nested wrong types
 * and keys, an older version, a directory in its place, a read-only file or
 * folder, and a full disk. Every command that writes the state says what is
 * wrong and how to recover, exits 8, keeps the file byte-identical and
 * touches nothing on GitHub; nothing is ever silently reset.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyState } from '../src/core/daemon-state.js';
import { StatusReportSchema } from '../src/core/status-report.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import {
  claimLocks,
  commentsOf,
  expectNoOrphanBuilding,
  expectNoSecrets,
  readState,
  run,
  runProcess,
  stateFile,
} from './helpers/reliability.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';

let emulator: EmulatorHandle;
let repo: TestRepo;

beforeAll(async () => {
  emulator = await startEmulator(
    seedWith([{ labels: ['loom:issue'] }, { labels: ['loom:issue'] }, { labels: ['loom:issue'] }]),
  );
  repo = await createTestRepo(emulator, {
    config: { max_shepherds: 2, issue_threshold: 0, guide: { enabled: false } },
    inProcess: true,
  });
});

afterAll(async () => {
  chmodSync(path.join(repo.dir, '.loom'), 0o755);
  repo?.cleanup();
  await emulator?.close();
});

/** Every command that writes the state (`id`: the daemon the state names, if any). */
const writers = (id = 'loom-20260101000000-abcdef') => [
  ['iterate'],
  ['iterate', '--dry-run'],
  ['iterate', '--daemon', id, '--wait', '--budget', '1'],
  ['start'],
  ['spawn', '1'],
  ['record', 'shepherd-1', '--task-id', 'task1', '--output-file', '/nonexistent/task1.output'],
  ['progress', '1', '--phase', 'builder'],
  ['shutdown', '--daemon', id, '--drain', '0'],
];

const slot = {
  status: 'working',
  issue: 1,
  task_id: null,
  output_file: null,
  started: null,
  last_phase: null,
  pr_number: null,
  last_heartbeat: null,
  idle_since: null,
  idle_reason: null,
};
const moveAside = 'mv .loom/daemon-state.json .loom/daemon-state.json.bad';
const corrupt: [string, string, RegExp][] = [
  ['garbage', 'hello, world\n', /not valid JSON/],
  ['an empty file', '', /not valid JSON/],
  ['JSON null', 'null', /does not match the state schema/],
  [
    'a nested wrong type',
    JSON.stringify({ ...emptyState(), shepherds: { 'shepherd-1': { ...slot, issue: '1;rm -rf /' } } }),
    /shepherds\.shepherd-1\.issue/,
  ],
  [
    'an unknown key inside a slot',
    JSON.stringify({ ...emptyState(), shepherds: { 'shepherd-1': { ...slot, surprise: true } } }),
    /Unrecognized key/,
  ],
  ['an older version number', JSON.stringify({ ...emptyState(), version: 0 }), /version/],
];

async function expectRefusedEverywhere(message: RegExp, hint: string, id?: string) {
  emulator.clearRequests();
  const commands = writers(id);
  const results = await Promise.all(commands.map((args) => run(repo, args)));
  results.forEach((result, i) => {
    const args = commands[i]!.join(' ');
    expect(result.exitCode, `${args}: ${result.stderr}`).toBe(8);
    expect(result.stderr, args).toMatch(message);
    expect(result.stderr, args).toContain(hint);
    expect(result.stderr, args).not.toMatch(/\n\s+at /);
  });
  // Nothing on GitHub changed (a read-only status may still read).
  expect(emulator.requests().filter((r) => r.operation !== 'LoomSnapshot')).toEqual([]);
  for (const n of [1, 2, 3]) expect(labelsOf(emulator, n)).toEqual(['loom:issue']);
}

describe('a corrupt state file', () => {
  it.each(corrupt)(
    '%s: every writer refuses, exits 8 and keeps the file byte-identical',
    async (_name, content, message) => {
      writeFileSync(stateFile(repo), content);
      await expectRefusedEverywhere(message, moveAside);
      const status = await run(repo, ['status', '--json', '--fast']);
      expect(status.exitCode).toBe(8);
      expect(StatusReportSchema.parse(JSON.parse(status.stdout)).errors[0]?.code).toBe('STATE_INVALID');
      expect(readFileSync(stateFile(repo), 'utf8')).toBe(content);
    },
  );

  it('a directory in its place: refused, kept', async () => {
    rmSync(stateFile(repo), { force: true });
    mkdirSync(stateFile(repo));
    await expectRefusedEverywhere(/daemon-state\.json is not a regular file \(a folder\)/, 'regular file');
    expect(statSync(stateFile(repo)).isDirectory()).toBe(true);
    rmSync(stateFile(repo), { recursive: true });
  });
});

describe('a state file Loom may not write', () => {
  it('read-only file: refused before any GitHub mutation, file untouched; status still works', async () => {
    const id = (await run(repo, ['start'])).stdout.trim();
    const before = readFileSync(stateFile(repo));
    chmodSync(stateFile(repo), 0o444);
    try {
      await expectRefusedEverywhere(/daemon-state\.json is read-only/, 'chmod u+w', id);
      expect((await run(repo, ['status', '--fast'])).exitCode).toBe(0);
      expect(readFileSync(stateFile(repo)).equals(before)).toBe(true);
      expect(claimLocks(repo)).toEqual([]);
    } finally {
      chmodSync(stateFile(repo), 0o644);
    }
  });

  it('read-only .loom/ folder: refused the same way', async () => {
    const before = readFileSync(stateFile(repo));
    const id = readState(repo)!.daemon_id!;
    chmodSync(path.join(repo.dir, '.loom'), 0o555);
    try {
      await expectRefusedEverywhere(/\.loom\/ is read-only|Cannot take the state lock/, 'chmod u+w', id);
      expect(existsSync(path.join(repo.dir, '.loom/stop-shepherds'))).toBe(false);
      expect(readFileSync(stateFile(repo)).equals(before)).toBe(true);
    } finally {
      chmodSync(path.join(repo.dir, '.loom'), 0o755);
    }
  });

  it('a full disk: the write fails cleanly, the old file stays, and the claims made are settled next time', async () => {
    rmSync(stateFile(repo), { force: true });
    const id = (await run(repo, ['start'])).stdout.trim();
    const before = readFileSync(stateFile(repo));
    const full = await runProcess(repo, ['iterate', '--daemon', id], { LOOM_FAULT_KILL_AT: 'fail-state-write' });
    expect(full.exitCode, full.stderr).toBe(8);
    expect(full.stderr).toMatch(/Cannot write .loom\/daemon-state\.json: ENOSPC/);
    expect(full.stderr).toContain('The previous state file is intact');
    expect(readFileSync(stateFile(repo)).equals(before)).toBe(true);
    // The two claims it made on GitHub are held by claim locks, not orphaned.
    expect(labelsOf(emulator, 1)).toEqual(['loom:building']);
    expect(claimLocks(repo)).toEqual([1, 2]);
    expectNoOrphanBuilding(emulator, repo);
    // Space is back: the next iteration adopts them — each claimed exactly once.
    const next = await run(repo, ['iterate', '--daemon', id]);
    expect(next.exitCode, next.stderr).toBe(0);
    expect(next.stdout.split('\n').filter((l) => l.startsWith('SPAWN'))).toEqual([
      'SPAWN shepherd-1 shepherd 1 --force-pr',
      'SPAWN shepherd-2 shepherd 2 --force-pr',
    ]);
    for (const n of [1, 2]) expect(commentsOf(emulator, n).claims).toHaveLength(1);
    expect(Object.values(readState(repo)!.shepherds).map((s) => s.issue)).toEqual([1, 2]);
    expect(labelsOf(emulator, 3)).toEqual(['loom:issue']);
  });

  it('leaks no secret', () => expectNoSecrets(emulator, [repo]));
});
