/**
 * The install's life cycle beside `loom init`: `loom version`, `loom upgrade`
 * (init run by a newer Loom) and `loom uninstall` (src/install/uninstall.ts).
 * Like init they take the command environment (cwd, env, gh), not a repository's context: they run outside an
 * install or on a target folder given on the command line.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import * as z from 'zod';
import { ExitCode, LoomError } from '../errors.js';
import { repositoryRoot } from '../git/git.js';
import { execGh, GhClient } from '../github/gh.js';
import { resolveRepo } from '../github/repo.js';
import { loadDefaults, scriptsDir } from '../install/defaults.js';
import { MANIFEST_PATH, readManifest } from '../install/manifest.js';
import { applyUninstall, planUninstall } from '../install/uninstall.js';
import type { Output } from '../io.js';
import { runProcess } from '../process/run.js';
import { BUILD, VERSION } from '../version.js';
import { exitCodeHelp } from './exit-codes.js';
import { type CommandEnv, parseOptions, printJson, type Run } from './shared.js';

/** `loom version --json`. */
export const VersionJsonSchema = z.object({
  version: z.string(),
  /** Short hash of the sources the bundle was built from (src/version.ts). */
  build: z.string(),
  node: z.string(),
  /** What the install manifest of the current repository records; null outside an install. */
  installed: z.object({ version: z.string(), build: z.string().nullable() }).nullable(),
});

export const VersionOptions = z.object({ json: z.boolean().default(false) });
export type VersionOptions = z.infer<typeof VersionOptions>;
export type VersionJson = z.infer<typeof VersionJsonSchema>;

export const UpgradeOptions = z.object({
  target: z.string().min(1),
  from: z.string().min(1).optional(),
  dryRun: z.boolean().default(false),
  force: z.boolean().default(false),
  labels: z.boolean().default(true),
  json: z.boolean().default(false),
});
export type UpgradeOptions = z.infer<typeof UpgradeOptions>;

const InstalledSchema = z.object({ version: z.string(), build: z.string().nullable() }).nullable();

/** `loom upgrade --json`: `init` is the newer Loom's `init --json` answer (its text when it is not JSON). */
export const UpgradeJsonSchema = z.object({ from: z.string(), previous: InstalledSchema, init: z.unknown() });
export type UpgradeJson = z.infer<typeof UpgradeJsonSchema>;

/** What upgrade did: the --json data, the newer Loom's version line, and its init's output and exit code. */
export interface UpgradeResult {
  json: UpgradeJson;
  /** The newer Loom's `--version` answer (`unknown version` when it gave none). */
  newer: string;
  /** The newer Loom's `init`: its stdout, stderr and exit code (upgrade's own exit code). */
  init: { stdout: string; stderr: string; exitCode: number };
}

export const UninstallOptions = z.object({
  target: z.string().min(1),
  keepState: z.boolean().default(false),
  labels: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  json: z.boolean().default(false),
});
export type UninstallOptions = z.infer<typeof UninstallOptions>;

/** `loom uninstall --json`; `version` is this Loom's. */
export const UninstallJsonSchema = z.object({
  version: z.string(),
  target: z.string(),
  dry_run: z.boolean(),
  files: z.array(z.object({ path: z.string(), action: z.string(), note: z.string().optional() })),
  labels: z.object({ deleted: z.array(z.string()), absent: z.array(z.string()) }).nullable(),
});
export type UninstallJson = z.infer<typeof UninstallJsonSchema>;

/** What uninstall did: the --json data and the version the manifest recorded (named in the text). */
export interface UninstallResult {
  json: UninstallJson;
  installedVersion: string;
}

async function targetRoot(env: CommandEnv, target: string): Promise<string> {
  const requested = path.resolve(env.cwd, target);
  if (!existsSync(requested) || !statSync(requested).isDirectory())
    throw new LoomError('USAGE', `${requested} is not a directory.`, { hint: 'Give the path of your repository.' });
  return repositoryRoot(requested);
}

async function installedVersion(root: string) {
  const manifest = await readManifest(root).catch(() => undefined);
  return manifest ? { version: manifest.loom_version, build: manifest.loom_build ?? null } : null;
}

/** The `loom` launcher of a newer Loom: a checkout or unpacked package, its .loom/scripts folder, or the file. */
export function launcherIn(from: string): string | undefined {
  const candidates = [from, path.join(from, 'loom'), path.join(from, '.loom/scripts/loom')];
  candidates.push(path.join(from, 'package/.loom/scripts/loom'));
  return candidates.find((file) => existsSync(file) && statSync(file).isFile());
}

export function register(program: Command, run: Run): void {
  program
    .command('version')
    .description("Print this Loom's version and build id, and the version installed in this repository")
    .option('--json', 'print {version, build, node, installed: {version, build} | null}')
    .addHelpText(
      'after',
      `
The build id is a short hash of the sources the bundle was built from: two bundles with the same version
but other code differ in it. "installed" comes from .loom/install-manifest.json of the current repository.
${exitCodeHelp('version')}`,
    )
    .action((raw) =>
      run(async (env) => {
        const options = parseOptions(VersionOptions, raw);
        return renderVersion(env.io, await version(env, options), options);
      }, Boolean(raw.json)),
    );

  program
    .command('upgrade [target]')
    .description('Re-install Loom in a repository from a newer Loom (a checkout, an unpacked package or its bundle)')
    .option(
      '--from <path>',
      'the newer Loom: its folder, its .loom/scripts folder or its loom file (default: this CLI)',
    )
    .option('--dry-run', 'show what would change; write nothing')
    .option('--force', 'as init --force: replace files you changed (yours saved as .loom-backup first)')
    .option('--no-labels', 'skip the label sync on GitHub')
    .option('--json', 'print {from, previous: {version, build} | null, init: <init --json output>}')
    .addHelpText(
      'after',
      `
Runs the newer Loom's own \`init\` on the repository, so its files, rules and labels are the newer ones and
the same rules hold as for init: files you changed are kept (the new version goes beside them as .loom-new),
your CLAUDE.md text, config values, settings and labels stay, and permission rules an older Loom added
that the new one no longer ships are removed from .claude/settings.json (never your own rules).
${exitCodeHelp('upgrade')}
Example: git -C ~/loom pull && .loom/scripts/loom upgrade --from ~/loom`,
    )
    .action((target, raw) =>
      run(async (env) => {
        const options = parseOptions(UpgradeOptions, { ...raw, target: target ?? '.' });
        return renderUpgrade(env.io, await upgrade(env, options), options);
      }, Boolean(raw.json)),
    );

  program
    .command('uninstall [target]')
    .description('Remove Loom from a repository: its files as it installed them and its part of the files you share')
    .option('--keep-state', 'keep the runtime files (.loom/daemon-state.json, logs/, claims/, tmp/, locks)')
    .option('--labels', "also delete Loom's labels on GitHub (they are removed from every issue and PR)")
    .option('--dry-run', 'show what would be removed; change nothing')
    .option(
      '--json',
      'print {version, target, dry_run, files: [{path, action, note?}], labels: {deleted[], absent[]} | null}',
    )
    .addHelpText(
      'after',
      `
Removes exactly the files .loom/install-manifest.json lists that are still as Loom wrote them; a file you
changed is kept and named. From the files you share with Loom only Loom's part goes: the CLAUDE.md section
between the Loom markers, Loom's permission rules and guard hook in .claude/settings.json, the .gitignore
lines init added. Worktrees under .loom/worktrees/ are never removed. GitHub labels stay unless --labels.
Folders are removed only when nothing is left in them.
${exitCodeHelp('uninstall')}
Example: .loom/scripts/loom uninstall --dry-run`,
    )
    .action((target, raw) =>
      run(async (env) => {
        const options = parseOptions(UninstallOptions, { ...raw, target: target ?? '.' });
        return renderUninstall(env.io, await uninstall(env, options), options);
      }, Boolean(raw.json)),
    );
}

/** This Loom's version and build, and what the install manifest of the repository holding `env.cwd` records. */
export async function version(env: CommandEnv, _options: VersionOptions): Promise<VersionJson> {
  const root = await repositoryRoot(env.cwd).catch(() => undefined);
  const installed = root ? await installedVersion(root) : null;
  return VersionJsonSchema.parse({ version: VERSION, build: BUILD, node: process.versions.node, installed });
}

/** Prints --json, or the version line and what is installed here (and whether it differs); exit 0. */
export function renderVersion(io: Output, result: VersionJson, options: VersionOptions): number {
  if (options.json) {
    printJson(io, result);
    return ExitCode.ok;
  }
  const { installed } = result;
  io.out(`loom ${result.version} (build ${result.build}, node ${result.node})`);
  if (installed)
    io.out(
      `installed here: ${installed.version}${installed.build ? ` (build ${installed.build})` : ''}${installed.build && installed.build !== result.build ? ' (differs from this build: `loom upgrade`)' : ''}`,
    );
  return ExitCode.ok;
}

/**
 * Runs the newer Loom's own `init` (`options.from`, default this CLI) on the repository holding `options.target`:
 * two `node` children (`--version`, then `init` with the same flags). Prints nothing; the child's output comes
 * back in the result. Errors: USAGE (exit 2) when the target is not a directory or no Loom is found at `from`.
 */
export async function upgrade(env: CommandEnv, options: UpgradeOptions): Promise<UpgradeResult> {
  const root = await targetRoot(env, options.target);
  const from = options.from ? path.resolve(env.cwd, options.from) : scriptsDir();
  const launcher = launcherIn(from);
  if (!launcher)
    throw new LoomError('USAGE', `No Loom found at ${from} (looked for .loom/scripts/loom in it).`, {
      hint: 'Give --from the folder of a Loom checkout (after `npm run build` or a pull), or its .loom/scripts/loom.',
    });
  const previous = await installedVersion(root);
  const node = (args: string[]) => runProcess(process.execPath, [launcher, ...args], { cwd: root, env: env.env });
  const answer = await node(['--version']);
  const newer = answer.exitCode === 0 ? answer.stdout.trim() : 'unknown version';
  const args = ['init', root];
  if (options.dryRun) args.push('--dry-run');
  if (options.force) args.push('--force');
  if (!options.labels) args.push('--no-labels');
  if (options.json) args.push('--json');
  const result = await node(args);
  let init: unknown = result.stdout;
  if (options.json) {
    try {
      init = JSON.parse(result.stdout);
    } catch {
      // An older Loom's non-JSON answer is passed on as text.
    }
  }
  return {
    json: { from: launcher, previous, init },
    newer,
    init: { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode },
  };
}

const linesOf = (text: string) => text.replace(/\n$/, '').split('\n').filter(Boolean);

/** Prints --json, or what is upgraded to what and the newer init's lines; its stderr as is; exit: init's. */
export function renderUpgrade(io: Output, result: UpgradeResult, options: UpgradeOptions): number {
  const { previous, from } = result.json;
  if (options.json) printJson(io, result.json);
  else {
    io.out(
      `${options.dryRun ? 'Would upgrade' : 'Upgrading'} Loom ${previous ? `${previous.version}${previous.build ? ` (build ${previous.build})` : ''}` : '(no install manifest)'} → ${result.newer}, from ${from}`,
    );
    for (const line of linesOf(result.init.stdout)) io.out(line);
  }
  for (const line of linesOf(result.init.stderr)) io.err(line);
  return result.init.exitCode;
}

/**
 * Removes Loom from the repository holding `options.target` as its install manifest lists it (nothing with
 * --dry-run); with --labels first deletes Loom's labels on GitHub (one request each, before any file goes).
 * Errors: NOT_INSTALLED (no manifest: nothing removed); GH_ERROR when a label cannot be deleted (no file removed).
 */
export async function uninstall(env: CommandEnv, options: UninstallOptions): Promise<UninstallResult> {
  const root = await targetRoot(env, options.target);
  const manifest = await readManifest(root);
  if (!manifest)
    throw new LoomError('NOT_INSTALLED', `No ${MANIFEST_PATH} in ${root}: nothing is removed.`, {
      hint: 'Without the manifest Loom cannot tell its files from yours. Run `loom init` first (it writes one), then uninstall.',
    });
  const shippedSettings = loadDefaults()['.claude/settings.json'] ?? '{}';
  const items = planUninstall({ target: root, manifest, shippedSettings, keepState: options.keepState });
  // Labels first: once the files are gone this CLI's own later chunks would be too.
  let labels: { deleted: string[]; absent: string[] } | null = null;
  if (options.labels) {
    labels = { deleted: [], absent: [] };
    const repo = await resolveRepo(root, env.env);
    const gh = env.gh ?? new GhClient(execGh({ env: env.env, cwd: root, host: async () => repo.host }));
    for (const name of Object.keys(manifest.labels)) {
      if (options.dryRun) {
        labels.deleted.push(name);
        continue;
      }
      const response = await gh.restRaw(
        'DELETE',
        `repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(name)}`,
      );
      if (response.status === 404) labels.absent.push(name);
      else if (response.status >= 400)
        throw new LoomError(
          'GH_ERROR',
          `Deleting label ${name} failed (HTTP ${response.status}); no file was removed.`,
          {
            hint: 'Check that your token may edit labels, or run uninstall without --labels.',
          },
        );
      else labels.deleted.push(name);
    }
  }
  if (!options.dryRun) applyUninstall(root, items);
  const json: UninstallJson = {
    version: VERSION,
    target: root,
    dry_run: options.dryRun,
    files: items.map(({ path: p, action, note }) => ({ path: p, action, ...(note ? { note } : {}) })),
    labels,
  };
  return { json, installedVersion: manifest.loom_version };
}

/** Prints --json, or each file removed or kept (code chunks summed up) and what became of the labels; exit 0. */
export function renderUninstall(io: Output, result: UninstallResult, options: UninstallOptions): number {
  if (options.json) {
    printJson(io, result.json);
    return ExitCode.ok;
  }
  const { files: items, labels, target: root } = result.json;
  const verb = (action: string) => (options.dryRun ? `would ${action === 'kept' ? 'keep' : action}` : action);
  io.out(`${options.dryRun ? 'Would remove' : 'Removing'} Loom ${result.installedVersion} from ${root}`);
  const chunks = items.filter((i) => i.path.startsWith('.loom/scripts/lib/') && i.action === 'remove').length;
  for (const item of items) {
    if (item.path.startsWith('.loom/scripts/lib/') && item.action === 'remove') continue;
    io.out(`  ${verb(item.action)} ${item.path}${item.note ? `  (${item.note})` : ''}`);
  }
  if (chunks) io.out(`  ${verb('remove')} .loom/scripts/lib/ (${chunks} code chunk(s))`);
  const kept = items.filter((i) => i.action === 'kept' && i.note?.startsWith('you changed'));
  if (kept.length)
    io.out(`${kept.length} file(s) you changed were kept; delete them yourself if you no longer want them.`);
  if (labels)
    io.out(
      `labels: ${verb('delete')} ${labels.deleted.length}${labels.absent.length ? `, ${labels.absent.length} already absent` : ''}`,
    );
  else io.out("GitHub labels were left as they are (--labels deletes Loom's).");
  return ExitCode.ok;
}
