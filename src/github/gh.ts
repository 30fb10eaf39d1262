/**
 * The one seam to the `gh` binary. Every GitHub request Loom makes goes
 * through `GhClient`: argument arrays only (never a shell string), a timeout on
 * every call, `--include` so HTTP status and rate-limit headers are visible,
 * and failures classified into typed LoomErrors with a next step.
 */
import { systemClock } from '../clock.js';
import { redactSecrets } from '../core/sanitize.js';
import { readEnv, readSecondsEnv } from '../env.js';
import { LoomError } from '../errors.js';
import { runProcess } from '../process/run.js';
import { type GhInvocation, takePrefetched } from './prefetch.js';

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Runs `gh` with the given arguments (and optional stdin); resolves even when gh exits non-zero. */
export type GhExec = (
  args: readonly string[],
  input?: string,
) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

export interface GhClientOptions {
  /** Path of the gh binary; default `LOOM_GH` or `gh`. */
  bin?: string;
  /** Per-call timeout in milliseconds; default `LOOM_GH_TIMEOUT` seconds or 30 s. */
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * The GitHub host of the repository (see github/repo.ts), passed to gh as
   * GH_HOST so `gh api` addresses that host; a function because the host is
   * known only once the repository is resolved. Undefined: gh's default.
   */
  host?: () => Promise<string | undefined>;
}

export function execGh(options: GhClientOptions = {}): GhExec {
  const settings = ghSettings(options);
  return async (args, input) => {
    const host = options.host ? await options.host().catch(() => undefined) : undefined;
    const invocation = ghInvocation(settings, args, input, host);
    try {
      const result = await (takePrefetched(invocation) ?? runProcess(invocation.bin, invocation.args, invocation));
      if (result.timedOut) {
        throw new LoomError('GH_NETWORK', `gh did not answer within ${Math.round(invocation.timeoutMs / 1000)} s.`, {
          hint: 'Check your network connection, or raise LOOM_GH_TIMEOUT (seconds).',
        });
      }
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
    } catch (error) {
      if (error instanceof LoomError) throw error;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw ghMissing(invocation.bin);
      if ((error as NodeJS.ErrnoException).code === 'EACCES') throw ghNotExecutable(invocation.bin);
      throw error;
    }
  };
}

/** The options of every call a client makes: the program, its timeout, folder and base environment. */
export function ghSettings(options: Omit<GhClientOptions, 'host'> = {}): Omit<GhInvocation, 'args' | 'input'> {
  const env = options.env ?? process.env;
  return {
    bin: options.bin ?? readEnv('LOOM_GH', env) ?? 'gh',
    timeoutMs: options.timeoutMs ?? readSecondsEnv('LOOM_GH_TIMEOUT', env, { min: 1, max: 600, fallback: 30 }) * 1000,
    cwd: options.cwd,
    env,
  };
}

/** The process one call starts: gh never prompts, never checks for updates and never colours its output. */
export function ghInvocation(
  settings: Omit<GhInvocation, 'args' | 'input'>,
  args: readonly string[],
  input: string | undefined,
  host: string | undefined,
): GhInvocation {
  return {
    ...settings,
    args,
    input,
    env: {
      ...settings.env,
      ...(host ? { GH_HOST: host } : {}),
      GH_PROMPT_DISABLED: '1',
      GH_NO_UPDATE_NOTIFIER: '1',
      NO_COLOR: '1',
      CLICOLOR: '0',
    },
  };
}

/** `gh api graphql` with the document on stdin: the arguments and input of one GraphQL request. */
export function graphqlCall(query: string, variables: Record<string, unknown>): { args: string[]; input: string } {
  return { args: ['api', '--include', 'graphql', '--input', '-'], input: JSON.stringify({ query, variables }) };
}

function ghMissing(bin: string): LoomError {
  return new LoomError('GH_MISSING', `The GitHub CLI (${bin}) was not found.`, {
    hint: 'Install it: `apt-get install gh` on Debian/Ubuntu, `brew install gh` on macOS, or see https://cli.github.com. Then run `gh auth login`.',
  });
}

function ghNotExecutable(bin: string): LoomError {
  return new LoomError('GH_MISSING', `The GitHub CLI (${bin}) cannot be run: it is not an executable file.`, {
    hint: 'Point LOOM_GH at the gh program (e.g. LOOM_GH=$(command -v gh)), or unset it to use gh from PATH.',
  });
}

/** Splits `gh api --include` output into status line, headers and body. */
export function parseIncluded(stdout: string): HttpResponse | undefined {
  if (!stdout.startsWith('HTTP/')) return undefined;
  const sep = stdout.search(/\r?\n\r?\n/);
  const head = sep === -1 ? stdout : stdout.slice(0, sep);
  const body = sep === -1 ? '' : stdout.slice(sep).replace(/^\r?\n\r?\n/, '');
  const [statusLine = '', ...headerLines] = head.split(/\r?\n/);
  const status = Number(statusLine.split(' ')[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, body };
}

/** Turns a failed gh call into the matching typed error. Exported for unit tests. */
export function classifyFailure(
  response: HttpResponse | undefined,
  stderr: string,
  exitCode: number,
  now: () => Date = systemClock.now,
): LoomError {
  const detail = redactSecrets(stderr.trim().split('\n').slice(-3).join(' ')).slice(0, 300);
  const status = response?.status ?? 0;
  const headers = response?.headers ?? {};
  const body = response?.body ?? '';
  if (exitCode === 4 || status === 401 || /gh auth login|authentication required|bad credentials/i.test(stderr)) {
    return new LoomError('GH_NOT_AUTHENTICATED', 'gh is not authenticated with GitHub.', {
      hint: 'Run `gh auth login` (or set GH_TOKEN), then try again.',
    });
  }
  const remaining = headers['x-ratelimit-remaining'];
  if (
    status === 429 ||
    ((status === 403 || status === 200) && (remaining === '0' || /rate limit/i.test(body + stderr)))
  ) {
    const resetAt = rateLimitReset(headers, now);
    return new LoomError('GH_RATE_LIMITED', `GitHub rate limit reached; it resets at ${resetAt}.`, {
      hint: 'Loom pauses GitHub calls until then; nothing needs doing.',
      details: { resetAt },
    });
  }
  if (status === 404 || /HTTP 404|Could not resolve to a/i.test(stderr + body)) {
    return new LoomError('GH_NOT_FOUND', `GitHub says not found: ${detail || 'HTTP 404'}`, {
      hint: 'Check the repository (LOOM_REPO, GH_REPO or the origin remote) and the number you gave.',
    });
  }
  if (status >= 500 || status === 0) {
    return new LoomError(
      'GH_NETWORK',
      `GitHub could not be reached${status ? ` (HTTP ${status})` : ''}: ${detail || 'no answer'}`,
      {
        hint: 'This is usually temporary; Loom retries at the next poll. Check `gh auth status` and your network if it persists.',
        details: { status },
      },
    );
  }
  return new LoomError(
    'GH_ERROR',
    `GitHub request failed (HTTP ${status}): ${detail || redactSecrets(body.slice(0, 200))}`,
    {
      hint: 'Run the command again with the same arguments; if it keeps failing, check `gh auth status`.',
      details: { status },
    },
  );
}

/**
 * When to retry, as GitHub documents it: `retry-after` (secondary limits) wins;
 * else `x-ratelimit-reset` when `x-ratelimit-remaining` is 0 (primary limit);
 * else one minute. (Every answer carries `x-ratelimit-reset`, also under a
 * secondary limit where it is an hour away, so it only counts at remaining 0.)
 */
function rateLimitReset(headers: Record<string, string>, now: () => Date): string {
  const retryAfter = Number(headers['retry-after']);
  if (Number.isFinite(retryAfter) && retryAfter > 0) return new Date(now().getTime() + retryAfter * 1000).toISOString();
  const reset = Number(headers['x-ratelimit-reset']);
  if (headers['x-ratelimit-remaining'] === '0' && Number.isFinite(reset) && reset > 0)
    return new Date(reset * 1000).toISOString();
  return new Date(now().getTime() + 60_000).toISOString();
}

interface GraphQLAnswer<T> {
  data?: T;
  errors?: { type?: string; message: string }[];
}

/**
 * Typed access to GitHub through gh. One method per kind of request; every
 * call is exactly one HTTP request (gh's own retries aside), which is what the
 * request-count tests and the DESIGN.md §10 API budget rely on.
 */
export class GhClient {
  /** `now`: the wall clock a rate limit's `retry-after` counts from (the context's clock, so LOOM_NOW agrees). */
  constructor(
    private readonly exec: GhExec = execGh(),
    private readonly now: () => Date = systemClock.now,
  ) {}

  /** One GraphQL request (`gh api graphql --input -`). Throws on HTTP failure or GraphQL errors. */
  async graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const call = graphqlCall(query, variables);
    const response = await this.request(call.args, call.input);
    const answer = parseJson<GraphQLAnswer<T>>(response.body);
    if (answer.errors?.length) {
      const first = answer.errors[0]!;
      if (first.type === 'RATE_LIMITED')
        return this.fail(classifyFailure({ ...response, status: 429 }, first.message, 1, this.now));
      if (first.type === 'NOT_FOUND')
        return this.fail(classifyFailure({ ...response, status: 404 }, first.message, 1, this.now));
      throw new LoomError('GH_ERROR', `GitHub GraphQL error: ${redactSecrets(first.message).slice(0, 300)}`, {
        hint: 'This is a Loom bug if it repeats; please report it with the command you ran.',
      });
    }
    if (!answer.data || typeof answer.data !== 'object')
      throw new LoomError('GH_MALFORMED', 'GitHub answered without data.', { hint: 'Try again at the next poll.' });
    return answer.data;
  }

  /**
   * One GraphQL request that tolerates per-field NOT_FOUND errors (aliases of
   * numbers that may not exist): returns the partial data and those errors.
   * Any other GraphQL error throws as in `graphql`.
   */
  async graphqlPartial<T>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<{ data: T; notFound: string[] }> {
    // gh exits 1 when the answer carries `errors`, even with HTTP 200 and data: read the body anyway.
    const call = graphqlCall(query, variables);
    const result = await this.exec(call.args, call.input);
    const response = parseIncluded(result.stdout);
    if (!response || response.status >= 400) throw classifyFailure(response, result.stderr, result.exitCode, this.now);
    const answer = parseJson<{ data?: T; errors?: { type?: string; message: string; path?: (string | number)[] }[] }>(
      response.body,
    );
    const errors = answer.errors ?? [];
    const other = errors.find((e) => e.type !== 'NOT_FOUND' || !e.path?.length);
    if (!other && (!answer.data || typeof answer.data !== 'object'))
      throw new LoomError('GH_MALFORMED', 'GitHub answered without data.', { hint: 'Try again at the next poll.' });
    if (other || !answer.data) {
      if (other?.type === 'RATE_LIMITED')
        return this.fail(classifyFailure({ ...response, status: 429 }, other.message, 1, this.now));
      throw new LoomError(
        'GH_ERROR',
        `GitHub GraphQL error: ${redactSecrets(other?.message ?? 'no data').slice(0, 300)}`,
        {
          hint: 'This is a Loom bug if it repeats; please report it with the command you ran.',
        },
      );
    }
    return { data: answer.data, notFound: errors.map((e) => String(e.path![e.path!.length - 1])) };
  }

  /** One REST request (`gh api -X METHOD path`), JSON body optional. Returns the parsed JSON body. */
  async rest<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const args = ['api', '--include', '-X', method, path];
    if (body !== undefined) args.push('--input', '-');
    const response = await this.request(args, body === undefined ? undefined : JSON.stringify(body));
    return response.body.trim() ? parseJson<T>(response.body) : (undefined as T);
  }

  /** Like `rest` but returns status and headers too, without throwing on 4xx (for 422 "already exists"). */
  async restRaw(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<HttpResponse> {
    const args = ['api', '--include', '-X', method, path];
    if (body !== undefined) args.push('--input', '-');
    const result = await this.exec(args, body === undefined ? undefined : JSON.stringify(body));
    const response = parseIncluded(result.stdout);
    if (
      response &&
      response.status >= 400 &&
      response.status < 500 &&
      response.status !== 401 &&
      response.status !== 403 &&
      response.status !== 429
    ) {
      return response;
    }
    if (result.exitCode !== 0 || !response) throw classifyFailure(response, result.stderr, result.exitCode, this.now);
    return response;
  }

  private async request(args: string[], input?: string): Promise<HttpResponse> {
    const result = await this.exec(args, input);
    const response = parseIncluded(result.stdout);
    if (result.exitCode !== 0 || !response || response.status >= 400) {
      throw classifyFailure(response, result.stderr, result.exitCode, this.now);
    }
    return response;
  }

  private fail(error: LoomError): never {
    throw error;
  }
}

function parseJson<T>(text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new LoomError(
      'GH_MALFORMED',
      `GitHub answered with something that is not JSON: ${redactSecrets(text.slice(0, 120))}`,
      {
        hint: 'Check that GH_HOST points at GitHub (or the Loom sandbox forge).',
      },
    );
  }
}
