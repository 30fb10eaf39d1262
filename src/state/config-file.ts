/**
 * Reads `.loom/config.json`. A missing file means the defaults; an invalid one
 * is an error listing every field problem (the file is never rewritten here).
 */
import { readFile } from 'node:fs/promises';
import { type Config, defaultConfig, parseConfig } from '../core/config.js';
import { LoomError } from '../errors.js';

export async function loadConfig(file: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return defaultConfig;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new LoomError('CONFIG_INVALID', `.loom/config.json is not valid JSON (${(error as Error).message}).`, {
      hint: 'Fix the file; `loom init --force` restores the defaults (your other files are kept).',
    });
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
