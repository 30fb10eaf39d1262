/**
 * Runs the real Claude Code CLI (from the @anthropic-ai/claude-code devDependency)
 * headless in a test repository, against a fake model and the GitHub emulator.
 */
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import type { TestRepo } from '../helpers/repo.js';
import type { FakeModel } from './fake-model.js';

const MODULES = path.resolve(import.meta.dirname, '../../node_modules');
/**
 * The native binary of the platform package (what the wrapper's postinstall links to bin/claude.exe);
 * the wrapper's bin when that package is not there. Either way, no network.
 */
export const CLAUDE_BIN =
  [
    path.join(MODULES, `@anthropic-ai/claude-code-${process.platform}-${process.arch}/claude`),
    path.join(MODULES, '.bin/claude'),
  ].find((p) => existsSync(p)) ?? path.join(MODULES, '.bin/claude');

export interface StreamEvent {
  type: string;
  subtype?: string;
  [key: string]: unknown;
}

export interface ResultEvent extends StreamEvent {
  type: 'result';
  is_error: boolean;
  result?: string;
  num_turns: number;
  permission_denials: unknown[];
}

export interface ClaudeRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  events: StreamEvent[];
  result: ResultEvent | undefined;
  /** Tool results as the stream shows them (the text the model saw), by tool_use id. */
  toolResults: Map<string, string>;
  /** Tool calls of the main conversation, as the stream shows them. */
  toolUses: { id: string; name: string; input: Record<string, unknown>; parent: string | null }[];
}

/** The claude process's environment: the repo's (emulator gh settings, HOME, PATH) plus the fake model. */
export function claudeEnv(repo: TestRepo, model: FakeModel): NodeJS.ProcessEnv {
  const tmp = path.join(repo.home, 'claude-tmp');
  mkdirSync(tmp, { recursive: true });
  return {
    ...repo.env,
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'test',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_TMPDIR: tmp,
    // The emulator's HTTP_PROXY would catch the model's loopback address too; gh's host stays proxied.
    NO_PROXY: '127.0.0.1',
    no_proxy: '127.0.0.1',
  };
}

/**
 * Marks the repository as trusted in `$HOME/.claude.json`: without it Claude Code
 * 2.1.197 ignores the `permissions.allow` of the project's .claude/settings.json
 * ("this workspace has not been trusted").
 */
export function trustProject(repo: TestRepo): void {
  const dir = realpathSync(repo.dir);
  writeFileSync(
    path.join(repo.home, '.claude.json'),
    `${JSON.stringify({ hasCompletedOnboarding: true, projects: { [dir]: { hasTrustDialogAccepted: true, allowedTools: [] } } }, null, 2)}\n`,
  );
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((b: { type?: string; text?: string }) => (b.type === 'text' ? (b.text ?? '') : '')).join('\n');
  return '';
}

/** `claude -p <prompt> --output-format stream-json --verbose`, with no permission flags. */
export async function runClaude(
  repo: TestRepo,
  model: FakeModel,
  prompt: string,
  options: { timeoutMs?: number; args?: string[]; dump?: string } = {},
): Promise<ClaudeRun> {
  const run = await execa(
    CLAUDE_BIN,
    ['-p', prompt, '--output-format', 'stream-json', '--verbose', ...(options.args ?? [])],
    {
      cwd: repo.dir,
      env: claudeEnv(repo, model),
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      timeout: options.timeoutMs ?? 60_000,
      forceKillAfterDelay: 2_000,
    },
  );
  const stdout = String(run.stdout);
  if (options.dump) {
    // Kept for debugging (gitignored): the stream and the model's requests.
    mkdirSync(path.dirname(options.dump), { recursive: true });
    writeFileSync(`${options.dump}.stream.jsonl`, stdout);
    writeFileSync(
      `${options.dump}.requests.json`,
      JSON.stringify(
        model.requests.map(({ body, reply, seq, conversation, messagesBytes }) => ({
          seq,
          conversation: conversation.slice(0, 120),
          messagesBytes,
          messages: body.messages,
          reply,
        })),
        null,
        1,
      ),
    );
  }
  const events: StreamEvent[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as StreamEvent);
    } catch {
      // not an event line
    }
  }
  const toolResults = new Map<string, string>();
  const toolUses: ClaudeRun['toolUses'] = [];
  for (const event of events) {
    const message = event.message as { content?: unknown } | undefined;
    if (!message || !Array.isArray(message.content)) continue;
    for (const block of message.content as {
      type: string;
      id?: string;
      name?: string;
      input?: Record<string, unknown>;
      tool_use_id?: string;
      content?: unknown;
    }[]) {
      if (event.type === 'assistant' && block.type === 'tool_use')
        toolUses.push({
          id: String(block.id),
          name: String(block.name),
          input: block.input ?? {},
          parent: (event.parent_tool_use_id as string | null) ?? null,
        });
      if (event.type === 'user' && block.type === 'tool_result')
        toolResults.set(String(block.tool_use_id), textOf(block.content));
    }
  }
  const result = events.filter((e): e is ResultEvent => e.type === 'result').at(-1);
  return { exitCode: run.exitCode ?? -1, stdout, stderr: String(run.stderr), events, result, toolResults, toolUses };
}
