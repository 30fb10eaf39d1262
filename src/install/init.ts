/**
 * `loom init <target>` (DESIGN.md §2): computes what to write from the defaults and
 * what the target already has, then writes it. Idempotent: a second run
 * changes nothing. The user's CLAUDE.md text, config edits, settings and
 * labels are kept; Loom's own files (command files, scripts) are replaced.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  isMap,
  isSeq,
  parseDocument,
  parse as parseYaml,
  Scalar,
  stringify as stringifyYaml,
  type YAMLMap,
} from 'yaml';
import { parseConfig } from '../core/config.js';
import type { WorkflowChoice } from '../core/workflows.js';
import { LoomError } from '../errors.js';
import { checkPath, type SafeOptions, safeReadFile, safeWriteFile, UnsafePathError } from '../fs/safe-file.js';
import type { LabelSpec } from '../github/labels.js';
import type { DefaultFiles } from './defaults.js';
import { type LabelValues, MANIFEST_PATH, type Manifest, renderManifest, sha256 } from './manifest.js';
import { NEW_SUFFIX, type PlannedFile, planOwnedFile } from './owned-file.js';
import {
  commandRules,
  detectIn,
  fillCommands,
  PROJECT_COMMAND_ROLES,
  withAllowedTools,
  withSettingsRules,
} from './project-commands.js';
import { planWorkflows, wantedWorkflows } from './workflows.js';
import { SCRIPTS_PACKAGE_JSON, WRAPPERS, wrapperScript } from './wrappers.js';

export { BACKUP_SUFFIX, type FileAction, NEW_SUFFIX, type PlannedFile, planOwnedFile } from './owned-file.js';

export const BEGIN_MARKER = '<!-- BEGIN LOOM -->';
export const END_MARKER = '<!-- END LOOM -->';
export const GITIGNORE_HEADER = '# Loom runtime files (added by loom init)';
export const GITIGNORE_ENTRIES = [
  '.loom/daemon-state.json',
  '.loom/daemon-state.json.lock',
  '.loom/daemon-state.json.bad',
  '.loom/stop-daemon',
  '.loom/stop-shepherds',
  '.loom/claims/',
  '.loom/worktrees/',
  '.loom/logs/',
  '.loom/tmp/',
  '.loom/*.lock',
  '.loom/*.lock-owner',
  '.loom/*.lock-takeover',
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

/** A file of the repository through the safe reader; a symlink or special file is refused naming it (exit 2). */
export function readIfExists(root: string, relative: string, options: SafeOptions): string | undefined {
  try {
    checkPath(root, relative, options);
    return safeReadFile(root, relative, options);
  } catch (error) {
    if (error instanceof UnsafePathError) throw refusal(error, root);
    throw error;
  }
}

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

function markerLines(text: string, marker: string): number[] {
  const lines: number[] = [];
  for (let at = text.indexOf(marker); at !== -1; at = text.indexOf(marker, at + marker.length))
    lines.push(lineOf(text, at));
  return lines;
}

/**
 * What is wrong with the Loom markers of a CLAUDE.md, with how to mend it;
 * undefined when they are usable (none at all, or one BEGIN followed by one END).
 */
export function claudeMdMarkerProblem(text: string): string | undefined {
  const begins = markerLines(text, BEGIN_MARKER);
  const ends = markerLines(text, END_MARKER);
  if (!begins.length && !ends.length) return undefined;
  if (begins.length === 1 && ends.length === 1 && begins[0]! < ends[0]!) return undefined;
  const where = (lines: number[]) => (lines.length ? `on line ${lines.join(', ')}` : 'missing');
  const found = `BEGIN ${where(begins)}, END ${where(ends)}`;
  if (begins.length === 1 && !ends.length)
    return `CLAUDE.md has ${BEGIN_MARKER} but no ${END_MARKER} (${found}). Put ${END_MARKER} on its own line after Loom's section (before your own text), or delete the marker and Loom's section; then run init again.`;
  if (!begins.length && ends.length === 1)
    return `CLAUDE.md has ${END_MARKER} but no ${BEGIN_MARKER} (${found}). Put ${BEGIN_MARKER} on its own line where Loom's section starts, or delete the marker and Loom's section; then run init again.`;
  return `CLAUDE.md's Loom markers are out of order or repeated (${found}). Keep exactly one ${BEGIN_MARKER} before one ${END_MARKER} around Loom's section (delete the others and any second Loom section); then run init again.`;
}

/**
 * CLAUDE.md: the Loom section between markers replaced (or appended when there
 * are no markers); the rest is the user's. Call only when
 * `claudeMdMarkerProblem` finds nothing wrong.
 */
export function mergeClaudeMd(existing: string | undefined, section: string): string {
  const block = `${BEGIN_MARKER}\n${section.trim()}\n${END_MARKER}`;
  if (!existing) return `${block}\n`;
  const start = existing.indexOf(BEGIN_MARKER);
  const end = existing.indexOf(END_MARKER);
  if (start !== -1 && end > start) return existing.slice(0, start) + block + existing.slice(end + END_MARKER.length);
  return `${existing.replace(/\s*$/, '')}\n\n${block}\n`;
}

/** The .gitignore lines init adds to `existing`: Loom's entries it lacks, under Loom's header unless that is there. */
export function gitignoreAdditions(existing: string | undefined): string[] {
  const lines = (existing ?? '').split('\n').map((l) => l.trim());
  const missing = GITIGNORE_ENTRIES.filter((entry) => !lines.includes(entry));
  if (!missing.length) return [];
  return lines.includes(GITIGNORE_HEADER) ? missing : [GITIGNORE_HEADER, ...missing];
}

/**
 * The lines of Loom's block in a .gitignore written before installs recorded theirs: Loom's header and the
 * Loom entries after it (none when the header is missing).
 */
export function loomGitignoreBlock(existing: string | undefined): string[] {
  const lines = (existing ?? '').split('\n').map((l) => l.trim());
  const header = lines.indexOf(GITIGNORE_HEADER);
  if (header === -1) return [];
  return [GITIGNORE_HEADER, ...GITIGNORE_ENTRIES.filter((entry) => lines.slice(header).includes(entry))];
}

/** .gitignore: Loom's runtime entries added once, the user's lines untouched. */
export function mergeGitignore(existing: string | undefined): string {
  const added = gitignoreAdditions(existing);
  if (!added.length) return existing ?? '';
  const trimmed = (existing ?? '').replace(/\s*$/, '');
  // Entries missing from Loom's block join it; a new block is set off by a blank line.
  const last = trimmed.split('\n').pop()?.trim() ?? '';
  const joinsBlock = added[0] !== GITIGNORE_HEADER && (last === GITIGNORE_HEADER || GITIGNORE_ENTRIES.includes(last));
  const base = trimmed ? `${trimmed}\n${joinsBlock ? '' : '\n'}` : '';
  return `${base}${added.join('\n')}\n`;
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

interface HookEntry {
  matcher?: string;
  hooks?: { type?: string; command?: string }[];
}
type Settings = {
  env?: Record<string, string>;
  permissions?: { allow?: string[] } & Record<string, unknown>;
  hooks?: Record<string, HookEntry[]>;
} & Record<string, unknown>;

/** Loom's own hook entries are recognised by their command, so an upgrade replaces them instead of adding twice. */
const isLoomHook = (entry: HookEntry) =>
  (entry.hooks ?? []).some((h) => /\.loom\/scripts\/loom"? guard\b/.test(h.command ?? ''));

const settingsProblem = (detail: string) =>
  new LoomError('SETTINGS_INVALID', `.claude/settings.json ${detail}; init leaves it as it is.`, {
    hint: "This is Claude Code's settings file (Claude Code ignores it while it is broken): fix it, or move it away, then run init again.",
  });

/** The user's settings.json as far as init merges it: an object whose permissions.allow and hooks have the right types. */
function parseSettings(text: string): Settings {
  let user: unknown;
  try {
    user = JSON.parse(text);
  } catch (error) {
    throw settingsProblem(`is not valid JSON (${(error as Error).message})`);
  }
  if (!user || typeof user !== 'object' || Array.isArray(user)) throw settingsProblem('is not a JSON object');
  const settings = user as Settings;
  if (
    settings.permissions !== undefined &&
    (typeof settings.permissions !== 'object' || Array.isArray(settings.permissions))
  )
    throw settingsProblem('has a "permissions" that is not an object');
  if (settings.permissions?.allow !== undefined && !Array.isArray(settings.permissions.allow))
    throw settingsProblem('has a "permissions.allow" that is not a list');
  if (settings.hooks !== undefined && (typeof settings.hooks !== 'object' || Array.isArray(settings.hooks)))
    throw settingsProblem('has a "hooks" that is not an object');
  if (settings.env !== undefined && (!settings.env || typeof settings.env !== 'object' || Array.isArray(settings.env)))
    throw settingsProblem('has an "env" that is not an object');
  return settings;
}

/**
 * Permission rules only an older Loom shipped, recognisable as Loom's without a record (they name Loom's own
 * scripts): dropped on upgrade even from an install whose manifest does not list Loom's rules.
 * `Bash(.loom/scripts/*:*)` has a wildcard in the middle, which Claude Code does not match as a prefix.
 */
export const OBSOLETE_LOOM_RULES = ['Bash(.loom/scripts/*:*)'];

const allowOf = (defaults: string) => (JSON.parse(defaults) as { permissions: { allow: string[] } }).permissions.allow;

/**
 * Which `permissions.allow` rules of settings.json are Loom's after this init (recorded in the manifest):
 * those Loom adds now (the user did not have them), those it recorded before and still ships, and, for an
 * install whose manifest predates this record, every rule it ships (that install put them there).
 */
export function loomSettingsRules(existing: string | undefined, defaults: string, manifest: Manifest | undefined) {
  const ours = allowOf(defaults);
  if (manifest && !manifest.settings_allow) return ours;
  let before: string[] = [];
  try {
    before = (JSON.parse(existing ?? '{}') as Settings).permissions?.allow ?? [];
  } catch {
    // An invalid file is refused by mergeSettings; nothing is recorded from it.
  }
  const recorded = manifest?.settings_allow ?? [];
  return ours.filter((rule) => recorded.includes(rule) || !before.includes(rule));
}

/** Which `env` keys of settings.json are Loom's after this init: the same rule as loomSettingsRules, by key. */
export function loomSettingsEnv(existing: string | undefined, defaults: string, manifest: Manifest | undefined) {
  const ours = Object.keys((JSON.parse(defaults) as Settings).env ?? {});
  if (manifest && !manifest.settings_env) return ours;
  let before: string[] = [];
  try {
    before = Object.keys((JSON.parse(existing ?? '{}') as Settings).env ?? {});
  } catch {
    // An invalid file is refused by mergeSettings.
  }
  const recorded = manifest?.settings_env ?? [];
  return ours.filter((key) => recorded.includes(key) || !before.includes(key));
}

/**
 * settings.json: Loom's permissions added to the user's (union), minus `obsolete` rules (Loom's own from an
 * older version that it no longer ships; a rule Loom still ships or the user's own is never in it); Loom's hooks
 * (the `loom guard` PreToolUse hook) replace Loom's earlier entries and sit after the user's own, which are kept
 * as they are; every other key of theirs kept.
 */
export function mergeSettings(
  existing: string | undefined,
  defaults: string,
  obsolete: readonly string[] = [],
): string {
  if (!existing) return defaults;
  const user = parseSettings(existing);
  const ours = JSON.parse(defaults) as Required<Pick<Settings, 'hooks'>> & {
    permissions: { allow: string[] };
    env?: Record<string, string>;
  };
  const dropped = new Set(obsolete.filter((rule) => !ours.permissions.allow.includes(rule)));
  const allow = (user.permissions?.allow ?? []).filter((rule) => !dropped.has(rule));
  for (const rule of ours.permissions.allow) if (!allow.includes(rule)) allow.push(rule);
  const hooks: Record<string, HookEntry[]> = { ...(user.hooks ?? {}) };
  for (const [event, entries] of Object.entries(ours.hooks ?? {})) {
    const theirs = Array.isArray(hooks[event]) ? hooks[event]!.filter((entry) => !isLoomHook(entry)) : [];
    hooks[event] = [...theirs, ...entries];
  }
  // Loom's environment settings are added where the user has none of the same name; theirs win.
  const env = ours.env || user.env ? { ...(ours.env ?? {}), ...(user.env ?? {}) } : undefined;
  return `${JSON.stringify({ ...user, ...(env ? { env } : {}), permissions: { ...(user.permissions ?? {}), allow }, hooks }, null, 2)}\n`;
}

const sameLabel = (a: LabelValues, b: LabelValues) =>
  a.color.toLowerCase() === b.color.toLowerCase() && a.description === b.description;

/**
 * labels.yml, edited in place (comments and order kept): an entry for one of Loom's labels takes Loom's new
 * colour and description only while it still has the values Loom shipped before (`previous`, from the install
 * manifest) or with `force`; one the user edited stays theirs. Loom's labels missing from the file are appended;
 * the user's own labels are untouched. Undefined when the file is not a YAML list (init then keeps it and writes
 * Loom's version beside it).
 */
export function mergeLabelsYaml(
  existing: string | undefined,
  defaults: string,
  previous: Record<string, LabelValues> = {},
  force = false,
): string | undefined {
  if (!existing) return defaults;
  const ours = parseYaml(defaults) as LabelSpec[];
  const doc = parseDocument(existing);
  if (doc.errors.length || !isSeq(doc.contents)) return undefined;
  const seen = new Set<string>();
  let changed = false;
  for (const node of doc.contents.items) {
    if (!isMap(node)) continue;
    const item = node as unknown as YAMLMap<string, unknown>;
    const name = item.get('name');
    const mine = ours.find((label) => label.name === name);
    if (!mine) continue;
    seen.add(mine.name);
    const current = { color: String(item.get('color') ?? ''), description: String(item.get('description') ?? '') };
    const before = previous[mine.name];
    if (sameLabel(current, mine) || !(force || (before && sameLabel(current, before)))) continue;
    const color = new Scalar(mine.color);
    color.type = Scalar.QUOTE_DOUBLE; // a colour such as 123456 must stay a string
    item.set('color', color);
    item.set('description', mine.description);
    changed = true;
  }
  const text = changed ? doc.toString() : existing;
  const missing = ours.filter((label) => !seen.has(label.name));
  if (!missing.length) return text;
  return `${text.replace(/\s*$/, '')}\n${stringifyYaml(missing)}`;
}

export interface InitPlanInput {
  target: string;
  defaults: DefaultFiles;
  /** The built CLI: `.loom/scripts/loom` and its `.loom/scripts/lib/` chunks → content. */
  bundle: Record<string, string>;
  force: boolean;
  /** `--follow-symlinks`: write through symlinks that resolve inside the repository (else they are refused). */
  followSymlinks?: boolean;
  /** The manifest of the previous install (undefined: none, or an install older than manifests). */
  manifest: Manifest | undefined;
  /** Loom's version, recorded in the new manifest. */
  version: string;
  /** Loom's build id (src/version.ts), recorded in the new manifest. */
  build?: string;
  /** Loom's own labels (from the shipped labels.yml), recorded in the new manifest. */
  labels: LabelSpec[];
  /**
   * `--actions` (`--daemon`): install the GitHub Actions workflows. Without it, workflows an earlier run
   * installed are refreshed from the config (src/install/workflows.ts).
   */
  actions?: WorkflowChoice;
}

/** Files init merges with the user's content instead of owning them whole. */
const MERGED = new Set(['CLAUDE.md', '.loom/config.json', '.claude/settings.json', '.github/labels.yml', '.gitignore']);

/**
 * Everything init would write, with an action per file, and the new install
 * manifest last. Reads only. A file Loom owns (command files, scripts) is
 * replaced only when it is still what Loom wrote (its hash is in the
 * manifest); otherwise it is `kept` and the new version planned beside it, or,
 * with `force`, replaced after a backup.
 */
export async function planInit(input: InitPlanInput): Promise<PlannedFile[]> {
  return (await planInitWithCommands(input)).planned;
}

export interface InitPlan {
  planned: PlannedFile[];
  /** The project's test/typecheck/lint commands: detected (with where from), and which init filled into the config. */
  commands: ReturnType<typeof detectIn> & { filled: string[]; configured: Record<string, string>; skipped: string[] };
}

/** planInit, plus what init found out about the project's own commands (printed by `loom init`). */
export async function planInitWithCommands(input: InitPlanInput): Promise<InitPlan> {
  const planned: PlannedFile[] = [];
  const safe = { followSymlinks: input.followSymlinks };
  const read = async (relative: string) => readIfExists(input.target, relative, safe);
  const recorded: Record<string, string> = {};
  const previous = input.manifest?.files ?? {};
  let settingsAllow: string[] = [];
  let settingsEnv: string[] = [];
  // `built`: a file of the built CLI (launcher and chunks), replaced as one unit: a kept old launcher or chunk
  // beside new ones would break the CLI, and nobody edits minified output.
  const add = async (
    relative: string,
    content: string,
    { built = false, ...options }: { mode?: number; note?: string; built?: boolean } = {},
  ) => {
    // Merged files keep the user's text by construction, except config.json under --force (reset to defaults).
    const mergeKeepsUserText = MERGED.has(relative) && !(input.force && relative === '.loom/config.json');
    const file = planOwnedFile(relative, await read(relative), content, {
      previousHash: previous[relative],
      force: input.force,
      replace: built || mergeKeepsUserText,
      ...options,
    });
    if (file.action === 'kept') {
      if (previous[relative]) recorded[relative] = previous[relative]!;
    } else recorded[relative] = sha256(content);
    planned.push(file);
  };
  // The config first: the commands it ends up with decide what the builder, doctor and judge may run.
  const detection = detectIn(input.target);
  const configDefaults = input.defaults['.loom/config.json'];
  const config =
    configDefaults === undefined
      ? undefined
      : fillCommands(mergeConfig(await read('.loom/config.json'), configDefaults, input.force), detection.commands);
  const { rules, skipped } = commandRules(config?.commands ?? {});
  const roleFiles = new Set(PROJECT_COMMAND_ROLES.map((role) => `.claude/commands/${role}.md`));
  for (const [relative, content] of Object.entries(input.defaults)) {
    const existing = await read(relative);
    if (relative === 'CLAUDE.md') {
      const problem = existing === undefined ? undefined : claudeMdMarkerProblem(existing);
      if (problem) {
        planned.push({ path: relative, action: 'skipped', content: existing!, note: `not touched: ${problem}` });
        if (previous[relative]) recorded[relative] = previous[relative]!;
      } else
        await add(relative, mergeClaudeMd(existing, content), {
          note: existing === undefined ? undefined : 'Loom section between markers; your text kept',
        });
    } else if (relative === '.loom/config.json')
      await add(relative, config!.text, {
        note: input.force ? 'defaults restored' : 'your values kept',
      });
    else if (relative === '.claude/settings.json') {
      // Loom's rules include the project's detected commands: one that changes is dropped like any obsolete rule.
      const ours = withSettingsRules(content, rules);
      const obsolete = [...(input.manifest?.settings_allow ?? []), ...OBSOLETE_LOOM_RULES];
      await add(relative, mergeSettings(existing, ours, obsolete), {
        note: 'Loom permissions and guard hook added to yours',
      });
      settingsAllow = loomSettingsRules(existing, ours, input.manifest);
      settingsEnv = loomSettingsEnv(existing, ours, input.manifest);
    } else if (roleFiles.has(relative)) await add(relative, withAllowedTools(content, rules));
    else if (relative === '.github/labels.yml') {
      const merged = mergeLabelsYaml(existing, content, input.manifest?.labels, input.force);
      if (merged !== undefined) await add(relative, merged, { note: 'your label entries kept' });
      else {
        planned.push({
          path: relative,
          action: 'kept',
          content,
          beside: relative + NEW_SUFFIX,
          note: `not a YAML list of labels, so it is left as it is; Loom's version is beside it: labels.yml${NEW_SUFFIX}`,
        });
        if (previous[relative]) recorded[relative] = previous[relative]!;
      }
    } else await add(relative, content);
  }
  for (const [relative, content] of Object.entries(input.bundle))
    await add(relative, content, relative === '.loom/scripts/loom' ? { mode: 0o755, built: true } : { built: true });
  // Chunk names carry a content hash: those of an older version are removed, not left to pile up.
  const lib = '.loom/scripts/lib';
  for (const name of await readdir(path.join(input.target, lib)).catch(() => []))
    if (!Object.hasOwn(input.bundle, `${lib}/${name}`))
      planned.push({ path: `${lib}/${name}`, action: 'delete', content: '', note: 'chunk of an older version' });
  await add('.loom/scripts/package.json', SCRIPTS_PACKAGE_JSON);
  for (const [name, command] of Object.entries(WRAPPERS))
    await add(`.loom/scripts/${name}`, wrapperScript(command), { mode: 0o755 });
  const want = wantedWorkflows(input.manifest, input.actions);
  if (want && config) {
    const checked = parseConfig(JSON.parse(config.text));
    if (checked.ok) {
      const workflows = planWorkflows({
        config: checked.config,
        manifest: input.manifest,
        want,
        force: input.force,
        read: (relative) => readIfExists(input.target, relative, safe),
      });
      planned.push(...workflows.planned);
      Object.assign(recorded, workflows.recorded);
    }
  }
  const gitignore = await read('.gitignore');
  await add('.gitignore', mergeGitignore(gitignore), { note: 'runtime files ignored' });
  const gitignoreLines = [
    ...new Set([
      ...(input.manifest?.gitignore_lines ?? loomGitignoreBlock(gitignore)),
      ...gitignoreAdditions(gitignore),
    ]),
  ];
  planned.sort((a, b) => a.path.localeCompare(b.path));
  const manifest: Manifest = {
    manifest_version: 1,
    loom_version: input.version,
    ...(input.build ? { loom_build: input.build } : {}),
    files: recorded,
    labels: Object.fromEntries(input.labels.map((l) => [l.name, { color: l.color, description: l.description }])),
    settings_allow: settingsAllow,
    settings_env: settingsEnv,
    gitignore_lines: gitignoreLines,
  };
  const text = renderManifest(manifest);
  const current = await read(MANIFEST_PATH);
  planned.push({
    path: MANIFEST_PATH,
    content: text,
    action: current === undefined ? 'create' : current === text ? 'unchanged' : 'update',
  });
  const configured = Object.fromEntries(
    Object.entries(config?.commands ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  return { planned, commands: { ...detection, filled: config?.filled ?? [], configured, skipped } };
}

/** Writes the planned files through src/fs/safe-file.ts (no symlink followed out of `target`, regular files only). */
export async function applyInit(
  target: string,
  planned: PlannedFile[],
  options: { followSymlinks?: boolean } = {},
): Promise<void> {
  for (const file of planned) {
    if (file.action === 'unchanged' || file.action === 'skipped') continue;
    const full = path.join(target, file.beside ?? file.path);
    if (file.action === 'delete') {
      checkPath(target, full, { followSymlinks: options.followSymlinks });
      await rm(full, { force: true });
      continue;
    }
    try {
      const safe = { followSymlinks: options.followSymlinks };
      if (file.backup) safeWriteFile(target, file.backup, safeReadFile(target, file.path, safe) ?? '', safe);
      safeWriteFile(target, file.beside ?? file.path, file.content, {
        ...safe,
        ...(file.mode ? { mode: file.mode } : {}),
      });
    } catch (error) {
      if (error instanceof UnsafePathError) throw refusal(error, target);
      throw error;
    }
  }
}
