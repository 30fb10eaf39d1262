/**
 * The files `loom init` installs, from `defaults/`. The bundle embeds them at
 * build time (`__LOOM_DEFAULTS__`, see scripts/build.mjs) so an installed
 * `.loom/scripts/loom` needs nothing beside it; from source they are read from
 * the `defaults/` folder.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

declare const __LOOM_DEFAULTS__: Record<string, string> | undefined;

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
  return typeof __LOOM_DEFAULTS__ !== 'undefined' ? __LOOM_DEFAULTS__ : readDefaultsFrom(defaultsDir());
}

/** The installed `.loom/scripts/loom` bundle: this file when running bundled, else the repository's build output. */
export function bundlePath(): string {
  const self = fileURLToPath(import.meta.url);
  return typeof __LOOM_DEFAULTS__ !== 'undefined' ? self : path.resolve(path.dirname(self), '../../.loom/scripts/loom');
}
