import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE } from './helpers/repo.js';

// The installed CLI runs from the target repository's own copy, with nothing but node: no node_modules on
// the way up, and whatever module type the repository's package.json declares.
const dir = mkdtempSync(path.join(tmpdir(), 'loom-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', LOOM_REPO: 'o/r' };
const run = (file: string, args: string[]) =>
  execa('node', [file, ...args], { cwd: dir, env, extendEnv: false, reject: false });
const installed = path.join(dir, '.loom/scripts/loom');

describe('the bundle in a target repository', () => {
  it('installs with its chunks and runs inside a "type": "module" repository without node_modules', async () => {
    for (let up = dir; up !== path.dirname(up); up = path.dirname(up))
      expect(existsSync(path.join(up, 'node_modules')), up).toBe(false);
    await execa('git', ['init', '-q', dir]);
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'esm-app', type: 'module' }));
    const init = await run(BUNDLE, ['init', '.', '--no-labels']);
    expect(init.exitCode, init.stderr).toBe(0);
    expect(readdirSync(path.join(dir, '.loom/scripts/lib')).sort()).toEqual(
      readdirSync(path.join(path.dirname(BUNDLE), 'lib')).sort(),
    );
    expect((await run(installed, ['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+/);
    const help = await run(installed, ['status', '--help']);
    expect(help.exitCode, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: loom status');
    const status = await run(installed, ['status', '--fast', '--json']);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).schema).toBe('loom.status/1');
    const bad = await run(installed, ['claim', '../1']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('issue number');
  });

  it('an upgrade removes chunks of the older version and nothing else', async () => {
    const stale = path.join(dir, '.loom/scripts/lib/chunk-OLDVERSION.mjs');
    writeFileSync(stale, 'export {};\n');
    const again = await run(installed, ['init', '.', '--no-labels', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    const changed = JSON.parse(again.stdout)
      .files.filter((f: { action: string }) => f.action !== 'unchanged')
      .map((f: { path: string; action: string }) => `${f.action} ${f.path}`);
    expect(changed).toEqual(['delete .loom/scripts/lib/chunk-OLDVERSION.mjs']);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(path.join(dir, 'package.json'))).toBe(true);
  });

  it('upgrades an install made before install manifests: the built CLI is replaced whole, never kept', async () => {
    const old = path.join(dir, '.loom/install-manifest.json');
    rmSync(old);
    writeFileSync(path.join(dir, '.loom/scripts/lib/cli.mjs'), 'export const older = true;\n');
    writeFileSync(installed, '// an older launcher\n');
    const again = await run(BUNDLE, ['init', '.', '--no-labels', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    const built = JSON.parse(again.stdout).files.filter((f: { path: string }) => f.path.startsWith('.loom/scripts/l'));
    expect(
      built.filter((f: { action: string }) => f.action !== 'unchanged').map((f: { path: string }) => f.path),
    ).toEqual(['.loom/scripts/lib/cli.mjs', '.loom/scripts/loom']);
    expect(built.every((f: { action: string }) => ['unchanged', 'update'].includes(f.action))).toBe(true);
    const status = await run(installed, ['status', '--fast', '--json']);
    expect(status.exitCode, status.stderr).toBe(0);
  });

  it('a missing chunk is reported as a broken install, not a stack trace', async () => {
    // The program (every command) and the plain status's own entry (src/status-main.ts).
    rmSync(path.join(dir, '.loom/scripts/lib/cli.mjs'));
    rmSync(path.join(dir, '.loom/scripts/lib/status-main.mjs'));
    for (const args of [['iterate'], ['status', '--json']]) {
      const broken = await run(installed, args);
      expect(broken.exitCode, args.join(' ')).toBe(1);
      expect(broken.stderr).toContain('loom: cannot start');
      expect(broken.stderr).toContain('init');
    }
  });
});

// What a call parses is what it costs (docs/PERFORMANCE.md): follow the static imports of the committed chunks
// (test/install.test.ts checks they are the build's) from the program and one command's chunk.
const LIB = path.join(path.dirname(BUNDLE), 'lib');
function loadedBy(command: string): [file: string, text: string][] {
  const entry = readdirSync(LIB).find((f) => new RegExp(`^${command}-[A-Z0-9]+\\.mjs$`).test(f));
  expect(entry, command).toBeDefined();
  const seen = new Set<string>();
  const queue = ['cli.mjs', entry!];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(path.join(LIB, file), 'utf8').matchAll(/\bimport(?:\{[^}]*\}from|\s*)"\.\/([^"]+)"/g))
      queue.push(m[1]!);
  }
  return [...seen].map((file) => [file, readFileSync(path.join(LIB, file), 'utf8')]);
}

describe('what a call loads', () => {
  // Classic zod's schema classes are named Zod<Kind>, zod/mini's ZodMini<Kind>; esbuild keeps the names.
  const classic = /\$constructor\("ZodObject"/;
  const mini = /\$constructor\("ZodMiniObject"/;

  // status: every refresh and the guard's neighbour; iterate: every Bash call of the /loom parent; guard: its
  // --help and in-process path (the hook call itself loads only the launcher, below).
  it.each(['status', 'iterate', 'guard'])(
    'loom %s loads zod/mini, not classic zod (~320 KiB more to compile on every call)',
    (command) => {
      const chunks = loadedBy(command);
      expect(chunks.some(([, text]) => mini.test(text))).toBe(true);
      expect(chunks.filter(([, text]) => classic.test(text)).map(([file]) => file)).toEqual([]);
    },
  );

  it('the plain `loom status [--json]` (lib/status-main.mjs) loads no commander, and the launcher starts its request', () => {
    const seen = new Set<string>();
    const queue = ['status-main.mjs'];
    for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
      if (seen.has(file)) continue;
      seen.add(file);
      for (const m of readFileSync(path.join(LIB, file), 'utf8').matchAll(
        /\bimport(?:\{[^}]*\}from|\s*)"\.\/([^"]+)"/g,
      ))
        queue.push(m[1]!);
    }
    const texts = [...seen].map((file) => readFileSync(path.join(LIB, file), 'utf8'));
    expect(texts.some((text) => text.includes('loom.status/1'))).toBe(true);
    expect(texts.filter((text) => text.includes('CommanderError'))).toEqual([]);
    expect(readFileSync(BUNDLE, 'utf8')).toContain('loom.prefetchedGh');
  });

  // An ES module import of node:crypto evaluates its `webcrypto` getter, which loads Web Crypto (src/random.ts).
  it.each(['status', 'iterate'])('loom %s imports no node:crypto as an ES module', (command) => {
    const chunks = loadedBy(command);
    expect(chunks.filter(([, text]) => /from\s*"node:crypto"/.test(text)).map(([file]) => file)).toEqual([]);
  });

  it('the check would see it: the dashboard imports node:crypto (its token comparison)', () => {
    expect(loadedBy('dashboard').some(([, text]) => /from\s*"node:crypto"/.test(text))).toBe(true);
  });

  it('the launcher, all a `loom guard` hook call loads, holds neither zod nor commander', () => {
    const launcher = readFileSync(BUNDLE, 'utf8');
    expect(launcher).toContain('loom guard');
    expect(launcher).not.toMatch(/\$constructor\("Zod/);
    expect(launcher).not.toContain('CommanderError');
  });

  it("no chunk holds zod's compile() (a sign that all of zod's exports were kept: import zod as a namespace)", () => {
    const chunks = readdirSync(LIB).filter((f) => f.endsWith('.mjs'));
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.filter((f) => readFileSync(path.join(LIB, f), 'utf8').includes('ZodCompileAsyncError'))).toEqual([]);
  });

  it('the check would see classic zod: another command still loads it', () => {
    expect(loadedBy('claims').some(([, text]) => classic.test(text))).toBe(true);
  });
});
