/**
 * `loom status [--json] [--fast]` (DESIGN.md §6): read-only view of the daemon,
 * the pipeline (one GitHub request; none with --fast), shepherds, support
 * roles and the actions waiting for a human. `--json` always prints valid JSON
 * (StatusReportSchema), also when GitHub or the state file fail.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import * as z from 'zod/mini';
import '../core/zod-setup.js';
import type { LoomContext } from '../context.js';
import { type Config, defaultConfig } from '../core/config.js';
import { type DaemonState, emptyState } from '../core/daemon-state.js';
import { envSecrets, redactSecrets } from '../core/sanitize.js';
import type { Snapshot } from '../core/snapshot.js';
import { buildStatus, type StatusReport, StatusReportSchema } from '../core/status-report.js';
import { observeTask } from '../daemon/task-output.js';
import { LoomError } from '../errors.js';
import { repoSlug } from '../github/repo.js';
import { takeSnapshot } from '../github/snapshot.js';
import { exitCodeHelp } from './exit-codes.js';
import { type CommandEnv, context, parseOptions, printJson, type Run } from './shared.js';

/** `loom status` options, as commander gives them. */
export const StatusOptions = z.object({
  json: z._default(z.boolean(), false),
  fast: z._default(z.boolean(), false),
  watch: z._default(z.boolean(), false),
  interval: z.optional(
    z.coerce
      .number({ message: '--interval must be a number of seconds' })
      .check(
        z.int('--interval must be a whole number of seconds'),
        z.minimum(1, '--interval must be at least 1 second'),
        z.maximum(3600, '--interval must be at most 3600 seconds'),
      ),
  ),
});
export type StatusOptions = z.infer<typeof StatusOptions>;

/**
 * What `status` returns: the report `--json` prints (StatusReportSchema, loom.status/1), and the exit code of
 * the first problem met while gathering it (0 when none; a rate-limit pause is reported but is no failure).
 */
export interface StatusResult {
  report: StatusReport;
  exitCode: number;
}

export function register(program: Command, run: Run): void {
  program
    .command('status')
    .description('Show the daemon, pipeline, shepherds and what waits for you (read-only)')
    .option('--json', 'print one JSON object (schema loom.status/1); always valid, errors under "errors"')
    .option('--fast', 'read local state only: no GitHub request (pipeline counts from the last iteration)')
    .option(
      '--watch',
      'refresh until Ctrl-C (exit 0): redrawn in place on a terminal, appended blocks otherwise; with --json one JSON object per line',
    )
    .option('--interval <seconds>', 'seconds between refreshes with --watch (1-3600; default: poll_interval)')
    .addHelpText(
      'after',
      `\nEverything that could be shown is printed first (the JSON stays valid); the exit code is that of the first problem.\nEach refresh is one GitHub request (none with --fast). Text output shows times relative to now; --json keeps ISO 8601.\n${exitCodeHelp('status')}\nExamples:\n  .loom/scripts/loom-status.sh\n  .loom/scripts/loom status --watch\n  .loom/scripts/loom status --json | jq .pipeline`,
    )
    .action((raw) => run((env) => statusCommand(env, raw), Boolean(raw.json)));
}

/**
 * `loom status` on the raw options as commander gives them (also src/status-main.ts, which runs the plain
 * `status [--json]` without commander): parse, gather, print; resolves to the exit code. With --json a failure
 * that left nothing to show is still printed in the loom.status/1 shape; other failures throw to the error sink.
 */
export async function statusCommand(env: CommandEnv, raw: Record<string, unknown>): Promise<number> {
  try {
    const options = parseOptions(StatusOptions, raw);
    if (options.interval !== undefined && !options.watch)
      throw new LoomError('USAGE', '--interval only applies to --watch.', {
        hint: 'Run `loom status --watch --interval 10`.',
      });
    const ctx = await context(env);
    if (options.watch) return await watch(ctx, options);
    return await renderStatus(ctx, await status(ctx, options), options);
  } catch (error) {
    // --json answers in its documented shape (loom.status/1) even when nothing could be read.
    if (!raw.json || !(error instanceof LoomError)) throw error;
    printJson(env.io, StatusReportSchema.parse(failedStatus(error, env, Boolean(raw.fast))));
    env.io.err(redactSecrets(`loom: ${error.message}`, envSecrets(env.env)));
    return error.exitCode;
  }
}

/** The status of a repository where even the context could not be built (not installed, not a repository). */
function failedStatus(error: LoomError, env: CommandEnv, fast: boolean): StatusReport {
  return buildStatus({
    state: emptyState(),
    config: defaultConfig,
    now: new Date(),
    repository: null,
    snapshot: null,
    stopRequested: false,
    outputTimes: {},
    errors: [
      {
        code: error.code,
        message: redactSecrets(error.message, envSecrets(env.env)),
        ...(error.hint ? { hint: error.hint } : {}),
      },
    ],
    fast,
  });
}

/**
 * The status of `ctx`'s repository: the daemon state file, `.loom/config.json`, the shepherds' output files and
 * ONE GitHub request (the counts-only snapshot; none with `fast` or during a recorded rate-limit pause). Every
 * part that fails becomes an entry in `report.errors` instead of an exception. Prints nothing.
 */
export async function status(ctx: LoomContext, options: Pick<StatusOptions, 'fast'>): Promise<StatusResult> {
  const { report, exitCode } = await collectStatus(ctx, options, ctx);
  return { report, exitCode };
}

/**
 * Prints `result` as one JSON object (`--json`) or the text view (tables and colours, loaded only here) and
 * returns its exit code. Async because the text renderer is imported on first use.
 */
export async function renderStatus(
  ctx: Pick<LoomContext, 'io' | 'env'>,
  result: StatusResult,
  options: Pick<StatusOptions, 'json'>,
): Promise<number> {
  if (options.json) printJson(ctx.io, StatusReportSchema.parse(result.report));
  else ctx.io.out(await renderText(ctx, result.report));
  return result.exitCode;
}

/** Tables and colours only for people: --json (what the /loom parent reads) never loads them. */
async function renderText(ctx: Pick<LoomContext, 'io' | 'env'>, report: StatusReport): Promise<string> {
  const { renderStatus } = await import('../render/status-text.js');
  const columns = ctx.io.columns ?? Number.parseInt(ctx.env.COLUMNS ?? '', 10);
  // Colour on a terminal, or when FORCE_COLOR asks for it (a demo's pipe); never with NO_COLOR.
  const forced = Boolean(ctx.env.FORCE_COLOR) && ctx.env.FORCE_COLOR !== '0' && ctx.env.FORCE_COLOR !== 'false';
  return renderStatus(report, {
    color: (ctx.io.isTTY || forced) && !ctx.env.NO_COLOR,
    width: Number.isFinite(columns) && columns > 0 ? columns : 80,
  });
}

// Cursor home, then each line erases its rest and the end of the screen is cleared: a redraw without flicker.
const HOME = '\u001b[H';
const CLEAR_LINE = '\u001b[K';
const CLEAR_BELOW = '\u001b[J';
const CLEAR_SCREEN = '\u001b[2J';

/**
 * `--watch`: one snapshot (one GitHub request) per refresh, every `--interval` seconds (default
 * poll_interval), slept on the context's clock. SIGINT/SIGTERM end it with exit 0.
 */
async function watch(ctx: LoomContext, options: StatusOptions): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const inPlace = ctx.io.isTTY && !options.json;
  try {
    for (let frame = 0; !stop.signal.aborted; frame++) {
      const { report, config } = await collectStatus(ctx, options, ctx);
      if (stop.signal.aborted) break;
      const seconds = options.interval ?? config.poll_interval;
      if (options.json) ctx.io.out(JSON.stringify(StatusReportSchema.parse(report)));
      else {
        const text = `${await renderText(ctx, report)}\n\nRefreshing every ${seconds} s; Ctrl-C to stop.`;
        if (inPlace)
          ctx.io.out(
            `${frame === 0 ? CLEAR_SCREEN : ''}${HOME}${text.split('\n').join(`${CLEAR_LINE}\n`)}${CLEAR_BELOW}`,
          );
        else ctx.io.out(`${frame === 0 ? '' : '\n'}${text}`);
      }
      await ctx.clock.sleep(seconds * 1000, stop.signal);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return 0;
}

/**
 * Gathers every part it can; each failure becomes an entry in `errors` instead of aborting.
 * `ctx`: a context to reuse (--watch); built from `env` when absent. `lists` (the dashboard) asks the same
 * one snapshot request for the head of the ready queue too, returned as `snapshot` beside the report,
 * which is the same either way.
 */
export async function collectStatus(
  env: Pick<CommandEnv, 'cwd' | 'env' | 'io'>,
  options: { fast: boolean; lists?: { readyLimit: number } },
  given?: Awaited<ReturnType<typeof context>>,
): Promise<{ report: StatusReport; exitCode: number; config: Config; snapshot: Snapshot | null }> {
  const errors: StatusReport['errors'] = [];
  let exitCode = 0;
  const asError = (error: unknown) => {
    if (error instanceof LoomError) exitCode ||= error.exitCode;
    // GitHub's answers may echo the token back: redact the values gh uses, whatever their shape.
    if (error instanceof LoomError)
      errors.push({
        code: error.code,
        message: redactSecrets(error.message, envSecrets(env.env)),
        ...(error.hint ? { hint: error.hint } : {}),
      });
    else throw error;
  };
  const ctx = given ?? (await context(env));
  let config: Config = defaultConfig;
  let state: DaemonState = emptyState();
  await ctx.config().then((c) => (config = c), asError);
  await ctx.store.read().then((s) => (state = s), asError);
  const now = ctx.now();
  let repository: string | null = null;
  let host: string | null = null;
  let snapshot: Snapshot | null = null;
  await ctx.repo().then((r) => {
    repository = repoSlug(r);
    host = r.host ?? null;
  }, asError);
  const rateLimited = state.rate_limited_until && Date.parse(state.rate_limited_until) > now.getTime();
  if (!options.fast && repository && !rateLimited) {
    const repo = await ctx.repo();
    const request = options.lists
      ? { repo, readyLimit: options.lists.readyLimit, countsOnly: false }
      : { repo, readyLimit: 0, countsOnly: true };
    await takeSnapshot(ctx.gh, request, ctx.now).then((s) => (snapshot = s), asError);
  } else if (rateLimited && !options.fast) {
    errors.push({
      code: 'GH_RATE_LIMITED',
      message: `GitHub rate limit: Loom pauses until ${state.rate_limited_until}.`,
      hint: 'Counts return after the reset.',
    });
  }
  const outputTimes: Record<string, string | null> = {};
  for (const [slot, s] of Object.entries(state.shepherds))
    outputTimes[slot] = (await observeTask(s.output_file)).lastOutputAt;
  const report = buildStatus({
    state,
    config,
    now,
    repository,
    host,
    snapshot,
    stopRequested: existsSync(ctx.paths.stopDaemon),
    outputTimes,
    errors,
    fast: options.fast,
  });
  return { report, exitCode, config, snapshot };
}
