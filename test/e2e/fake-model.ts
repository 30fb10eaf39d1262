/**
 * A scripted stand-in for the Anthropic Messages API, for driving the real
 * Claude Code CLI offline (facts in docs/TESTING.md#claude-code).
 *
 * It serves streaming `POST /v1/messages` on loopback. Each request is parsed
 * into a {@link ModelRequest} (which conversation it belongs to, the slash
 * command it carries, the tool results of its last turn, task notifications)
 * and handed to a {@link Script}, whose {@link Reply} is streamed back as
 * `message_start`, content blocks (`text_delta` / `input_json_delta`),
 * `message_delta` with the stop reason, `message_stop`.
 * Every request is recorded with the byte size of its `messages` JSON, so a
 * test can measure how fast a conversation's context grows.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ContentBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
  is_error?: boolean;
  [key: string]: unknown;
}

export interface ApiMessage {
  role: 'user' | 'assistant' | 'system';
  content: string | ContentBlock[];
}

export interface MessagesBody {
  model: string;
  messages: ApiMessage[];
  system?: string | ContentBlock[];
  tools?: { name: string }[];
  stream?: boolean;
  [key: string]: unknown;
}

export interface ToolCall {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface ToolResult {
  /** The tool_use this answers, found in the same request's assistant turns. */
  call: ToolCall;
  text: string;
  isError: boolean;
}

export interface ModelRequest {
  /** 1-based order of arrival. */
  seq: number;
  /** Milliseconds since the server started. */
  at: number;
  body: MessagesBody;
  /** Byte length of `JSON.stringify(body.messages)`: the conversation's context. */
  messagesBytes: number;
  /** A subagent's conversation (its system text carries `cc_is_subagent=true`). */
  subagent: boolean;
  /** `main`, or `agent:<first user text>` for a subagent. */
  conversation: string;
  /** Text of the first non-system message without `<system-reminder>` blocks: the expanded command, or the Agent prompt. */
  firstUserText: string;
  /** The slash command of the first message (`<command-name>/loom</command-name>`), if any. */
  command: { name: string; args: string } | null;
  /** Role of the last message that is not `role: "system"`. */
  lastRole: 'user' | 'assistant' | null;
  /** Tool results of that last message (empty when it is a new user turn). */
  toolResults: ToolResult[];
  /** Every text block of that last message when it is a user turn (with the Skill tool's expansion, say). */
  lastText: string;
  /** True when that last message is a user turn without tool results (a new prompt or a notification). */
  newTurn: boolean;
  /** Every `<task-notification>…</task-notification>` added since the last assistant turn. */
  notifications: string[];
  /** Every tool call the conversation made so far, in order. */
  calls: ToolCall[];
  /** Every tool result the conversation received so far, in order. */
  results: ToolResult[];
}

export interface ReplyTool {
  name: string;
  input: Record<string, unknown>;
}

export interface Reply {
  text?: string;
  tools?: ReplyTool[];
  /** Extra HTTP headers of the answer (e.g. `anthropic-ratelimit-unified-*`). */
  headers?: Record<string, string>;
  /** Answer with this HTTP error status instead of a message (e.g. 429 with rate-limit headers). */
  errorStatus?: number;
}

export type Script = (request: ModelRequest) => Reply | Promise<Reply>;

export interface RecordedRequest extends ModelRequest {
  reply: Reply;
}

export interface FakeModel {
  url: string;
  /** Every `POST /v1/messages`, in order of arrival. */
  requests: RecordedRequest[];
  /** Script failures (each was answered with an end_turn text naming it; after the first, every request is). */
  errors: string[];
  /** Other requests (method and path), answered 404. */
  others: string[];
  /** Requests of one conversation, in order. */
  conversation(key: string): RecordedRequest[];
  close(): Promise<void>;
}

const textOf = (content: unknown): string => {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block: ContentBlock) =>
      block.type === 'text' ? (block.text ?? '') : block.type === 'tool_result' ? textOf(block.content) : '',
    )
    .join('\n');
};

const blocksOf = (message: ApiMessage): ContentBlock[] =>
  typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;

/** Parses what a script needs to decide from a request body. */
export function parseRequest(body: MessagesBody, seq: number, at: number): ModelRequest {
  const systemText = textOf(body.system ?? '');
  const subagent = systemText.includes('cc_is_subagent=true');
  const messages = body.messages ?? [];
  const turns = messages.filter((m) => m.role !== 'system');
  const first = turns[0];
  const firstUserText = first
    ? blocksOf(first)
        .filter((b) => b.type === 'text' && !(b.text ?? '').startsWith('<system-reminder>'))
        .map((b) => b.text ?? '')
        .join('\n')
    : '';
  const name = /<command-name>([^<]*)<\/command-name>/.exec(firstUserText)?.[1];
  const args = /<command-args>([^<]*)<\/command-args>/.exec(firstUserText)?.[1] ?? '';
  const calls: ToolCall[] = [];
  for (const message of turns) {
    if (message.role !== 'assistant') continue;
    for (const block of blocksOf(message)) {
      if (block.type === 'tool_use')
        calls.push({
          id: String(block.id),
          name: String(block.name),
          input: (block.input ?? {}) as Record<string, unknown>,
        });
    }
  }
  const resultsOf = (message: ApiMessage): ToolResult[] =>
    blocksOf(message)
      .filter((block) => block.type === 'tool_result')
      .map((block) => ({
        call: calls.find((c) => c.id === block.tool_use_id) ?? { id: String(block.tool_use_id), name: '?', input: {} },
        text: textOf(block.content),
        isError: Boolean(block.is_error),
      }));
  const results = turns.filter((m) => m.role === 'user').flatMap(resultsOf);
  const last = turns.at(-1);
  let toolResults: ToolResult[] = [];
  let lastText = '';
  if (last?.role === 'user') {
    lastText = blocksOf(last)
      .filter((b) => b.type === 'text')
      .map((b) => b.text ?? '')
      .join('\n');
    toolResults = resultsOf(last);
  }
  const lastAssistant = messages.map((m) => m.role).lastIndexOf('assistant');
  const notifications = messages
    .slice(lastAssistant + 1)
    .flatMap((m) => textOf(m.content).match(/<task-notification>[\s\S]*?<\/task-notification>/g) ?? []);
  return {
    seq,
    at,
    body,
    messagesBytes: Buffer.byteLength(JSON.stringify(messages)),
    subagent,
    conversation: subagent ? `agent:${firstUserText}` : 'main',
    firstUserText,
    command: name ? { name, args } : null,
    lastRole: last ? (last.role as 'user' | 'assistant') : null,
    toolResults,
    lastText,
    newTurn: last?.role === 'user' && !toolResults.length,
    notifications,
    calls,
    results,
  };
}

/** The server-sent events of one assistant message. */
export function streamEvents(reply: Reply, id: string, model: string, idPrefix: string): string {
  const events: string[] = [];
  const emit = (type: string, data: Record<string, unknown>) =>
    events.push(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  const tools = reply.tools ?? [];
  emit('message_start', {
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 100, output_tokens: 1 },
    },
  });
  let index = 0;
  if (reply.text !== undefined || !tools.length) {
    emit('content_block_start', { index, content_block: { type: 'text', text: '' } });
    emit('content_block_delta', { index, delta: { type: 'text_delta', text: reply.text ?? '' } });
    emit('content_block_stop', { index });
    index += 1;
  }
  tools.forEach((tool, i) => {
    emit('content_block_start', {
      index,
      content_block: { type: 'tool_use', id: `${idPrefix}_${i}`, name: tool.name, input: {} },
    });
    const json = JSON.stringify(tool.input);
    // Streamed in pieces, as the real API does.
    for (let at = 0; at < json.length; at += 40)
      emit('content_block_delta', {
        index,
        delta: { type: 'input_json_delta', partial_json: json.slice(at, at + 40) },
      });
    emit('content_block_stop', { index });
    index += 1;
  });
  emit('message_delta', {
    delta: { stop_reason: tools.length ? 'tool_use' : 'end_turn', stop_sequence: null },
    usage: { output_tokens: 10 },
  });
  emit('message_stop', {});
  return events.join('');
}

export async function startFakeModel(script: Script): Promise<FakeModel> {
  const requests: RecordedRequest[] = [];
  const errors: string[] = [];
  const others: string[] = [];
  const started = Date.now();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        if (req.method !== 'POST' || !(req.url ?? '').startsWith('/v1/messages')) {
          others.push(`${req.method ?? '?'} ${req.url ?? ''}`);
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'not found' } }));
          return;
        }
        const seq = requests.length + 1;
        let reply: Reply;
        let parsed: ModelRequest;
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as MessagesBody;
          parsed = parseRequest(body, seq, Date.now() - started);
        } catch (error) {
          errors.push(`request ${seq}: unreadable body: ${String(error)}`);
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'unreadable' } }));
          return;
        }
        const recorded = { ...parsed, reply: {} } as RecordedRequest;
        requests.push(recorded);
        try {
          // After a script error every conversation is told to end, so a broken scenario fails fast instead of looping.
          if (errors.length) throw new Error('stopped after an earlier script error');
          reply = await script(parsed);
        } catch (error) {
          const message = `request ${seq} (${parsed.conversation.slice(0, 60)}): ${error instanceof Error ? error.message : String(error)}`;
          errors.push(message);
          reply = { text: `FAKE MODEL SCRIPT ERROR: ${message}` };
        }
        recorded.reply = reply;
        const id = `msg_fake_${seq}`;
        if (reply.errorStatus) {
          res.writeHead(reply.errorStatus, { 'content-type': 'application/json', ...reply.headers });
          res.end(
            JSON.stringify({
              type: 'error',
              error: { type: reply.errorStatus === 429 ? 'rate_limit_error' : 'api_error', message: 'scripted error' },
            }),
          );
          return;
        }
        if (parsed.body.stream === false) {
          const content = [
            ...(reply.text !== undefined || !reply.tools?.length ? [{ type: 'text', text: reply.text ?? '' }] : []),
            ...(reply.tools ?? []).map((t, i) => ({
              type: 'tool_use',
              id: `toolu_fake_${seq}_${i}`,
              name: t.name,
              input: t.input,
            })),
          ];
          res.writeHead(200, { 'content-type': 'application/json', ...reply.headers });
          res.end(
            JSON.stringify({
              id,
              type: 'message',
              role: 'assistant',
              model: parsed.body.model,
              content,
              stop_reason: reply.tools?.length ? 'tool_use' : 'end_turn',
              stop_sequence: null,
              usage: { input_tokens: 100, output_tokens: 10 },
            }),
          );
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...reply.headers });
        res.end(streamEvents(reply, id, parsed.body.model, `toolu_fake_${seq}`));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    errors,
    others,
    conversation: (key) => requests.filter((r) => r.conversation === key),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
