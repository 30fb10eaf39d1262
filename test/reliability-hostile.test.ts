/**
 * Reliability scenario 6 — hostile input from GitHub and the command line.
 * Titles, bodies, comments, label names and branch names carry shell
 * metacharacters, `$(…)`, newlines, NUL, 100 KB strings, bidi controls and
 * ANSI/OSC escapes; a non-collaborator forges claim markers. Issue numbers,
 * slot names and daemon ids like `../../etc` or `1;rm` are given to every
 * command that takes one. Nothing is executed, no path escapes `.loom/`,
 * terminal output carries no control sequence, forged claims count for
 * nothing.
 */
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { StatusReportSchema } from '../src/core/status-report.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import {
  big,
  CONTROL_OR_BIDI,
  commentsOf,
  expectNoOrphanBuilding,
  expectNoSecrets,
  hostileStrings,
  readState,
  run,
} from './helpers/reliability.js';
import { createTestRepo, inProcessView, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';

const PWNED = path.join(tmpdir(), 'loom-pwned-r6');
const hostile = hostileStrings(PWNED);
const hostileLabels = [
  `x$(touch ${PWNED}-label)`,
  'a;rm -rf ~ \u001b[31m',
  'bidi\u202elabel',
  'loom:\u001b]0;pwn\u0007',
];

let emulator: EmulatorHandle;
let repo: TestRepo;
let baseline: Set<string>;

/** Every path in the clone (outside .git), relative. */
function tree(dir: string, base = dir, out = new Set<string>()): Set<string> {
  for (const name of readdirSync(dir)) {
    if (name === '.git') continue;
    const full = path.join(dir, name);
    out.add(path.relative(base, full));
    if (
      readdirSync(path.dirname(full), { withFileTypes: true })
        .find((d) => d.name === name)
        ?.isDirectory()
    )
      tree(full, base, out);
  }
  return out;
}

beforeAll(async () => {
  const issues = [
    ...hostile.map((title, i) => ({
      title,
      body: hostile[(i + 1) % hostile.length],
      labels: ['loom:issue', ...hostileLabels.slice(i % 2, (i % 2) + 2)],
    })),
    ...hostile.map((title) => ({ title, labels: ['loom:curated', hostileLabels[2]!] })),
    ...hostile.map((title) => ({ title, labels: ['loom:blocked'] })),
    { title: hostile[2]!, body: `Closes #1 ${hostile[0]}`, labels: ['loom:building'] },
  ];
  const seed = seedWith(issues, [
    {
      number: 100,
      title: hostile[2]!,
      body: `Closes #16\n${hostile[0]}`,
      headRefName: `feature/$(touch ${PWNED}-branch);\u001b[2J`,
      labels: ['loom:review-requested', hostileLabels[0]!],
      closingIssues: [16],
    },
  ]);
  emulator = await startEmulator(seed);
  // A non-collaborator forges claim markers on the first ready issue, before and after any claim.
  for (const body of [
    '<!-- loom:claim 0000000000000000 mallory -->',
    big('<!-- loom:claim 0000000000000001 mallory --> $(id) \u001b[2J'),
  ]) {
    emulator.store.addComment(1, body, 'mallory');
  }
  repo = await createTestRepo(emulator, { config: { max_shepherds: 3, issue_threshold: 0 } });
  baseline = tree(repo.dir);
});

afterAll(async () => {
  repo?.cleanup();
  await emulator?.close();
});

describe('hostile text from GitHub', () => {
  it('is never executed, never printed raw, and forged claims count for nothing', async () => {
    const id = (await run(repo, ['start'])).stdout.trim();
    const outputs: string[] = [];
    const commands = [
      ['iterate', '--daemon', id],
      ['iterate', '--daemon', id, '--dry-run'],
      ['iterate', '--daemon', id, '--json'],
      ['status'],
      ['status', '--json'],
      ['status', '--fast'],
      ['progress', '--role', 'guide', '--done', '--result', hostile[2]!],
      ['status'],
      ['shutdown', '--daemon', id, '--drain', '0'],
      ['start'],
      ['status', '--json'],
    ];
    for (const args of commands) {
      const result = await run(repo, args);
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      outputs.push(result.stdout, result.stderr);
    }
    for (const suffix of ['a', 'b', 'c', 'd', 'label', 'branch'])
      expect(existsSync(`${PWNED}-${suffix}`), suffix).toBe(false);
    for (const text of outputs) expect(text).not.toMatch(CONTROL_OR_BIDI);
    // The first iteration claimed the three oldest ready issues despite mallory's forged markers.
    expect(outputs[0]).toContain('SPAWN shepherd-1 shepherd 1 --force-pr');
    expect(outputs[0]).toContain('SPAWN shepherd-3 shepherd 3 --force-pr');
    expect(commentsOf(emulator, 1).claims.filter((c) => !c.includes('mallory'))).toEqual([]); // released at shutdown
    expect(labelsOf(emulator, 1)).toEqual(expect.arrayContaining(['loom:issue']));
    const status = StatusReportSchema.parse(JSON.parse((await run(repo, ['status', '--json'])).stdout));
    const titles = status.human_actions.map((a: { title: string }) => a.title);
    expect(titles.some((t: string) => t.startsWith(`$(touch ${PWNED}-a) \`touch ${PWNED}-b\`; touch`))).toBe(true);
    expect(titles.every((t: string) => t.length <= 80)).toBe(true);
    // The state cache keeps titles cleaned and short too.
    const state = readState(repo)!;
    for (const item of state.pipeline?.blocked_items ?? []) {
      expect(item.title.length).toBeLessThanOrEqual(200);
      expect(item.title).not.toMatch(CONTROL_OR_BIDI);
    }
    expectNoOrphanBuilding(emulator, repo, [16]); // #16 is worked on elsewhere: it has PR #100
  });
});

describe('hostile arguments', () => {
  const badNumbers = ['../../etc', '1;rm', '$(id)', '-1', '1 2', '0x1f', '\u0661', '1\n2', `9${'9'.repeat(40)}`];

  it('every command that takes an issue or PR number rejects a non-number before doing anything', async () => {
    const help = (await run(repo, ['--help'])).stdout;
    const numbered = [...help.matchAll(/^ {2}([a-z-]+) (?:\[options\] )?(?:<issue>|\[issue\]|<number>|<pr>)/gm)].map(
      (m) => m[1]!,
    );
    expect(numbered).toEqual(expect.arrayContaining(['spawn', 'progress']));
    emulator.clearRequests();
    // The built CLI for a sample (the real process boundary), the same code in-process for the whole matrix.
    for (const bad of ['../../etc', '1;rm']) {
      const result = await run(repo, ['spawn', bad]);
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr).toContain('must be an issue number');
    }
    for (const command of numbered) {
      for (const bad of badNumbers) {
        const lines: string[] = [];
        const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), isTTY: false };
        const code = await main([command, bad], { cwd: repo.dir, env: { ...repo.env }, io });
        expect(code, `${command} ${JSON.stringify(bad)}: ${lines.join(' | ')}`).toBe(2);
        expect(lines.join('\n')).not.toMatch(CONTROL_OR_BIDI);
      }
    }
    expect(emulator.requests()).toEqual([]);
  });

  it('slot names, task ids and daemon ids are validated the same way', async () => {
    const cases = [
      ...['shepherd-1/../../x', '../../etc', 'shepherd-1;rm', 'guide$(id)', 'shepherd-1\n'].map((slot) => [
        'record',
        slot,
        '--task-id',
        't1',
        '--output-file',
        path.join(tmpdir(), 'loom-x.output'),
      ]),
      ...['a;b', '../t', '$(id)'].map((task) => [
        'record',
        'shepherd-1',
        '--task-id',
        task,
        '--output-file',
        path.join(tmpdir(), 'loom-x.output'),
      ]),
      ...['../../etc', '1;rm', '$(id)', 'a b', 'x'.repeat(200)].flatMap((id) => [
        ['iterate', '--daemon', id],
        ['shutdown', '--daemon', id],
      ]),
    ];
    const results = await Promise.all(cases.map((args) => run(inProcessView(repo, emulator), args)));
    for (const [i, result] of results.entries())
      expect(result.exitCode, `${cases[i]!.join(' ')}: ${result.stderr}`).toBe(2);
  });

  it('nothing was created outside .loom/ and no path escaped it', () => {
    const created = [...tree(repo.dir)].filter((p) => !baseline.has(p));
    expect(created.filter((p) => !p.startsWith(`.loom${path.sep}`))).toEqual([]);
    expect(created.filter((p) => /etc|\.\./.test(p))).toEqual([]);
    expect(existsSync(path.join(repo.dir, '..', 'etc'))).toBe(false);
  });

  it('leaks no secret', () => expectNoSecrets(emulator, [repo]));
});
