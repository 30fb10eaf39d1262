/**
 * `loom iterate [--daemon <id>] [--wait] [--budget <s>] [--dry-run] [--json]`: one daemon iteration (or, with
 * --wait, iterations every poll interval until there is something to spawn), the call the /loom parent makes in
 * its loop. On the hot path: its schemas are zod/mini (test/bundle.test.ts checks classic zod stays out).
 */
import type { Command } from 'commander';
import * as z from 'zod/mini';
import '../core/zod-setup.js';
import type { LoomContext, Output } from '../context.js';
import { DirectiveSchema, formatDirective } from '../core/directives.js';
import { RUNNERS } from '../core/remote-slots.js';
import { cleanText, envSecrets, redactSecrets } from '../core/sanitize.js';
import { summaryLine } from '../core/summary.js';
import { type IterationResult, runIteration, transientFailureResult } from '../daemon/iteration.js';
import { isTransient, LoomError } from '../errors.js';
import { waitForStopFile } from '../state/stop-file.js';
import { exitCodeHelp } from './exit-codes.js';
import { context, parseOptions, printJson, type Run } from './shared.js';

export const IterateOptions = z.object({
  daemon: z.optional(z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,80}$/, 'must be the id `loom start` printed'))),
  wait: z._default(z.boolean(), false),
  force: z._default(z.boolean(), false),
  dryRun: z._default(z.boolean(), false),
  json: z._default(z.boolean(), false),
  runner: z.optional(z.enum(RUNNERS)),
  /** Seconds; overrides `wait_budget` from the config. */
  budget: z.optional(
    z.coerce
      .number()
      .check(z.int(), z.positive(), z.maximum(590, 'must be at most 590 seconds (a Bash tool call ends after 600 s)')),
  ),
});

export const IterateJsonSchema = z.object({
  schema: z.literal('loom.iterate/1'),
  shutdown: z.boolean(),
  summary: z.string(),
  directives: z.array(DirectiveSchema),
  iterations: z.int(),
  dry_run: z.boolean(),
  skipped: z.array(z.object({ issue: z.int(), reason: z.string() })),
  /** Ready issues not claimed: in back-off after a failed attempt (until when), or an outsider's not yet admitted. */
  held_back: z._default(
    z.array(z.object({ issue: z.int(), reason: z.enum(['backoff', 'outside']), until: z.nullable(z.string()) })),
    [],
  ),
  errors: z.array(z.object({ code: z.string(), message: z.string(), hint: z.optional(z.string()) })),
  /** Issues claimed and dispatched to GitHub Actions runners during this call (remote slots; no directive). */
  dispatched: z._default(z.array(z.int()), []),
});
export type IterateJson = z.infer<typeof IterateJsonSchema>;
export type IterateOptions = z.infer<typeof IterateOptions>;

/**
 * What `iterate` decided: its --json, and for a one-off iteration that GitHub cut short, why (the message and
 * next step, secrets redacted, and the exit code it means when nothing was decided).
 */
export interface IterateResult extends IterateJson {
  failure: { message: string; hint: string | null; exitCode: number } | null;
}

export function register(program: Command, run: Run): void {
  program
    .command('iterate')
    .description('Run one daemon iteration: claim ready issues, print spawn directives and a summary line')
    .option('--daemon <id>', 'the daemon id from `loom start` (without it: a one-off iteration)')
    .option(
      '--wait',
      'keep iterating every poll interval until there is something to spawn, the stop file, or the time budget',
    )
    .option('--budget <seconds>', 'time budget for --wait (default: wait_budget in .loom/config.json, 540)')
    .option('--force', 'force mode: Champion may auto-promote proposals')
    .option('--dry-run', 'print the plan; change nothing on GitHub or on disk')
    .option('--json', 'print one JSON object (schema loom.iterate/1) instead of lines')
    .option(
      '--runner <runner>',
      'where new shepherds run for this call: local | actions | mixed (default: config runner, "local")',
    )
    .addHelpText(
      'after',
      `
Output (text): zero or more lines "SPAWN <slot> [model=<alias>] <skill> [args]" (model=: config models), then the summary line
  "ready=N building=N shepherds=A/M [+shepherd=#N] [+architect] ... [completed=#N] [stuck=N] [warn=N]"
  or exactly "SHUTDOWN_SIGNAL" when .loom/stop-daemon exists.
Runners (config runner, max_shepherds; DESIGN.md §4.9): with "actions" or "mixed", a claim into a remote slot
  (actions-N) is dispatched to a GitHub Actions runner (workflow loom-shepherd.yml, config actions.ref) instead of
  printing a SPAWN line; the summary counts it (+shepherd=#N). Remote slots follow their runs through one
  workflow-runs request per poll, made only while one is busy. max_shepherds is a number (local slots; with
  --runner actions, that many remote slots) or {"local": L, "actions": A}.
${exitCodeHelp('iterate')}
Without --daemon, 9 means any live daemon (--dry-run is always allowed).
A GitHub failure after some spawns were decided still prints them (exit 0, the reason on stderr);
an unfinished claim is settled by the next iteration.
Examples:
  .loom/scripts/loom iterate --dry-run
  .loom/scripts/loom iterate --daemon loom-20260101120000-ab12cd --wait
  .loom/scripts/loom iterate --runner actions      # a scheduled daemon in GitHub Actions (loom-daemon.yml)`,
    )
    .action((raw) =>
      run(async (env) => {
        try {
          const options = parseOptions(IterateOptions, raw);
          return renderIterate(env.io, await iterate(await context(env), options), options);
        } catch (error) {
          // --json answers in its documented shape even when the iteration could not run at all.
          if (!raw.json || !(error instanceof LoomError)) throw error;
          printJson(env.io, failedIterationJson(error, Boolean(raw.dryRun), envSecrets(env.env)));
          env.io.err(redactSecrets(`loom: ${error.message}`, envSecrets(env.env)));
          return error.exitCode;
        }
      }, Boolean(raw.json)),
    );
}

/** The loom.iterate/1 answer of an iteration that failed before it could decide anything. */
export function failedIterationJson(
  error: LoomError,
  dryRun: boolean,
  secrets: string[],
): z.infer<typeof IterateJsonSchema> {
  return IterateJsonSchema.parse({
    schema: 'loom.iterate/1',
    shutdown: false,
    summary: '',
    directives: [],
    iterations: 0,
    dry_run: dryRun,
    skipped: [],
    errors: [
      {
        code: error.code,
        message: redactSecrets(error.message, secrets),
        ...(error.hint ? { hint: redactSecrets(error.hint, secrets) } : {}),
      },
    ],
  });
}

/**
 * Runs one iteration — with `options.wait`, one every `poll_interval` seconds (config) until one decides a spawn
 * or a dispatch, the stop file `.loom/stop-daemon` appears (then the next iteration answers SHUTDOWN_SIGNAL) or
 * the time budget (`options.budget` seconds, else config `wait_budget`) is spent. Sleeps on the context's clock
 * (the one stop-file wait, src/state/stop-file.ts). Data: the snapshot (one GitHub request per iteration), the
 * state file and claim locks. Prints nothing. Throws a LoomError when the iteration cannot run at all; in --wait,
 * a transient GitHub failure is recorded as a warning and retried at the next poll.
 */
export async function iterate(ctx: LoomContext, options: IterateOptions): Promise<IterateResult> {
  const config = await ctx.config();
  const budgetMs = (options.budget ?? config.wait_budget) * 1000;
  const started = ctx.clock.monotonic();
  const waited: WaitSoFar = { errors: [], completed: [], dispatched: [] };
  let iterations = 0;
  let result: IterationResult;
  for (;;) {
    iterations += 1;
    result = await oneIteration(ctx, options, waited);
    if (!options.wait || result.shutdown || result.directives.length || options.dryRun) break;
    const remaining = budgetMs - (ctx.clock.monotonic() - started);
    if (remaining <= 0) break;
    if (await waitForStopFile(ctx.clock, ctx.paths.stopDaemon, Math.min(config.poll_interval * 1000, remaining)))
      continue; // stop file: next iteration answers SHUTDOWN_SIGNAL
    if (ctx.clock.monotonic() - started >= budgetMs) break;
  }
  const secrets = envSecrets(ctx.env);
  // A one-off iteration cut short by GitHub says why; --wait keeps going at its next poll instead.
  const failure =
    result.error && !options.wait
      ? {
          message: redactSecrets(cleanText(result.error.message, 500), secrets),
          hint: result.error.hint ? redactSecrets(result.error.hint, secrets) : null,
          exitCode: result.error.exitCode,
        }
      : null;
  return {
    schema: 'loom.iterate/1',
    shutdown: result.shutdown,
    summary: result.summary,
    directives: result.directives,
    iterations,
    dry_run: options.dryRun,
    skipped: result.skipped.map((s) => ({ issue: s.issue, reason: cleanText(s.reason, 300) })),
    held_back: result.plan?.heldBack ?? [],
    errors: waited.errors.map((e) => ({ code: e.code, message: redactSecrets(e.message, secrets) })),
    dispatched: waited.dispatched,
    failure,
  };
}

/** What the iterations of one --wait have seen so far (a one-off iteration is a wait of one). */
interface WaitSoFar {
  /** GitHub failures, oldest first: the answer's `errors`. */
  errors: { code: string; message: string }[];
  /** Issues completed by earlier, idle iterations: the answer's summary still names them. */
  completed: number[];
  /** Issues dispatched to Actions runners: they have no SPAWN line to show them. */
  dispatched: number[];
}

/**
 * One iteration of `iterate`, merged with the earlier iterations of the same --wait (`waited`, updated in place):
 * their errors, the issues they completed (the summary still names them) and dispatched (no SPAWN line shows
 * those). In --wait, a transient GitHub failure becomes a summary from the state file with a warning.
 */
async function oneIteration(ctx: LoomContext, options: IterateOptions, waited: WaitSoFar): Promise<IterationResult> {
  try {
    const result = await runIteration(ctx, {
      daemonId: options.daemon,
      dryRun: options.dryRun,
      force: options.force || undefined,
      runner: options.runner,
    });
    const earlier = [...waited.dispatched];
    waited.dispatched.push(...(result.dispatched ?? []));
    if (result.error) waited.errors.push({ code: result.error.code, message: result.error.message });
    if (!result.facts) return result;
    const completed = [
      ...waited.completed,
      ...result.facts.completedIssues.filter((n) => !waited.completed.includes(n)),
    ];
    waited.completed.splice(0, waited.completed.length, ...completed);
    const spawnedIssues = [...earlier, ...result.facts.spawnedIssues];
    return { ...result, summary: summaryLine({ ...result.facts, spawnedIssues, completedIssues: completed }) };
  } catch (error) {
    // In --wait, a passing GitHub failure is recorded in state and retried next poll; anything else ends the wait.
    if (!options.wait || !isTransient(error)) throw error;
    waited.errors.push({ code: error.code, message: error.message });
    return transientFailureResult(ctx, error);
  }
}

/**
 * Prints the SPAWN lines and the summary line (or SHUTDOWN_SIGNAL), or with --json the loom.iterate/1 object;
 * then, for a one-off iteration GitHub cut short, the reason and next step on stderr. Exit 0 — also when such
 * an iteration decided spawns, which were printed and must still be started — else the failure's exit code.
 */
export function renderIterate(io: Output, result: IterateResult, options: IterateOptions): number {
  const { failure, ...json } = result;
  if (options.json) printJson(io, IterateJsonSchema.parse(json));
  else {
    if (options.dryRun) io.out('# dry run: nothing was changed');
    for (const directive of result.directives) io.out(formatDirective(directive));
    io.out(result.summary);
  }
  if (!failure) return 0;
  io.err(`loom: ${failure.message}`);
  if (failure.hint) io.err(`  → ${failure.hint}`);
  return !result.directives.length && !result.shutdown ? failure.exitCode : 0;
}
