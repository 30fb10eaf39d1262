/**
 * The GitHub Actions workflows as installed files (issue 14), in real temporary git repositories with the
 * built CLI: `loom init --actions`, `loom actions install|uninstall [--daemon]`, refresh on init/upgrade,
 * removal by `loom uninstall`, under the same manifest rules as every file Loom installs (a workflow the
 * user changed is never overwritten or removed). Plus `loom actions check-inputs` as the workflow runs it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionsJsonSchema, CheckInputsJsonSchema } from '../src/commands/actions.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { createTestRepo, seedWith } from './helpers/repo.js';

let emulator: EmulatorHandle;
beforeAll(async () => {
  emulator = await startEmulator(seedWith([]));
});
afterAll(() => emulator.close());

const SHEPHERD = '.github/workflows/loom-shepherd.yml';
const SUPPORT = '.github/workflows/loom-support.yml';
const DAEMON = '.github/workflows/loom-daemon.yml';
const read = (dir: string, file: string) => readFileSync(path.join(dir, file), 'utf8');
const write = (dir: string, file: string, text: string) => {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), text);
};
const has = (dir: string, file: string) => existsSync(path.join(dir, file));
const manifestFiles = (dir: string) =>
  JSON.parse(read(dir, '.loom/install-manifest.json')).files as Record<string, string>;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('loom init --actions', () => {
  it('writes the shepherd and support workflows, records them, names the secret; a second run changes nothing', async () => {
    const repo = await createTestRepo(emulator, { install: false });
    const result = await repo.loomFromBundle(['init', '.', '--no-labels', '--actions']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`create ${SHEPHERD}`);
    expect(result.stdout).toContain(`create ${SUPPORT}`);
    expect(result.stdout).toContain('add the repository secret ANTHROPIC_API_KEY');
    expect(has(repo.dir, DAEMON)).toBe(false);
    const files = manifestFiles(repo.dir);
    expect(files[SHEPHERD]).toBe(sha(read(repo.dir, SHEPHERD)));
    expect(files[SUPPORT]).toBe(sha(read(repo.dir, SUPPORT)));
    // A plain init later (or an upgrade) keeps them installed and unchanged.
    const again = await repo.loom(['init', '.', '--no-labels', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    const actions = Object.fromEntries(
      (JSON.parse(again.stdout).files as { path: string; action: string }[]).map((f) => [f.path, f.action]),
    );
    expect(actions[SHEPHERD]).toBe('unchanged');
    expect(actions[SUPPORT]).toBe('unchanged');
    expect(manifestFiles(repo.dir)[SHEPHERD]).toBe(files[SHEPHERD]);
    repo.cleanup();
  });

  it('without --actions installs no workflow', async () => {
    const repo = await createTestRepo(emulator);
    expect(has(repo.dir, '.github/workflows')).toBe(false);
    expect(Object.keys(manifestFiles(repo.dir)).some((f) => f.startsWith('.github/workflows/'))).toBe(false);
    repo.cleanup();
  });
});

describe('loom actions install | uninstall', () => {
  it('installs into an existing install, refreshes from the config, adds and removes the daemon workflow', async () => {
    const repo = await createTestRepo(emulator);
    const dry = await repo.loom(['actions', 'install', '--dry-run', '--json']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    const plan = ActionsJsonSchema.parse(JSON.parse(dry.stdout));
    expect(plan.files.map((f) => [f.path, f.action])).toEqual([
      [SHEPHERD, 'create'],
      [SUPPORT, 'create'],
    ]);
    expect(has(repo.dir, SHEPHERD)).toBe(false);

    const installed = await repo.loom(['actions', 'install']);
    expect(installed.exitCode, installed.stderr).toBe(0);
    expect(installed.stdout).toContain('gh secret set ANTHROPIC_API_KEY');
    expect(read(repo.dir, SUPPORT)).toContain('/guide');

    // The config changes: the Guide is switched off and the OAuth token chosen; install regenerates both.
    const config = JSON.parse(read(repo.dir, '.loom/config.json'));
    config.guide.enabled = false;
    config.actions.secret = 'CLAUDE_CODE_OAUTH_TOKEN';
    write(repo.dir, '.loom/config.json', `${JSON.stringify(config, null, 2)}\n`);
    const refreshed = ActionsJsonSchema.parse(JSON.parse((await repo.loom(['actions', 'install', '--json'])).stdout));
    expect(refreshed.files.map((f) => f.action)).toEqual(['update', 'update']);
    expect(refreshed.secret).toBe('CLAUDE_CODE_OAUTH_TOKEN');
    expect(read(repo.dir, SUPPORT)).not.toContain('/guide');
    expect(read(repo.dir, SHEPHERD)).toContain('secrets.CLAUDE_CODE_OAUTH_TOKEN');
    expect(manifestFiles(repo.dir)[SUPPORT]).toBe(sha(read(repo.dir, SUPPORT)));

    const daemon = ActionsJsonSchema.parse(
      JSON.parse((await repo.loom(['actions', 'install', '--daemon', '--json'])).stdout),
    );
    expect(daemon.installed.sort()).toEqual(['loom-daemon.yml', 'loom-shepherd.yml', 'loom-support.yml']);
    expect(read(repo.dir, DAEMON)).toContain('loom iterate --runner actions');
    // Installing again without --daemon keeps it (only uninstall --daemon removes it).
    expect((await repo.loom(['actions', 'install'])).exitCode).toBe(0);
    expect(has(repo.dir, DAEMON)).toBe(true);

    const noDaemon = await repo.loom(['actions', 'uninstall', '--daemon']);
    expect(noDaemon.exitCode, noDaemon.stderr).toBe(0);
    expect(has(repo.dir, DAEMON)).toBe(false);
    expect(has(repo.dir, SHEPHERD)).toBe(true);
    expect(manifestFiles(repo.dir)[DAEMON]).toBeUndefined();

    const all = await repo.loom(['actions', 'uninstall']);
    expect(all.exitCode, all.stderr).toBe(0);
    expect(has(repo.dir, SHEPHERD) || has(repo.dir, SUPPORT)).toBe(false);
    expect(Object.keys(manifestFiles(repo.dir)).some((f) => f.startsWith('.github/workflows/'))).toBe(false);
    // The rest of the install is untouched and a later init installs no workflow again.
    expect(has(repo.dir, '.loom/scripts/loom')).toBe(true);
    expect((await repo.loom(['init', '.', '--no-labels'])).exitCode).toBe(0);
    expect(has(repo.dir, SHEPHERD)).toBe(false);
    repo.cleanup();
  });

  it('never overwrites or removes a workflow the user changed; --force saves theirs first', async () => {
    const repo = await createTestRepo(emulator);
    expect((await repo.loom(['actions', 'install'])).exitCode).toBe(0);
    const mine = `${read(repo.dir, SHEPHERD)}# my change\n`;
    write(repo.dir, SHEPHERD, mine);
    // A config change makes Loom's version differ: the user's file stays, Loom's goes beside it.
    const config = JSON.parse(read(repo.dir, '.loom/config.json'));
    config.actions.timeout_minutes = 90;
    write(repo.dir, '.loom/config.json', `${JSON.stringify(config, null, 2)}\n`);
    const upgrade = await repo.loom(['upgrade', '--no-labels', '--json']);
    expect(upgrade.exitCode, upgrade.stderr).toBe(0);
    const shepherd = (JSON.parse(upgrade.stdout).init.files as { path: string; action: string }[]).find(
      (f) => f.path === SHEPHERD,
    );
    expect(shepherd?.action).toBe('kept');
    expect(read(repo.dir, SHEPHERD)).toBe(mine);
    expect(read(repo.dir, `${SHEPHERD}.loom-new`)).toContain('timeout-minutes: 90');
    expect(read(repo.dir, SUPPORT)).toContain('timeout-minutes: 60');

    // Uninstall keeps the changed file (no longer Loom's) and removes Loom's .loom-new beside it.
    const removed = ActionsJsonSchema.parse(JSON.parse((await repo.loom(['actions', 'uninstall', '--json'])).stdout));
    expect(removed.files.find((f) => f.path === SHEPHERD)?.action).toBe('skipped');
    expect(read(repo.dir, SHEPHERD)).toBe(mine);
    expect(has(repo.dir, `${SHEPHERD}.loom-new`)).toBe(false);
    expect(has(repo.dir, SUPPORT)).toBe(false);

    // Installing again: the user's file is theirs, so Loom's goes beside it; --force replaces it after a backup.
    expect((await repo.loom(['actions', 'install'])).exitCode).toBe(0);
    expect(read(repo.dir, SHEPHERD)).toBe(mine);
    expect(has(repo.dir, `${SHEPHERD}.loom-new`)).toBe(true);
    const forced = await repo.loom(['actions', 'install', '--force']);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(read(repo.dir, `${SHEPHERD}.loom-backup`)).toBe(mine);
    expect(read(repo.dir, SHEPHERD)).not.toContain('# my change');
    repo.cleanup();
  });

  it('loom uninstall removes the workflows with the rest, and the folders they leave empty', async () => {
    const repo = await createTestRepo(emulator, { install: false });
    expect((await repo.loomFromBundle(['init', '.', '--no-labels', '--actions', '--daemon'])).exitCode).toBe(0);
    expect(has(repo.dir, DAEMON)).toBe(true);
    const result = await repo.loom(['uninstall']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(has(repo.dir, '.github')).toBe(false);
    expect(await repo.git(['status', '--porcelain', '--ignored'])).toBe('');
    repo.cleanup();
  });

  it('refuses where Loom is not installed (exit 13) and on an invalid config (exit 10), writing nothing', async () => {
    const repo = await createTestRepo(emulator, { install: false });
    const bare = await repo.loomFromBundle(['actions', 'install']);
    expect(bare.exitCode).toBe(13);
    expect(bare.stderr).toContain('loom init --actions');
    expect(has(repo.dir, '.github')).toBe(false);
    expect((await repo.loomFromBundle(['init', '.', '--no-labels'])).exitCode).toBe(0);
    write(repo.dir, '.loom/config.json', '{"actions": {"secret": "MY_KEY"}}\n');
    const invalid = await repo.loom(['actions', 'install']);
    expect(invalid.exitCode).toBe(10);
    expect(invalid.stderr).toContain('actions.secret');
    expect(has(repo.dir, '.github/workflows')).toBe(false);
    repo.cleanup();
  });

  it('--help names the exit codes', async () => {
    const repo = await createTestRepo(emulator);
    const help = await repo.loom(['actions', 'install', '--help']);
    expect(help.stdout).toMatch(/Exit codes/i);
    expect(help.stdout).toMatch(/13/);
    repo.cleanup();
  });
});

describe('loom actions check-inputs (the shepherd workflow step)', () => {
  it('reads the inputs from the environment and appends the prompt to GITHUB_OUTPUT', async () => {
    const repo = await createTestRepo(emulator);
    const output = path.join(repo.home, 'github-output');
    writeFileSync(output, 'earlier=1\n');
    const env = { LOOM_ISSUE: '12', LOOM_SLOT: 'actions-1', LOOM_ARGS: '--force-pr', GITHUB_OUTPUT: output };
    const ok = await repo.loom(['actions', 'check-inputs'], { env });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toBe('/shepherd 12 --force-pr');
    expect(readFileSync(output, 'utf8')).toBe('earlier=1\nprompt=/shepherd 12 --force-pr\n');

    const bad = await repo.loom(['actions', 'check-inputs', '--json'], {
      env: { ...env, LOOM_ISSUE: '12 && curl evil', LOOM_ARGS: 'do something else' },
    });
    expect(bad.exitCode).toBe(2);
    const answer = CheckInputsJsonSchema.parse(JSON.parse(bad.stdout));
    expect(answer.ok).toBe(false);
    expect(readFileSync(output, 'utf8')).toBe('earlier=1\nprompt=/shepherd 12 --force-pr\n');
    repo.cleanup();
  });
});
