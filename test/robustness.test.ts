import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyState } from '../src/core/daemon-state.js';
import { StatusReportSchema } from '../src/core/status-report.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';

describe('a corrupt or foreign state file', () => {
  let emulator: EmulatorHandle;
  let repo: TestRepo;
  beforeAll(async () => {
    emulator = await startEmulator(seedWith([{ labels: ['loom:issue'] }]));
    repo = await createTestRepo(emulator, { inProcess: true });
  });
  afterAll(async () => {
    repo.cleanup();
    await emulator.close();
  });

  const moveAside = 'mv .loom/daemon-state.json .loom/daemon-state.json.bad';
  const cases: [string, string, RegExp, string][] = [
    ['truncated JSON', '{"version": 1, "running": tr', /not valid JSON/, moveAside],
    ['wrong types', JSON.stringify({ ...emptyState(), running: 'yes' }), /running: /, moveAside],
    [
      'a newer schema version',
      JSON.stringify({ version: 99, shiny: true }),
      /newer Loom \(state version 99/,
      'Upgrade Loom',
    ],
    [
      'an unknown extra key',
      JSON.stringify({ ...emptyState(), surprise: 1 }),
      /Unrecognized key: "surprise"/,
      moveAside,
    ],
  ];
  it.each(cases)(
    '%s: every command explains, exits non-zero and keeps the file',
    async (_name, content, message, hint) => {
      const file = path.join(repo.dir, '.loom/daemon-state.json');
      writeFileSync(file, content);
      emulator.clearRequests();
      for (const args of [['iterate'], ['start'], ['progress', '1', '--phase', 'builder']]) {
        const result = await repo.loom(args);
        expect(result.exitCode, args.join(' ')).toBe(8);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).toContain(hint);
        expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace for an expected failure
      }
      const status = await repo.loom(['status', '--json', '--fast']);
      expect(StatusReportSchema.parse(JSON.parse(status.stdout)).errors[0]?.code).toMatch(/^STATE_/);
      expect(readFileSync(file, 'utf8')).toBe(content);
      expect(labelsOf(emulator, 1)).toEqual(['loom:issue']);
      expect(emulator.requests().filter((r) => r.operation !== 'LoomSnapshot')).toEqual([]);
    },
  );
});

/** Where a hostile title's shell commands would leave their marks if anything ever ran them. */
const PWNED = path.join(tmpdir(), 'loom-pwned');

describe('hostile issue titles', () => {
  const hostile = [
    `$(touch ${PWNED}-1) \`touch ${PWNED}-2\`; touch ${PWNED}-3`,
    'line one\nline two\r\nthree',
    '\u001b[31mred\u001b[0m \u001b]8;;http://evil.example\u0007link\u001b]8;;\u0007 \u001b[2J clear',
    'bidi \u202eevil\u202c and NUL-ish \u0007 bell',
  ];
  let emulator: EmulatorHandle;
  let repo: TestRepo;
  beforeAll(async () => {
    emulator = await startEmulator(
      seedWith([
        ...hostile.map((title) => ({ title, labels: ['loom:issue'] })),
        ...hostile.map((title) => ({ title, labels: ['loom:curated'] })),
        ...hostile.map((title) => ({ title, labels: ['loom:blocked'] })),
      ]),
    );
    repo = await createTestRepo(emulator, { config: { max_shepherds: 4, issue_threshold: 0 }, inProcess: true });
  });
  afterAll(async () => {
    repo.cleanup();
    await emulator.close();
  });

  it('execute nothing and print no raw control sequence', async () => {
    const outputs: string[] = [];
    for (const args of [
      ['iterate'],
      ['status'],
      ['status', '--json'],
      ['iterate', '--dry-run'],
      ['status', '--fast'],
    ]) {
      const result = await repo.loom(args);
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      outputs.push(result.stdout, result.stderr);
    }
    for (const n of [1, 2, 3]) expect(existsSync(`${PWNED}-${n}`)).toBe(false);
    for (const text of outputs) {
      expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    }
    const status = JSON.parse((await repo.loom(['status', '--json'])).stdout);
    expect(status.human_actions.map((a: { title: string }) => a.title)).toContain(
      `$(touch ${PWNED}-1) \`touch ${PWNED}-2\`; touch ${PWNED}-3`,
    );
    expect(status.human_actions.map((a: { title: string }) => a.title)).toContain('line one line two three');
  });

  it('reject issue numbers that are not numbers before touching anything', async () => {
    for (const bad of ['../../etc', '1;rm', '-1', '1 2', '$(id)']) {
      const result = await repo.loom(['spawn', bad]);
      expect(result.exitCode, bad).toBe(2);
      expect(result.stderr).toContain('must be an issue number');
    }
    expect(readdirSync(path.join(repo.dir, '.loom')).some((f) => f.includes('etc'))).toBe(false);
  });
});

describe('a 10 000-issue backlog', () => {
  let emulator: EmulatorHandle;
  let repo: TestRepo;
  beforeAll(async () => {
    const issues = Array.from({ length: 10_000 }, (_, i) => ({
      labels:
        i % 10 === 0
          ? ['loom:building']
          : i % 7 === 0
            ? ['loom:curated']
            : i % 13 === 0
              ? ['loom:blocked']
              : ['loom:issue'],
    }));
    emulator = await startEmulator(seedWith(issues));
    repo = await createTestRepo(emulator, {
      config: { max_shepherds: 3, issue_threshold: 0, stale_building: 10 ** 9 },
      inProcess: true,
    });
  });
  afterAll(async () => {
    repo.cleanup();
    await emulator.close();
  });

  const expected = () => {
    let building = 0,
      curated = 0,
      blocked = 0,
      ready = 0;
    for (let i = 0; i < 10_000; i++) {
      if (i % 10 === 0) building++;
      else if (i % 7 === 0) curated++;
      else if (i % 13 === 0) blocked++;
      else ready++;
    }
    return { building, curated, blocked, ready };
  };

  it('status gives exact counts in one GitHub request', async () => {
    emulator.clearRequests();
    const result = await repo.loom(['status', '--json']);
    const report = StatusReportSchema.parse(JSON.parse(result.stdout));
    expect(report.pipeline).toMatchObject(expected());
    expect(emulator.requests()).toHaveLength(1);
  });

  it('an iteration takes one snapshot request and claims three', async () => {
    emulator.clearRequests();
    const result = await repo.loom(['iterate']);
    const e = expected();
    expect(result.stdout.trim().split('\n').at(-1)).toBe(
      `ready=${e.ready - 3} building=${e.building + 3} shepherds=3/3 +shepherd=#2 +shepherd=#3 +shepherd=#4`,
    );
    expect(emulator.requests().filter((r) => r.operation === 'LoomSnapshot')).toHaveLength(1);
    expect(emulator.requests()).toHaveLength(10);
  });
});
