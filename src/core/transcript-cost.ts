/**
 * The tokens and an estimated cost of a `/loom` background subagent, from its
 * transcript (the Agent launch's output file) — pure. Claude Code 2.1.197 writes
 * no cost into a transcript (only `loom run`'s stream-json result line has
 * `total_cost_usd`), but every assistant entry carries its API message's
 * `usage` and `model`. A message split over several entries (one per content
 * block) repeats the same id and usage: counted once. Subagents the task
 * started in the foreground (the shepherd's Builder, Judge…) have transcripts
 * of their own beside it (`agent-<id>.jsonl`), named in the tool result as
 * `agentId: <id>`: the caller reads those too and adds them.
 *
 * Cost = tokens × the list price of the model family (USD per million tokens,
 * cache writes 1.25× and cache reads 0.1× the input price): an estimate, where
 * `loom run`'s figures are Claude Code's own. A model of no known family counts
 * its tokens and no cost.
 */
import type { TokenUsage, WorkerResult } from './worker-output.js';

/** USD per million input and output tokens; the first pattern that matches the model name applies. */
const PRICES: { pattern: RegExp; input: number; output: number }[] = [
  { pattern: /opus-4(-[01])?(-\d{8})?$|opus-3|3-opus/, input: 15, output: 75 },
  { pattern: /opus/, input: 5, output: 25 },
  { pattern: /sonnet/, input: 3, output: 15 },
  { pattern: /haiku-3(-\d{8})?$|3-haiku/, input: 0.25, output: 1.25 },
  { pattern: /3-5-haiku|haiku-3-5/, input: 0.8, output: 4 },
  { pattern: /haiku/, input: 1, output: 5 },
];

export interface TranscriptUsage {
  /** Tokens per model name. */
  byModel: Record<string, TokenUsage>;
  /** Ids of the subagents the transcript started (`agentId: <id>` in its tool results), in order. */
  agentIds: string[];
}

const AGENT_ID = /\bagentId: ([a-z0-9]{6,40})\b/g;

const zero = (): TokenUsage => ({
  input_tokens: 0,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
});

const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0);

/** Reads a transcript's JSONL text; lines that are not JSON (a partial last line) are skipped. */
export function readTranscriptUsage(text: string): TranscriptUsage {
  const messages = new Map<string, { model: string; usage: TokenUsage }>();
  const agentIds: string[] = [];
  for (const raw of text.split('\n')) {
    if (!raw.startsWith('{')) continue;
    let entry: { type?: unknown; message?: Record<string, unknown> };
    try {
      entry = JSON.parse(raw);
    } catch {
      continue;
    }
    const message = entry.message;
    if (!message || typeof message !== 'object') continue;
    if (entry.type === 'assistant') {
      const { id, model, usage } = message as { id?: unknown; model?: unknown; usage?: Record<string, unknown> };
      // `<synthetic>`: an entry Claude Code wrote itself (an API error), not a model's answer.
      if (typeof id !== 'string' || typeof model !== 'string' || model === '<synthetic>' || !usage) continue;
      messages.set(id, {
        model,
        usage: {
          input_tokens: count(usage.input_tokens),
          output_tokens: count(usage.output_tokens),
          cache_read_input_tokens: count(usage.cache_read_input_tokens),
          cache_creation_input_tokens: count(usage.cache_creation_input_tokens),
        },
      });
    } else if (entry.type === 'user' && Array.isArray(message.content)) {
      for (const block of message.content as { type?: unknown; content?: unknown }[]) {
        if (block?.type !== 'tool_result') continue;
        for (const match of JSON.stringify(block.content ?? '').matchAll(AGENT_ID))
          if (!agentIds.includes(match[1]!)) agentIds.push(match[1]!);
      }
    }
  }
  const byModel: Record<string, TokenUsage> = {};
  for (const { model, usage } of messages.values()) byModel[model] = addUsage(byModel[model] ?? zero(), usage);
  return { byModel, agentIds };
}

function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    cache_read_input_tokens: a.cache_read_input_tokens + b.cache_read_input_tokens,
    cache_creation_input_tokens: a.cache_creation_input_tokens + b.cache_creation_input_tokens,
  };
}

/** The estimated USD of `usage` on `model`, or null when the model's family is unknown. */
export function estimateCost(model: string, usage: TokenUsage): number | null {
  const price = PRICES.find((p) => p.pattern.test(model.toLowerCase()));
  if (!price) return null;
  const perToken = (usd: number) => usd / 1e6;
  const usd =
    usage.input_tokens * perToken(price.input) +
    usage.cache_creation_input_tokens * perToken(price.input * 1.25) +
    usage.cache_read_input_tokens * perToken(price.input * 0.1) +
    usage.output_tokens * perToken(price.output);
  return Math.round(usd * 1e6) / 1e6;
}

/** One task's result from its transcript and its subagents' transcripts: summed tokens, estimated cost. */
export function transcriptResult(transcripts: TranscriptUsage[]): WorkerResult {
  let usage = zero();
  const costByModel: Record<string, number> = {};
  for (const transcript of transcripts)
    for (const [model, tokens] of Object.entries(transcript.byModel)) {
      usage = addUsage(usage, tokens);
      const usd = estimateCost(model, tokens);
      if (usd !== null) costByModel[model] = Math.round(((costByModel[model] ?? 0) + usd) * 1e6) / 1e6;
    }
  const costUsd = Math.round(Object.values(costByModel).reduce((a, b) => a + b * 1e6, 0)) / 1e6;
  return { isError: false, apiErrorStatus: null, costUsd, usage, costByModel, text: '' };
}
