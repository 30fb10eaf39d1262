/**
 * init's side of the project's commands (src/core/project-commands.ts): reads the target's root files,
 * fills `commands.*` of the config where the user set none, and grants exactly the configured commands
 * to the roles that run them (their allowed-tools and `.claude/settings.json`).
 */
import { readdirSync } from 'node:fs';
import {
  COMMAND_KINDS,
  type CommandKind,
  commandRules,
  DETECTION_FILES,
  type Detection,
  detectProjectCommands,
  type ProjectCommands,
} from '../core/project-commands.js';
import { safeReadFile } from '../fs/safe-file.js';

/** The roles that run the project's commands: they build, treat or check a pull request in a worktree. */
export const PROJECT_COMMAND_ROLES = ['builder', 'doctor', 'judge'] as const;

/** Detects the commands of the repository at `root`; files that cannot be read safely count as absent. */
export function detectIn(root: string): Detection {
  let names: string[] = [];
  try {
    names = readdirSync(root);
  } catch {
    // An unreadable root: nothing detected.
  }
  const wanted = new Set<string>(DETECTION_FILES);
  return detectProjectCommands({
    names,
    read: (name) => {
      if (!wanted.has(name) || !names.includes(name)) return undefined;
      try {
        return safeReadFile(root, name, {}) ?? undefined;
      } catch {
        return undefined; // a symlink, FIFO or folder: detection never follows it
      }
    },
  });
}

export interface FilledConfig {
  text: string;
  /** The commands the config ends up with (the user's, else detected). */
  commands: ProjectCommands;
  /** The kinds init filled from detection in this run. */
  filled: CommandKind[];
}

/**
 * Sets `commands.<kind>` of a config text to the detected command where the config has no value for it; a
 * value the user wrote (even an empty string, which means "none") is never replaced. The text is returned
 * unchanged when nothing is filled.
 */
export function fillCommands(configText: string, detected: ProjectCommands): FilledConfig {
  const config = JSON.parse(configText) as { commands?: ProjectCommands } & Record<string, unknown>;
  const commands: ProjectCommands = { ...(config.commands ?? {}) };
  const filled = COMMAND_KINDS.filter((kind) => commands[kind] === undefined && detected[kind] !== undefined);
  for (const kind of filled) commands[kind] = detected[kind];
  if (!filled.length) return { text: configText, commands, filled };
  return { text: `${JSON.stringify({ ...config, commands }, null, 2)}\n`, commands, filled };
}

/** Adds `rules` to the `allowed-tools:` line of a command file's frontmatter (each once). */
export function withAllowedTools(text: string, rules: string[]): string {
  if (!rules.length) return text;
  return text.replace(/^(allowed-tools:[ \t]*)(.*)$/m, (_line, key: string, list: string) => {
    const tools = list.split(/,\s*/).filter(Boolean);
    const bash = tools.filter((t) => t.startsWith('Bash('));
    const others = tools.filter((t) => !t.startsWith('Bash('));
    const added = rules.filter((r) => !tools.includes(r));
    return `${key}${[...bash, ...added, ...others].join(', ')}`;
  });
}

/** Adds `rules` to `permissions.allow` of Loom's settings.json (each once). */
export function withSettingsRules(settingsText: string, rules: string[]): string {
  if (!rules.length) return settingsText;
  const settings = JSON.parse(settingsText) as { permissions: { allow: string[] } };
  const allow = [...settings.permissions.allow];
  // After Loom's other Bash rules, so the file reads as one list of commands then the tools.
  let at = allow.filter((r) => r.startsWith('Bash(')).length;
  for (const rule of rules) if (!allow.includes(rule)) allow.splice(at++, 0, rule);
  return `${JSON.stringify({ ...settings, permissions: { ...settings.permissions, allow } }, null, 2)}\n`;
}

export { commandRules };
