/**
 * `loom init <target>` (SPEC §2): computes what to write from the defaults and
 * what the target already has, then writes it. Idempotent: a second run
 * changes nothing. The user's CLAUDE.md text, config edits, settings and
 * labels are kept; Loom's own files (command files, scripts) are replaced.
 */
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseConfig } from '../core/config.js';
import { LoomError } from '../errors.js';
import { checkPath, type SafeOptions, safeReadFile, safeWriteFile, UnsafePathError } from '../fs/safe-file.js';
import type { DefaultFiles } from './defaults.js';
import { SCRIPTS_PACKAGE_JSON, WRAPPERS, wrapperScript } from './wrappers.js';

export type FileAction = 'create' | 'update' | 'unchanged';

export interface PlannedFile {
  path: string;
  action: FileAction;
  content: string;
  mode?: number;
  /** Why it is written the way it is (merged, kept user text, …). */
  note?: string;
}

export const BEGIN_MARKER = '<!-- BEGIN LOOM -->';
export const END_MARKER = '<!-- END LOOM -->';
const GITIGNORE_HEADER = '# Loom runtime files (added by loom init)';
export const GITIGNORE_ENTRIES = [
  '.loom/daemon-state.json',
  '.loom/daemon-state.json.lock',
  '.loom/stop-daemon',
  '.loom/stop-shepherds',
  '.loom/claims/',
  '.loom/worktrees/',
  '.loom/logs/',
  '.loom/*.lock',
];

/**
 * A committed symlink (`CLAUDE.md -> ~/.bashrc`) would carry init's writes out
 * of the repository: every target is checked before anything is written, and
 * refused naming the file unless `followSymlinks` and it leads inside.
 */
function refusal(error: UnsafePathError, root: string): LoomError {
  const where = path.relative(root, error.file) || error.file;
  return new LoomError('USAGE', `init refuses to write ${where}: ${error.message}`, {
    hint:
      error.rule === 'SYMLINK'
        ? `Nothing was written. Replace ${where} with a regular file, or run init with --follow-symlinks (only links that stay inside the repository are followed).`
        : `Nothing was written. Replace ${where} with a regular file and run init again.`,
    details: { file: where, rule: error.rule },
  });
}

function readIfExists(root: string, relative: string, options: SafeOptions): string | undefined {
  try {
    checkPath(root, relative, options);
    return safeReadFile(root, relative, options);
  } catch (error) {
    if (error instanceof UnsafePathError) throw refusal(error, root);
    throw error;
  }
}

/** CLAUDE.md: the Loom section between markers replaced (or appended); the rest is the user's. */
export function mergeClaudeMd(existing: string | undefined, section: string): string {
  const block = `${BEGIN_MARKER}\n${section.trim()}\n${END_MARKER}`;
  if (!existing) return `${block}\n`;
  const start = existing.indexOf(BEGIN_MARKER);
  const end = existing.indexOf(END_MARKER);
  if (start !== -1 && end > start) return existing.slice(0, start) + block + existing.slice(end + END_MARKER.length);
  return `${existing.replace(/\s*$/, '')}\n\n${block}\n`;
}

/** .gitignore: Loom's runtime entries added once, the user's lines untouched. */
export function mergeGitignore(existing: string | undefined): string {
  const lines = (existing ?? '').split('\n').map((l) => l.trim());
  const missing = GITIGNORE_ENTRIES.filter((entry) => !lines.includes(entry));
  if (!missing.length) return existing ?? '';
  const base = existing ? `${existing.replace(/\s*$/, '')}\n\n` : '';
  const header = lines.includes(GITIGNORE_HEADER) ? '' : `${GITIGNORE_HEADER}\n`;
  return `${base}${header}${missing.join('\n')}\n`;
}

/** config.json: the user's values win; keys they lack come from the defaults. Invalid user files are refused. */
export function mergeConfig(existing: string | undefined, defaults: string, force: boolean): string {
  if (!existing || force) return defaults;
  let user: Record<string, unknown>;
  try {
    user = JSON.parse(existing) as Record<string, unknown>;
  } catch (error) {
    throw new LoomError(
      'CONFIG_INVALID',
      `.loom/config.json is not valid JSON (${(error as Error).message}); init keeps it as it is.`,
      {
        hint: 'Fix it, or run `loom init --force` to replace it with the defaults.',
      },
    );
  }
  const checked = parseConfig(user);
  if (!checked.ok) {
    throw new LoomError(
      'CONFIG_INVALID',
      `.loom/config.json is invalid: ${checked.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}.`,
      {
        hint: 'Fix those fields, or run `loom init --force` to replace the file with the defaults.',
      },
    );
  }
  return `${JSON.stringify(deepMerge(JSON.parse(defaults), user), null, 2)}\n`;
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (
    base &&
    over &&
    typeof base === 'object' &&
    typeof over === 'object' &&
    !Array.isArray(base) &&
    !Array.isArray(over)
  ) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [key, value] of Object.entries(over as Record<string, unknown>)) out[key] = deepMerge(out[key], value);
    return out;
  }
  return over === undefined ? base : over;
}

/** settings.json: Loom's permissions added to the user's (union), every other key of theirs kept. */
export function mergeSettings(existing: string | undefined, defaults: string): string {
  if (!existing) return defaults;
  let user: { permissions?: { allow?: string[] } } & Record<string, unknown>;
  try {
    user = JSON.parse(existing);
  } catch {
    throw new LoomError('CONFIG_INVALID', '.claude/settings.json is not valid JSON; init keeps it as it is.', {
      hint: 'Fix the file, then run init again.',
    });
  }
  const ours = JSON.parse(defaults) as { permissions: { allow: string[] } };
  const allow = [...(user.permissions?.allow ?? [])];
  for (const rule of ours.permissions.allow) if (!allow.includes(rule)) allow.push(rule);
  return `${JSON.stringify({ ...user, permissions: { ...(user.permissions ?? {}), allow } }, null, 2)}\n`;
}

/** labels.yml: Loom's labels as shipped, the user's other labels kept after them. */
export function mergeLabelsYaml(existing: string | undefined, defaults: string): string {
  if (!existing) return defaults;
  const ours = parseYaml(defaults) as { name: string }[];
  let theirs: { name: string }[] = [];
  try {
    const parsed = parseYaml(existing);
    if (Array.isArray(parsed)) theirs = parsed;
  } catch {
    return defaults;
  }
  const extra = theirs.filter(
    (label) => label && typeof label.name === 'string' && !ours.some((o) => o.name === label.name),
  );
  return extra.length ? `${defaults.replace(/\s*$/, '')}\n${stringifyYaml(extra)}` : defaults;
}

export interface InitPlanInput {
  target: string;
  defaults: DefaultFiles;
  bundle: string;
  force: boolean;
  /** `--follow-symlinks`: write through symlinks that resolve inside the repository (else they are refused). */
  followSymlinks?: boolean;
}

/** Everything init would write, with create/update/unchanged per file. Reads only. */
export async function planInit(input: InitPlanInput): Promise<PlannedFile[]> {
  const planned: PlannedFile[] = [];
  const safe = { followSymlinks: input.followSymlinks };
  const read = async (relative: string) => readIfExists(input.target, relative, safe);
  const add = async (relative: string, content: string, options: { mode?: number; note?: string } = {}) => {
    const current = await read(relative);
    planned.push({
      path: relative,
      content,
      action: current === undefined ? 'create' : current === content ? 'unchanged' : 'update',
      ...options,
    });
  };
  for (const [relative, content] of Object.entries(input.defaults)) {
    const existing = await read(relative);
    if (relative === 'CLAUDE.md')
      await add(relative, mergeClaudeMd(existing, content), { note: 'Loom section between markers; your text kept' });
    else if (relative === '.loom/config.json')
      await add(relative, mergeConfig(existing, content, input.force), {
        note: input.force ? 'defaults restored' : 'your values kept',
      });
    else if (relative === '.claude/settings.json')
      await add(relative, mergeSettings(existing, content), { note: 'Loom permissions added to yours' });
    else if (relative === '.github/labels.yml')
      await add(relative, mergeLabelsYaml(existing, content), { note: 'your other labels kept' });
    else await add(relative, content);
  }
  await add('.loom/scripts/loom', input.bundle, { mode: 0o755 });
  await add('.loom/scripts/package.json', SCRIPTS_PACKAGE_JSON);
  for (const [name, command] of Object.entries(WRAPPERS))
    await add(`.loom/scripts/${name}`, wrapperScript(command), { mode: 0o755 });
  await add('.gitignore', mergeGitignore(await read('.gitignore')), {
    note: 'runtime files ignored',
  });
  return planned.sort((a, b) => a.path.localeCompare(b.path));
}

/** Writes the planned files through src/fs/safe-file.ts (no symlink followed out of `target`, regular files only). */
export async function applyInit(
  target: string,
  planned: PlannedFile[],
  options: { followSymlinks?: boolean } = {},
): Promise<void> {
  for (const file of planned) {
    if (file.action === 'unchanged') continue;
    try {
      safeWriteFile(target, file.path, file.content, {
        followSymlinks: options.followSymlinks,
        ...(file.mode ? { mode: file.mode } : {}),
      });
    } catch (error) {
      if (error instanceof UnsafePathError) throw refusal(error, target);
      throw error;
    }
  }
}
