/**
 * Reads `.loom/config.json`. A missing file means the defaults; an invalid one
 * is an error listing every field problem (the file is never rewritten here).
 */
import path from 'node:path';
import { type Config, defaultConfig, parseConfig } from '../core/config.js';
import { LoomError } from '../errors.js';
import { safeReadFile } from '../fs/safe-file.js';

/** `file` is `<root>/.loom/config.json`; a symlink or FIFO in its place is refused (exit 8), never opened. */
export async function loadConfig(file: string): Promise<Config> {
  const text = safeReadFile(path.dirname(path.dirname(file)), file);
  if (text === undefined) return defaultConfig;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new LoomError(
      'CONFIG_INVALID',
      `.loom/config.json is not valid JSON (syntax error${position ? ` at byte ${position}` : ''}).`,
      {
        hint: 'Fix the file; `loom init --force` restores the defaults (your other files are kept).',
      },
    );
  }
  const result = parseConfig(raw);
  if (!result.ok) {
    throw new LoomError(
      'CONFIG_INVALID',
      `.loom/config.json is invalid: ${result.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}.`,
      {
        hint: 'Fix those fields; every key is optional and falls back to its default when removed.',
      },
    );
  }
  return result.config;
}
