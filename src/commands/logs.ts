/**
 * `loom logs <issue | slot | role> [-f] [--raw] [--list]`: the readable view of
 * a `loom run` worker's log in .loom/logs/ (tool calls one line each, texts,
 * errors, usage-limit events, the result with cost, the exit), newest log
 * first chosen; `-f` follows it until the worker exits.
 */
import { open, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import * as z from 'zod';
import type { LoomContext, Output } from '../context.js';
import { renderLogLine } from '../core/log-view.js';
import { cleanText } from '../core/sanitize.js';
import { LOOM_EXIT_TYPE } from '../core/worker-output.js';
import { logsFor } from '../daemon/worker-log.js';
import { LoomError } from '../errors.js';
import { exitCodeHelp } from './exit-codes.js';
import { context, parseOptions, type Run } from './shared.js';

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
        const ctx = await context(env);
        const result = await logs(ctx, options);
        const code = renderLogs(env.io, result, options);
        if (options.follow && result.cursor)
          for await (const lines of followLog(ctx, result.cursor, options)) printLines(env.io, lines);
        return code;
      }),
    );
}

/** Where reading a log stopped: the byte offset, an unfinished last line, and whether its exit line was read. */
export interface LogCursor {
  file: string;
  offset: number;
  partial: string;
  ended: boolean;
}

/** What `logs` read: the matching files (--list), or the newest one's lines as shown and where reading stopped. */
export interface LogsResult {
  /** With --list: every matching log, oldest first; else []. */
  files: string[];
  /** The log shown (the newest match); null with --list. */
  file: string | null;
  /** Its lines as shown (readable view, or the stream-json lines with --raw), empty lines and noise left out. */
  lines: string[];
  /** Where reading stopped, for --follow (null with --list). */
  cursor: LogCursor | null;
}

/**
 * Reads the newest worker log in .loom/logs/ matching `options.selector` (or, with --list, names every match);
 * prints nothing. Without --follow an unfinished last line is shown too; with it, `followLog` goes on from
 * `cursor`. USAGE when no log matches.
 */
export async function logs(ctx: LoomContext, options: LogsOptions): Promise<LogsResult> {
  const found = await logsFor(ctx.paths.logs, options.selector);
  if (!found.length)
    throw new LoomError('USAGE', `No worker log matches "${options.selector}" in .loom/logs/.`, {
      hint: 'Logs are written by `loom run`; `loom status` names the log of each running task.',
    });
  if (options.list) return { files: found.map((log) => log.file), file: null, lines: [], cursor: null };
  const cursor: LogCursor = { file: found.at(-1)!.file, offset: 0, partial: '', ended: false };
  const lines = await readMore(cursor, options);
  if (!options.follow) lines.push(...view(cursor.partial, options));
  return { files: [], file: cursor.file, lines, cursor };
}

/**
 * The lines a worker adds to its log after `cursor`, as shown, one batch per poll (every 500 ms on the context's
 * clock) until the worker's exit line; advances `cursor`. Prints nothing.
 */
export async function* followLog(ctx: LoomContext, cursor: LogCursor, options: LogsOptions): AsyncGenerator<string[]> {
  while (!cursor.ended) {
    await ctx.clock.sleep(500);
    yield await readMore(cursor, options);
  }
}

/** Prints the matching files (--list), or a `# <file>` header and the lines read; exit 0. */
export function renderLogs(io: Output, result: LogsResult, options: LogsOptions): number {
  if (options.list) printLines(io, result.files);
  else {
    io.out(`# ${result.file}`);
    printLines(io, result.lines);
  }
  return 0;
}

function printLines(io: Output, lines: string[]): void {
  for (const line of lines) io.out(line);
}

/** One log line as shown: the readable view (null for lines it leaves out), or the line itself with --raw. */
function view(line: string, options: LogsOptions): string[] {
  if (!line.trim()) return [];
  const shown = options.raw ? cleanText(line, 100_000) : renderLogLine(line);
  return shown === null ? [] : [shown];
}

/** Reads what was appended to the log since `cursor` and returns its complete lines as shown. */
async function readMore(cursor: LogCursor, options: LogsOptions): Promise<string[]> {
  const size = (await stat(cursor.file)).size;
  if (size <= cursor.offset) return [];
  const handle = await open(cursor.file, 'r');
  try {
    const buffer = Buffer.alloc(size - cursor.offset);
    await handle.read(buffer, 0, buffer.length, cursor.offset);
    cursor.offset = size;
    const lines = (cursor.partial + buffer.toString('utf8')).split('\n');
    cursor.partial = lines.pop() ?? '';
    const shown: string[] = [];
    for (const line of lines) {
      if (line.includes(`"type":"${LOOM_EXIT_TYPE}"`)) cursor.ended = true;
      shown.push(...view(line, options));
    }
    return shown;
  } finally {
    await handle.close();
  }
}
