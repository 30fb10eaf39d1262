/**
 * What a worker's output says about its end, its cost and usage limits — pure,
 * over JSONL lines. Two formats arrive here:
 * - a `claude -p … --output-format stream-json --verbose` log (`loom run`):
 *   `rate_limit_event` lines, one `{"type":"result",…}` line at the end, and the
 *   `loom_exit` line `loom run` appends when the process exits;
 * - a background subagent's transcript (`/loom`): assistant entries; a refused
 *   usage limit is an entry with `isApiErrorMessage` and `apiErrorStatus: 429`
 *   (it names no reset time).
 * Detection uses the event and status fields only, never the wording of a
 * result text (facts verified with Claude Code 2.1.197, docs/OPERATIONS.md).
 */
import * as z from 'zod/mini';
import './zod-setup.js';

export const LOOM_EXIT_TYPE = 'loom_exit';

/** A usage-limit signal seen in the output. */
export interface LimitSignal {
  /** `rejected`: the request was refused; `near`: utilization reached the pause threshold. */
  kind: 'rejected' | 'near';
  /** Epoch seconds of the reset, when the output names it. */
  resetsAt: number | null;
  /** `five_hour`, `seven_day`, … when named. */
  limitType: string | null;
  utilization: number | null;
}

export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export interface WorkerResult {
  isError: boolean;
  /** HTTP status of the API error that ended the run (429 for a refused limit), if any. */
  apiErrorStatus: number | null;
  costUsd: number;
  usage: TokenUsage;
  /** Cost per model name (from `modelUsage`). */
  costByModel: Record<string, number>;
  /** The run's final text, short. */
  text: string;
}

export interface WorkerOutput {
  /** A result line (or, for a transcript, a finished assistant turn) was seen. */
  result: WorkerResult | null;
  /** The process exit `loom run` recorded, if it exited. */
  exit: { code: number | null; signal: string | null } | null;
  /** The latest limit signal at or above the threshold (a later `allowed` event clears a `near` one). */
  limit: LimitSignal | null;
  /** Transcript format: the last assistant entry ended its turn. */
  turnEnded: boolean;
}

// Numbers are finite in zod 4 (classic's `.finite()` did nothing more).
const num = z.optional(z.number());
const ResultLine = z.object({
  type: z.literal('result'),
  is_error: z.optional(z.boolean()),
  api_error_status: z.optional(z.nullable(z.int())),
  total_cost_usd: num,
  result: z.optional(z.string()),
  // Every key optional already, as classic's `.partial()` made them.
  usage: z.optional(
    z.object({
      input_tokens: num,
      output_tokens: num,
      cache_read_input_tokens: num,
      cache_creation_input_tokens: num,
    }),
  ),
  modelUsage: z.optional(z.record(z.string(), z.object({ costUSD: num }))),
});
const RateLimitLine = z.object({
  type: z.literal('rate_limit_event'),
  rate_limit_info: z.object({
    status: z.string(),
    resetsAt: num,
    rateLimitType: z.optional(z.string()),
    utilization: num,
  }),
});
const ExitLine = z.object({
  type: z.literal(LOOM_EXIT_TYPE),
  code: z.nullable(z.int()),
  signal: z.nullable(z.string()),
});

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined; // a partial line (being written, or cut by a tail read) or stderr text
  }
}

/** Reads the lines of a worker log or transcript. `pauseAt` is the utilization (0–1) that counts as `near`. */
export function readWorkerOutput(text: string, pauseAt = 0.95): WorkerOutput {
  const out: WorkerOutput = { result: null, exit: null, limit: null, turnEnded: false };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('{')) continue;
    const entry = parseLine(line) as Record<string, unknown> | undefined;
    if (!entry || typeof entry !== 'object') continue;
    if (entry.type === 'result') {
      const parsed = ResultLine.safeParse(entry);
      if (parsed.success) out.result = toResult(parsed.data);
    } else if (entry.type === 'rate_limit_event') {
      const parsed = RateLimitLine.safeParse(entry);
      if (!parsed.success) continue;
      const info = parsed.data.rate_limit_info;
      const signal = {
        resetsAt: info.resetsAt ?? null,
        limitType: info.rateLimitType ?? null,
        utilization: info.utilization ?? null,
      };
      if (info.status === 'rejected') out.limit = { kind: 'rejected', ...signal };
      else if (info.utilization !== undefined && info.utilization >= pauseAt) out.limit = { kind: 'near', ...signal };
      else if (out.limit?.kind === 'near') out.limit = null;
    } else if (entry.type === LOOM_EXIT_TYPE) {
      const parsed = ExitLine.safeParse(entry);
      if (parsed.success) out.exit = { code: parsed.data.code, signal: parsed.data.signal };
    } else if (entry.type === 'assistant' || entry.type === 'user') {
      const message = entry.message as { stop_reason?: string | null; role?: string } | undefined;
      if (entry.type === 'assistant' && entry.isApiErrorMessage === true && entry.apiErrorStatus === 429) {
        out.limit = { kind: 'rejected', resetsAt: null, limitType: null, utilization: null };
      } else if (entry.type === 'assistant' && message?.stop_reason === 'end_turn' && out.limit?.resetsAt === null) {
        out.limit = null; // a transcript that went on after a refusal was not stopped by it
      }
      // Stream-json logs carry assistant lines too; only a transcript's `stop_reason` ends a turn here.
      out.turnEnded = entry.type === 'assistant' && message?.stop_reason === 'end_turn';
    }
  }
  return out;
}

function toResult(line: z.infer<typeof ResultLine>): WorkerResult {
  const usage = line.usage ?? {};
  const costByModel: Record<string, number> = {};
  for (const [model, entry] of Object.entries(line.modelUsage ?? {}))
    if (entry.costUSD !== undefined) costByModel[model] = entry.costUSD;
  return {
    isError: line.is_error ?? false,
    apiErrorStatus: line.api_error_status ?? null,
    costUsd: line.total_cost_usd ?? 0,
    usage: {
      input_tokens: usage.input_tokens ?? 0,
      output_tokens: usage.output_tokens ?? 0,
      cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
      cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
    },
    costByModel,
    text: (line.result ?? '').slice(0, 300),
  };
}

/** A refused usage limit ended this run: its issue keeps the claim and resumes after the reset. */
export function refusedByLimit(output: WorkerOutput): boolean {
  if (output.result?.apiErrorStatus === 429) return true;
  return output.limit?.kind === 'rejected' && (output.result === null || output.result.isError);
}

/** The process exited without a result line (crashed, killed): a failure, never a success. */
export function diedWithoutResult(output: WorkerOutput): boolean {
  return output.exit !== null && output.result === null;
}
