/**
 * `loom uninstall`: the plan of what to remove, computed from the install
 * manifest (src/install/manifest.ts) and what is on disk, and its application.
 * A file is removed only while it is exactly what init wrote (same hash); one
 * the user changed is kept and reported. From the files init merges, only
 * Loom's part goes: the CLAUDE.md section between its markers, Loom's
 * settings.json rules and hook, the .gitignore lines init added. Nothing a
 * user wrote is removed.
 */
import { lstatSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { LoomError } from '../errors.js';
import { checkPath, safeReadFile, safeWriteFile, UnsafePathError } from '../fs/safe-file.js';
import {
  BACKUP_SUFFIX,
  BEGIN_MARKER,
  claudeMdMarkerProblem,
  END_MARKER,
  GITIGNORE_ENTRIES,
  GITIGNORE_HEADER,
  NEW_SUFFIX,
  OBSOLETE_LOOM_RULES,
} from './init.js';
import { MANIFEST_PATH, type Manifest, sha256 } from './manifest.js';

/** remove: deleted (a file or a runtime folder); edit: Loom's part taken out, the rest kept; kept: left as it is. */
export type UninstallAction = 'remove' | 'edit' | 'kept';

export interface UninstallItem {
  path: string;
  action: UninstallAction;
  /** `edit`: the file's text without Loom's part. */
  content?: string;
  /** Why (kept: what the user changed; edit: what was taken out). */
  note?: string;
}

/** Runtime files and folders of `.loom/` (see GITIGNORE_ENTRIES), removed unless `--keep-state`. */
const STATE_NAMES = [/^daemon-state\.json(\.bad|\.tmp.*)?$/, /^stop-(daemon|shepherds)$/, /\.lock(-owner|-takeover)?$/];
const STATE_FOLDERS = ['claims', 'logs', 'tmp'];

/** CLAUDE.md without the Loom section (and the blank line init put before it); undefined when nothing is left. */
export function withoutClaudeSection(text: string): string | undefined {
  const start = text.indexOf(BEGIN_MARKER);
  const end = text.indexOf(END_MARKER) + END_MARKER.length;
  const before = text.slice(0, start).replace(/\n\n$/, '\n');
  const after = text.slice(end).replace(/^\n/, '');
  const rest = before + after;
  return rest.trim() ? rest : undefined;
}

/** .gitignore without the lines init added (each once); undefined when nothing is left. */
export function withoutGitignoreLines(text: string, manifest: Manifest): string | undefined {
  const lines = text.split('\n');
  const header = lines.findIndex((l) => l.trim() === GITIGNORE_HEADER);
  // init appends, so Loom's copy of a line the user also has is the last one; an install older than the record
  // has only the block under Loom's header surely Loom's.
  const remove = manifest.gitignore_lines ?? (header === -1 ? [] : [GITIGNORE_HEADER, ...GITIGNORE_ENTRIES]);
  const from = manifest.gitignore_lines ? 0 : Math.max(header, 0);
  const left = [...remove];
  const dropped = new Set<number>();
  for (let index = lines.length - 1; index >= from; index--) {
    const line = lines[index]!.trim();
    const at = left.indexOf(line);
    if (at === -1) continue;
    left.splice(at, 1);
    dropped.add(index);
    // init set its block off with a blank line: that goes with the header.
    if (line === GITIGNORE_HEADER && index > 0 && lines[index - 1]!.trim() === '') dropped.add(index - 1);
  }
  const kept = lines.filter((_, index) => !dropped.has(index));
  const out = kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/\n+$/, '\n');
  return out.trim() ? out : undefined;
}

interface HookEntry {
  hooks?: { command?: string }[];
}
const isLoomHook = (entry: HookEntry) =>
  (entry.hooks ?? []).some((h) => /\.loom\/scripts\/loom"? guard\b/.test(h.command ?? ''));

/**
 * settings.json without Loom's permission rules and `env` keys (the manifest's record; for an older install,
 * those Loom ships now) and without Loom's guard hook; keys left empty by that are dropped. Undefined when nothing is left.
 * Throws when the file is not a JSON object (the caller keeps it).
 */
export function withoutLoomSettings(text: string, manifest: Manifest, shipped: string): string | undefined {
  const settings = JSON.parse(text) as Record<string, unknown>;
  if (!settings || typeof settings !== 'object' || Array.isArray(settings)) throw new Error('not a JSON object');
  const loom = JSON.parse(shipped) as { permissions?: { allow?: string[] }; env?: Record<string, string> };
  const ours = new Set([...(manifest.settings_allow ?? loom.permissions?.allow ?? []), ...OBSOLETE_LOOM_RULES]);
  const env = settings.env as Record<string, unknown> | undefined;
  if (env && typeof env === 'object' && !Array.isArray(env)) {
    for (const key of manifest.settings_env ?? Object.keys(loom.env ?? {})) delete env[key];
    if (!Object.keys(env).length) delete settings.env;
  }
  const permissions = settings.permissions as { allow?: unknown } | undefined;
  if (permissions && Array.isArray(permissions.allow)) {
    permissions.allow = permissions.allow.filter((rule) => !ours.has(rule as string));
    if (!(permissions.allow as unknown[]).length) delete permissions.allow;
    if (!Object.keys(permissions).length) delete settings.permissions;
  }
  const hooks = settings.hooks as Record<string, unknown> | undefined;
  if (hooks && typeof hooks === 'object') {
    for (const [event, entries] of Object.entries(hooks)) {
      if (!Array.isArray(entries)) continue;
      const left = entries.filter((entry) => !isLoomHook(entry as HookEntry));
      if (left.length) hooks[event] = left;
      else delete hooks[event];
    }
    if (!Object.keys(hooks).length) delete settings.hooks;
  }
  return Object.keys(settings).length ? `${JSON.stringify(settings, null, 2)}\n` : undefined;
}

export interface UninstallInput {
  target: string;
  manifest: Manifest;
  /** Loom's shipped settings.json, for an install whose manifest has no record of Loom's rules and env keys. */
  shippedSettings: string;
  keepState: boolean;
}

/** Everything uninstall would do, reading only. */
export function planUninstall(input: UninstallInput): UninstallItem[] {
  const { target, manifest } = input;
  const items: UninstallItem[] = [];
  const read = (relative: string) => {
    try {
      return safeReadFile(target, relative);
    } catch (error) {
      if (error instanceof UnsafePathError) {
        items.push({
          path: relative,
          action: 'kept',
          note: `not a regular file inside the repository (${error.rule})`,
        });
        return null;
      }
      throw error;
    }
  };
  const merged: Record<string, (text: string) => UninstallItem> = {
    'CLAUDE.md': (text) => {
      if (!text.includes(BEGIN_MARKER) && !text.includes(END_MARKER))
        return { path: 'CLAUDE.md', action: 'kept', note: 'no Loom section in it' };
      const problem = claudeMdMarkerProblem(text);
      if (problem) return { path: 'CLAUDE.md', action: 'kept', note: `Loom's section left in place: ${problem}` };
      const rest = withoutClaudeSection(text);
      return rest === undefined
        ? { path: 'CLAUDE.md', action: 'remove', note: 'held only the Loom section' }
        : { path: 'CLAUDE.md', action: 'edit', content: rest, note: 'Loom section removed; your text kept' };
    },
    '.claude/settings.json': (text) => {
      let rest: string | undefined;
      try {
        rest = withoutLoomSettings(text, manifest, input.shippedSettings);
      } catch {
        return { path: '.claude/settings.json', action: 'kept', note: 'not a valid JSON object; Loom entries left' };
      }
      if (rest === undefined)
        return { path: '.claude/settings.json', action: 'remove', note: "held only Loom's entries" };
      return rest === text
        ? { path: '.claude/settings.json', action: 'kept', note: 'no Loom entries in it' }
        : { path: '.claude/settings.json', action: 'edit', content: rest, note: "Loom's rules and guard hook removed" };
    },
    '.gitignore': (text) => {
      const rest = withoutGitignoreLines(text, manifest);
      if (rest === undefined) return { path: '.gitignore', action: 'remove', note: "held only Loom's lines" };
      return rest === text
        ? { path: '.gitignore', action: 'kept', note: 'no Loom lines in it' }
        : { path: '.gitignore', action: 'edit', content: rest, note: "Loom's lines removed" };
    },
  };
  for (const [relative, hash] of Object.entries(manifest.files).sort(([a], [b]) => a.localeCompare(b))) {
    const text = read(relative);
    if (text === null || text === undefined) continue;
    if (merged[relative]) items.push(merged[relative](text));
    else if (sha256(text) === hash) items.push({ path: relative, action: 'remove' });
    else items.push({ path: relative, action: 'kept', note: 'you changed it since Loom installed it' });
    const beside = read(relative + NEW_SUFFIX);
    if (typeof beside === 'string')
      items.push({ path: relative + NEW_SUFFIX, action: 'remove', note: "Loom's version" });
    if (typeof read(relative + BACKUP_SUFFIX) === 'string')
      items.push({ path: relative + BACKUP_SUFFIX, action: 'kept', note: 'your version saved by init --force' });
  }
  // A merged file the manifest lost track of (kept by an init) still has Loom's part taken out.
  for (const relative of Object.keys(merged))
    if (!items.some((i) => i.path === relative)) {
      const text = read(relative);
      if (typeof text === 'string') {
        const item = merged[relative]!(text);
        if (item.action !== 'kept' || item.note?.startsWith("Loom's section")) items.push(item);
      }
    }
  const loomDir = path.join(target, '.loom');
  const entries = (() => {
    try {
      return readdirSync(loomDir, { withFileTypes: true });
    } catch {
      return [];
    }
  })();
  if (
    entries.some((e) => e.name === 'worktrees' && e.isDirectory()) &&
    readdirSync(path.join(loomDir, 'worktrees')).length
  )
    items.push({
      path: '.loom/worktrees/',
      action: 'kept',
      note: 'holds worktrees (maybe with uncommitted work): remove each with `git worktree remove`',
    });
  if (!input.keepState)
    for (const entry of entries) {
      const relative = `.loom/${entry.name}`;
      if (entry.isDirectory() && STATE_FOLDERS.includes(entry.name))
        items.push({ path: `${relative}/`, action: 'remove', note: 'runtime files' });
      else if (STATE_NAMES.some((pattern) => pattern.test(entry.name)))
        items.push({ path: relative, action: 'remove', note: 'runtime file' });
    }
  items.push({ path: MANIFEST_PATH, action: 'remove' });
  return items;
}

/** Folders Loom creates, removed (deepest first) only when empty afterwards. */
const FOLDERS = [
  '.claude/commands',
  '.claude',
  '.loom/scripts/lib',
  '.loom/scripts',
  '.loom/worktrees',
  '.loom',
  '.github/workflows',
  '.github',
];

/** Carries out the plan; a folder is removed only when nothing is left in it. */
export function applyUninstall(target: string, items: UninstallItem[]): void {
  try {
    for (const item of items) {
      const relative = item.path.replace(/\/$/, '');
      if (item.action === 'edit') safeWriteFile(target, relative, item.content ?? '', { atomic: true });
      else if (item.action === 'remove') {
        const full = checkPath(target, relative);
        const stat = lstatSync(full, { throwIfNoEntry: false });
        if (stat) rmSync(full, { recursive: stat.isDirectory(), force: true });
      }
    }
  } catch (error) {
    if (error instanceof UnsafePathError)
      throw new LoomError('UNSAFE_PATH', `uninstall stopped at ${error.file}: ${error.message}`, {
        hint: 'Replace it with a regular file (or remove it yourself) and run uninstall again.',
      });
    throw error;
  }
  for (const folder of FOLDERS) {
    try {
      rmdirSync(path.join(target, folder)); // fails (and is kept) unless empty
    } catch {
      // not empty or not there
    }
  }
}
