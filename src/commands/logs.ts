/**
 * `loom logs <issue | slot | role> [-f] [--raw] [--list]`: the readable view of
 * a `loom run` worker's log in .loom/logs/ (tool calls one line each, texts,
 * errors, usage-limit events, the result with cost, the exit), newest log
 * first chosen; `-f` follows it until the worker exits.
 */
import { open, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import * as z from 'zod';
import type { LoomContext } from '../context.js';
import { renderLogLine } from '../core/log-view.js';
import { cleanText } from '../core/sanitize.js';
import { LOOM_EXIT_TYPE } from '../core/worker-output.js';
import { logsFor } from '../daemon/worker-log.js';
import { LoomError } from '../errors.js';
import { exitCodeHelp } from './exit-codes.js';
import type { Run } from './shared.js';
import { context, parseOptions } from './shared.js';

export const LogsOptions = z.object({
  selector: z
    .string()
    .regex(/^(#?\d{1,9}|shepherd-\d{1,2}|[a-z]{1,20})$/, 'an issue number, a slot (shepherd-2) or a role'),
  follow: z.boolean().default(false),
  raw: z.boolean().default(false),
  list: z.boolean().default(false),
});
export type LogsOptions = z.infer<typeof LogsOptions>;

export function register(program: Command, run: Run): void {
  program
    .command('logs <selector>')
    .description("Show a `loom run` worker's log: by issue number, slot (shepherd-2) or role (guide)")
    .option('-f, --follow', 'keep printing new lines until the worker exits')
    .option('--raw', 'print the stream-json lines as they are')
    .option('--list', 'list the matching log files (oldest first) instead')
    .addHelpText(
      'after',
      `
Reads .loom/logs/<slot>-<issue or role>-<UTC time>.jsonl (the newest match). One line per tool call (→ Bash …),
quoted texts, failed tool results (✗), usage-limit events, the result (cost, tokens, turns) and the exit.
${exitCodeHelp('logs')}
Examples:
  .loom/scripts/loom logs 123
  .loom/scripts/loom logs shepherd-2 -f
  .loom/scripts/loom logs guide --list`,
    )
    .action((selector, raw) =>
      run(async (env) => {
        const options = parseOptions(LogsOptions, { ...raw, selector });
        return logs(await context(env), options);
      }),
    );
}

/**
 * Prints the newest matching log as it reads it (with --follow until the worker's exit line; polls every 500 ms
 * on the context's clock): a follower renders while it works, so this command has no separate render step.
 * USAGE when no log matches.
 */
export async function logs(ctx: LoomContext, options: LogsOptions): Promise<number> {
  const found = await logsFor(ctx.paths.logs, options.selector);
  if (!found.length)
    throw new LoomError('USAGE', `No worker log matches "${options.selector}" in .loom/logs/.`, {
      hint: 'Logs are written by `loom run`; `loom status` names the log of each running task.',
    });
  if (options.list) {
    for (const log of found) ctx.io.out(log.file);
    return 0;
  }
  const file = found.at(-1)!.file;
  ctx.io.out(`# ${file}`);
  const print = (line: string) => {
    if (!line.trim()) return;
    const view = options.raw ? cleanText(line, 100_000) : renderLogLine(line);
    if (view !== null) ctx.io.out(view);
  };
  let offset = 0;
  let partial = '';
  let ended = false;
  const readMore = async () => {
    const size = (await stat(file)).size;
    if (size <= offset) return;
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(size - offset);
      await handle.read(buffer, 0, buffer.length, offset);
      offset = size;
      const lines = (partial + buffer.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.includes(`"type":"${LOOM_EXIT_TYPE}"`)) ended = true;
        print(line);
      }
    } finally {
      await handle.close();
    }
  };
  await readMore();
  while (options.follow && !ended) {
    await ctx.clock.sleep(500);
    await readMore();
  }
  if (!options.follow) print(partial);
  return 0;
}
