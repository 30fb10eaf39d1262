/**
 * `loom labels sync` (create/update Loom's labels on GitHub from
 * .github/labels.yml; never deletes) and `loom labels lint`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { parseLabelsYaml, syncLabels } from '../github/labels.js';
import { context, parseOptions, printJson, type CommandEnv } from './shared.js';
import { LoomError } from '../errors.js';

type Run = (fn: (env: CommandEnv) => Promise<number | void>, json?: boolean) => Promise<void>;

export function register(program: Command, run: Run): void {
  const labels = program.command('labels').description('Manage Loom\'s GitHub labels (.github/labels.yml)');
  labels
    .command('sync')
    .description('Create missing labels and update changed ones on GitHub; never deletes a label')
    .option('--dry-run', 'list what would change (one read request)')
    .option('--json', 'print {created[], updated[], unchanged[]}')
    .action((raw) =>
      run(async (env) => {
        const options = parseOptions(z.object({ dryRun: z.boolean().default(false), json: z.boolean().default(false) }), raw);
        const ctx = await context(env);
        const file = path.join(ctx.root, '.github', 'labels.yml');
        const text = await readFile(file, 'utf8').catch(() => {
          throw new LoomError('NOT_INSTALLED', '.github/labels.yml is missing.', { hint: 'Run `loom init .` to install it.' });
        });
        const result = await syncLabels(ctx.gh, await ctx.repo(), parseLabelsYaml(text), options.dryRun);
        if (options.json) return printJson(env.io, result);
        env.io.out(`${options.dryRun ? 'would create' : 'created'} ${result.created.length}, ${options.dryRun ? 'would update' : 'updated'} ${result.updated.length}, unchanged ${result.unchanged.length}`);
      }, Boolean(raw.json)),
    );
}
