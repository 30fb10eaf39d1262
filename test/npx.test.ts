/**
 * The npm way in (issue 13): the package as `npm pack` builds it installs
 * offline with no dependency at all (the bundle is self-contained), and its
 * `loom` bin installs Loom into a git repository through `npx loom init`.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { createTestRepo, seedWith } from './helpers/repo.js';

const ROOT = path.resolve(import.meta.dirname, '..');

let emulator: EmulatorHandle;
beforeAll(async () => {
  emulator = await startEmulator(seedWith([]));
});
afterAll(() => emulator.close());

describe('npm package', () => {
  it('packs, installs offline without dependencies, and `npx loom init` installs Loom', async () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    const work = mkdtempSync(path.join(tmpdir(), 'loom-npx-'));
    const repo = await createTestRepo(emulator, { install: false });
    const env = { ...repo.env, npm_config_cache: path.join(work, 'cache'), npm_config_update_notifier: 'false' };
    const npm = (args: string[], cwd: string) => execa('npm', args, { cwd, env, extendEnv: false });

    await npm(['pack', '--pack-destination', work, '--silent'], ROOT);
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const app = path.join(work, 'app');
    mkdirSync(app);
    await npm(['init', '-y'], app);
    await npm(['install', '--offline', '--no-audit', '--no-fund', path.join(work, tarball!)], app);
    const installed = readdirSync(path.join(app, 'node_modules')).filter((name) => !name.startsWith('.'));
    expect(installed).toEqual([pkg.name]); // nothing else came along

    const result = await execa('npx', ['--no-install', 'loom', 'init', repo.dir, '--no-labels'], {
      cwd: app,
      env,
      extendEnv: false,
      reject: false,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Installing Loom \d+\.\d+\.\d+ into/);
    for (const file of ['.loom/scripts/loom', '.claude/commands/shepherd.md', '.loom/install-manifest.json'])
      expect(existsSync(path.join(repo.dir, file)), file).toBe(true);
    // The installed CLI runs from the repository on its own.
    const version = await repo.loom(['version', '--json']);
    expect(version.exitCode, version.stderr).toBe(0);
    expect(JSON.parse(version.stdout).version).toBe(pkg.version);
    rmSync(work, { recursive: true, force: true });
    repo.cleanup();
  });
});
