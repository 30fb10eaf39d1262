/**
 * Reliability scenario 9 — no write leaves the repository (issue 10, finding
 * 5 and the FIFO of finding 6). Symlinks planted where Loom keeps its files
 * (the state, its lock-owner file, `.loom/claims`) and committed symlinks
 * where `loom init` installs (CLAUDE.md, .gitignore, .claude/settings.json,
 * .loom/config.json, .loom/scripts) never carry a write out of the
 * repository; a FIFO in place of the state file is refused at once.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { expectNoSecrets, run, stateFile } from './helpers/reliability.js';
import { BUNDLE, createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';

let emulator: EmulatorHandle;
/** A folder outside every repository, standing in for the user's home. */
let outside: string;
const BAIT = 'the user’s own file\n';
const bait = (name: string) => {
  const file = path.join(outside, name);
  writeFileSync(file, BAIT);
  return file;
};

beforeAll(async () => {
  emulator = await startEmulator(seedWith([{ labels: ['loom:issue'] }, { labels: ['loom:issue'] }]));
  outside = mkdtempSync(path.join(tmpdir(), 'loom-outside-'));
});

afterAll(async () => {
  rmSync(outside, { recursive: true, force: true });
  await emulator?.close();
});

describe('runtime files planted as symlinks', () => {
  let repo: TestRepo;
  const loomFile = (name: string) => path.join(repo.dir, '.loom', name);
  beforeEach(async () => {
    repo?.cleanup();
    repo = await createTestRepo(emulator, { config: { max_shepherds: 1, issue_threshold: 0 }, inProcess: true });
  });
  afterAll(() => repo?.cleanup());

  it('the lock-owner file: iterate refuses (exit 8) and the target is untouched', async () => {
    const target = bait('owner-target');
    symlinkSync(target, loomFile('daemon-state.json.lock-owner'));
    const result = await run(repo, ['iterate']);
    expect(readFileSync(target, 'utf8')).toBe(BAIT);
    expect(result.exitCode, result.stderr).toBe(8);
    expect(result.stderr).toContain('daemon-state.json.lock-owner');
    expect(result.stderr).toContain('symbolic link');
    expect(labelsOf(emulator, 1)).toEqual(['loom:issue']); // refused before any claim
  });

  it('the state file: every reader and writer refuses; the target keeps its text', async () => {
    const target = bait('state-target');
    writeFileSync(target, `${JSON.stringify({ version: 1 })}\n`);
    const before = readFileSync(target, 'utf8');
    symlinkSync(target, stateFile(repo));
    for (const args of [['iterate'], ['status'], ['start'], ['progress', '1', '--phase', 'builder']]) {
      const result = await run(repo, args);
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(8);
      // status shows every problem in its report (stdout); the others print one error line.
      expect(result.stdout + result.stderr).toContain('symbolic link');
    }
    expect(readFileSync(target, 'utf8')).toBe(before);
    expect(lstatSync(stateFile(repo)).isSymbolicLink()).toBe(true);
  });

  it('.loom/claims: no claim lock is created outside, nothing is claimed', async () => {
    const target = mkdtempSync(path.join(outside, 'claims-'));
    symlinkSync(target, loomFile('claims'));
    const result = await run(repo, ['iterate']);
    expect(readdirSync(target)).toEqual([]);
    expect(result.exitCode, result.stderr).toBe(8);
    expect(result.stderr).toContain('.loom/claims');
    expect(labelsOf(emulator, 1)).toEqual(['loom:issue']);
    expect(labelsOf(emulator, 2)).toEqual(['loom:issue']);
  });

  it('a FIFO in place of the state file: iterate, status and start answer at once (exit 8)', async () => {
    execFileSync('mkfifo', [stateFile(repo)]);
    for (const args of [['iterate'], ['status'], ['status', '--json'], ['start']]) {
      const result = await run(repo, args, {}, 15_000);
      expect(result.signal, `${args.join(' ')} hung`).toBeUndefined();
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(8);
      expect(result.stdout + result.stderr).toContain('not a regular file');
    }
    expect(lstatSync(stateFile(repo)).isFIFO()).toBe(true);
  });

  it('a state path naming some other file: the error does not quote its content', async () => {
    writeFileSync(stateFile(repo), 'SECRET-LOOKING first line of a private file\n');
    const result = await run(repo, ['status']);
    expect(result.exitCode).toBe(8);
    expect(result.stdout + result.stderr).toContain('not valid JSON');
    expect(result.stdout + result.stderr).not.toContain('SECRET-LOOKING');
  });
});

describe('loom init into a repository with committed symlinks', () => {
  const repos: string[] = [];
  afterAll(() => {
    for (const dir of repos) rmSync(dir, { recursive: true, force: true });
  });

  async function gitRepo(): Promise<string> {
    const dir = mkdtempSync(path.join(tmpdir(), 'loom-hostile-'));
    repos.push(dir);
    await execa('git', ['init', '-q', '-b', 'main'], { cwd: dir });
    return dir;
  }
  const init = (dir: string, ...args: string[]) =>
    execa('node', [BUNDLE, 'init', dir, '--no-labels', ...args], { cwd: dir, reject: false, timeout: 60_000 });

  it.each([
    ['CLAUDE.md', 'file'],
    ['.gitignore', 'file'],
    ['.claude/settings.json', 'file'],
    ['.loom/config.json', 'file'],
    ['.loom/scripts', 'folder'],
    ['.claude', 'folder'],
  ])('%s → a %s outside: refused naming it, nothing written anywhere', async (name, kind) => {
    const dir = await gitRepo();
    const target = kind === 'file' ? bait(`init-${name.replace(/\W/g, '_')}`) : mkdtempSync(path.join(outside, 'd-'));
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    symlinkSync(target, path.join(dir, name));
    const result = await init(dir);
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr).toContain(name);
    expect(result.stderr).toContain('--follow-symlinks');
    if (kind === 'file') expect(readFileSync(target, 'utf8')).toBe(BAIT);
    else expect(readdirSync(target)).toEqual([]);
    // Refused before the first write: the repository got nothing either.
    expect(existsSync(path.join(dir, '.claude/commands'))).toBe(false);
    // --follow-symlinks never follows a link out of the repository.
    const again = await init(dir, '--follow-symlinks');
    expect(again.exitCode).toBe(2);
    if (kind === 'file') expect(readFileSync(target, 'utf8')).toBe(BAIT);
    else expect(readdirSync(target)).toEqual([]);
  });

  it('--follow-symlinks writes through a link that stays inside the repository', async () => {
    const dir = await gitRepo();
    mkdirSync(path.join(dir, 'docs'));
    writeFileSync(path.join(dir, 'docs/AGENTS.md'), '# Agents\nmy notes\n');
    symlinkSync('docs/AGENTS.md', path.join(dir, 'CLAUDE.md'));
    expect((await init(dir)).exitCode).toBe(2);
    const result = await init(dir, '--follow-symlinks');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(lstatSync(path.join(dir, 'CLAUDE.md')).isSymbolicLink()).toBe(true);
    const text = readFileSync(path.join(dir, 'docs/AGENTS.md'), 'utf8');
    expect(text).toContain('my notes');
    expect(text).toContain('<!-- BEGIN LOOM -->');
  });
});

describe('leaks', () => {
  it('leaks no secret', () => expectNoSecrets(emulator, []));
});
