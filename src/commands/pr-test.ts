/**
 * `loom pr-test <pr>` (DESIGN.md §8.8): the Judge's local test run. Checks out the PR's head commit in a
 * throwaway worktree, runs the project's `commands.test` there as an argument array (never a shell),
 * and records the outcome as the commit status `loom/tests` on that commit, where the merge gate (and
 * every clone's snapshot) reads it with the other checks. A later push makes a new head without it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { execa } from 'execa';
import * as z from 'zod';
import type { LoomContext, Output } from '../context.js';
import { cleanText } from '../core/sanitize.js';
import {
  DEFAULT_TEST_TIMEOUT,
  statusDescription,
  statusOf,
  TEST_STATUS_CONTEXT,
  type TestOutcome,
  testArgv,
} from '../core/test-run.js';
import { lastLines } from '../core/worktree.js';
import { ExitCode, LoomError } from '../errors.js';
import { checkoutPrHead, removePrCheckout } from '../git/pr-checkout.js';
import { bootstrap } from '../git/worktree.js';
import { readPrHead, recordCommitStatus } from '../github/statuses.js';
import { exitCodeHelp } from './exit-codes.js';
import { issueNumber, parseOptions, printJson, type Run } from './shared.js';
import { mainContext } from './work-context.js';

export const PrTestJsonSchema = z.object({
  pr: z.number().int().positive(),
  /** The head commit that was tested and that the status is recorded on. */
  head: z.string(),
  /** The test command as run (argument array). */
  command: z.array(z.string()),
  outcome: z.enum(['passed', 'failed', 'timed-out']),
  exit_code: z.number().int().nullable(),
  /** Seconds the test command ran. */
  seconds: z.number().nonnegative(),
  /** The commit status recorded on `head` (context loom/tests), or null with --no-record. */
  status: z.enum(['success', 'failure', 'error']).nullable(),
  /** The whole output of the run (stdout and stderr interleaved), relative to the repository root. */
  log_file: z.string(),
  last_lines: z.array(z.string()),
  /** A problem removing the test checkout afterwards (the run itself counts). */
  cleanup_problem: z.string().nullable(),
});
export type PrTestJson = z.infer<typeof PrTestJsonSchema>;

export const PrTestOptions = z.object({
  pr: issueNumber,
  timeout: z.coerce.number().int().min(1).max(590).optional(),
  record: z.boolean().default(true),
  json: z.boolean().default(false),
});
export type PrTestOptions = z.infer<typeof PrTestOptions>;

/** How a pr-test call ended: no test command configured, the post-worktree hook failed (nothing ran), or a run. */
export type PrTestResult =
  | { kind: 'no-test-command' }
  | { kind: 'hook-failed'; pr: number; lastLines: string[] }
  | { kind: 'ran'; json: PrTestJson };

/**
 * Runs argv in dir; on timeout the whole process group is killed (test runners start children). The timeout is
 * real time (a child process runs on it); `monotonic` (the context's clock) times the run for the report.
 */
async function runTests(
  argv: string[],
  dir: string,
  env: NodeJS.ProcessEnv,
  timeoutSeconds: number,
  monotonic: () => number,
) {
  const started = monotonic();
  const child = execa(argv[0]!, argv.slice(1), {
    cwd: dir,
    env: { ...env, CI: env.CI ?? 'true' },
    extendEnv: false,
    reject: false,
    all: true,
    stdin: 'ignore',
    detached: true,
    maxBuffer: 64 * 1024 * 1024,
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }, timeoutSeconds * 1000);
  const result = await child;
  clearTimeout(timer);
  const spawnError = (result as { code?: string }).code;
  const output =
    String(result.all ?? '') + (result.exitCode === undefined && spawnError ? `\n${result.shortMessage}` : '');
  const outcome: TestOutcome = timedOut
    ? { kind: 'timed-out' }
    : result.exitCode === 0
      ? { kind: 'passed' }
      : { kind: 'failed', exitCode: result.exitCode ?? null };
  return { outcome, output, seconds: (monotonic() - started) / 1000 };
}

export function register(program: Command, run: Run): void {
  program
    .command('pr-test <pr>')
    .description("Run the project's tests on a pull request's head commit and record the result as loom/tests")
    .option('--timeout <seconds>', `seconds the tests may run (default ${DEFAULT_TEST_TIMEOUT}, at most 590)`)
    .option('--no-record', 'run and report only; record no commit status')
    .option(
      '--json',
      'print {pr, head, command, outcome, exit_code, seconds, status, log_file, last_lines, cleanup_problem}',
    )
    .addHelpText(
      'after',
      `
Reads the PR's head commit (one GraphQL request), checks it out detached in .loom/worktrees/pr-M-test (from the
local repository, else \`git fetch origin refs/pull/M/head\`), copies .loom/worktree-include and runs
.loom/hooks/post-worktree there like an issue worktree, then runs commands.test from .loom/config.json in it:
never through a shell: it is split at spaces (a backslash keeps a space; quotes, pipes, globs and $VARS have
no meaning; put anything more in a script). The child gets CI=true unless CI is set.
The result becomes the commit status loom/tests on that commit (one REST request): success, failure, or error
when the run timed out. The merge gate counts it with the CI checks, so with merge.require_checks a PR without CI
can merge only after a green run on its current head; a new push needs a new run. The whole output is kept in
.loom/tmp/pr-test-M.log; the checkout is removed afterwards. A PR whose head is in a fork is refused (Loom does
not run a stranger's code on this machine).
${exitCodeHelp('pr-test')}
Example: .loom/scripts/loom pr-test 130 --json`,
    )
    .action((pr, raw) =>
      run(async (env) => {
        const options = parseOptions(PrTestOptions, { ...raw, pr });
        return renderPrTest(env.io, await prTest(await mainContext(env), options), options);
      }, Boolean(raw.json)),
    );
}

/**
 * Tests the PR's head in a throwaway checkout and records loom/tests on it (unless `record` is false). USAGE for
 * a closed PR or one from a fork; the checkout is removed in every case.
 */
export async function prTest(ctx: LoomContext, options: PrTestOptions): Promise<PrTestResult> {
  const config = await ctx.config();
  const argv = testArgv(config);
  if (!argv) return { kind: 'no-test-command' };
  const repo = await ctx.repo();
  const head = await readPrHead(ctx.gh, repo, options.pr);
  if (head.state !== 'OPEN')
    throw new LoomError('USAGE', `PR #${options.pr} is ${head.state.toLowerCase()}: nothing to test.`, {
      hint: 'Test open pull requests only.',
    });
  if (head.isCrossRepository)
    throw new LoomError('USAGE', `PR #${options.pr} comes from a fork: Loom does not run its code here.`, {
      hint: 'Review it by reading; a maintainer who trusts it can run the tests by hand.',
    });
  const dir = await checkoutPrHead(ctx.root, options.pr, head.headRefOid);
  let result: Awaited<ReturnType<typeof runTests>>;
  try {
    const boot = await bootstrap(ctx.root, dir, null, ctx.env);
    if (boot.hook && !boot.hook.ok) {
      // Nothing ran, so nothing is recorded: a broken hook says nothing about the PR.
      await removePrCheckout(ctx.root, options.pr);
      return { kind: 'hook-failed', pr: options.pr, lastLines: boot.hook.last_lines };
    }
    const timeout = options.timeout ?? DEFAULT_TEST_TIMEOUT;
    result = await runTests(argv, dir, ctx.env, timeout, () => ctx.clock.monotonic());
  } catch (error) {
    await removePrCheckout(ctx.root, options.pr);
    throw error;
  }
  const cleanupProblem = await removePrCheckout(ctx.root, options.pr);
  const logFile = path.join(ctx.root, '.loom', 'tmp', `pr-test-${options.pr}.log`);
  await mkdir(path.dirname(logFile), { recursive: true });
  await writeFile(logFile, result.output);
  const state = statusOf(result.outcome);
  if (options.record)
    await recordCommitStatus(ctx.gh, repo, head.headRefOid, {
      state,
      context: TEST_STATUS_CONTEXT,
      description: statusDescription(argv, result.outcome, result.seconds),
    });
  return {
    kind: 'ran',
    json: {
      pr: options.pr,
      head: head.headRefOid,
      command: argv,
      outcome: result.outcome.kind,
      exit_code:
        result.outcome.kind === 'failed' ? result.outcome.exitCode : result.outcome.kind === 'passed' ? 0 : null,
      seconds: Math.round(result.seconds * 10) / 10,
      status: options.record ? state : null,
      log_file: path.relative(ctx.root, logFile),
      last_lines: lastLines(result.output).map((l) => cleanText(l, 500)),
      cleanup_problem: cleanupProblem,
    },
  };
}

/** Prints the last lines and the verdict (or --json); exit 0 when the tests passed, else 27 (28, 15: see --help). */
export function renderPrTest(io: Output, result: PrTestResult, options: PrTestOptions): number {
  if (result.kind === 'no-test-command') {
    const message = 'No test command: set "commands": {"test": "npm test"} (your own) in .loom/config.json.';
    if (options.json) io.err(`loom: ${message}`);
    else io.out(message);
    return ExitCode.noTestCommand;
  }
  if (result.kind === 'hook-failed') {
    io.err(`loom: .loom/hooks/post-worktree failed in the test checkout of PR #${result.pr}; last lines:`);
    for (const line of result.lastLines) io.err(`  ${cleanText(line, 500)}`);
    return ExitCode.hookFailed;
  }
  const answer = result.json;
  if (options.json) printJson(io, answer);
  else {
    for (const line of answer.last_lines) io.out(`  ${line}`);
    io.out(
      `pr-test: PR #${answer.pr} at ${answer.head.slice(0, 12)}: tests ${answer.outcome}` +
        `${answer.exit_code !== null && answer.outcome === 'failed' ? ` (exit ${answer.exit_code})` : ''} in ${answer.seconds} s` +
        `${answer.status ? `; recorded ${TEST_STATUS_CONTEXT} ${answer.status}` : ''}; log ${answer.log_file}`,
    );
    if (answer.cleanup_problem) io.err(`loom: ${answer.cleanup_problem}`);
  }
  return answer.outcome === 'passed' ? ExitCode.ok : ExitCode.testsFailed;
}
