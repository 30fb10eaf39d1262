import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { defaultConfig } from '../src/core/config.js';
import { allLabelNames } from '../src/core/labels.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { BUNDLE, createTestRepo, seedWith } from './helpers/repo.js';

let emulator: EmulatorHandle;
beforeAll(async () => {
  emulator = await startEmulator({
    ...seedWith([]),
    labels: [
      { name: 'bug', color: 'ff0000', description: 'theirs' },
      { name: 'loom:issue', color: '000000', description: 'old' },
    ],
  });
});
afterAll(() => emulator.close());

const ROOT = path.resolve(import.meta.dirname, '..');

describe('loom init', () => {
  it('installs everything into a fresh repository and syncs labels without deleting any', async () => {
    const repo = await createTestRepo(emulator, { install: false });
    const result = await repo.loom([], {}).catch(() => undefined); // no bundle there yet
    expect(result?.exitCode).not.toBe(0);
    const init = await execa('node', [BUNDLE, 'init', repo.dir], {
      cwd: repo.dir,
      env: repo.env,
      extendEnv: false,
      reject: false,
    });
    expect(init.exitCode, init.stderr).toBe(0);
    for (const file of [
      'loom',
      'shepherd',
      'builder',
      'judge',
      'curator',
      'doctor',
      'champion',
      'architect',
      'hermit',
      'guide',
    ]) {
      expect(existsSync(path.join(repo.dir, `.claude/commands/${file}.md`)), file).toBe(true);
    }
    for (const file of [
      '.claude/settings.json',
      '.loom/config.json',
      '.loom/scripts/loom',
      '.loom/scripts/loom-status.sh',
      '.github/labels.yml',
      'CLAUDE.md',
      '.gitignore',
    ]) {
      expect(existsSync(path.join(repo.dir, file)), file).toBe(true);
    }
    expect(init.stdout).toMatch(/labels: \d+ created, 0 updated, 0 unchanged, 1 kept/); // loom:issue has the repository's own values
    const labels = emulator.state().labels!.map((l) => l.name);
    expect(labels).toContain('bug');
    for (const name of allLabelNames) expect(labels).toContain(name);
    // Runtime files are ignored: a daemon run leaves the tree clean.
    await repo.loom(['iterate']);
    await repo.git(['add', '-A']);
    await repo.git(['commit', '-qm', 'install loom']);
    await repo.loom(['iterate']);
    await repo.loom(['stop']);
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    repo.cleanup();
  });

  it('is idempotent: a second run changes nothing', async () => {
    const repo = await createTestRepo(emulator);
    const again = await repo.loom(['init', '.', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    const answer = JSON.parse(again.stdout);
    expect(answer.files.filter((f: { action: string }) => f.action !== 'unchanged')).toEqual([]);
    expect(answer.labels.created).toEqual([]);
    expect(answer.labels.updated).toEqual([]);
    repo.cleanup();
  });

  it("keeps the user's CLAUDE.md text, config edits, settings and other labels", async () => {
    const repo = await createTestRepo(emulator, { install: false });
    writeFileSync(path.join(repo.dir, 'CLAUDE.md'), '# My project\n\nAlways use tabs.\n');
    mkdirSync(path.join(repo.dir, '.claude'), { recursive: true });
    writeFileSync(
      path.join(repo.dir, '.claude/settings.json'),
      JSON.stringify({ model: 'opus', permissions: { allow: ['Bash(make:*)'] } }),
    );
    writeFileSync(path.join(repo.dir, '.gitignore'), 'dist/\n');
    await execa('node', [BUNDLE, 'init', repo.dir], { cwd: repo.dir, env: repo.env, extendEnv: false });
    // The user edits the config, Loom is upgraded (init again): the edit stays.
    const configFile = path.join(repo.dir, '.loom/config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8'));
    config.max_shepherds = 5;
    delete config.doctor;
    writeFileSync(configFile, JSON.stringify(config));
    const again = await repo.loom(['init', '.']);
    expect(again.exitCode, again.stderr).toBe(0);
    const merged = JSON.parse(readFileSync(configFile, 'utf8'));
    expect(merged.max_shepherds).toBe(5);
    expect(merged.doctor).toEqual(defaultConfig.doctor);
    const claude = readFileSync(path.join(repo.dir, 'CLAUDE.md'), 'utf8');
    expect(claude.startsWith('# My project\n\nAlways use tabs.\n')).toBe(true);
    expect(claude.match(/BEGIN LOOM/g)).toHaveLength(1);
    const settings = JSON.parse(readFileSync(path.join(repo.dir, '.claude/settings.json'), 'utf8'));
    expect(settings.model).toBe('opus');
    expect(settings.permissions.allow).toContain('Bash(make:*)');
    expect(settings.permissions.allow).toContain('Bash(.loom/scripts/loom:*)');
    const ignore = readFileSync(path.join(repo.dir, '.gitignore'), 'utf8');
    expect(ignore.startsWith('dist/\n')).toBe(true);
    expect(ignore).toContain('.loom/daemon-state.json');
    repo.cleanup();
  });

  it('refuses an invalid user config with the field named, writing nothing', async () => {
    const repo = await createTestRepo(emulator);
    writeFileSync(path.join(repo.dir, '.loom/config.json'), JSON.stringify({ max_shepherds: 'many' }));
    const before = readFileSync(path.join(repo.dir, '.loom/config.json'), 'utf8');
    const result = await repo.loom(['init', '.']);
    expect(result.exitCode).toBe(10);
    expect(result.stderr).toContain('max_shepherds');
    expect(readFileSync(path.join(repo.dir, '.loom/config.json'), 'utf8')).toBe(before);
    repo.cleanup();
  });

  it('--dry-run writes nothing', async () => {
    const repo = await createTestRepo(emulator, { install: false });
    const result = await execa('node', [BUNDLE, 'init', repo.dir, '--dry-run'], {
      cwd: repo.dir,
      env: repo.env,
      extendEnv: false,
    });
    expect(result.stdout).toContain('would create .claude/commands/loom.md');
    expect(readdirSync(repo.dir).sort()).toEqual(['.git', 'README.md']);
    repo.cleanup();
  });
});

describe('dogfooding', () => {
  it("this repository's own .claude/ and .loom/ are exactly `loom init .` of defaults/ and the build", async () => {
    const result = await execa('node', [BUNDLE, 'init', ROOT, '--dry-run', '--json'], { cwd: ROOT, reject: false });
    expect(result.exitCode, result.stderr).toBe(0);
    const drift = JSON.parse(result.stdout).files.filter((f: { action: string }) => f.action !== 'unchanged');
    expect(drift, 'run `npm run build && node .loom/scripts/loom init . --no-labels` and commit').toEqual([]);
  });

  it('the committed bundle and installed files are what the committed sources build', async () => {
    const git = (args: string[]) => execa('git', args, { cwd: ROOT }).then((r) => r.stdout.trim());
    // Only meaningful when the sources are committed (always so in CI's clean clone); `npm test` has just built.
    const sourcesDirty = await git([
      'status',
      '--porcelain',
      '--',
      'src',
      'defaults',
      'scripts/build.mjs',
      'package-lock.json',
    ]);
    if (sourcesDirty) return;
    const generated = await git(['status', '--porcelain', '--', '.loom', '.claude', '.github', 'CLAUDE.md']);
    expect(generated, 'run `npm run build && node .loom/scripts/loom init . --no-labels` and commit the result').toBe(
      '',
    );
  });

  it('labels.yml declares exactly the labels the code knows', () => {
    const declared = (
      parseYaml(readFileSync(path.join(ROOT, 'defaults/.github/labels.yml'), 'utf8')) as { name: string }[]
    ).map((l) => l.name);
    expect([...declared].sort()).toEqual([...allLabelNames].sort());
  });

  it("the default config file is the schema's defaults", () => {
    expect(JSON.parse(readFileSync(path.join(ROOT, 'defaults/.loom/config.json'), 'utf8'))).toEqual(defaultConfig);
  });
});

describe('command files', () => {
  const commandDir = path.join(ROOT, 'defaults/.claude/commands');
  const files = readdirSync(commandDir).filter((f) => f.endsWith('.md'));

  it('every `.loom/scripts/loom <command>` they mention exists', async () => {
    const help = await execa('node', [BUNDLE, '--help']);
    const known = new Set([...help.stdout.matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1]));
    const mentioned = new Set<string>();
    for (const file of files) {
      const text = readFileSync(path.join(commandDir, file), 'utf8');
      for (const match of text.matchAll(/\.loom\/scripts\/loom ([a-z][a-z-]*)/g)) mentioned.add(`${match[1]}\t${file}`);
    }
    const missing = [...mentioned].filter((entry) => !known.has(entry.split('\t')[0]!));
    expect(missing).toEqual([]);
    expect(mentioned.size).toBeGreaterThan(5);
  });

  it('every wrapper script they mention exists', () => {
    for (const file of files) {
      const text = readFileSync(path.join(commandDir, file), 'utf8');
      for (const match of text.matchAll(/\.loom\/scripts\/([a-z-]+\.sh)/g))
        expect(existsSync(path.join(ROOT, '.loom/scripts', match[1]!)), `${file}: ${match[1]}`).toBe(true);
    }
  });

  it('each has frontmatter with description, argument-hint and allowed-tools', () => {
    for (const file of files) {
      const text = readFileSync(path.join(commandDir, file), 'utf8');
      const front = /^---\n([\s\S]*?)\n---\n/.exec(text)?.[1];
      expect(front, file).toBeDefined();
      const meta = parseYaml(front!) as Record<string, unknown>;
      expect(meta.description, `${file}: description`).toBeTruthy();
      expect(meta['allowed-tools'], `${file}: allowed-tools`).toBeTruthy();
      expect(typeof meta['argument-hint'], `${file}: argument-hint`).toBe('string'); // empty for roles without arguments
    }
  });
});
