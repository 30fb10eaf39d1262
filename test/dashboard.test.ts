/**
 * `loom dashboard` as a process, without a browser: the real bundle serving on 127.0.0.1 against the
 * GitHub emulator. The token and the Host check refuse strangers, the page escapes hostile titles, the
 * event stream follows a label change on the forge, every open page shares one GitHub request per refresh,
 * and the log pane's stream tails a worker log.
 */
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardModel } from '../src/core/dashboard-view.js';
import {
  type DashboardFixture,
  FIRST_READY,
  get,
  HTML_HOSTILE,
  openEvents,
  startDashboard,
  toolLine,
} from './helpers/dashboard.js';
import { sleep, until } from './helpers/reliability.js';
import { createTestRepo } from './helpers/repo.js';

let fx: DashboardFixture;
const POLL = 2;

beforeAll(async () => {
  fx = await startDashboard(POLL);
}, 60_000);
afterAll(async () => {
  await fx?.close();
});

const ready = (m: DashboardModel) => m.pipeline.find((s) => s.key === 'ready')!.count;

describe('loom dashboard: who may ask', () => {
  const host = () => ({ host: `127.0.0.1:${fx.port}` });

  it('prints a URL on 127.0.0.1 with a long random token', () => {
    expect(fx.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{40,}$/);
  });

  it.each([
    ['no token', '/'],
    ['an empty token', '/?token='],
    ['a wrong token', '/?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['no token on the event stream', '/events'],
    ['no token on the log stream', '/log?of=shepherd-1'],
    ['no token on the model', '/model.json'],
  ])('refuses a request with %s (403)', async (_what, path) => {
    const answer = await get(fx.port, path, host());
    expect(answer.status).toBe(403);
    expect(answer.body).not.toContain('loom:');
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });

  it.each([
    ['another host name (DNS rebinding)', 'evil.example'],
    ['the right address on another port', '127.0.0.1:1'],
    ['a name that ends like ours', `evil.127.0.0.1:0`],
  ])('refuses %s in the Host header even with the token (403)', async (_what, name) => {
    const answer = await get(fx.port, `/?token=${fx.token}`, { host: name.replace(':0', `:${fx.port}`) });
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('host');
  });

  it('serves the page with the token, without CORS and with a strict content policy', async () => {
    for (const name of [`127.0.0.1:${fx.port}`, `localhost:${fx.port}`]) {
      const answer = await get(fx.port, `/?token=${fx.token}`, { host: name, origin: 'http://evil.example' });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toMatch(/^text\/html/);
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
      expect(answer.headers['content-security-policy']).toMatch(/script-src 'nonce-[^']+'/);
      expect(answer.headers['content-security-policy']).not.toContain('unsafe-inline');
      expect(answer.headers['referrer-policy']).toBe('no-referrer');
      expect(answer.body).toContain('First ready issue');
    }
  });

  it('answers only GET and HEAD', async () => {
    const answer = await get(fx.port, `/?token=${fx.token}`, host(), 'POST');
    expect(answer.status).toBe(405);
  });

  it('rejects a log id that is not a slot or a role, without reading anything', async () => {
    for (const id of ['../../etc/passwd', 'shepherd-1;rm', '%2e%2e%2fx'])
      expect((await get(fx.port, `/log?token=${fx.token}&of=${id}`, host())).status).toBe(400);
  });
});

describe('loom dashboard: what it shows', () => {
  it('renders hostile titles as escaped text in the server HTML', async () => {
    const page = (await get(fx.port, `/?token=${fx.token}`, { host: `127.0.0.1:${fx.port}` })).body;
    const outsideScript = page.replace(/<script[\s\S]*<\/script>/, '');
    expect(outsideScript).not.toMatch(/<img|<svg|onerror="|onload="|href="javascript:/i);
    expect(outsideScript).toContain('&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;');
    expect(outsideScript).toContain('&lt;/script&gt;&lt;script&gt;');
    expect(page.match(/<script/g)).toHaveLength(1);
    // The terminal-escape strings: no control or bidi character reaches the page.
    expect(outsideScript).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('shows the lane of the working shepherd with its issue title, phase and log', async () => {
    const model = JSON.parse(
      (await get(fx.port, `/model.json?token=${fx.token}`, { host: `127.0.0.1:${fx.port}` })).body,
    ) as DashboardModel;
    const lane = model.lanes.find((l) => l.slot === 'shepherd-1')!;
    expect(lane).toMatchObject({ issue: 1, title: 'Add the widget cache', phase: 'builder', has_log: true });
    expect(lane.issue_url).toBe('https://github.localhost/acme/widgets/issues/1');
    expect(model.lanes.find((l) => l.slot === 'shepherd-2')).toMatchObject({ issue: null, status: 'idle' });
    expect(model.waiting.map((w) => w.kind).sort()).toEqual(['approve-proposal', 'unblock']);
    expect(model.ready[0]).toMatchObject({ number: FIRST_READY, title: 'First ready issue' });
  });
});

describe('loom dashboard: live updates', () => {
  it('sends an update when a label changes on the forge', async () => {
    const stream = await openEvents(fx.port, `/events?token=${fx.token}`);
    try {
      const first = (await stream.next((e) => e.event === 'model', 20_000, true)) as DashboardModel;
      const before = ready(first)!;
      fx.emulator.store.removeLabels(FIRST_READY, ['loom:issue']);
      fx.emulator.store.addLabels(FIRST_READY, ['loom:blocked']);
      const after = (await stream.next(
        (e) => e.event === 'model' && ready(e.data as DashboardModel) === before - 1,
        (POLL + 10) * 1000,
      )) as DashboardModel;
      expect(after.pipeline.find((s) => s.key === 'blocked')!.count).toBe(
        first.pipeline.find((s) => s.key === 'blocked')!.count! + 1,
      );
      expect(after.waiting.some((w) => w.kind === 'unblock' && w.number === FIRST_READY)).toBe(true);
    } finally {
      stream.close();
      fx.emulator.store.removeLabels(FIRST_READY, ['loom:blocked']);
      fx.emulator.store.addLabels(FIRST_READY, ['loom:issue']);
    }
  }, 40_000);

  it('makes one GitHub request per refresh, at most once per poll_interval, for all open pages', async () => {
    const pages = await Promise.all([1, 2, 3].map(() => openEvents(fx.port, `/events?token=${fx.token}`)));
    try {
      const start = (await pages[0]!.next((e) => e.event === 'model', 20_000, true)) as DashboardModel;
      fx.emulator.clearRequests();
      const began = Date.now();
      await sleep(3 * POLL * 1000 + 500);
      const end = (await pages[0]!.next((e) => e.event === 'model')) as DashboardModel;
      const elapsed = (Date.now() - began) / 1000;
      const refreshes = end.refresh.github_requests - start.refresh.github_requests;
      expect(refreshes).toBeGreaterThanOrEqual(2);
      expect(refreshes).toBeLessThanOrEqual(Math.floor(elapsed / POLL) + 1);
      // The emulator saw exactly one request per refresh (allowing one still in flight at either edge).
      expect(Math.abs(fx.emulator.requests().length - refreshes)).toBeLessThanOrEqual(1);
      expect(fx.emulator.requests().every((r) => r.path.includes('graphql'))).toBe(true);
      // Every page got the same models: one refresh loop, not one per page.
      const counts = pages.map((p) => p.events.filter((e) => e.event === 'model').length);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    } finally {
      for (const p of pages) p.close();
    }
  }, 40_000);

  it('reads nothing from GitHub while no page is open', async () => {
    await sleep(500);
    fx.emulator.clearRequests();
    await sleep(2 * POLL * 1000 + 500);
    expect(fx.emulator.requests()).toEqual([]);
  }, 20_000);

  it('tails the selected worker log: rendered lines first, then each new one', async () => {
    const stream = await openEvents(fx.port, `/log?token=${fx.token}&of=shepherd-1`);
    try {
      expect(await stream.next((e) => e.event === 'file', 10_000, true)).toMatch(/^shepherd-1-1-.*\.jsonl$/);
      const first = (await stream.next((e) => e.event === 'lines', 10_000, true)) as string[];
      expect(first).toEqual(['→ Bash git status', `→ Bash echo ${HTML_HOSTILE[0]}`]);
      appendFileSync(fx.logFile, toolLine('npm test'));
      expect(await stream.next((e) => e.event === 'lines', 10_000)).toEqual(['→ Bash npm test']);
    } finally {
      stream.close();
    }
  }, 30_000);

  it('says so when a slot has no log', async () => {
    const stream = await openEvents(fx.port, `/log?token=${fx.token}&of=guide`);
    try {
      expect(await stream.next((e) => e.event === 'missing', 10_000, true)).toContain('No log for guide');
    } finally {
      stream.close();
    }
  });
});

describe('loom dashboard: the command', () => {
  it('--help names what it shows and its exit codes', async () => {
    const help = await fx.repo.loom(['dashboard', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('--port <n>');
    expect(help.stdout).toMatch(
      /Exit codes:\n\s+0 {2}stopped \(Ctrl-C or SIGTERM\)\n\s+2 {2}bad --port, or the port is taken/,
    );
  });

  it.each([
    ['a taken port', String(0), 'Cannot listen on 127.0.0.1'],
    ['a port out of range', '70000', 'Invalid arguments'],
    ['a port that is not a number', 'http', 'Invalid arguments'],
  ])('exits 2 on %s', async (_what, port, message) => {
    const result = await fx.repo.loom(['dashboard', '--port', port === '0' ? String(fx.port) : port]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('--open hands the URL to the platform opener as one argument, and stops on SIGTERM with 0', async () => {
    const bin = mkdtempSync(path.join(tmpdir(), 'loom-opener-'));
    const record = path.join(bin, 'opened');
    writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$#" "$1" > '${record}'\n`);
    chmodSync(path.join(bin, 'xdg-open'), 0o755);
    const child = execa('node', [path.join(fx.repo.dir, '.loom/scripts/loom'), 'dashboard', '--open'], {
      cwd: fx.repo.dir,
      env: { ...fx.repo.env, PATH: `${bin}:${fx.repo.env.PATH}` },
      extendEnv: false,
      reject: false,
    });
    try {
      await until(() => existsSync(record) && readFileSync(record, 'utf8').includes('token='), 20_000, 'the opener');
      const [count, url] = readFileSync(record, 'utf8').trim().split('\n');
      expect(count).toBe('1');
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{40,}$/);
    } finally {
      child.kill('SIGTERM');
      const result = await child;
      expect({ code: result.exitCode, signal: result.signal, err: String(result.stderr) }).toEqual({
        code: 0,
        signal: undefined,
        err: '',
      });
      rmSync(bin, { recursive: true, force: true });
    }
  }, 40_000);
});

describe('loom dashboard without a daemon', () => {
  it('serves the pipeline from GitHub when no daemon ever ran here (no state file)', async () => {
    const repo = await createTestRepo(fx.emulator);
    const child = execa('node', [path.join(repo.dir, '.loom/scripts/loom'), 'dashboard'], {
      cwd: repo.dir,
      env: repo.env,
      extendEnv: false,
      reject: false,
    });
    try {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      await until(() => /token=[\w-]+/.test(out), 20_000, 'the URL');
      const url = new URL(/(http:\S+)/.exec(out)![1]!);
      const answer = await get(Number(url.port), `/model.json${url.search}`, { host: url.host });
      const model = JSON.parse(answer.body) as DashboardModel;
      expect(model.daemon.status).toBe('never-started');
      expect(model.lanes).toEqual([]);
      expect(ready(model)).toBeGreaterThan(0);
      expect(model.errors).toEqual([]);
    } finally {
      child.kill('SIGTERM');
      await child;
      repo.cleanup();
    }
  }, 40_000);
});
