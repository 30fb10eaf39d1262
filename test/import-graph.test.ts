/**
 * Dependencies point one way: the pure core knows no I/O module, and the gh
 * seam knows nothing of local persistence. Read from the sources (static,
 * re-export and dynamic imports), so a forbidden import fails here at once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

/** [importing area, forbidden areas]; an area is a folder under src/ or a top-level file without extension. */
const FORBIDDEN: [string, string[]][] = [
  ['core', ['state', 'github', 'daemon', 'commands', 'claims', 'git', 'install', 'render', 'process', 'context']],
  ['github', ['state', 'daemon', 'commands', 'claims']],
  ['state', ['daemon', 'commands', 'claims', 'github']],
];

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

function importsOf(source: string): string[] {
  return [...source.matchAll(SPECIFIER)].map((m) => m[1]!);
}

/** The area (first path segment under src/, extension dropped) a relative specifier from `file` lands in. */
function areaOf(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = relative(SRC, resolve(dirname(file), specifier));
  if (target.startsWith('..')) return undefined;
  return target.split(/[\\/]/)[0]!.replace(/\.[cm]?[jt]s$/, '');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.[cm]?ts$/.test(entry.name) ? [path] : [];
  });
}

function violations(files: { path: string; source: string }[]): string[] {
  const found: string[] = [];
  for (const { path, source } of files) {
    const from = relative(SRC, path).split(/[\\/]/)[0]!;
    const forbidden = FORBIDDEN.find(([area]) => area === from)?.[1] ?? [];
    for (const specifier of importsOf(source)) {
      const to = areaOf(path, specifier);
      if (to && forbidden.includes(to)) found.push(`${relative(SRC, path)} imports ${specifier} (${from} → ${to})`);
    }
  }
  return found;
}

describe('the import graph of src/', () => {
  const files = sourceFiles(SRC).map((path) => ({ path, source: readFileSync(path, 'utf8') }));

  it('reads every area it has rules for', () => {
    for (const [area] of FORBIDDEN) expect(files.some((f) => relative(SRC, f.path).startsWith(`${area}/`))).toBe(true);
  });

  it('has no import against the direction of dependencies', () => {
    expect(violations(files)).toEqual([]);
  });

  it.each([
    ['core/planner.ts', "import type { LoomPaths } from '../state/paths.js';", 'core → state'],
    ['core/planner.ts', "export { takeSnapshot } from '../github/snapshot.js';", 'core → github'],
    ['core/planner.ts', "const m = await import('../daemon/iteration.js');", 'core → daemon'],
    ['core/planner.ts', "import '../commands/shared.js';", 'core → commands'],
    ['core/planner.ts', "import { context } from '../context.js';", 'core → context'],
    ['github/items.ts', "import { claimPath } from '../state/paths.js';", 'github → state'],
  ])('catches a planted import in %s: %s', (file, line, edge) => {
    const planted = { path: join(SRC, file), source: `${line}\nexport const x = 1;\n` };
    expect(violations([planted])).toEqual([expect.stringContaining(`(${edge})`)]);
  });

  it('allows the permitted directions', () => {
    const allowed = [
      { path: join(SRC, 'core/planner.ts'), source: "import { x } from './snapshot.js';\nimport { z } from 'zod';" },
      { path: join(SRC, 'github/items.ts'), source: "import { Label } from '../core/labels.js';" },
      { path: join(SRC, 'daemon/iteration.ts'), source: "import { x } from '../state/store.js';" },
    ];
    expect(violations(allowed)).toEqual([]);
  });
});
