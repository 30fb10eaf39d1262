/**
 * HTTP front of the emulator on loopback: accepts gh's proxy-form requests
 * (absolute URLs for http://api.github.localhost/...) and origin-form ones,
 * keeps a request log (never headers, so never the token), applies injected
 * faults and serves the test control endpoints under /_emulator/.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunPatchSchema, WorkflowSpecSchema } from './actions.js';
import { type Fault, FaultList } from './faults.js';
import { executeGraphQL, loadSchema, operationInfo } from './graphql.js';
import type { RateInfo } from './objects.js';
import { handleRest } from './rest.js';
import { type Seed, SeedIssueSchema, SeedPullRequestSchema } from './seed.js';
import { Store } from './store.js';

export const EMULATOR_TOKEN = 'ghp_LoomEmulatorFakeToken0123456789abcd';
export const EMULATOR_HOST = 'github.localhost';

export interface RequestLogEntry {
  method: string;
  path: string;
  operation: string | null;
  time: string;
  status: number;
}

export interface EmulatorHandle {
  port: number;
  url: string;
  env: Record<string, string>;
  state(): Seed;
  requests(): RequestLogEntry[];
  clearRequests(): void;
  addFault(f: Fault): void;
  clearFaults(): void;
  store: Store;
  close(): Promise<void>;
}

export interface EmulatorOptions {
  port?: number;
  /** Called after each logged request (for the sandbox's verbose mode). */
  onRequest?: (entry: RequestLogEntry) => void;
}

const RATE_LIMIT = 5000;

class RateLimits {
  private readonly used = new Map<string, number>();
  private readonly reset = Math.floor(Date.now() / 1000) + 3600;

  consume(resource: string): void {
    this.used.set(resource, (this.used.get(resource) ?? 0) + 1);
  }

  info(resource: string): RateInfo {
    const used = this.used.get(resource) ?? 0;
    return { limit: RATE_LIMIT, used, remaining: Math.max(0, RATE_LIMIT - used), reset: this.reset };
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function decodeSegments(pathname: string): string[] | null {
  try {
    return pathname
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
}

export async function startEmulator(seed: Seed, opts: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const store = new Store(seed);
  loadSchema();
  const faults = new FaultList();
  const rates = new RateLimits();
  let log: RequestLogEntry[] = [];
  const configDir = mkdtempSync(join(tmpdir(), 'loom-emu-gh-'));

  const baseHeaders = (resource: string): Record<string, string> => {
    const r = rates.info(resource);
    return {
      'content-type': 'application/json; charset=utf-8',
      'x-ratelimit-limit': String(r.limit),
      'x-ratelimit-remaining': String(r.remaining),
      'x-ratelimit-reset': String(r.reset),
      'x-ratelimit-used': String(r.used),
      'x-ratelimit-resource': resource,
      'x-github-request-id':
        `${randomBytes(2).toString('hex')}:${randomBytes(3).toString('hex')}:${randomBytes(4).toString('hex')}`.toUpperCase(),
      'x-github-media-type': 'github.v3; format=json',
    };
  };

  const send = (res: ServerResponse, status: number, headers: Record<string, string>, body: unknown) => {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  };

  const control = async (req: IncomingMessage, res: ServerResponse, pathname: string, rawBody: string) => {
    const json = { 'content-type': 'application/json; charset=utf-8' };
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      return send(res, 400, json, { message: 'Problems parsing JSON' });
    }
    const route = `${req.method} ${pathname.replace(/\/+$/, '')}`;
    try {
      switch (route) {
        case 'GET /_emulator/state':
          return send(res, 200, json, store.exportSeed());
        case 'GET /_emulator/requests':
          return send(res, 200, json, log);
        case 'DELETE /_emulator/requests':
          log = [];
          return send(res, 204, {}, undefined);
        case 'GET /_emulator/faults':
          return send(res, 200, json, faults.list());
        case 'POST /_emulator/faults':
          faults.add(body as Fault);
          return send(res, 201, json, { ok: true });
        case 'DELETE /_emulator/faults':
          faults.clear();
          return send(res, 204, {}, undefined);
        case 'POST /_emulator/issues':
          return send(res, 201, json, exportItem(store.addIssue(SeedIssueSchema.partial().parse(body ?? {}))));
        case 'POST /_emulator/pull-requests':
          return send(
            res,
            201,
            json,
            exportItem(store.addPullRequest(SeedPullRequestSchema.partial().parse(body ?? {}))),
          );
        case 'POST /_emulator/actions/workflows':
          store.actions.registerWorkflow(WorkflowSpecSchema.parse(body ?? {}));
          return send(res, 201, json, { ok: true });
        case 'GET /_emulator/actions/runs':
          return send(res, 200, json, store.actions.all());
        default: {
          const run = /^POST \/_emulator\/actions\/runs\/(\d+)$/.exec(route);
          if (run) return send(res, 200, json, store.actions.setRun(Number(run[1]), RunPatchSchema.parse(body ?? {})));
          return send(res, 404, json, { message: 'Not Found' });
        }
      }
    } catch (e) {
      return send(res, 400, json, { message: e instanceof Error ? e.message : String(e) });
    }
  };

  const exportItem = (item: { number: number }) => {
    const seedNow = store.exportSeed();
    return [...(seedNow.issues ?? []), ...(seedNow.pullRequests ?? [])].find((i) => i.number === item.number);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const pathname = url.pathname;
    const rawBody = await readBody(req);
    if (pathname === '/_emulator' || pathname.startsWith('/_emulator/')) return control(req, res, pathname, rawBody);

    const method = (req.method ?? 'GET').toUpperCase();
    const path = pathname + url.search;
    const isGraphQL = pathname === '/graphql' || pathname === '/api/graphql';
    let body: unknown;
    let badJson = false;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      badJson = true;
    }
    const op = isGraphQL && method === 'POST' ? operationInfo(body) : { name: null, type: null };
    const entry: RequestLogEntry = { method, path, operation: op.name, time: new Date().toISOString(), status: 0 };
    log.push(entry);
    const resource = isGraphQL ? 'graphql' : pathname.startsWith('/search') ? 'search' : 'core';
    const isRateLimitCall = pathname === '/rate_limit';
    const finish = (status: number, headers: Record<string, string>, payload: unknown) => {
      entry.status = status;
      send(res, status, headers, payload);
      opts.onRequest?.({ ...entry });
    };

    const fault = faults.take({ method, path, operation: op.name, operationType: op.type });
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.status !== undefined) {
      const headers = baseHeaders(resource);
      for (const [k, v] of Object.entries(fault.headers ?? {})) headers[k.toLowerCase()] = String(v);
      const payload = fault.body ?? {
        message: `Emulated fault (HTTP ${fault.status})`,
        documentation_url: 'https://docs.github.com/rest',
      };
      return finish(fault.status, headers, payload);
    }
    const extraHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(fault?.headers ?? {})) extraHeaders[k.toLowerCase()] = String(v);

    if (!isRateLimitCall) rates.consume(resource);
    const headers = { ...baseHeaders(resource), ...extraHeaders };
    if (badJson)
      return finish(400, headers, {
        message: 'Problems parsing JSON',
        documentation_url: 'https://docs.github.com/rest',
      });

    if (isGraphQL) {
      if (method !== 'POST') return finish(404, headers, { message: 'Not Found' });
      if (!req.headers.authorization) {
        return finish(401, headers, {
          message: 'This endpoint requires you to be authenticated.',
          documentation_url:
            'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql',
        });
      }
      const ctx = { store, rate: () => rates.info('graphql') };
      const result = await executeGraphQL(ctx, body);
      return finish(result.status, headers, result.body);
    }

    const segments = decodeSegments(pathname.replace(/^\/api\/v3(?=\/)/, ''));
    if (!segments) return finish(400, headers, { message: 'Bad Request' });
    const host = req.headers.host ?? `127.0.0.1:${port}`;
    const apiBase = /^https?:\/\//.test(req.url ?? '') ? url.origin : `http://${host}`;
    const result = handleRest(
      { store, rate: (r) => rates.info(r) },
      { method, segments, query: url.searchParams, body, apiBase, pathname, accept: String(req.headers.accept ?? '') },
    );
    return finish(
      result.status,
      { ...headers, ...(result.headers ?? {}) },
      result.status === 204 ? undefined : result.body,
    );
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      if (!res.headersSent)
        send(
          res,
          500,
          { 'content-type': 'application/json; charset=utf-8' },
          { message: `Emulator error: ${message}` },
        );
      else res.end();
    });
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const parsedRepo = store.repo;

  const env: Record<string, string> = {
    GH_HOST: EMULATOR_HOST,
    HTTP_PROXY: url,
    http_proxy: url,
    HTTPS_PROXY: '',
    https_proxy: '',
    NO_PROXY: '',
    no_proxy: '',
    GH_TOKEN: EMULATOR_TOKEN,
    GH_REPO: parsedRepo,
    GH_PROMPT_DISABLED: '1',
    GH_NO_UPDATE_NOTIFIER: '1',
    GH_CONFIG_DIR: configDir,
  };

  let closed = false;
  return {
    port,
    url,
    env,
    store,
    state: () => store.exportSeed(),
    requests: () => log.map((e) => ({ ...e })),
    clearRequests: () => {
      log = [];
    },
    addFault: (f: Fault) => faults.add(f),
    clearFaults: () => faults.clear(),
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}
