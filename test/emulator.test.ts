/**
 * The GitHub emulator, exercised with the real `gh` binary (as Loom uses it)
 * plus a few direct checks of its control endpoints, search syntax and CLI.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  EMULATOR_TOKEN,
  type EmulatorHandle,
  parseSearchQuery,
  type Seed,
  Store,
  search,
  startEmulator,
} from './emulator/index.js';

const LONG = 60_000;
const REPO = 'loom-test/demo';

function baseSeed(): Seed {
  return {
    repo: REPO,
    labels: [
      { name: 'loom:issue', color: '0e8a16', description: 'Ready for a builder' },
      { name: 'loom:building', color: 'fbca04', description: 'Being built' },
      { name: 'needs review', color: '1d76db', description: 'Label with a space' },
    ],
    issues: [
      {
        number: 1,
        title: 'Add a parser',
        body: 'Parse things',
        labels: ['loom:issue'],
        state: 'OPEN',
        createdAt: '2024-02-01T10:00:00Z',
        updatedAt: '2024-02-01T10:00:00Z',
      },
      {
        number: 2,
        title: 'Fix the lexer',
        body: 'Lexer breaks',
        labels: ['loom:issue', 'bug'],
        state: 'OPEN',
        createdAt: '2024-02-02T10:00:00Z',
        updatedAt: '2024-02-02T10:00:00Z',
      },
      {
        number: 3,
        title: 'Old work',
        body: '',
        labels: ['loom:issue'],
        state: 'CLOSED',
        createdAt: '2024-01-01T10:00:00Z',
        updatedAt: '2024-01-05T10:00:00Z',
      },
      {
        number: 4,
        title: 'Write docs',
        body: 'Docs please',
        labels: ['needs review'],
        state: 'OPEN',
        comments: [{ body: 'first comment', author: 'alice' }],
        blockedBy: [1],
      },
      { number: 5, title: 'Unlabelled idea', body: 'someday', labels: [], state: 'OPEN' },
    ],
    pullRequests: [
      {
        number: 6,
        title: 'Parser implementation',
        body: 'Closes #1',
        labels: ['loom:building'],
        state: 'OPEN',
        headRefName: 'feature/issue-1',
        mergeable: 'MERGEABLE',
        checks: 'SUCCESS',
        files: [{ path: 'src/parser.ts', additions: 40, deletions: 2 }],
        createdAt: '2024-02-03T10:00:00Z',
        updatedAt: '2024-02-03T10:00:00Z',
      },
      {
        number: 7,
        title: 'Conflicting change',
        body: 'Fixes #2',
        labels: [],
        state: 'OPEN',
        headRefName: 'feature/issue-2',
        mergeable: 'CONFLICTING',
        checks: 'FAILURE',
        createdAt: '2024-02-04T10:00:00Z',
      },
    ],
  };
}

let emu: EmulatorHandle;
let home: string;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'loom-emu-test-'));
  emu = await startEmulator(baseSeed());
}, LONG);

afterAll(async () => {
  await emu?.close();
  rmSync(home, { recursive: true, force: true });
});

afterEach(() => {
  emu.clearFaults();
});

function gh(e: EmulatorHandle, args: string[], opts: { cwd?: string; input?: string } = {}) {
  return execa('gh', args, {
    env: { ...e.env, HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin' },
    extendEnv: false,
    reject: false,
    cwd: opts.cwd ?? home,
    timeout: 30_000,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
}

async function ghOk(args: string[], opts: { cwd?: string; input?: string } = {}): Promise<string> {
  const r = await gh(emu, args, opts);
  if (r.exitCode !== 0) throw new Error(`gh ${args.join(' ')} failed (${r.exitCode}): ${r.stderr}`);
  return r.stdout;
}

const issue = (n: number) => emu.state().issues!.find((i) => i.number === n)!;
const pr = (n: number) => emu.state().pullRequests!.find((p) => p.number === n)!;

describe('real gh against the emulator', { timeout: LONG }, () => {
  it('lists issues by label (IssueSearch) with exactly the selected fields', async () => {
    const out = JSON.parse(await ghOk(['issue', 'list', '--label', 'loom:issue', '--json', 'number,title,labels']));
    expect(out.map((i: { number: number }) => i.number)).toEqual([2, 1]);
    expect(Object.keys(out[0]).sort()).toEqual(['labels', 'number', 'title']);
    expect(out[1].labels[0]).toMatchObject({ name: 'loom:issue', color: '0e8a16', description: 'Ready for a builder' });
  });

  it('views labels and comments of one issue', async () => {
    const out = JSON.parse(await ghOk(['issue', 'view', '4', '--json', 'labels,comments,title,state']));
    expect(out.labels.map((l: { name: string }) => l.name)).toEqual(['needs review']);
    expect(out.comments[0]).toMatchObject({ body: 'first comment', author: { login: 'alice' } });
    expect(out.state).toBe('OPEN');
  });

  it('edits labels, and the state shows the change with a bumped updatedAt', async () => {
    emu.clearRequests();
    await ghOk(['issue', 'edit', '1', '--add-label', 'loom:building', '--remove-label', 'loom:issue']);
    expect(issue(1).labels).toEqual(['loom:building']);
    expect(Date.parse(issue(1).updatedAt!)).toBeGreaterThan(Date.parse('2024-02-01T10:00:00Z'));
    // gh 2.23 names its label mutations LabelAdd / LabelRemove (addLabelsToLabelable / removeLabelsFromLabelable).
    // The two mutations run concurrently, so compare as a sorted list.
    expect(
      emu
        .requests()
        .map((r) => r.operation)
        .sort(),
    ).toEqual(['IssueByNumber', 'LabelAdd', 'LabelRemove', 'RepositoryLabelList']);
  });

  it('comments on and closes an issue', async () => {
    const url = await ghOk(['issue', 'comment', '2', '--body', 'Working on it']);
    expect(url).toMatch(/^https:\/\/github\.localhost\/loom-test\/demo\/issues\/2#issuecomment-\d+$/);
    expect(issue(2).comments!.at(-1)).toMatchObject({ body: 'Working on it', author: 'loom-bot' });
    await ghOk(['issue', 'close', '2']);
    expect(issue(2).state).toBe('CLOSED');
    await ghOk(['issue', 'reopen', '2']);
    expect(issue(2).state).toBe('OPEN');
  });

  it('creates an issue with a label', async () => {
    const url = await ghOk(['issue', 'create', '--title', 'Brand new', '--body', 'Body text', '--label', 'loom:issue']);
    const n = Number(url.trim().split('/').pop());
    expect(n).toBe(8); // issues and PRs share one number space
    expect(issue(n)).toMatchObject({ title: 'Brand new', body: 'Body text', labels: ['loom:issue'], state: 'OPEN' });
  });

  it('lists and views pull requests', async () => {
    const list = JSON.parse(await ghOk(['pr', 'list', '--json', 'number,title,headRefName,labels,mergeable']));
    expect(list.map((p: { number: number }) => p.number)).toEqual([7, 6]);
    expect(list[1]).toMatchObject({ headRefName: 'feature/issue-1', mergeable: 'MERGEABLE' });
    const text = await ghOk(['pr', 'view', '6']);
    expect(text).toContain('Parser implementation');
    const json = JSON.parse(
      await ghOk(['pr', 'view', '6', '--json', 'files,statusCheckRollup,additions,deletions,baseRefName,isDraft']),
    );
    expect(json.files).toEqual([{ path: 'src/parser.ts', additions: 40, deletions: 2 }]);
    expect(json.statusCheckRollup[0]).toMatchObject({ conclusion: 'SUCCESS', status: 'COMPLETED' });
    expect(json).toMatchObject({ additions: 40, deletions: 2, baseRefName: 'main', isDraft: false });
    const diff = await ghOk(['pr', 'diff', '6']);
    expect(diff).toContain('diff --git a/src/parser.ts b/src/parser.ts');
  });

  it('creates a pull request (gh needs a git checkout whose remote matches GH_HOST)', async () => {
    const dir = mkdtempSync(join(home, 'checkout-'));
    const git = (args: string[]) => execa('git', args, { cwd: dir });
    await git(['init', '-q', '-b', 'main']);
    await git(['remote', 'add', 'origin', `https://github.localhost/${REPO}.git`]);
    const url = await ghOk(
      ['pr', 'create', '--head', 'feature/issue-5', '--base', 'main', '--title', 'T', '--body', 'Closes #5'],
      { cwd: dir },
    );
    const n = Number(url.trim().split('/').pop());
    expect(pr(n)).toMatchObject({ title: 'T', headRefName: 'feature/issue-5', baseRefName: 'main', state: 'OPEN' });
    const again = await gh(
      emu,
      ['pr', 'create', '--head', 'feature/issue-5', '--base', 'main', '--title', 'T', '--body', 'B'],
      { cwd: dir },
    );
    expect(again.exitCode).not.toBe(0);
    expect(again.stderr).toMatch(/already exists/);
  });

  it('squash-merges a pull request and closes the issue it references', async () => {
    await ghOk(['pr', 'merge', '6', '--squash']);
    expect(pr(6).state).toBe('MERGED');
    expect(pr(6).mergedAt).toBeTruthy();
    expect(issue(1).state).toBe('CLOSED');
    const conflicting = await gh(emu, ['pr', 'merge', '7', '--squash']);
    expect(conflicting.exitCode).not.toBe(0);
    expect(pr(7).state).toBe('OPEN');
  });

  it('creates and lists labels (REST create, 422 on duplicates, --force patches)', async () => {
    await ghOk(['label', 'create', 'loom:curated', '--color', 'c5def5', '--description', 'Curated']);
    const dup = await gh(emu, ['label', 'create', 'loom:curated', '--color', 'c5def5']);
    expect(dup.exitCode).not.toBe(0);
    expect(dup.stderr).toMatch(/already exists/);
    await ghOk(['label', 'create', 'loom:curated', '--color', 'ff0000', '--description', 'Changed', '--force']);
    expect(emu.state().labels).toContainEqual({ name: 'loom:curated', color: 'ff0000', description: 'Changed' });
    const list = await ghOk(['label', 'list']);
    expect(list).toContain('loom:curated');
    expect(list).toContain('needs review');
    const statuses = emu
      .requests()
      .filter((r) => r.path.includes('/labels'))
      .map((r) => `${r.method} ${r.status}`);
    expect(statuses).toEqual(expect.arrayContaining(['POST 201', 'POST 422', 'PATCH 200']));
  });

  it('answers a GraphQL search via gh api graphql', async () => {
    const query = `query { search(query:"repo:${REPO} is:issue is:open label:loom:issue", type: ISSUE, first: 2) { issueCount nodes { ... on Issue { number } } } }`;
    const out = JSON.parse(await ghOk(['api', 'graphql', '-f', `query=${query}`]));
    expect(out.data.search.issueCount).toBe(2); // #2 and the created #8
    expect(out.data.search.nodes).toEqual([{ number: 8 }, { number: 2 }]);
  });

  it('runs Loom-style queries with variables through --input, and reports errors like GitHub', async () => {
    const body = JSON.stringify({
      query: `query Q($owner: String!, $name: String!) { rateLimit { limit remaining resetAt cost used }
        repository(owner: $owner, name: $name) { nameWithOwner defaultBranchRef { name }
          issue(number: 4) { number labels(first: 5) { nodes { name } } comments(last: 1) { totalCount nodes { body authorAssociation } } }
          pullRequest(number: 6) { merged closingIssuesReferences(first: 5) { nodes { number state } } commits(last: 1) { nodes { commit { oid statusCheckRollup { state } } } } }
          labels(first: 2, query: "loom") { totalCount pageInfo { hasNextPage endCursor } nodes { name } } } }`,
      variables: { owner: 'loom-test', name: 'demo' },
    });
    const out = JSON.parse(await ghOk(['api', 'graphql', '--input', '-'], { input: body }));
    const repo = out.data.repository;
    expect(out.data.rateLimit.limit).toBe(5000);
    expect(repo.defaultBranchRef.name).toBe('main');
    expect(repo.issue.comments).toMatchObject({
      totalCount: 1,
      nodes: [{ body: 'first comment', authorAssociation: 'NONE' }],
    });
    expect(repo.pullRequest.closingIssuesReferences.nodes).toEqual([{ number: 1, state: 'CLOSED' }]);
    expect(repo.pullRequest.commits.nodes[0].commit.statusCheckRollup.state).toBe('SUCCESS');
    expect(repo.labels.pageInfo.hasNextPage).toBe(true);

    const missing = await gh(emu, [
      'api',
      'graphql',
      '-f',
      `query=query { repository(owner:"loom-test", name:"demo") { issue(number: 999) { title } } }`,
    ]);
    expect(missing.exitCode).not.toBe(0);
    expect(JSON.parse(missing.stdout).errors[0]).toMatchObject({ type: 'NOT_FOUND', path: ['repository', 'issue'] });
    const invalid = await gh(emu, ['api', 'graphql', '-f', 'query=query { viewer { noSuchField } }']);
    expect(invalid.exitCode).not.toBe(0);
    expect(invalid.stdout + invalid.stderr).toMatch(/noSuchField/);
  });

  it('serves REST rate_limit, dependencies and GitHub-style headers', async () => {
    const rate = JSON.parse(await ghOk(['api', 'rate_limit']));
    expect(rate.resources.core.limit).toBe(5000);
    const included = await ghOk(['api', '--include', `repos/${REPO}/issues/4/dependencies/blocked_by`]);
    expect(included).toMatch(/^HTTP\/1\.1 200/);
    expect(included).toMatch(/x-ratelimit-remaining: \d+/i);
    expect(included).toMatch(/x-github-request-id: /i);
    expect(included).toMatch(/content-type: application\/json; charset=utf-8/i);
    const blockers = JSON.parse(included.slice(included.indexOf('\n[')));
    expect(blockers).toEqual([expect.objectContaining({ number: 1, state: 'closed', title: 'Add a parser' })]);
    const user = JSON.parse(await ghOk(['api', 'user']));
    expect(user).toMatchObject({ login: 'loom-bot', id: 1 });
  });

  it('injects a 502: gh exits non-zero with HTTP 502 in stderr, and the log records it', async () => {
    emu.addFault({ match: { operation: 'IssueSearch' }, status: 502, times: 1 });
    const r = await gh(emu, ['issue', 'list', '--label', 'loom:issue']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('HTTP 502');
    expect(emu.requests().at(-1)).toMatchObject({
      method: 'POST',
      path: '/graphql',
      operation: 'IssueSearch',
      status: 502,
    });
    // times: 1 -> the next call succeeds
    expect((await gh(emu, ['issue', 'list', '--label', 'loom:issue'])).exitCode).toBe(0);
  });

  it('injects a 403 rate-limit answer with x-ratelimit-remaining: 0', async () => {
    emu.addFault({
      match: { path: '/rate_limit' },
      status: 403,
      headers: { 'x-ratelimit-remaining': '0' },
      body: JSON.stringify({ message: 'API rate limit exceeded for user ID 1.' }),
    });
    const r = await gh(emu, ['api', '--include', 'rate_limit']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toMatch(/x-ratelimit-remaining: 0/i);
    expect(r.stderr).toMatch(/HTTP 403/);
    expect(r.stderr).toMatch(/rate limit exceeded/i);
  });

  it('matches faults on any mutation and delays answers', async () => {
    emu.addFault({ match: { operation: 'mutation' }, status: 500, times: 1 });
    const r = await gh(emu, ['issue', 'close', '5']);
    expect(r.exitCode).not.toBe(0);
    expect(issue(5).state).toBe('OPEN');
    emu.addFault({ match: { path: '/user' }, delayMs: 400 });
    const t0 = Date.now();
    await ghOk(['api', 'user']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
  });

  it('logs requests with operation names, never the token', async () => {
    emu.clearRequests();
    await ghOk(['issue', 'view', '5', '--json', 'title']);
    await ghOk(['label', 'list']);
    const log = emu.requests();
    expect(log.map((r) => r.operation)).toEqual(['IssueByNumber', 'LabelList']);
    for (const entry of log) {
      expect(Object.keys(entry).sort()).toEqual(['method', 'operation', 'path', 'status', 'time']);
      expect(entry.status).toBe(200);
      expect(Number.isNaN(Date.parse(entry.time))).toBe(false);
    }
    const viaHttp = await (await fetch(`${emu.url}/_emulator/requests`)).text();
    expect(viaHttp).not.toContain(EMULATOR_TOKEN);
    expect(JSON.parse(viaHttp)).toHaveLength(2); // control endpoints are not logged
  });
});

describe('control endpoints and store', { timeout: LONG }, () => {
  it('adds issues over HTTP, round-trips state, and manages faults', async () => {
    const created = await (
      await fetch(`${emu.url}/_emulator/issues`, {
        method: 'POST',
        body: JSON.stringify({ title: 'Added late', labels: ['loom:issue'] }),
      })
    ).json();
    expect(created).toMatchObject({ title: 'Added late', state: 'OPEN', labels: ['loom:issue'] });
    const state = (await (await fetch(`${emu.url}/_emulator/state`)).json()) as Seed;
    expect(state.issues!.some((i) => i.number === created.number)).toBe(true);
    const copy = await startEmulator(state);
    try {
      expect(copy.state()).toEqual(state);
    } finally {
      await copy.close();
    }
    expect(
      (
        await fetch(`${emu.url}/_emulator/faults`, {
          method: 'POST',
          body: JSON.stringify({ match: { path: '/user' }, status: 503 }),
        })
      ).status,
    ).toBe(201);
    expect((await gh(emu, ['api', 'user'])).exitCode).not.toBe(0);
    expect((await fetch(`${emu.url}/_emulator/faults`, { method: 'DELETE' })).status).toBe(204);
    expect((await gh(emu, ['api', 'user'])).exitCode).toBe(0);
    expect((await fetch(`${emu.url}/repos/${REPO}/nothing`)).status).toBe(404);
  });

  it('exposes store helpers that bump updatedAt', () => {
    const before = issue(5).updatedAt!;
    emu.store.setLabels(5, ['fresh-label']);
    expect(issue(5).labels).toEqual(['fresh-label']);
    expect(emu.state().labels!.some((l) => l.name === 'fresh-label')).toBe(true);
    expect(Date.parse(issue(5).updatedAt!)).toBeGreaterThan(Date.parse(before));
    const c = emu.store.addComment(5, 'from a test');
    expect(issue(5).comments!.at(-1)).toMatchObject({ id: c.id, body: 'from a test' });
    const p = emu.store.addPullRequest({ title: 'Direct', headRefName: 'feature/direct', body: 'Resolves #5' });
    emu.store.mergePullRequest(p.number);
    expect(issue(5).state).toBe('CLOSED');
  });

  it('rejects invalid seeds', () => {
    expect(() => new Store({ repo: 'no-slash' } as Seed)).toThrow(/repo/);
    expect(
      () =>
        new Store({
          repo: 'a/b',
          issues: [{ number: 1, title: 'x' }],
          pullRequests: [{ number: 1, title: 'y', headRefName: 'h' }],
        }),
    ).toThrow(/used twice/);
  });
});

describe('search syntax', () => {
  const store = new Store({
    repo: 'o/r',
    issues: [
      {
        number: 1,
        title: 'Alpha task',
        body: 'first',
        labels: ['loom:issue', 'needs review'],
        createdAt: '2024-01-01T00:00:00Z',
        updatedAt: '2024-03-01T00:00:00Z',
      },
      {
        number: 2,
        title: 'Beta task',
        body: 'second',
        labels: ['bug'],
        createdAt: '2024-01-02T00:00:00Z',
        updatedAt: '2024-02-01T00:00:00Z',
      },
      {
        number: 3,
        title: 'Gamma',
        body: 'ALPHA mention',
        labels: [],
        state: 'CLOSED',
        createdAt: '2024-01-03T00:00:00Z',
      },
    ],
    pullRequests: [
      {
        number: 4,
        title: 'PR',
        body: 'Fixes #2',
        headRefName: 'feature/issue-2',
        state: 'MERGED',
        createdAt: '2024-01-04T00:00:00Z',
      },
    ],
  });
  const nums = (q: string) => search(store, q).map((i) => i.number);

  it('handles qualifiers', () => {
    expect(nums('repo:o/r is:issue is:open')).toEqual([2, 1]);
    expect(nums('repo:other/repo is:issue')).toEqual([]);
    expect(nums('is:pr is:merged')).toEqual([4]);
    expect(nums('type:issue state:closed')).toEqual([3]);
    expect(nums('label:"needs review"')).toEqual([1]);
    expect(nums('label:loom:issue label:bug')).toEqual([]);
    expect(nums('label:loom:issue,bug')).toEqual([2, 1]);
    expect(nums('is:issue -label:bug')).toEqual([3, 1]);
    expect(nums('is:issue no:label')).toEqual([3]);
    expect(nums('alpha')).toEqual([3, 1]);
    expect(nums('alpha in:title')).toEqual([1]);
    expect(nums('head:feature/issue-2')).toEqual([4]);
    expect(nums('is:issue linked:pr')).toEqual([2]);
    expect(nums('is:issue sort:created-asc')).toEqual([1, 2, 3]);
    expect(nums('is:issue is:open sort:updated-desc')).toEqual([1, 2]);
    expect(nums('is:issue frobnicate:yes')).toEqual([3, 2, 1]);
    expect(parseSearchQuery('sort:updated').sort).toEqual({ field: 'updated', direction: 'desc' });
  });
});

describe('10 000 issues', { timeout: LONG }, () => {
  let big: EmulatorHandle;
  beforeAll(async () => {
    const issues = Array.from({ length: 10_000 }, (_, k) => ({
      number: k + 1,
      title: `Issue ${k + 1}`,
      body: 'generated',
      labels: k % 3 === 0 ? ['loom:issue'] : ['other'],
      state: k % 10 === 0 ? ('CLOSED' as const) : ('OPEN' as const),
    }));
    big = await startEmulator({ repo: 'big/repo', labels: [], issues, pullRequests: [] });
  }, LONG);
  afterAll(async () => {
    await big?.close();
  });

  it('answers a count search quickly', async () => {
    const expected = Array.from({ length: 10_000 }, (_, k) => k).filter((k) => k % 3 === 0 && k % 10 !== 0).length;
    const query =
      'query { search(query:"repo:big/repo is:issue is:open label:loom:issue", type: ISSUE, first: 1) { issueCount } }';
    const t0 = Date.now();
    const r = await gh(big, ['api', 'graphql', '-f', `query=${query}`]);
    const elapsed = Date.now() - t0;
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).data.search.issueCount).toBe(expected);
    expect(elapsed).toBeLessThan(5_000);
    const t1 = Date.now();
    const direct = await fetch(`${big.url}/graphql`, {
      method: 'POST',
      headers: { authorization: 'token x' },
      body: JSON.stringify({ query }),
    });
    expect((await direct.json()).data.search.issueCount).toBe(expected);
    expect(Date.now() - t1).toBeLessThan(500);
  });
});

describe('sandbox CLI', { timeout: LONG }, () => {
  const cli = join(import.meta.dirname, 'emulator', 'cli.ts');
  const tsx = join(import.meta.dirname, '..', 'node_modules', '.bin', 'tsx');

  it('prints one JSON line, serves, and stops on SIGTERM', async () => {
    const file = join(home, 'seed.json');
    writeFileSync(file, JSON.stringify(baseSeed()));
    const child = spawn(tsx, [cli, '--seed', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const line = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout! });
      rl.once('line', resolve);
      child.once('exit', () => reject(new Error('sandbox exited early')));
    });
    const started = JSON.parse(line) as { port: number; env: Record<string, string> };
    expect(started.env).toMatchObject({
      GH_HOST: 'github.localhost',
      GH_REPO: REPO,
      HTTP_PROXY: `http://127.0.0.1:${started.port}`,
    });
    const state = await (await fetch(`http://127.0.0.1:${started.port}/_emulator/state`)).json();
    expect(state.repo).toBe(REPO);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('fails clearly on a missing or invalid seed file', async () => {
    const missing = await execa(tsx, [cli, '--seed', join(home, 'nope.json')], { reject: false });
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toMatch(/cannot read seed file/);
    const bad = join(home, 'bad.json');
    writeFileSync(bad, JSON.stringify({ repo: 'x', issues: [{ number: 'one' }] }));
    const invalid = await execa(tsx, [cli, '--seed', bad], { reject: false });
    expect(invalid.exitCode).not.toBe(0);
    expect(invalid.stderr).toMatch(/not a valid seed/);
    expect(invalid.stderr).toMatch(/issues\.0\.number/);
  });
});
