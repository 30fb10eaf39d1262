/**
 * Harness of the dashboard tests: the emulator with a backlog (hostile titles among it), a test repository
 * with a state file (one working shepherd with a worker log, an idle one) and the real `loom dashboard`
 * running as a child process of the built bundle. Plus a small Server-Sent Events reader over node:http.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { type DaemonState, DaemonStateSchema, emptyState, idleSlot } from '../../src/core/daemon-state.js';
import { type EmulatorHandle, startEmulator } from '../emulator/index.js';
import { hostileStrings } from './hostile.js';
import { createTestRepo, seedWith, type TestRepo } from './repo.js';

export const PWNED = path.join(tmpdir(), 'loom-pwned-dashboard');
/** HTML and script payloads that set `window.__pwned` if the page ever runs them. */
export const HTML_HOSTILE = [
  '<img src=x onerror="window.__pwned=1">',
  '</script><script>window.__pwned=1</script>',
  '"><svg onload="window.__pwned=1"> \' onmouseover=\'window.__pwned=1',
  'javascript:window.__pwned=1 <a href="javascript:window.__pwned=1">x</a>',
];
export const HOSTILE = [...HTML_HOSTILE, ...hostileStrings(PWNED)];
/** Issue numbers of the seed. */
export const BUILDING = 1;
export const FIRST_READY = 2;
export const SHEPHERD_LOG = 'shepherd-1-1-20260101T120000Z.jsonl';

export interface DashboardFixture {
  emulator: EmulatorHandle;
  repo: TestRepo;
  url: string;
  port: number;
  token: string;
  logFile: string;
  child: ResultPromise;
  close(): Promise<void>;
}

export const toolLine = (command: string) =>
  `${JSON.stringify({ type: 'assistant', message: { content: [{ type: 'tool_use', name: 'Bash', input: { command } }] } })}\n`;

/** Another backlog and state than the tests' (the screenshot script's demo). */
export interface Scenario {
  seed: Parameters<typeof startEmulator>[0];
  maxShepherds: number;
  /** The state to write, given the default one and the path of the first shepherd's log. */
  state(base: DaemonState, logFile: string): DaemonState;
}

export async function startDashboard(pollInterval = 2, scenario?: Scenario): Promise<DashboardFixture> {
  const emulator = await startEmulator(
    scenario?.seed ??
      seedWith([
        { labels: ['loom:building'], title: 'Add the widget cache' },
        { labels: ['loom:issue'], title: 'First ready issue' },
        { labels: ['loom:issue'], title: 'Second ready issue' },
        ...HOSTILE.map((title) => ({ title, labels: ['loom:issue'] })),
        { labels: ['loom:curated'], title: HTML_HOSTILE[0] },
        { labels: ['loom:blocked'], title: HTML_HOSTILE[1] },
      ]),
  );
  const repo = await createTestRepo(emulator, {
    config: { poll_interval: pollInterval, max_shepherds: scenario?.maxShepherds ?? 2 },
  });
  const logs = path.join(repo.dir, '.loom/logs');
  mkdirSync(logs, { recursive: true });
  const logFile = path.join(logs, SHEPHERD_LOG);
  writeFileSync(logFile, toolLine('git status') + toolLine(`echo ${HTML_HOSTILE[0]}`));
  const now = new Date().toISOString();
  const state: DaemonState = {
    ...emptyState(),
    daemon_id: 'd-test',
    started_at: now,
    last_poll: now,
    running: true,
    iteration: 3,
    shepherds: {
      'shepherd-1': {
        ...idleSlot(),
        status: 'working',
        issue: BUILDING,
        started: now,
        last_phase: 'builder',
        last_heartbeat: now,
        output_file: logFile,
      },
      'shepherd-2': idleSlot({ idle_since: now, idle_reason: 'no ready issue' }),
    },
  };
  const written = scenario ? scenario.state(state, logFile) : state;
  writeFileSync(path.join(repo.dir, '.loom/daemon-state.json'), JSON.stringify(DaemonStateSchema.parse(written)));
  const child = execa('node', [path.join(repo.dir, '.loom/scripts/loom'), 'dashboard', '--port', '0'], {
    cwd: repo.dir,
    env: repo.env,
    extendEnv: false,
    reject: false,
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.catch(reject);
  });
  const parsed = new URL(url);
  return {
    emulator,
    repo,
    url,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token')!,
    logFile,
    child,
    async close() {
      child.kill('SIGTERM');
      await child;
      repo.cleanup();
      await emulator.close();
    },
  };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request to the dashboard with full control of the Host header. */
export function get(port: number, pathAndQuery: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<Answer>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathAndQuery, method, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export interface EventStream {
  events: { event: string; data: unknown }[];
  /** Resolves with the first event (from now on, or already received when `past`) matching `test`. */
  next(test: (e: { event: string; data: unknown }) => boolean, ms?: number, past?: boolean): Promise<unknown>;
  close(): void;
}

/** Opens a Server-Sent Events stream and collects its events. */
export function openEvents(port: number, pathAndQuery: string): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const events: { event: string; data: unknown }[] = [];
    const waiters: { test: (e: { event: string; data: unknown }) => boolean; done: (d: unknown) => void }[] = [];
    const req = request({ host: '127.0.0.1', port, path: pathAndQuery }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
      let buffer = '';
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!event || data === undefined) continue;
          const entry = { event, data: JSON.parse(data) as unknown };
          events.push(entry);
          for (const w of [...waiters])
            if (w.test(entry)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.done(entry.data);
            }
        }
      });
      resolve({
        events,
        next(test, ms = 20_000, past = false) {
          const seen = past ? events.find(test) : undefined;
          if (seen) return Promise.resolve(seen.data);
          return new Promise((done, fail) => {
            const timer = setTimeout(() => fail(new Error('timed out waiting for an event')), ms);
            waiters.push({
              test,
              done: (d) => {
                clearTimeout(timer);
                done(d);
              },
            });
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(e);
    });
    req.end();
  });
}
