/**
 * `loom init <target> [--dry-run] [--force] [--no-labels] [--json]`: installs
 * or upgrades Loom in a repository (SPEC §2) and syncs its labels on GitHub.
 */

import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { LoomError } from '../errors.js';
import { repositoryRoot } from '../git/git.js';
import { execGh, GhClient } from '../github/gh.js';
import { type LabelSyncResult, parseLabelsYaml, syncLabels } from '../github/labels.js';
import { resolveRepo } from '../github/repo.js';
import { bundlePath, loadDefaults } from '../install/defaults.js';
import { applyInit, planInit } from '../install/init.js';
import { type CommandEnv, parseOptions, printJson } from './shared.js';

type Run = (fn: (env: CommandEnv) => Promise<number | void>, json?: boolean) => Promise<void>;

const Options = z.object({
  target: z.string().min(1),
  dryRun: z.boolean().default(false),
  force: z.boolean().default(false),
  labels: z.boolean().default(true),
  followSymlinks: z.boolean().default(false),
  json: z.boolean().default(false),
});

export function register(program: Command, run: Run): void {
  program
    .command('init [target]')
    .description('Install or upgrade Loom in a git repository (default: the current one) and sync its labels')
    .option('--dry-run', 'show what would be written; write nothing, call GitHub for nothing')
    .option('--force', 'replace .loom/config.json with the defaults (other user files are still merged)')
    .option('--no-labels', 'skip the label sync on GitHub')
    .option('--follow-symlinks', 'write through symlinked targets that stay inside the repository (else refused)')
    .option('--json', 'print {files:[{path, action}], labels}')
    .addHelpText(
      'after',
      `
Installs .claude/commands/*.md, .claude/settings.json, .loom/config.json, .loom/scripts/ (this
bundle and its wrappers), .github/labels.yml, a Loom section in CLAUDE.md and .gitignore entries.
Running it again changes nothing unless Loom changed; your CLAUDE.md text and config edits stay.
A target that is a symbolic link (CLAUDE.md, .gitignore, .claude/settings.json, .loom/config.json,
.loom/scripts, …) or not a regular file is refused, naming it, before anything is written.
Exit codes: 0 installed; 2 target is not a git repository, or a target is a symlink or special file; 10 your config is invalid (nothing
written); 3/4/6/11 files installed but the label sync failed (run \`loom labels sync\` later).
Example: node ~/loom/.loom/scripts/loom init ~/src/my-project`,
    )
    .action((target, raw) =>
      run((env) => init(env, parseOptions(Options, { ...raw, target: target ?? '.' })), Boolean(raw.json)),
    );
}

export async function init(env: CommandEnv, options: z.infer<typeof Options>): Promise<number> {
  const requested = path.resolve(env.cwd, options.target);
  if (!existsSync(requested) || !statSync(requested).isDirectory()) {
    throw new LoomError('USAGE', `${requested} is not a directory.`, { hint: 'Give the path of your repository.' });
  }
  const target = await repositoryRoot(requested);
  const bundle = await readFile(bundlePath(), 'utf8').catch(() => {
    throw new LoomError('NOT_INSTALLED', 'The Loom bundle (.loom/scripts/loom) is missing.', {
      hint: 'Run `npm run build` in the Loom repository first.',
    });
  });
  const planned = await planInit({
    target,
    defaults: loadDefaults(),
    bundle,
    force: options.force,
    followSymlinks: options.followSymlinks,
  });
  if (!options.dryRun) await applyInit(target, planned, { followSymlinks: options.followSymlinks });

  let labels: LabelSyncResult | null = null;
  let labelError: LoomError | null = null;
  if (options.labels && !options.dryRun) {
    try {
      const gh = new GhClient(execGh({ env: env.env, cwd: target }));
      const repo = await resolveRepo(target, env.env);
      const specs = parseLabelsYaml(planned.find((f) => f.path === '.github/labels.yml')!.content);
      labels = await syncLabels(gh, repo, specs);
    } catch (error) {
      if (!(error instanceof LoomError)) throw error;
      labelError = error;
    }
  }

  if (options.json) {
    printJson(env.io, {
      target,
      dry_run: options.dryRun,
      files: planned.map((f) => ({ path: f.path, action: f.action })),
      labels,
      errors: labelError ? [labelError.toJSON()] : [],
    });
  } else {
    const verb = options.dryRun ? 'would ' : '';
    for (const file of planned)
      if (file.action !== 'unchanged')
        env.io.out(`${verb}${file.action} ${file.path}${file.note ? `  (${file.note})` : ''}`);
    const unchanged = planned.filter((f) => f.action === 'unchanged').length;
    if (unchanged) env.io.out(`${unchanged} file(s) already up to date`);
    if (labels)
      env.io.out(
        `labels: ${labels.created.length} created, ${labels.updated.length} updated, ${labels.unchanged.length} unchanged`,
      );
    if (!options.dryRun)
      env.io.out(
        `Loom is installed in ${target}. Next: open Claude Code there and type /loom (watch with .loom/scripts/loom-status.sh).`,
      );
  }
  if (labelError) {
    env.io.err(`loom: files installed, but labels were not synced: ${labelError.message}`);
    if (labelError.hint) env.io.err(`  → ${labelError.hint}`);
    env.io.err('  → Then run `.loom/scripts/loom labels sync`.');
    return labelError.exitCode;
  }
  return 0;
}
