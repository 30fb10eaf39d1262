/**
 * The install's life cycle beside `loom init`: `loom version`, `loom upgrade`
 * (init run by a newer Loom) and `loom uninstall` (src/install/uninstall.ts).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import * as z from 'zod';
import { LoomError } from '../errors.js';
import { repositoryRoot } from '../git/git.js';
import { execGh, GhClient } from '../github/gh.js';
import { resolveRepo } from '../github/repo.js';
import { loadDefaults, scriptsDir } from '../install/defaults.js';
import { MANIFEST_PATH, readManifest } from '../install/manifest.js';
import { applyUninstall, planUninstall } from '../install/uninstall.js';
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
        const options = parseOptions(z.object({ json: z.boolean().default(false) }), raw);
        const root = await repositoryRoot(env.cwd).catch(() => undefined);
        const installed = root ? await installedVersion(root) : null;
        const info = { version: VERSION, build: BUILD, node: process.versions.node, installed };
        if (options.json) return printJson(env.io, VersionJsonSchema.parse(info));
        env.io.out(`loom ${VERSION} (build ${BUILD}, node ${info.node})`);
        if (installed)
          env.io.out(
            `installed here: ${installed.version}${installed.build ? ` (build ${installed.build})` : ''}${installed.build && installed.build !== BUILD ? ' (differs from this build: `loom upgrade`)' : ''}`,
          );
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
        const options = parseOptions(
          z.object({
            from: z.string().min(1).optional(),
            dryRun: z.boolean().default(false),
            force: z.boolean().default(false),
            labels: z.boolean().default(true),
            json: z.boolean().default(false),
          }),
          raw,
        );
        const root = await targetRoot(env, target ?? '.');
        const from = options.from ? path.resolve(env.cwd, options.from) : scriptsDir();
        const launcher = launcherIn(from);
        if (!launcher)
          throw new LoomError('USAGE', `No Loom found at ${from} (looked for .loom/scripts/loom in it).`, {
            hint: 'Give --from the folder of a Loom checkout (after `npm run build` or a pull), or its .loom/scripts/loom.',
          });
        const previous = await installedVersion(root);
        const node = (args: string[]) => runProcess(process.execPath, [launcher, ...args], { cwd: root, env: env.env });
        const version = await node(['--version']);
        const newer = version.exitCode === 0 ? version.stdout.trim() : 'unknown version';
        const args = ['init', root];
        if (options.dryRun) args.push('--dry-run');
        if (options.force) args.push('--force');
        if (!options.labels) args.push('--no-labels');
        if (options.json) args.push('--json');
        if (!options.json)
          env.io.out(
            `${options.dryRun ? 'Would upgrade' : 'Upgrading'} Loom ${previous ? `${previous.version}${previous.build ? ` (build ${previous.build})` : ''}` : '(no install manifest)'} → ${newer}, from ${launcher}`,
          );
        const result = await node(args);
        if (options.json) {
          let init: unknown = result.stdout;
          try {
            init = JSON.parse(result.stdout);
          } catch {
            // An older Loom's non-JSON answer is passed on as text.
          }
          printJson(env.io, { from: launcher, previous, init });
        } else for (const line of result.stdout.replace(/\n$/, '').split('\n')) if (line) env.io.out(line);
        for (const line of result.stderr.replace(/\n$/, '').split('\n')) if (line) env.io.err(line);
        return result.exitCode;
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
        const options = parseOptions(
          z.object({
            keepState: z.boolean().default(false),
            labels: z.boolean().default(false),
            dryRun: z.boolean().default(false),
            json: z.boolean().default(false),
          }),
          raw,
        );
        return uninstall(env, await targetRoot(env, target ?? '.'), options);
      }, Boolean(raw.json)),
    );
}

async function uninstall(
  env: CommandEnv,
  root: string,
  options: { keepState: boolean; labels: boolean; dryRun: boolean; json: boolean },
): Promise<number> {
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
    const gh = new GhClient(execGh({ env: env.env, cwd: root, host: async () => repo.host }));
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
  if (options.json) {
    printJson(env.io, {
      version: VERSION,
      target: root,
      dry_run: options.dryRun,
      files: items.map(({ path: p, action, note }) => ({ path: p, action, ...(note ? { note } : {}) })),
      labels,
    });
    return 0;
  }
  const verb = (action: string) => (options.dryRun ? `would ${action === 'kept' ? 'keep' : action}` : action);
  env.io.out(`${options.dryRun ? 'Would remove' : 'Removing'} Loom ${manifest.loom_version} from ${root}`);
  const chunks = items.filter((i) => i.path.startsWith('.loom/scripts/lib/') && i.action === 'remove').length;
  for (const item of items) {
    if (item.path.startsWith('.loom/scripts/lib/') && item.action === 'remove') continue;
    env.io.out(`  ${verb(item.action)} ${item.path}${item.note ? `  (${item.note})` : ''}`);
  }
  if (chunks) env.io.out(`  ${verb('remove')} .loom/scripts/lib/ (${chunks} code chunk(s))`);
  const kept = items.filter((i) => i.action === 'kept' && i.note?.startsWith('you changed'));
  if (kept.length)
    env.io.out(`${kept.length} file(s) you changed were kept; delete them yourself if you no longer want them.`);
  if (labels)
    env.io.out(
      `labels: ${verb('delete')} ${labels.deleted.length}${labels.absent.length ? `, ${labels.absent.length} already absent` : ''}`,
    );
  else env.io.out("GitHub labels were left as they are (--labels deletes Loom's).");
  return 0;
}
