/**
 * The Claude Code plugin way in (issue 13): `.claude-plugin/plugin.json` and
 * `marketplace.json` checked by the real Claude Code (devDependency): its
 * validator passes them, and a marketplace holding them installs offline as
 * the plugin `loom` whose commands are Loom's role files (namespaced
 * `/loom:<role>`, so a user's own `/builder` is never replaced).
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLAUDE = path.join(ROOT, 'node_modules/.bin/claude');
const json = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8'));

describe('Claude Code plugin', () => {
  it('the manifests pass claude plugin validate and agree with package.json', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'loom-plugin-home-'));
    const env = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1', DISABLE_AUTOUPDATER: '1' };
    for (const target of [ROOT, path.join(ROOT, '.claude-plugin/plugin.json')]) {
      const result = await execa(CLAUDE, ['plugin', 'validate', target], { env, extendEnv: false, reject: false });
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toMatch(/Validation passed/);
    }
    const plugin = json('.claude-plugin/plugin.json');
    const pkg = json('package.json');
    expect(plugin.name).toBe('loom');
    expect(plugin.version).toBe(pkg.version);
    expect(plugin.license).toBe(pkg.license);
    expect(json('.claude-plugin/marketplace.json').plugins.map((p: { name: string }) => p.name)).toEqual(['loom']);
    rmSync(home, { recursive: true, force: true });
  });

  it('installs from a marketplace as plugin loom with every role command', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'loom-plugin-home-'));
    const market = mkdtempSync(path.join(tmpdir(), 'loom-market-'));
    // The parts of the repository the plugin consists of (the whole checkout would carry node_modules along).
    cpSync(path.join(ROOT, '.claude-plugin'), path.join(market, '.claude-plugin'), { recursive: true });
    mkdirSync(path.join(market, 'defaults/.claude'), { recursive: true });
    cpSync(path.join(ROOT, 'defaults/.claude/commands'), path.join(market, 'defaults/.claude/commands'), {
      recursive: true,
    });
    const env = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1', DISABLE_AUTOUPDATER: '1' };
    const claude = (args: string[]) => execa(CLAUDE, ['plugin', ...args], { env, extendEnv: false, reject: false });
    const added = await claude(['marketplace', 'add', market]);
    expect(added.exitCode, added.stdout + added.stderr).toBe(0);
    const installed = await claude(['install', 'loom@loom-agents']);
    expect(installed.exitCode, installed.stdout + installed.stderr).toBe(0);
    const details = await claude(['details', 'loom@loom-agents']);
    expect(details.exitCode, details.stderr).toBe(0);
    const roles = readdirSync(path.join(ROOT, 'defaults/.claude/commands'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => name.replace(/\.md$/, ''))
      .sort();
    const listed = /Skills \((\d+)\)\s+(.*)/.exec(details.stdout);
    expect(listed, details.stdout).not.toBeNull();
    expect(
      listed![2]!
        .split(',')
        .map((s) => s.trim())
        .sort(),
    ).toEqual(roles);
    expect(Number(listed![1])).toBe(roles.length);
    rmSync(home, { recursive: true, force: true });
    rmSync(market, { recursive: true, force: true });
  });
});
