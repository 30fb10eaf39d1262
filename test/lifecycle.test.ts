/**
 * The install's life cycle (issue 13): `loom version`, `loom uninstall` and
 * `loom upgrade` in real temporary git repositories against the emulator.
 * Uninstall removes what Loom installed and never a line the user wrote;
 * upgrade keeps the same rules as init and drops only Loom's obsolete
 * settings rules.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VersionJsonSchema } from '../src/commands/lifecycle.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { createTestRepo, seedWith } from './helpers/repo.js';

let emulator: EmulatorHandle;
beforeAll(async () => {
  emulator = await startEmulator(seedWith([]));
});
afterAll(() => emulator.close());

const LOOM_ROOT = path.resolve(import.meta.dirname, '..');
const read = (dir: string, file: string) => readFileSync(path.join(dir, file), 'utf8');
const write = (dir: string, file: string, text: string) => {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), text);
};
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('loom version', () => {
  it('prints the version, the build id and what the repository has installed', async () => {
    const repo = await createTestRepo(emulator);
    const result = await repo.loom(['version', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const info = VersionJsonSchema.parse(JSON.parse(result.stdout));
    const manifest = JSON.parse(read(repo.dir, '.loom/install-manifest.json'));
    expect(info.version).toBe(manifest.loom_version);
    expect(info.build).toMatch(/^[0-9a-f]{12}$/);
    expect(info.installed).toEqual({ version: manifest.loom_version, build: info.build });
    const text = await repo.loom(['version']);
    expect(text.stdout).toContain(`loom ${info.version} (build ${info.build}`);
    repo.cleanup();
  });
});

describe('loom uninstall', () => {
  it('on an untouched install, leaves the repository exactly as before init', async () => {
    const repo = await createTestRepo(emulator);
    expect(await repo.git(['status', '--porcelain'])).not.toBe('');
    const result = await repo.loom(['uninstall']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await repo.git(['status', '--porcelain', '--ignored'])).toBe('');
    expect(existsSync(path.join(repo.dir, '.loom'))).toBe(false);
    expect(result.stdout).toMatch(/labels were left/);
    // Labels on GitHub stay without --labels.
    expect(emulator.store.getLabel('loom:issue')).toBeTruthy();
    repo.cleanup();
  });

  it('keeps every line the user wrote: changed and own files, CLAUDE.md text, settings, .gitignore', async () => {
    const repo = await createTestRepo(emulator, { install: false });
    write(repo.dir, 'CLAUDE.md', '# My project\n\nUse tabs.\n');
    write(repo.dir, '.gitignore', 'dist/\n');
    const mySettings = { model: 'opus', permissions: { allow: ['Bash(make:*)', 'Bash(git status:*)'] } };
    write(repo.dir, '.claude/settings.json', JSON.stringify(mySettings));
    write(repo.dir, '.claude/commands/mine.md', 'my own command\n');
    await repo.git(['add', '-A']);
    await repo.git(['commit', '-qm', 'my files']);
    expect((await repo.loomFromBundle(['init', '.', '--no-labels'])).exitCode).toBe(0);
    // After init the user edits one of Loom's command files and adds to Loom's files.
    write(repo.dir, '.claude/commands/judge.md', `${read(repo.dir, '.claude/commands/judge.md')}\nBe strict.\n`);
    write(repo.dir, 'CLAUDE.md', `${read(repo.dir, 'CLAUDE.md')}\n## Later notes\n`);
    write(repo.dir, '.gitignore', `${read(repo.dir, '.gitignore')}build/\n`);
    write(repo.dir, '.loom/config.json', '{"poll_interval": 60}\n');
    write(
      repo.dir,
      '.github/labels.yml',
      `${read(repo.dir, '.github/labels.yml')}- name: team:web\n  color: "aaaaaa"\n`,
    );
    const labels = read(repo.dir, '.github/labels.yml');

    const result = await repo.loom(['uninstall', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const files = JSON.parse(result.stdout).files as { path: string; action: string }[];
    expect(files.find((f) => f.path === '.claude/commands/judge.md')?.action).toBe('kept');
    expect(read(repo.dir, '.claude/commands/judge.md')).toMatch(/Be strict\.\n$/);
    expect(read(repo.dir, '.claude/commands/mine.md')).toBe('my own command\n');
    expect(existsSync(path.join(repo.dir, '.claude/commands/builder.md'))).toBe(false);
    expect(read(repo.dir, 'CLAUDE.md')).toBe('# My project\n\nUse tabs.\n\n## Later notes\n');
    // The user had Bash(git status:*) before Loom (which ships it too): it stays.
    expect(JSON.parse(read(repo.dir, '.claude/settings.json'))).toEqual(mySettings);
    expect(read(repo.dir, '.gitignore')).toBe('dist/\nbuild/\n');
    expect(read(repo.dir, '.loom/config.json')).toBe('{"poll_interval": 60}\n');
    expect(read(repo.dir, '.github/labels.yml')).toBe(labels);
    // Nothing of Loom's is left beside the user's files.
    expect(readdirSync(path.join(repo.dir, '.loom'))).toEqual(['config.json']);
    repo.cleanup();
  });

  it('--keep-state keeps the runtime files; a CLAUDE.md with broken markers is left alone', async () => {
    const repo = await createTestRepo(emulator);
    write(repo.dir, '.loom/daemon-state.json', '{}\n');
    write(repo.dir, '.loom/logs/w1.log', 'log\n');
    const broken = read(repo.dir, 'CLAUDE.md').replace('<!-- END LOOM -->', '');
    write(repo.dir, 'CLAUDE.md', broken);
    const result = await repo.loom(['uninstall', '--keep-state']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(read(repo.dir, '.loom/daemon-state.json')).toBe('{}\n');
    expect(read(repo.dir, '.loom/logs/w1.log')).toBe('log\n');
    expect(existsSync(path.join(repo.dir, '.loom/scripts'))).toBe(false);
    expect(read(repo.dir, 'CLAUDE.md')).toBe(broken);
    expect(result.stdout).toMatch(/kept CLAUDE\.md .*no <!-- END LOOM -->/);
    repo.cleanup();
  });

  it("--dry-run changes nothing; --labels deletes exactly Loom's labels on GitHub", async () => {
    const repo = await createTestRepo(emulator);
    emulator.store.createLabel({ name: 'bug', color: 'ff0000', description: 'mine' });
    const before = await repo.git(['status', '--porcelain']);
    const dry = await repo.loom(['uninstall', '--dry-run', '--labels']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/would remove \.claude\/commands\/builder\.md/);
    expect(await repo.git(['status', '--porcelain'])).toBe(before);
    expect(emulator.store.getLabel('loom:issue')).toBeTruthy();

    const result = await repo.loom(['uninstall', '--labels']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(emulator.store.getLabel('loom:issue')).toBeFalsy();
    expect(emulator.store.getLabel('bug')).toBeTruthy();
    repo.cleanup();
  });

  it("an install from before the manifest recorded Loom's lines is still removed whole after an init", async () => {
    const repo = await createTestRepo(emulator);
    const manifest = JSON.parse(read(repo.dir, '.loom/install-manifest.json'));
    delete manifest.gitignore_lines;
    delete manifest.settings_allow;
    write(repo.dir, '.loom/install-manifest.json', JSON.stringify(manifest));
    expect((await repo.loom(['init', '.', '--no-labels'])).exitCode).toBe(0);
    const upgraded = JSON.parse(read(repo.dir, '.loom/install-manifest.json'));
    expect(upgraded.gitignore_lines).toContain('# Loom runtime files (added by loom init)');
    const result = await repo.loom(['uninstall']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await repo.git(['status', '--porcelain', '--ignored'])).toBe('');
    repo.cleanup();
  });

  it('refuses without an install manifest and removes nothing', async () => {
    const repo = await createTestRepo(emulator);
    const { rmSync } = await import('node:fs');
    rmSync(path.join(repo.dir, '.loom/install-manifest.json'));
    const result = await repo.loom(['uninstall']);
    expect(result.exitCode).toBe(13);
    expect(result.stderr).toMatch(/cannot tell its files from yours/);
    expect(existsSync(path.join(repo.dir, '.claude/commands/builder.md'))).toBe(true);
    repo.cleanup();
  });
});

describe('loom upgrade', () => {
  /** Turns a fresh install into what an older Loom would have left: an older curator.md and an obsolete rule. */
  function ageInstall(dir: string) {
    const oldCurator = 'curator as an older Loom shipped it\n';
    write(dir, '.claude/commands/curator.md', oldCurator);
    const settings = JSON.parse(read(dir, '.claude/settings.json'));
    settings.permissions.allow.splice(1, 0, 'Bash(.loom/scripts/*:*)', 'Bash(gh pr create:*)');
    write(dir, '.claude/settings.json', JSON.stringify(settings, null, 2));
    const manifest = JSON.parse(read(dir, '.loom/install-manifest.json'));
    manifest.loom_version = '0.0.9';
    manifest.loom_build = 'aaaaaaaaaaaa';
    manifest.files['.claude/commands/curator.md'] = sha(oldCurator);
    // The older Loom shipped and recorded `gh pr create`; the wildcard rule predates the record.
    manifest.settings_allow = [...manifest.settings_allow, 'Bash(gh pr create:*)'];
    write(dir, '.loom/install-manifest.json', JSON.stringify(manifest));
  }

  it("re-installs from a newer Loom: what changed, what was kept, obsolete rules of Loom dropped, the user's kept", async () => {
    const repo = await createTestRepo(emulator);
    ageInstall(repo.dir);
    const settings = JSON.parse(read(repo.dir, '.claude/settings.json'));
    settings.permissions.allow.push('Bash(make test:*)');
    write(repo.dir, '.claude/settings.json', JSON.stringify(settings, null, 2));
    write(repo.dir, '.claude/commands/judge.md', 'my judge\n');

    const result = await repo.loom(['upgrade', '--from', LOOM_ROOT, '--no-labels']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /Upgrading Loom 0\.0\.9 \(build aaaaaaaaaaaa\) → \d+\.\d+\.\d+ \(build [0-9a-f]{12}\)/,
    );
    expect(result.stdout).toMatch(/update \.claude\/commands\/curator\.md/);
    expect(result.stdout).toMatch(/kept \.claude\/commands\/judge\.md/);
    expect(read(repo.dir, '.claude/commands/curator.md')).toBe(read(LOOM_ROOT, 'defaults/.claude/commands/curator.md'));
    expect(read(repo.dir, '.claude/commands/judge.md')).toBe('my judge\n');
    const allow = JSON.parse(read(repo.dir, '.claude/settings.json')).permissions.allow as string[];
    expect(allow).not.toContain('Bash(.loom/scripts/*:*)');
    expect(allow).not.toContain('Bash(gh pr create:*)');
    expect(allow).toContain('Bash(make test:*)');
    expect(allow).toContain('Bash(.loom/scripts/loom:*)');
    const manifest = JSON.parse(read(repo.dir, '.loom/install-manifest.json'));
    expect(manifest.loom_version).not.toBe('0.0.9');
    expect(manifest.settings_allow).not.toContain('Bash(make test:*)');
    repo.cleanup();
  });

  it('keeps a rule Loom once shipped when the user had written it before installing Loom', async () => {
    const repo = await createTestRepo(emulator, { install: false });
    write(repo.dir, '.claude/settings.json', JSON.stringify({ permissions: { allow: ['Bash(git status:*)'] } }));
    expect((await repo.loomFromBundle(['init', '.', '--no-labels'])).exitCode).toBe(0);
    const manifest = JSON.parse(read(repo.dir, '.loom/install-manifest.json'));
    expect(manifest.settings_allow).not.toContain('Bash(git status:*)');
    expect(manifest.settings_allow).toContain('Bash(.loom/scripts/loom:*)');
    repo.cleanup();
  });

  it('refuses a --from without a Loom in it', async () => {
    const repo = await createTestRepo(emulator);
    const result = await repo.loom(['upgrade', '--from', repo.home]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/No Loom found/);
    repo.cleanup();
  });
});

describe('init: known defects (issue 13)', () => {
  it("keeps the user's edits to Loom's own entries in labels.yml, with their comments", async () => {
    const repo = await createTestRepo(emulator);
    const text = read(repo.dir, '.github/labels.yml');
    const edited = text
      .replace(/(- name: loom:issue\n {2}color: )"[0-9a-f]{6}"/, '$1"123456"')
      .replace('# Loom', '# my comment\n# Loom');
    expect(edited).not.toBe(text);
    write(repo.dir, '.github/labels.yml', `${edited}- name: team:web\n  color: "aaaaaa"\n  description: mine\n`);
    const mine = read(repo.dir, '.github/labels.yml');
    const result = await repo.loom(['init', '.', '--no-labels']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(read(repo.dir, '.github/labels.yml')).toBe(mine);
    repo.cleanup();
  });

  it("updates an entry still at Loom's previous values and appends Loom's new labels", async () => {
    const repo = await createTestRepo(emulator);
    const manifest = JSON.parse(read(repo.dir, '.loom/install-manifest.json'));
    // An older Loom shipped loom:issue as 00ff00 and had no loom:blocked.
    manifest.labels['loom:issue'] = { color: '00ff00', description: 'old text' };
    write(repo.dir, '.loom/install-manifest.json', JSON.stringify(manifest));
    const text = read(repo.dir, '.github/labels.yml');
    const old = text
      .replace(
        /(- name: loom:issue\n {2}color: )"[0-9a-f]{6}"\n {2}description: .*/,
        '$1"00ff00"\n  description: old text',
      )
      .replace(/- name: loom:blocked\n.*\n.*\n/, '');
    write(repo.dir, '.github/labels.yml', old);
    const result = await repo.loom(['init', '.', '--no-labels']);
    expect(result.exitCode, result.stderr).toBe(0);
    const merged = read(repo.dir, '.github/labels.yml');
    const { parse } = await import('yaml');
    const byName = new Map((parse(merged) as { name: string }[]).map((l) => [l.name, l]));
    const shipped = new Map((parse(text) as { name: string }[]).map((l) => [l.name, l]));
    expect(byName.get('loom:issue')).toEqual(shipped.get('loom:issue'));
    expect(byName.get('loom:blocked')).toEqual(shipped.get('loom:blocked'));
    repo.cleanup();
  });

  it('gitignores the lock owner and takeover files', async () => {
    const repo = await createTestRepo(emulator);
    write(repo.dir, '.loom/daemon-state.json.lock-owner', '{}');
    write(repo.dir, '.loom/worktrees.lock-owner', '{}');
    write(repo.dir, '.loom/daemon-state.json.lock-takeover/x', '');
    await repo.git(['add', '-A']);
    const tracked = await repo.git(['diff', '--cached', '--name-only']);
    expect(tracked).not.toMatch(/lock-owner|lock-takeover/);
    repo.cleanup();
  });
});
