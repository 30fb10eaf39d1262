/**
 * `loom await`'s loop (DESIGN.md §8.4): poll the issue and its pull request until a condition holds, the time
 * limit passes, `.loom/stop-shepherds` appears, or a person puts `loom:abort` / `loom:blocked` on the issue.
 * Each poll is one GraphQL request (src/github/issue-work.ts) and one heartbeat; the verdict is the pure
 * `evaluateAwait` (src/core/await.ts). Time comes from the context's clock, so tests wait no real time.
 */
import type { LoomContext } from '../context.js';
import { type AwaitCondition, type AwaitOutcome, describeCondition, evaluateAwait } from '../core/await.js';
import { ExitCode, isTransient, LoomError } from '../errors.js';
import { readIssueWork } from '../github/issue-work.js';
import { waitForStopFile } from '../state/stop-file.js';
import { type HeartbeatReport, recordHeartbeat } from './heartbeat.js';

export interface AwaitRequest {
  issue: number;
  condition: AwaitCondition;
  /** The pull request to watch; default: the issue's own, found again at every poll. */
  pr?: number;
  /** Give up after this many seconds. */
  timeoutSeconds: number;
  /** Seconds between polls. */
  intervalSeconds: number;
}

export interface AwaitResult {
  outcome: AwaitOutcome;
  /** The process exit code of this outcome (0, 20–23: src/errors.ts). */
  exitCode: number;
  /** One line for people: what happened. */
  detail: string;
  waitedSeconds: number;
  polls: number;
  pr: number | null;
  /** The issue's labels at the last poll. */
  labels: string[];
}

const OUTCOME_EXIT: Record<AwaitOutcome, number> = {
  met: ExitCode.ok,
  timeout: ExitCode.timeout,
  stopped: ExitCode.stopShepherds,
  aborted: ExitCode.aborted,
  blocked: ExitCode.blocked,
};

/**
 * Waits as `request` says. A transient GitHub failure (src/errors.ts `isTransient`) is reported through
 * `warn` and retried at the next poll; any other error ends the wait by throwing.
 */
export async function awaitCondition(
  ctx: LoomContext,
  request: AwaitRequest,
  warn: (line: string) => void,
): Promise<AwaitResult> {
  const repo = await ctx.repo();
  const { clock } = ctx;
  const started = clock.monotonic();
  const deadline = started + request.timeoutSeconds * 1000;
  const stopFile = ctx.paths.stopShepherds;
  let polls = 0;
  let labels: string[] = [];
  let pr: number | null = request.pr ?? null;
  const finish = (outcome: AwaitOutcome, detail: string): AwaitResult => ({
    outcome,
    exitCode: OUTCOME_EXIT[outcome],
    detail,
    waitedSeconds: Math.round((clock.monotonic() - started) / 100) / 10,
    polls,
    pr,
    labels,
  });
  const stopped = () => finish('stopped', '.loom/stop-shepherds exists: reach a safe point and stop');

  for (;;) {
    if (await waitForStopFile(clock, stopFile, 0)) return stopped();
    let verdict: ReturnType<typeof evaluateAwait> = 'waiting';
    try {
      const work = await readIssueWork(ctx.gh, repo, request.issue, request.pr !== undefined ? { pr: request.pr } : {});
      polls++;
      labels = work.issue.labels;
      const pull = request.pr !== undefined ? work.explicit : (work.pull?.pull ?? null);
      pr = pull?.number ?? pr;
      verdict = evaluateAwait(request.condition, { issueLabels: labels, pr: pull });
    } catch (error) {
      if (!isTransient(error)) throw error;
      warn(`loom await: ${error.message} (retrying at the next poll)`);
    }
    await heartbeatQuietly(ctx, request.issue, {}, warn);
    if (verdict === 'met') return finish('met', describeCondition(request.condition));
    if (verdict === 'aborted') return finish('aborted', `loom:abort is on #${request.issue}`);
    if (verdict === 'blocked') return finish('blocked', `loom:blocked is on #${request.issue}`);
    if (clock.monotonic() >= deadline)
      return finish('timeout', `still waiting for ${describeCondition(request.condition)}`);
    const pause = Math.min(request.intervalSeconds * 1000, deadline - clock.monotonic());
    if (await waitForStopFile(clock, stopFile, pause)) return stopped();
  }
}

/**
 * A heartbeat that never fails the command: the GitHub side (checkpoint, the wait) matters more than the
 * local journal, whose lock may be busy.
 */
export async function heartbeatQuietly(
  ctx: LoomContext,
  issue: number,
  report: HeartbeatReport,
  warn: (line: string) => void,
): Promise<void> {
  try {
    await recordHeartbeat(ctx, issue, report);
  } catch (error) {
    if (!(error instanceof LoomError)) throw error;
    warn(`loom: heartbeat not recorded: ${error.message}`);
  }
}
