/**
 * `loom init <target> [--dry-run] [--force] [--no-labels] [--json]`: installs
 * or upgrades Loom in a repository (DESIGN.md §2) and syncs its labels on GitHub.
 * It runs before Loom is installed, so `init(env, options)` takes the command environment (cwd, env, gh), not a
 * repository's context: the target is resolved from `options.target`, and a LoomContext needs `.loom/`.
 */

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import * as z from 'zod';
import { parseConfig } from '../core/config.js';
import { secretInstruction } from '../core/workflows.js';
import { ExitCode, LoomError } from '../errors.js';
import { repositoryRoot } from '../git/git.js';
import { execGh, GhClient } from '../github/gh.js';
import { type LabelSyncResult, parseLabelsYaml, syncLabels } from '../github/labels.js';
import { resolveRepo } from '../github/repo.js';
import { loadDefaults, readBundle } from '../install/defaults.js';
import { applyInit, type InitPlan, planInitWithCommands } from '../install/init.js';
import { readManifest } from '../install/manifest.js';
import { type PlannedFile, plannedFileJson } from '../install/owned-file.js';
import type { Output } from '../io.js';
import { BUILD, VERSION } from '../version.js';
import { exitCodeHelp } from './exit-codes.js';
import { type CommandEnv, parseOptions, printJson, type Run } from './shared.js';

export const InitOptions = z.object({
  target: z.string().min(1),
  dryRun: z.boolean().default(false),
  force: z.boolean().default(false),
  labels: z.boolean().default(true),
  followSymlinks: z.boolean().default(false),
  actions: z.boolean().default(false),
  daemon: z.boolean().default(false),
  json: z.boolean().default(false),
});
export type InitOptions = z.infer<typeof InitOptions>;

const FileRowSchema = z.object({
  path: z.string(),
  action: z.enum(['create', 'update', 'unchanged', 'kept', 'skipped', 'delete']),
  beside: z.string().optional(),
  backup: z.string().optional(),
  note: z.string().optional(),
});
const LabelNamesSchema = z.array(z.string());

/** `loom init --json`. */
export const InitJsonSchema = z.object({
  version: z.string(),
  build: z.string(),
  target: z.string(),
  dry_run: z.boolean(),
  files: z.array(FileRowSchema),
  /** The label sync (null with --dry-run, --no-labels, or when it failed: see errors). */
  labels: z
    .object({
      created: LabelNamesSchema,
      updated: LabelNamesSchema,
      unchanged: LabelNamesSchema,
      kept: LabelNamesSchema,
    })
    .nullable(),
  /** Per kind (test, typecheck, lint): the command in the config and where it came from (`config`: yours). */
  commands: z.record(z.string(), z.object({ command: z.string(), source: z.string() })),
  warnings: z.array(z.string()),
  errors: z.array(z.object({ code: z.string(), message: z.string() }).passthrough()),
});
export type InitJson = z.infer<typeof InitJsonSchema>;

/** What `init` did: the --json data, and what only the text render reads (file contents, the label error). */
export interface InitResult {
  json: InitJson;
  planned: PlannedFile[];
  commands: InitPlan['commands'];
  /** An install manifest was found (without one every file that differs counts as the user's). */
  manifestFound: boolean;
  /** The label sync failed (the files are installed): exit code and next step come from it. */
  labelError: LoomError | null;
}

export function register(program: Command, run: Run): void {
  program
    .command('init [target]')
    .description('Install or upgrade Loom in a git repository (default: the current one) and sync its labels')
    .option('--dry-run', 'show what would be written; write nothing, call GitHub for nothing')
    .option(
      '--force',
      "replace files you changed (yours saved as <file>.loom-backup first), reset .loom/config.json, and set labels to Loom's values",
    )
    .option('--no-labels', 'skip the label sync on GitHub')
    .option('--follow-symlinks', 'write through symlinked targets that stay inside the repository (else refused)')
    .option(
      '--actions',
      'also install the GitHub Actions workflows (loom-shepherd.yml, loom-support.yml; see `loom actions`)',
    )
    .option('--daemon', 'with --actions: also the scheduled loom-daemon.yml')
    .option(
      '--json',
      'print {version, target, files:[{path, action, beside?, backup?, note?}], labels, warnings[], errors[]}',
    )
    .addHelpText(
      'after',
      `
Installs .claude/commands/*.md, .claude/settings.json, .loom/config.json, .loom/scripts/ (this
bundle and its wrappers), .github/labels.yml, a Loom section in CLAUDE.md and .gitignore entries,
and records what it wrote in .loom/install-manifest.json (path → hash, Loom version). With --actions it
also writes .github/workflows/loom-shepherd.yml and loom-support.yml (--daemon: loom-daemon.yml), generated
from .loom/config.json; once installed, every later init or upgrade refreshes them (\`loom actions --help\`).
Nothing you wrote is lost: a file you changed since Loom installed it is kept and Loom's new version is
written beside it as <file>.loom-new (--force replaces it after saving yours as <file>.loom-backup);
your CLAUDE.md text, config values and settings are merged, not replaced; a CLAUDE.md whose Loom markers
are broken is left alone with a note on how to mend it. A target that is a symbolic link (CLAUDE.md,
.gitignore, .claude/settings.json, .loom/config.json, .loom/scripts, …) or not a regular file is refused,
naming it, before anything is written (--follow-symlinks: links that stay inside the repository are written through). Existing labels keep colours and descriptions
you gave them (--force sets Loom's). Running it again changes nothing unless Loom changed.
${exitCodeHelp('init')}
Example: node ~/loom/.loom/scripts/loom init ~/src/my-project`,
    )
    .action((target, raw) =>
      run(async (env) => {
        const options = parseOptions(InitOptions, { ...raw, target: target ?? '.' });
        return renderInit(env.io, await init(env, options), options);
      }, Boolean(raw.json)),
    );
}

/**
 * Installs or upgrades Loom in the repository holding `options.target` (relative to `env.cwd`), then syncs its
 * labels on GitHub (the labels request and one per label created or updated; none with --dry-run or
 * --no-labels). Prints nothing. Errors: USAGE (exit 2) when the target is not a directory; NOT_INSTALLED when
 * this Loom's bundle is missing; a failed label sync is not thrown but returned (`labelError`, files installed).
 */
export async function init(env: CommandEnv, options: InitOptions): Promise<InitResult> {
  const requested = path.resolve(env.cwd, options.target);
  if (!existsSync(requested) || !statSync(requested).isDirectory()) {
    throw new LoomError('USAGE', `${requested} is not a directory.`, { hint: 'Give the path of your repository.' });
  }
  const target = await repositoryRoot(requested);
  let bundle: Record<string, string>;
  try {
    bundle = readBundle();
  } catch {
    throw new LoomError('NOT_INSTALLED', 'The Loom bundle (.loom/scripts/loom and lib/) is missing.', {
      hint: 'Run `npm run build` in the Loom repository first.',
    });
  }
  const defaults = loadDefaults();
  const loomLabels = parseLabelsYaml(defaults['.github/labels.yml'] ?? '[]');
  const manifest = await readManifest(target);
  const { planned, commands } = await planInitWithCommands({
    target,
    defaults,
    bundle,
    force: options.force,
    manifest,
    version: VERSION,
    build: BUILD,
    labels: loomLabels,
    followSymlinks: options.followSymlinks,
    ...(options.actions || options.daemon ? { actions: { daemon: options.daemon } } : {}),
  });
  if (!options.dryRun) await applyInit(target, planned, { followSymlinks: options.followSymlinks });

  let labels: LabelSyncResult | null = null;
  let labelError: LoomError | null = null;
  if (options.labels && !options.dryRun) {
    try {
      const repo = await resolveRepo(target, env.env);
      const gh = env.gh ?? new GhClient(execGh({ env: env.env, cwd: target, host: async () => repo.host }));
      const specs = parseLabelsYaml(planned.find((f) => f.path === '.github/labels.yml')!.content);
      labels = await syncLabels(gh, repo, specs, { force: options.force, previous: manifest?.labels });
    } catch (error) {
      if (!(error instanceof LoomError)) throw error;
      labelError = error;
    }
  }
  const json: InitJson = {
    version: VERSION,
    build: BUILD,
    target,
    dry_run: options.dryRun,
    files: planned.map(plannedFileJson),
    labels,
    commands: commandsJson(commands),
    warnings: [...skippedWarnings(planned), ...commands.skipped],
    errors: labelError ? [labelError.toJSON()] : [],
  };
  return { json, planned, commands, manifestFound: !!manifest, labelError };
}

/** Files whose Loom markers are broken: left alone, one warning each. */
const skippedWarnings = (planned: PlannedFile[]) =>
  planned.filter((f) => f.action === 'skipped').map((f) => `${f.path} ${f.note}`);

/**
 * Prints --json, or what was written (code chunks summed up), the project commands, the auto-merge notice and
 * the next steps; warnings and a failed label sync on stderr. Exit 0, or the label error's code.
 */
export function renderInit(io: Output, result: InitResult, options: InitOptions): number {
  const { planned, commands, labelError } = result;
  const { target, labels } = result.json;
  const warnings = skippedWarnings(planned);
  const kept = planned.filter((f) => f.action === 'kept');
  if (options.json) {
    printJson(io, result.json);
  } else {
    const verb = options.dryRun ? 'would ' : '';
    io.out(`${options.dryRun ? 'Would install' : 'Installing'} Loom ${VERSION} into ${target}`);
    // The CLI's code chunks (.loom/scripts/lib/) are one line per action, not one per chunk.
    const chunks = new Map<string, number>();
    for (const file of planned) {
      if (file.action === 'unchanged') continue;
      if (file.path.startsWith('.loom/scripts/lib/') && file.action !== 'kept') {
        chunks.set(file.action, (chunks.get(file.action) ?? 0) + 1);
        continue;
      }
      const note = file.action === 'skipped' ? 'its Loom markers are broken; see the warning below' : file.note;
      io.out(`  ${verb}${file.action} ${file.path}${note ? `  (${note})` : ''}`);
    }
    for (const [action, count] of chunks) io.out(`  ${verb}${action} .loom/scripts/lib/ (${count} code chunk(s))`);
    const unchanged = planned.filter((f) => f.action === 'unchanged').length;
    if (unchanged) io.out(`  ${unchanged} file(s) already up to date`);
    if (kept.length)
      io.out(
        `${kept.length} file(s) you changed were kept: compare each with its .loom-new, take what you want, delete the .loom-new (or run init --force: yours are saved as .loom-backup first).`,
      );
    if (!result.manifestFound && kept.length)
      io.out("  (No install manifest was found, so every file that differs from Loom's counts as yours.)");
    if (labels) {
      io.out(
        `labels: ${labels.created.length} created, ${labels.updated.length} updated, ${labels.unchanged.length} unchanged${labels.kept.length ? `, ${labels.kept.length} kept` : ''}`,
      );
      if (labels.kept.length)
        io.out(
          `  kept your colour/description of ${labels.kept.join(', ')} (\`loom labels sync --force\` sets Loom's)`,
        );
    }
    for (const line of commandLines(commands)) io.out(line);
    io.out(autoMergeNotice(planned.find((f) => f.path === '.loom/config.json')?.content));
    if (!options.dryRun) {
      io.out('Next:');
      io.out('  1. Commit the installed files: git add .claude .loom .github CLAUDE.md .gitignore && git commit');
      io.out(
        `  2. Open Claude Code in ${target} and trust the folder when it asks (the commands run .loom/scripts/loom).`,
      );
      io.out('  3. Type /loom; watch progress with .loom/scripts/loom status.');
      const workflows = planned.filter((f) => f.path.startsWith('.github/workflows/') && f.action !== 'delete');
      if (workflows.length) io.out(`  4. ${secretInstruction(configuredSecret(planned))}`);
    }
  }
  for (const warning of warnings) io.err(`loom: warning: ${warning}`);
  if (!options.json) for (const skipped of commands.skipped) io.err(`loom: warning: ${skipped}`);
  if (labelError) {
    io.err(`loom: files installed, but labels were not synced: ${labelError.message}`);
    if (labelError.hint) io.err(`  → ${labelError.hint}`);
    io.err('  → Then run `.loom/scripts/loom labels sync`.');
    return labelError.exitCode;
  }
  return ExitCode.ok;
}

/** `--json` `commands`: per kind, the command the config holds and where it came from (`config` when the user set it). */
function commandsJson(commands: InitPlan['commands']) {
  return Object.fromEntries(
    Object.entries(commands.configured).map(([kind, command]) => [
      kind,
      {
        command,
        source: commands.filled.includes(kind) ? (commands.sources[kind as 'test'] ?? 'detected') : 'config',
      },
    ]),
  );
}

/** The lines init prints about the project's commands: what the roles may run, or how to tell Loom. */
function commandLines(commands: InitPlan['commands']): string[] {
  const entries = Object.entries(commands.configured).filter(([, command]) => command !== '');
  if (!entries.length)
    return [
      'Project commands: none found. Set commands.test (and typecheck, lint) in .loom/config.json and run init again, so the Builder, Doctor and Judge may run them.',
    ];
  return [
    'Project commands (.loom/config.json commands; the Builder, Doctor and Judge may run exactly these):',
    ...entries.map(([kind, command]) => {
      const from = commands.filled.includes(kind) ? `found in ${commands.sources[kind as 'test']}` : 'yours';
      return `  ${kind}: ${command}  (${from})`;
    }),
  ];
}

/** init states plainly whether approved pull requests merge without a person (`merge.auto`). */
export function autoMergeNotice(configText: string | undefined): string {
  let auto = true;
  try {
    const parsed = parseConfig(JSON.parse(configText ?? '{}'));
    if (parsed.ok) auto = parsed.config.merge.auto;
  } catch {
    // An unreadable config is reported elsewhere; the default stands here.
  }
  return auto
    ? 'Auto-merge is ON (merge.auto): the Champion merges approved PRs that pass the merge gate without a person. Set "merge": {"auto": false} in .loom/config.json to merge each one yourself.'
    : 'Auto-merge is OFF (merge.auto): approved PRs wait for you; merge each with `.loom/scripts/loom merge <pr> --force`.';
}

/** The repository secret the installed workflows read (config `actions.secret`). */
function configuredSecret(planned: { path: string; content: string }[]): string {
  try {
    const parsed = parseConfig(JSON.parse(planned.find((f) => f.path === '.loom/config.json')?.content ?? '{}'));
    if (parsed.ok) return parsed.config.actions.secret;
  } catch {
    // An unreadable config is reported elsewhere; the default stands here.
  }
  return 'ANTHROPIC_API_KEY';
}
