/**
 * `loom deps <issue>` (DESIGN.md §8.6): is anything this issue depends on still open?
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { DependencySchema } from '../core/deps.js';
import { cleanText } from '../core/sanitize.js';
import { ExitCode } from '../errors.js';
import { readDependencies } from '../github/deps.js';
import { issueNumber, parseOptions, printJson } from './shared.js';
import { mainContext, type Run } from './work-context.js';

export const DepsJsonSchema = z.object({
  issue: z.number().int().positive(),
  dependencies: z.array(DependencySchema),
  /** Numbers of the open (or unresolvable) dependencies. */
  open: z.array(z.number().int().positive()),
  all_closed: z.boolean(),
  native_error: z.string().nullable(),
});

export function register(program: Command, run: Run): void {
  program
    .command('deps <issue>')
    .description("List an issue's dependencies and whether each is still open")
    .option(
      '--json',
      'print {issue, dependencies: [{number, repo, state, resolved, title, sources}], open, all_closed, native_error}',
    )
    .addHelpText(
      'after',
      `
Sources: GitHub's native "blocked by" list, and in the issue body "Blocked by #N", "Depends on #N", "Requires #N"
(any case, lists like "Depends on #1, #2") and task-list items ("- [ ] #N"). Code blocks are ignored.
Fail closed: a dependency that cannot be read (missing, another repository) counts as open.
Exit codes: 0 every dependency is closed (or there are none), 24 some are open (listed), 2 bad arguments, 7 no such issue.
Example: .loom/scripts/loom deps 123 || echo "still blocked"`,
    )
    .action((issue, raw) =>
      run(async (env) => {
        const options = parseOptions(z.object({ issue: issueNumber, json: z.boolean().default(false) }), {
          ...raw,
          issue,
        });
        const ctx = await mainContext(env);
        const report = await readDependencies(ctx.gh, await ctx.repo(), options.issue);
        const open = report.dependencies.filter((d) => d.state === 'open');
        if (options.json) {
          printJson(env.io, { ...report, open: open.map((d) => d.number), all_closed: open.length === 0 });
        } else {
          for (const d of report.dependencies) {
            const name = `${d.repo ?? ''}#${d.number}`;
            const title = d.title ? `  ${cleanText(d.title)}` : '';
            env.io.out(
              `${d.state.padEnd(6)} ${name}${d.resolved ? '' : ' (unresolved: counted as open)'}${title}  [${d.sources.join(', ')}]`,
            );
          }
          if (report.native_error)
            env.io.err(
              `loom: GitHub's native dependency list was not readable (${report.native_error}); body references still count`,
            );
          env.io.out(
            open.length
              ? `#${options.issue} has ${open.length} open dependenc${open.length === 1 ? 'y' : 'ies'}: ${open.map((d) => `${d.repo ?? ''}#${d.number}`).join(' ')}`
              : `#${options.issue}: all dependencies closed`,
          );
        }
        return open.length ? ExitCode.depsOpen : ExitCode.ok;
      }, Boolean(raw.json)),
    );
}
