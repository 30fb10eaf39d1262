/**
 * The files `loom init` installs: those of `defaults/` (embedded in the build,
 * see embedded.ts; from source read from the folder) and the built CLI itself
 * (the `loom` launcher and its chunks in `lib/`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMBEDDED_DEFAULTS } from './embedded.js';

/** Relative path (POSIX separators) → file content. */
export type DefaultFiles = Record<string, string>;

export function defaultsDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../defaults');
}

export function readDefaultsFrom(dir: string): DefaultFiles {
  const files: DefaultFiles = {};
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const full = path.join(current, name);
      if (statSync(full).isDirectory()) walk(full);
      else files[path.relative(dir, full).split(path.sep).join('/')] = readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return files;
}

export function loadDefaults(): DefaultFiles {
  return EMBEDDED_DEFAULTS ?? readDefaultsFrom(defaultsDir());
}

/** The `.loom/scripts/` folder of the running CLI: the parent of this chunk when bundled, else the build output. */
export function scriptsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return EMBEDDED_DEFAULTS ? path.resolve(here, '..') : path.resolve(here, '../../.loom/scripts');
}

/** Lists the chunks of a build (scripts/build.mjs writes it), so a folder holding stale ones still installs right. */
export const CHUNK_LIST = 'chunks.json';

/** The built CLI as init installs it: `.loom/scripts/loom` and its `.loom/scripts/lib/` files → content. */
export function readBundle(dir: string = scriptsDir()): Record<string, string> {
  const files: Record<string, string> = { '.loom/scripts/loom': readFileSync(path.join(dir, 'loom'), 'utf8') };
  const list = readFileSync(path.join(dir, 'lib', CHUNK_LIST), 'utf8');
  for (const name of [CHUNK_LIST, ...(JSON.parse(list) as string[])])
    files[`.loom/scripts/lib/${name}`] = name === CHUNK_LIST ? list : readFileSync(path.join(dir, 'lib', name), 'utf8');
  return files;
}
