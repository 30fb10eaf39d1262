/**
 * `loom labels sync` (create/update Loom's labels on GitHub from
 * .github/labels.yml; never deletes) and `loom labels lint`.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import * as z from 'zod';
import type { LoomContext, Output } from '../context.js';
import { findPhantomLabels, PhantomSchema } from '../core/label-lint.js';
import { ExitCode, LoomError } from '../errors.js';
import { type LabelSyncResult, parseLabelsYaml, syncLabels } from '../github/labels.js';
import { readManifest } from '../install/manifest.js';
import { exitCodeHelp } from './exit-codes.js';
import type { Run } from './shared.js';
import { context, parseOptions, printJson } from './shared.js';

export const LabelsLintJsonSchema = z.object({
  declared_in: z.string(),
  files_checked: z.number().int().nonnegative(),
  phantoms: z.array(PhantomSchema),
});

export type LabelsLintJson = z.infer<typeof LabelsLintJsonSchema>;

export const LabelsSyncOptions = z.object({
  dryRun: z.boolean().default(false),
  force: z.boolean().default(false),
  json: z.boolean().default(false),
});
export type LabelsSyncOptions = z.infer<typeof LabelsSyncOptions>;
export const LabelsLintOptions = z.object({ json: z.boolean().default(false) });
export type LabelsLintOptions = z.infer<typeof LabelsLintOptions>;

/** Where `labels lint` looks for label uses, relative to the repository root: [folder, file suffix]. */
const LINT_SOURCES: [string, string][] = [
  ['.claude/commands', '.md'],
  ['defaults/.claude/commands', '.md'],
  ['src', '.ts'],
];

async function filesUnder(dir: string, suffix: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .sort();
}

export function register(program: Command, run: Run): void {
  const labels = program
    .command('labels')
    .description("Manage Loom's GitHub labels (.github/labels.yml)")
    .addHelpText('after', `\n${exitCodeHelp('labels')}`);
  labels
    .command('sync')
    .description("Create missing labels on GitHub; update a label only while it has Loom's values; never deletes")
    .option('--dry-run', 'list what would change (one read request)')
    .option('--force', "also change labels whose colour/description you set yourself to labels.yml's values")
    .option('--json', 'print {created[], updated[], unchanged[], kept[]}')
    .addHelpText(
      'after',
      `
A label that exists with other values than labels.yml is changed only when it still has the values
Loom gave it before (recorded in .loom/install-manifest.json); otherwise it is listed as kept.
${exitCodeHelp('labels sync')}`,
    )
    .action((raw) =>
      run(async (env) => {
        const options = parseOptions(LabelsSyncOptions, raw);
        return renderLabelsSync(env.io, await labelsSync(await context(env), options), options);
      }, Boolean(raw.json)),
    );

  labels
    .command('lint')
    .description('Fail on any loom: label used in command files or source that .github/labels.yml does not declare')
    .option('--json', 'print {declared_in, files_checked, phantoms: [{label, file, line}]}')
    .addHelpText(
      'after',
      `
Scans .claude/commands/**/*.md, defaults/.claude/commands/**/*.md and src/**/*.ts (those present) from the
repository root; labels come from .github/labels.yml (defaults/.github/labels.yml when the former is missing).
${exitCodeHelp('labels lint')}
Example: .loom/scripts/loom labels lint`,
    )
    .action((raw) =>
      run(async (env) => {
        const options = parseOptions(LabelsLintOptions, raw);
        return renderLabelsLint(
          env.io,
          await labelsLint(await context(env, { requireInstalled: false }), options),
          options,
        );
      }, Boolean(raw.json)),
    );
}

/** Creates or updates Loom's labels on GitHub from .github/labels.yml (never deletes; see --help for --force). */
export async function labelsSync(ctx: LoomContext, options: LabelsSyncOptions): Promise<LabelSyncResult> {
  const file = path.join(ctx.root, '.github', 'labels.yml');
  const text = await readFile(file, 'utf8').catch(() => {
    throw new LoomError('NOT_INSTALLED', '.github/labels.yml is missing.', {
      hint: 'Run `loom init .` to install it.',
    });
  });
  const manifest = await readManifest(ctx.root);
  return syncLabels(ctx.gh, await ctx.repo(), parseLabelsYaml(text), {
    dryRun: options.dryRun,
    force: options.force,
    previous: manifest?.labels,
  });
}

/** Prints the counts and the labels kept (or --json); exit 0. */
export function renderLabelsSync(io: Output, result: LabelSyncResult, options: LabelsSyncOptions): number {
  if (options.json) {
    printJson(io, result);
    return ExitCode.ok;
  }
  io.out(
    `${options.dryRun ? 'would create' : 'created'} ${result.created.length}, ${options.dryRun ? 'would update' : 'updated'} ${result.updated.length}, unchanged ${result.unchanged.length}, kept ${result.kept.length}`,
  );
  if (result.kept.length) io.out(`kept your values of ${result.kept.join(', ')} (--force sets labels.yml's values)`);
  return ExitCode.ok;
}

/** The loom: labels used in command files and sources that labels.yml does not declare (read from ctx.root). */
export async function labelsLint(ctx: LoomContext, _options: LabelsLintOptions): Promise<LabelsLintJson> {
  const declaredFile = ['.github/labels.yml', 'defaults/.github/labels.yml'].find((f) =>
    existsSync(path.join(ctx.root, f)),
  );
  if (!declaredFile)
    throw new LoomError('NOT_INSTALLED', '.github/labels.yml is missing.', {
      hint: 'Run `loom init .` to install it.',
    });
  const declared = parseLabelsYaml(await readFile(path.join(ctx.root, declaredFile), 'utf8')).map((l) => l.name);
  const files: { file: string; text: string }[] = [];
  for (const [dir, suffix] of LINT_SOURCES) {
    for (const file of await filesUnder(path.join(ctx.root, dir), suffix)) {
      files.push({ file: path.relative(ctx.root, file), text: await readFile(file, 'utf8') });
    }
  }
  return { declared_in: declaredFile, files_checked: files.length, phantoms: findPhantomLabels(files, declared) };
}

/** Prints one line per phantom and a total (or --json); exit 0, or 26 when there are phantoms. */
export function renderLabelsLint(io: Output, result: LabelsLintJson, options: LabelsLintOptions): number {
  const { phantoms, files_checked: checked } = result;
  if (options.json) printJson(io, result);
  else {
    for (const p of phantoms) io.out(`${p.file}:${p.line}: ${p.label} is not declared in ${result.declared_in}`);
    io.out(
      phantoms.length
        ? `${phantoms.length} phantom label use${phantoms.length === 1 ? '' : 's'} in ${checked} files`
        : `no phantom labels in ${checked} files`,
    );
  }
  return phantoms.length ? ExitCode.phantomLabels : ExitCode.ok;
}
