/**
 * `loom deps <issue>` (DESIGN.md §8.6): is anything this issue depends on still open?
 */
import type { Command } from 'commander';
import * as z from 'zod';
import { DependencySchema } from '../core/deps.js';
import { Label } from '../core/labels.js';
import { cleanText } from '../core/sanitize.js';
import { ExitCode } from '../errors.js';
import { readDependencies } from '../github/deps.js';
import { addComment, type ItemComment, readItemWithComments, transitionLabels } from '../github/items.js';

const DEPS_MARK = '<!-- loom:blocked-for-dependencies -->';
/** Blocked by Loom for dependencies, and nothing since: the newest comment that mentions a block is Loom's note. */
function blockedForDependenciesOnly(comments: readonly ItemComment[]): boolean {
  const blockNotes = comments.filter((c) => c.body.includes(DEPS_MARK) || /block|stopped|question|human/i.test(c.body));
  const last = blockNotes.at(-1);
  return !!last && last.body.includes(DEPS_MARK) && last.ownComment;
}

import type { LoomContext, Output } from '../context.js';
import { exitCodeHelp } from './exit-codes.js';
import { issueNumber, parseOptions, printJson, type Run } from './shared.js';
import { mainContext } from './work-context.js';

export const DepsJsonSchema = z.object({
  issue: z.number().int().positive(),
  dependencies: z.array(DependencySchema),
  /** Numbers of the open (or unresolvable) dependencies. */
  open: z.array(z.number().int().positive()),
  all_closed: z.boolean(),
  native_error: z.string().nullable(),
});

export type DepsJson = z.infer<typeof DepsJsonSchema>;

export const DepsOptions = z.object({
  issue: issueNumber,
  json: z.boolean().default(false),
  block: z.boolean().default(false),
  unblock: z.boolean().default(false),
});
export type DepsOptions = z.infer<typeof DepsOptions>;

/** The dependency report, or an --unblock refused (exit 12) with the line that says why (none: nothing printed). */
export type DepsResult = { json: DepsJson } | { refused: string | null };

export function register(program: Command, run: Run): void {
  program
    .command('deps <issue>')
    .description("List an issue's dependencies and whether each is still open")
    .option('--block', 'when some are open: move the issue to loom:blocked with a comment listing them')
    .option('--unblock', 'when all are closed and Loom blocked it for dependencies only: back to loom:issue')
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
--unblock refuses (exit 12) an issue that is not loom:blocked, or that was blocked for any other reason
(the newest block comment is not Loom's dependency note): those stay for a human.
${exitCodeHelp('deps')}
Example: .loom/scripts/loom deps 123 || echo "still blocked"`,
    )
    .action((issue, raw) =>
      run(async (env) => {
        const options = parseOptions(DepsOptions, { ...raw, issue });
        return renderDeps(env.io, await deps(await mainContext(env), options), options);
      }, Boolean(raw.json)),
    );
}

/** Reads the dependencies; with --block / --unblock moves the issue as their state says (see --help). */
export async function deps(ctx: LoomContext, options: DepsOptions): Promise<DepsResult> {
  const repo = await ctx.repo();
  const report = await readDependencies(ctx.gh, repo, options.issue);
  const open = report.dependencies.filter((d) => d.state === 'open');
  if (options.block && open.length) {
    // Loom's own comment, with a marker: --unblock later knows this block was for dependencies only.
    const list = open.map((d) => `#${d.number}`).join(', ');
    const moved = await transitionLabels(ctx.gh, repo, options.issue, {
      add: [Label.blocked],
      remove: [Label.building, Label.issue],
    });
    if (moved.ok)
      await addComment(ctx.gh, moved.after.id, `${DEPS_MARK}\nLoom: waiting for open dependencies: ${list}.`);
  }
  if (options.unblock) {
    const item = await readItemWithComments(ctx.gh, repo, options.issue);
    if (!item.labels.includes(Label.blocked)) return { refused: `loom: #${options.issue} is not loom:blocked` };
    if (!blockedForDependenciesOnly(item.comments))
      return { refused: `loom: #${options.issue} is blocked for another reason: a human decides` };
    if (!open.length) {
      const moved = await transitionLabels(ctx.gh, repo, options.issue, {
        add: [Label.issue],
        remove: [Label.blocked],
      });
      if (!moved.ok) return { refused: null };
      await addComment(ctx.gh, moved.after.id, 'Loom: the dependencies are closed; back in the queue.');
    }
  }
  return { json: { ...report, open: open.map((d) => d.number), all_closed: open.length === 0 } };
}

/** Prints one line per dependency and a verdict (or --json); exit 0 when all are closed, else 24; 12 when refused. */
export function renderDeps(io: Output, result: DepsResult, options: DepsOptions): number {
  if ('refused' in result) {
    if (result.refused) io.err(result.refused);
    return ExitCode.conflict;
  }
  const report = result.json;
  const open = report.dependencies.filter((d) => d.state === 'open');
  if (options.json) printJson(io, report);
  else {
    for (const d of report.dependencies) {
      const name = `${d.repo ?? ''}#${d.number}`;
      const title = d.title ? `  ${cleanText(d.title)}` : '';
      io.out(
        `${d.state.padEnd(6)} ${name}${d.resolved ? '' : ' (unresolved: counted as open)'}${title}  [${d.sources.join(', ')}]`,
      );
    }
    if (report.native_error)
      io.err(
        `loom: GitHub's native dependency list was not readable (${report.native_error}); body references still count`,
      );
    io.out(
      open.length
        ? `#${report.issue} has ${open.length} open dependenc${open.length === 1 ? 'y' : 'ies'}: ${open.map((d) => `${d.repo ?? ''}#${d.number}`).join(' ')}`
        : `#${report.issue}: all dependencies closed`,
    );
  }
  return open.length ? ExitCode.depsOpen : ExitCode.ok;
}
