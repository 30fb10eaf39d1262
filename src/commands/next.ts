/**
 * `loom next <role> [--json]`: the issue or pull request a worker role takes
 * when it was given no number (builder, curator, judge, doctor).
 */
import { appendFileSync } from 'node:fs';
import type { Command } from 'commander';
import * as z from 'zod';
import type { LoomContext, Output } from '../context.js';
import { NextRoleSchema, pickNext } from '../core/next-item.js';
import { ExitCode, LoomError } from '../errors.js';
import { readQueue } from '../github/next-item.js';
import { exitCodeHelp } from './exit-codes.js';
import { parseOptions, printJson, type Run } from './shared.js';
import { mainContext } from './work-context.js';

export const NextJsonSchema = z.object({ role: NextRoleSchema, number: z.number().int().positive().nullable() });
export type NextJson = z.infer<typeof NextJsonSchema>;

export const NextOptions = z.object({
  role: NextRoleSchema,
  json: z.boolean().default(false),
  githubOutput: z.boolean().default(false),
});
export type NextOptions = z.infer<typeof NextOptions>;
/** What `next` and its render read of the options (the flags default to false). */
type NextCall = Pick<NextOptions, 'role'> & Partial<Pick<NextOptions, 'json' | 'githubOutput'>>;

export function register(program: Command, run: Run): void {
  program
    .command('next <role>')
    .description('Print the number a worker role should take next: builder, curator, judge, doctor or champion')
    .option('--json', 'print {role, number} (number null when the queue is empty)')
    .option(
      '--github-output',
      'in a GitHub Actions step: append work=true or work=false to the file GITHUB_OUTPUT names, and exit 0 for both',
    )
    .addHelpText(
      'after',
      `
Queues, oldest first: builder — open loom:issue (loom:urgent first; not blocked, building or aborted);
curator — loom:triage issues; judge — PRs with loom:review-requested; doctor — approved (loom:pr) PRs that
conflict with their base, then approved PRs whose checks fail, then PRs with loom:changes-requested; never one
with loom:manual-merge or whose issue is loom:blocked; champion — approved (loom:pr) PRs that neither conflict
nor fail their checks and have no loom:manual-merge (the merge gate may still make one wait for a person).
The builder and curator skip issues by outsiders (not owner, member or collaborator) that no maintainer
admitted with a loom: label (trust.outside_issues). One GitHub request.
${exitCodeHelp('next')}
Example: .loom/scripts/loom next judge`,
    )
    .action((role, raw) =>
      run(async (env) => {
        const options = parseOptions(NextOptions, { ...raw, role });
        const outputFile = options.githubOutput ? githubOutputFile(env.env) : undefined;
        const result = await next(await mainContext(env), options);
        if (outputFile) appendFileSync(outputFile, `work=${result.number !== null}\n`);
        return renderNext(env.io, result, options);
      }, Boolean(raw.json)),
    );
}

/** The number `options.role` takes next, or null when its queue is empty (one GitHub request). */
export async function next(ctx: LoomContext, options: NextCall): Promise<NextJson> {
  const config = await ctx.config();
  const queue = await readQueue(ctx.gh, await ctx.repo(), options.role);
  const pick = pickNext(options.role, queue, config.trust.outside_issues);
  return { role: options.role, number: pick?.number ?? null };
}

/**
 * Prints the number (or --json); exit 0, or 7 (not found) for an empty queue — 0 for both with
 * `--github-output`, where the workflow reads `work` instead of the exit code (src/core/workflows.ts).
 */
export function renderNext(io: Output, result: NextJson, options: NextCall): number {
  if (options.json) printJson(io, result);
  else if (result.number !== null) io.out(String(result.number));
  return result.number !== null || options.githubOutput ? ExitCode.ok : ExitCode.notFound;
}

/** The step output file a GitHub Actions runner names in GITHUB_OUTPUT; a USAGE error outside a runner. */
function githubOutputFile(env: NodeJS.ProcessEnv): string {
  const file = env.GITHUB_OUTPUT;
  if (!file)
    throw new LoomError('USAGE', '--github-output needs GITHUB_OUTPUT, which GitHub Actions sets in a step.', {
      hint: 'Run it in a workflow step, or drop --github-output and read the exit code (0: work, 7: none).',
    });
  return file;
}
