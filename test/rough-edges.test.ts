/**
 * Issue 13's rough edges, each with a test: EPIPE, environment variables and
 * config bounds, LOOM_GH not executable, an invalid .claude/settings.json,
 * `worktree` of a number that is no issue, exit codes in every --help, the
 * failure JSON of iterate and status, runtime files gitignored, the root --help.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { EXIT_CODES } from '../src/commands/exit-codes.js';
import { StatusReportSchema } from '../src/core/status-report.js';
import { ExitCode } from '../src/errors.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { captureOutput } from './helpers/in-process.js';
import { BUNDLE, createTestRepo, seedWith, type TestRepo } from './helpers/repo.js';

let emulator: EmulatorHandle;
let repo: TestRepo;
beforeAll(async () => {
  emulator = await startEmulator(seedWith([{ labels: ['loom:issue'] }]));
  repo = await createTestRepo(emulator);
  await repo.git(['add', '-A']);
  await repo.git(['commit', '-qm', 'install loom']);
});
afterAll(async () => {
  repo.cleanup();
  await emulator.close();
});

const noBug = (result: { stderr: string }) =>
  expect(result.stderr).not.toMatch(/unexpected error|a bug|at .*\.m?js:\d+/);

describe('a closed pipe (`loom … | head`)', () => {
  it.each([['iterate', '--dry-run'], ['init', '.', '--dry-run'], ['--help']])(
    'loom %s … | true ends quietly with 0',
    async (...args) => {
      // `true` exits at once without reading, so every write of loom meets a closed pipe.
      const script = `"$0" "$@" | true; echo "exit=\${PIPESTATUS[0]}" >&2`;
      const result = await execa('bash', ['-c', script, 'node', path.join(repo.dir, '.loom/scripts/loom'), ...args], {
        cwd: repo.dir,
        env: repo.env,
        extendEnv: false,
        reject: false,
      });
      expect(result.stderr.trim()).toBe('exit=0');
    },
  );
});

describe('environment variables', () => {
  it.each(['abc', '-1', '0', '100000'])('LOOM_GH_TIMEOUT=%s is refused with a clear error (exit 2)', async (value) => {
    const result = await repo.loom(['status'], { env: { LOOM_GH_TIMEOUT: value } });
    expect(result.exitCode).toBe(ExitCode.usage);
    expect(result.stderr).toContain(`LOOM_GH_TIMEOUT="${value}" is not a number of seconds`);
    noBug(result);
  });

  it('LOOM_GH pointing at a file that is not executable → exit 3 with the fix', async () => {
    const file = path.join(repo.home, 'not-gh');
    writeFileSync(file, 'just text\n');
    const result = await repo.loom(['labels', 'sync', '--dry-run'], { env: { LOOM_GH: file } });
    expect(result.exitCode).toBe(ExitCode.ghMissing);
    expect(result.stderr).toContain('not an executable file');
    expect(result.stderr).toContain('LOOM_GH');
    noBug(result);
  });
});

describe('.claude/settings.json', () => {
  it.each([
    ['not JSON', '{"permissions": {', /not valid JSON/],
    ['not an object', '[1, 2]', /not a JSON object/],
    ['allow not a list', '{"permissions": {"allow": "Bash"}}', /permissions.allow" that is not a list/],
  ])('%s: its own message and exit code (not config.json’s 10); nothing written', async (_name, text, message) => {
    const own = await createTestRepo(emulator, { install: false });
    mkdirSync(path.join(own.dir, '.claude'));
    writeFileSync(path.join(own.dir, '.claude/settings.json'), text);
    const result = await own.loomFromBundle(['init', '.', '--no-labels']);
    expect(result.exitCode).toBe(ExitCode.settingsInvalid);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('.claude/settings.json');
    expect(result.stderr).not.toContain('config.json');
    expect(readFileSync(path.join(own.dir, '.claude/settings.json'), 'utf8')).toBe(text);
    expect(readdirSync(path.join(own.dir, '.claude'))).toEqual(['settings.json']);
    noBug(result);
    own.cleanup();
  });
});

describe('config bounds', () => {
  it.each([
    [{ wait_budget: 100000 }, 'wait_budget', /590/],
    [{ wait_budget: 0 }, 'wait_budget', /./],
    [{ poll_interval: 0 }, 'poll_interval', /./],
    [{ poll_interval: 86400 }, 'poll_interval', /./],
    [{ shutdown_drain: 5000 }, 'shutdown_drain', /590/],
    [{ shepherd_args: '--force-pr; rm -rf /' }, 'shepherd_args', /--force-pr or --force-merge/],
    [{ shepherd_args: '--force-pr --force-merge' }, 'shepherd_args', /./],
  ])('%j is refused naming the field (exit 10)', async (config, field, detail) => {
    const own = await createTestRepo(emulator, { config });
    const result = await own.loom(['iterate', '--dry-run']);
    expect(result.exitCode).toBe(ExitCode.configInvalid);
    expect(result.stderr).toContain(field);
    expect(result.stderr).toMatch(detail);
    noBug(result);
    own.cleanup();
  });

  it('accepts the shepherd arguments shepherd.md knows', async () => {
    const own = await createTestRepo(emulator, { config: { shepherd_args: '--force-merge --to approved' } });
    expect((await own.loom(['iterate', '--dry-run'])).exitCode).toBe(0);
    own.cleanup();
  });

  it('progress --phase takes only the shepherd phases; --budget and --drain stay below 600 s', async () => {
    const bad = await repo.loom(['progress', '1', '--phase', 'lunch']);
    expect(bad.exitCode).toBe(ExitCode.usage);
    expect(bad.stderr).toContain('phase');
    expect((await repo.loom(['iterate', '--wait', '--budget', '5000'])).exitCode).toBe(ExitCode.usage);
    expect((await repo.loom(['shutdown', '--daemon', 'x', '--drain', '5000'])).exitCode).toBe(ExitCode.usage);
  });
});

describe('worktree of a number that is no issue', () => {
  it('is refused before a branch is made, and clean is never stuck on it', async () => {
    const result = await repo.loom(['worktree', '999']);
    expect(result.exitCode).toBe(ExitCode.notFound);
    expect(result.stderr).toContain('#999 is not an issue');
    expect(await repo.git(['branch', '--list', 'feature/issue-999'])).toBe('');
    // A worktree of a missing issue made some other way (an older Loom did): clean removes it, exit 0.
    await repo.git(['worktree', 'add', '-q', '-b', 'feature/issue-998', '.loom/worktrees/issue-998']);
    writeFileSync(
      path.join(repo.dir, '.loom/worktrees/issue-998/.loom-worktree'),
      JSON.stringify({ issue: 998, created_at: new Date().toISOString() }),
    );
    writeFileSync(path.join(repo.dir, '.git/info/exclude'), '/.loom-worktree\n'); // as Loom keeps its marker out
    const clean = await repo.loom(['worktree', 'clean', '--json']);
    expect(clean.exitCode, clean.stderr).toBe(0);
    const entry = JSON.parse(clean.stdout).worktrees.find((w: { issue: number }) => w.issue === 998);
    expect(entry).toMatchObject({ action: 'removed' });
    expect(await repo.git(['branch', '--list', 'feature/issue-998'])).toContain('feature/issue-998');
  });
});

describe('--help', () => {
  it('every command lists its exit codes from the shared table', async () => {
    // Each help text from the CLI's main() in-process; the built CLI lists the same commands.
    const help = async (args: string[]) => {
      const io = captureOutput();
      expect(await main([...args, '--help'], { cwd: repo.dir, env: repo.env, io })).toBe(0);
      return io.stdout.join('\n');
    };
    // Command names from the "Commands:" section of a help text.
    const commandsOf = (text: string) =>
      [...(/\nCommands:\n([\s\S]*?)(\n\n|$)/.exec(text)?.[1] ?? '').matchAll(/^ {2}([a-z][a-z-]*)/gm)]
        .map((m) => m[1]!)
        .filter((n) => n !== 'help');
    const names = commandsOf(await help([]));
    expect(names.length).toBeGreaterThan(15);
    expect(commandsOf((await execa('node', [BUNDLE, '--help'])).stdout)).toEqual(names);
    const commands = [...names.map((n) => [n])];
    for (const parent of ['labels', 'worktree']) {
      for (const name of commandsOf(await help([parent]))) commands.push([parent, name]);
    }
    const missing: string[] = [];
    for (const command of commands) {
      const text = await help(command);
      const block = /Exit codes:\n((?: {2}[ \d]\d {2}.+\n?)+)/.exec(text);
      const key = command.join(' ');
      if (!block || !EXIT_CODES[key]) {
        missing.push(key);
        continue;
      }
      const listed = block[1]!
        .trim()
        .split('\n')
        .map((line) => Number(line.trim().split(' ')[0]));
      expect(listed, key).toEqual(Object.keys(EXIT_CODES[key]!).map(Number));
    }
    expect(missing).toEqual([]);
  });

  it('loom --help does not point at README.md (in a target repository that is the user’s)', async () => {
    const top = (await execa('node', [BUNDLE, '--help'])).stdout;
    expect(top).not.toContain('README.md');
    expect(top).toContain('loom doctor');
  });
});

describe('failure JSON', () => {
  let bare: string;
  beforeAll(() => {
    bare = mkdtempSync(path.join(tmpdir(), 'loom-not-installed-'));
  });
  afterAll(() => rmSync(bare, { recursive: true, force: true }));

  it('iterate --json keeps the loom.iterate/1 shape with errors[] when it cannot run', async () => {
    await execa('git', ['init', '-q', bare]);
    const result = await execa('node', [BUNDLE, 'iterate', '--json'], { cwd: bare, reject: false });
    expect(result.exitCode).toBe(ExitCode.notInstalled);
    const { IterateJsonSchema } = await import('../src/commands/iterate.js');
    const answer = IterateJsonSchema.parse(JSON.parse(result.stdout));
    expect(answer.errors[0]).toMatchObject({ code: 'NOT_INSTALLED' });
  });

  it('status --json keeps the loom.status/1 shape with errors[] when it cannot run', async () => {
    const result = await execa('node', [BUNDLE, 'status', '--json'], { cwd: bare, reject: false });
    expect(result.exitCode).toBe(ExitCode.notInstalled);
    const answer = StatusReportSchema.parse(JSON.parse(result.stdout));
    expect(answer.errors[0]).toMatchObject({ code: 'NOT_INSTALLED' });
  });
});

describe('runtime files', () => {
  it('are all gitignored, the state file Troubleshooting suggests moving aside included', async () => {
    for (const file of [
      '.loom/daemon-state.json',
      '.loom/daemon-state.json.bad',
      '.loom/daemon-state.json.lock',
      '.loom/stop-daemon',
      '.loom/stop-shepherds',
      '.loom/claims/issue-1.json',
      '.loom/logs/x.log',
      '.loom/worktrees.lock',
    ]) {
      const check = await execa('git', ['check-ignore', '-q', file], { cwd: repo.dir, reject: false });
      expect(check.exitCode, file).toBe(0);
    }
  });
});
