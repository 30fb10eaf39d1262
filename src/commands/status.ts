/**
 * `loom status [--json] [--fast]` (DESIGN.md §6): read-only view of the daemon,
 * the pipeline (one GitHub request; none with --fast), shepherds, support
 * roles and the actions waiting for a human. `--json` always prints valid JSON
 * (StatusReportSchema), also when GitHub or the state file fail.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
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
import { type CommandEnv, context, parseOptions, printJson } from './shared.js';

const Options = z.object({ json: z.boolean().default(false), fast: z.boolean().default(false) });

export function register(
  program: Command,
  run: (fn: (env: CommandEnv) => Promise<number | void>, json?: boolean) => Promise<void>,
): void {
  program
    .command('status')
    .description('Show the daemon, pipeline, shepherds and what waits for you (read-only)')
    .option('--json', 'print one JSON object (schema loom.status/1); always valid, errors under "errors"')
    .option('--fast', 'read local state only: no GitHub request (pipeline counts from the last iteration)')
    .addHelpText(
      'after',
      `\nEverything that could be shown is printed first (the JSON stays valid); the exit code is that of the first problem.\n${exitCodeHelp('status')}\nExamples:\n  .loom/scripts/loom-status.sh\n  .loom/scripts/loom status --json | jq .pipeline`,
    )
    .action((raw) =>
      run(async (env) => {
        try {
          return await status(env, parseOptions(Options, raw));
        } catch (error) {
          // --json answers in its documented shape (loom.status/1) even when nothing could be read.
          if (!raw.json || !(error instanceof LoomError)) throw error;
          printJson(env.io, StatusReportSchema.parse(failedStatus(error, env, Boolean(raw.fast))));
          env.io.err(redactSecrets(`loom: ${error.message}`, envSecrets(env.env)));
          return error.exitCode;
        }
      }, Boolean(raw.json)),
    );
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

export async function status(env: CommandEnv, options: z.infer<typeof Options>): Promise<number> {
  const { report, exitCode } = await collectStatus(env, options);
  if (options.json) printJson(env.io, StatusReportSchema.parse(report));
  else {
    // Tables and colours only for people: --json (what the /loom parent reads) never loads them.
    const { renderStatus } = await import('../render/status-text.js');
    env.io.out(renderStatus(report, { color: env.io.isTTY && !env.env.NO_COLOR }));
  }
  return exitCode;
}

/**
 * Gathers every part it can; each failure becomes an entry in `errors` instead of aborting. `lists` (the
 * dashboard) asks the same one snapshot request for the building issues and the head of the ready queue
 * too, returned as `snapshot` beside the report, which is the same either way.
 */
export async function collectStatus(
  env: CommandEnv,
  options: { fast: boolean; lists?: { readyLimit: number } },
): Promise<{ report: StatusReport; exitCode: number; snapshot: Snapshot | null; config: Config }> {
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
  const ctx = await context(env);
  let config: Config = defaultConfig;
  let state: DaemonState = emptyState();
  await ctx.config().then((c) => (config = c), asError);
  await ctx.store.read().then((s) => (state = s), asError);
  const now = ctx.now();
  let repository: string | null = null;
  let snapshot: Snapshot | null = null;
  await ctx.repo().then((r) => (repository = repoSlug(r)), asError);
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
    snapshot,
    stopRequested: existsSync(ctx.paths.stopDaemon),
    outputTimes,
    errors,
    fast: options.fast,
  });
  return { report, exitCode, snapshot, config };
}
