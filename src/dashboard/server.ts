/**
 * The dashboard's HTTP server (node:http), for one person on this machine: bound to 127.0.0.1 only, every
 * request must carry the random token of the printed URL (`?token=`) and a Host header naming this server
 * (so a web page elsewhere cannot reach it, not even by DNS rebinding); no CORS header is ever sent, only
 * GET and HEAD are answered. Routes:
 *   GET /?token=…              the page (server-rendered, src/dashboard/page.ts)
 *   GET /events?token=…        Server-Sent Events: `model` with the whole DashboardModel (JSON) on each refresh
 *   GET /log?token=…&of=<id>   Server-Sent Events: `file` (the log's name), then `lines` (rendered lines);
 *                              `<id>` is a shepherd slot or a role, resolved to a log file by the server
 *   GET /model.json?token=…    the current DashboardModel
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { tailLog } from './log-tail.js';
import { renderPage } from './page.js';
import type { Refresher } from './refresher.js';

export interface DashboardServerOptions {
  /** 0 picks a free port. */
  port: number;
  token: string;
  refresher: Refresher;
  /** The log file of a slot or role (validated id), or null when it has none. */
  resolveLog: (id: string) => Promise<string | null>;
  /** Milliseconds between SSE keep-alive comments. */
  keepAliveMs?: number;
  logIntervalMs?: number;
}

export interface DashboardServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** A fresh URL-safe token (32 random bytes). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

const LOG_ID = /^(shepherd-\d{1,2}|[a-z]{1,20})$/;

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
};

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuse(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

function startEvents(
  req: IncomingMessage,
  res: ServerResponse,
  keepAliveMs: number,
): (event: string, data: unknown) => void {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': 'text/event-stream; charset=utf-8',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 3000\n\n');
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
  req.on('close', () => clearInterval(keepAlive));
  return (event, data) => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
}

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const open = new Set<ServerResponse>();
  let port = options.port;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // DNS rebinding: a hostile page's name resolving to 127.0.0.1 still sends its own name as Host.
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return refuse(res, 403, 'Forbidden host.');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (!sameToken(url.searchParams.get('token'), options.token))
      return refuse(res, 403, 'Forbidden: open the URL `loom dashboard` printed (it carries the token).');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return refuse(res, 405, 'Method not allowed.');
    }
    switch (url.pathname) {
      case '/': {
        const nonce = randomBytes(16).toString('base64');
        const html = renderPage(await options.refresher.current(), { nonce });
        res.writeHead(200, {
          ...SECURITY_HEADERS,
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        });
        return res.end(req.method === 'HEAD' ? undefined : html);
      }
      case '/model.json': {
        const model = await options.refresher.current();
        res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' });
        return res.end(JSON.stringify(model));
      }
      case '/events': {
        open.add(res);
        const send = startEvents(req, res, keepAliveMs);
        const unsubscribe = options.refresher.subscribe((model) => send('model', model));
        req.on('close', () => {
          unsubscribe();
          open.delete(res);
        });
        return;
      }
      case '/log': {
        const id = url.searchParams.get('of') ?? '';
        if (!LOG_ID.test(id)) return refuse(res, 400, 'Bad log id: a slot (shepherd-2) or a role (guide).');
        open.add(res);
        const send = startEvents(req, res, keepAliveMs);
        const file = await options.resolveLog(id);
        if (!file) {
          send('missing', `No log for ${id} yet.`);
          req.on('close', () => open.delete(res));
          return;
        }
        send('file', path.basename(file));
        const tail = tailLog(file, (lines) => send('lines', lines), { intervalMs: options.logIntervalMs });
        req.on('close', () => {
          tail.stop();
          open.delete(res);
        });
        return;
      }
      default:
        return refuse(res, 404, 'Not found.');
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) refuse(res, 500, 'The dashboard failed to answer; see its terminal.');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/?token=${options.token}`,
    close: () =>
      new Promise<void>((resolve) => {
        options.refresher.stop();
        for (const res of open) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
