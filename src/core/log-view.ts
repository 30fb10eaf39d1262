/**
 * The readable view of a worker log (`loom logs`): one line per tool call,
 * text, error, usage-limit event and the end (result, cost, exit) — pure.
 * Everything shown is model or tool output, so it is cleaned of control
 * characters and shortened.
 */
import { cleanText } from './sanitize.js';
import { LOOM_EXIT_TYPE } from './worker-output.js';

interface Block {
  type?: string;
  name?: string;
  text?: string;
  input?: Record<string, unknown>;
  is_error?: boolean;
  content?: unknown;
}

const textOf = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((b: Block) => (typeof b?.text === 'string' ? b.text : '')).join(' ')
      : '';

function toolLine(block: Block): string {
  const input = block.input ?? {};
  const detail =
    block.name === 'Bash'
      ? String(input.command ?? '').split('\n')[0]
      : block.name === 'Skill'
        ? `${input.skill ?? ''} ${input.args ?? ''}`
        : block.name === 'Agent' || block.name === 'Task'
          ? String(input.description ?? '')
          : String(input.file_path ?? input.path ?? input.pattern ?? input.url ?? '');
  return `→ ${block.name ?? '?'}${detail ? ` ${cleanText(detail, 160)}` : ''}`;
}

/** The view of one log line, or null for lines not worth a line (streaming noise, init details). */
export function renderLogLine(line: string): string | null {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    const text = cleanText(line, 200);
    return text ? `! ${text}` : null; // stderr text of the worker
  }
  const nested = entry.parent_tool_use_id ? '  ' : '';
  switch (entry.type) {
    case 'system':
      return entry.subtype === 'init'
        ? `session ${String(entry.session_id ?? '')} model ${String(entry.model ?? '?')}`
        : null;
    case 'assistant': {
      const blocks = ((entry.message as { content?: Block[] })?.content ?? []) as Block[];
      const lines = blocks.flatMap((b) =>
        b.type === 'tool_use'
          ? [toolLine(b)]
          : b.type === 'text' && b.text?.trim()
            ? [`“${cleanText(b.text, 200)}”`]
            : [],
      );
      return lines.length ? lines.map((l) => nested + l).join('\n') : null;
    }
    case 'user': {
      const blocks = ((entry.message as { content?: Block[] })?.content ?? []) as Block[];
      const errors = Array.isArray(blocks) ? blocks.filter((b) => b.type === 'tool_result' && b.is_error) : [];
      return errors.length ? errors.map((b) => `${nested}  ✗ ${cleanText(textOf(b.content), 200)}`).join('\n') : null;
    }
    case 'rate_limit_event': {
      const info = (entry.rate_limit_info ?? {}) as { status?: string; resetsAt?: number; rateLimitType?: string };
      if (info.status === 'allowed') return null;
      const reset = typeof info.resetsAt === 'number' ? `, resets ${new Date(info.resetsAt * 1000).toISOString()}` : '';
      return `usage limit ${info.status ?? '?'} (${info.rateLimitType ?? 'unknown'}${reset})`;
    }
    case 'result': {
      const usage = (entry.usage ?? {}) as { input_tokens?: number; output_tokens?: number };
      const cost = typeof entry.total_cost_usd === 'number' ? `$${entry.total_cost_usd.toFixed(4)}` : '$?';
      const status = entry.is_error ? `error${entry.api_error_status ? ` (API ${entry.api_error_status})` : ''}` : 'ok';
      return `result ${status}: ${cleanText(String(entry.result ?? ''), 200)} · ${cost} · ${usage.input_tokens ?? 0} in / ${usage.output_tokens ?? 0} out tokens · ${entry.num_turns ?? '?'} turns`;
    }
    case LOOM_EXIT_TYPE:
      return `exit ${entry.signal ? `signal ${String(entry.signal)}` : `code ${String(entry.code)}`}${entry.error ? ` (${cleanText(String(entry.error), 200)})` : ''}`;
    default:
      return null;
  }
}
