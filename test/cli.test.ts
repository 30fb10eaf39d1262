import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS, main } from '../src/cli.js';
import type { Run } from '../src/commands/shared.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const idle: Run = async () => {};

const registered = async (loads: Iterable<(typeof COMMANDS)[string]>) => {
  const program = new Command();
  for (const load of new Set(loads)) (await load()).register(program, idle);
  return program.commands.map((c) => c.name());
};

describe('lazy command loading', () => {
  it('COMMANDS lists exactly the top-level commands its modules register', async () => {
    expect((await registered(Object.values(COMMANDS))).sort()).toEqual(Object.keys(COMMANDS).sort());
  });

  it("each name's module registers that name", async () => {
    for (const [name, load] of Object.entries(COMMANDS)) expect(await registered([load]), name).toContain(name);
  });

  it('no source file imports a command module statically (it would load on every call)', () => {
    const cli = readFileSync(path.join(ROOT, 'src/cli.ts'), 'utf8');
    const modules = [...cli.matchAll(/import\('\.\/commands\/([a-z-]+)\.js'\)/g)].map((m) => m[1]!);
    expect(modules.length).toBeGreaterThan(5);
    const commandFiles = new Set(modules.map((name) => path.join(ROOT, 'src/commands', `${name}.ts`)));
    const offenders: string[] = [];
    // src/status-main.ts is an entry chunk of its own, loaded only for the plain `status [--json]` it runs.
    const entries = new Set([path.join(ROOT, 'src/status-main.ts')]);
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (full.endsWith('.ts') && !entries.has(full))
          for (const [, spec] of readFileSync(full, 'utf8').matchAll(/^import (?!type )[^;]*?from '(\.[^']+)\.js'/gm)) {
            const target = path.resolve(path.dirname(full), `${spec}.ts`);
            if (commandFiles.has(target)) offenders.push(`${path.relative(ROOT, full)} → ${spec}`);
          }
      }
    };
    walk(path.join(ROOT, 'src'));
    expect(offenders).toEqual([]);
  });

  it('the full --help lists every command; an unknown command is a usage error', async () => {
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l), isTTY: false };
    expect(await main(['--help'], { cwd: ROOT, env: {}, io })).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(out.join('\n')).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    out.length = 0;
    expect(await main(['statu'], { cwd: ROOT, env: {}, io })).toBe(2);
    expect(out.join('\n')).toContain('status');
  });
});
