/**
 * The Judge runs the tests (issue 11): `loom pr-test` checks out a PR's head from a real git remote, runs
 * `commands.test` as an argument array and records `loom/tests` on that commit; the merge gate with
 * `merge.require_checks` refuses "no checks" unless that run was green on the current head. Built bundle,
 * real gh, real git, emulator.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PrTestJsonSchema } from '../src/commands/pr-test.js';
import { MergeGateJsonSchema } from '../src/commands/pulls.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { createTestRepo, type TestRepo } from './helpers/repo.js';

let em: EmulatorHandle;
let repo: TestRepo;
let author: string;
let bare: string;

const git = async (cwd: string, args: string[]) => (await execa('git', args, { cwd, env: repo.env })).stdout;

/** A commit on the PR's branch in another clone, pushed where GitHub keeps it (refs/pull/2/head). */
async function push(verdict: 'green' | 'red', note: string): Promise<string> {
  writeFileSync(
    path.join(author, 'check.mjs'),
    `console.log('checking ${note}');\nprocess.exit(${verdict === 'green' ? 0 : 1});\n`,
  );
  await git(author, ['add', '-A']);
  await git(author, ['commit', '-qm', note]);
  const sha = await git(author, ['rev-parse', 'HEAD']);
  await git(author, ['push', '-q', '--force', 'origin', 'HEAD:refs/heads/feature/issue-1', 'HEAD:refs/pull/2/head']);
  em.store.pushHead(2, sha);
  return sha;
}

const prTest = async (extra: string[] = []) => {
  const out = await repo.loom(['pr-test', '2', '--json', ...extra]);
  return {
    exitCode: out.exitCode,
    stderr: out.stderr,
    json: out.stdout ? PrTestJsonSchema.parse(JSON.parse(out.stdout)) : null,
  };
};
const gate = async () => {
  const out = await repo.loom(['merge-gate', '2', '--json']);
  const result = MergeGateJsonSchema.parse(JSON.parse(out.stdout));
  return { exitCode: out.exitCode, checks: result.checks.find((c) => c.name === 'checks')! };
};

beforeAll(async () => {
  em = await startEmulator({
    repo: 'acme/widgets',
    issues: [{ number: 1, title: 'Add the check', labels: ['loom:building'] }],
    pullRequests: [
      {
        number: 2,
        title: 'Add the check',
        body: 'Closes #1',
        headRefName: 'feature/issue-1',
        labels: ['loom:pr'],
        files: [{ path: 'check.mjs', additions: 2, deletions: 0 }],
        checks: null,
        updatedAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    ],
  });
  repo = await createTestRepo(em, {
    config: { merge: { require_checks: true }, commands: { test: 'node check.mjs' } },
  });
  bare = mkdtempSync(path.join(tmpdir(), 'loom-origin-'));
  await git(bare, ['init', '-q', '--bare', '-b', 'main']);
  await repo.git(['remote', 'set-url', 'origin', bare]);
  await repo.git(['push', '-q', 'origin', 'main']);
  author = mkdtempSync(path.join(tmpdir(), 'loom-author-'));
  await git(author, ['clone', '-q', bare, '.']);
  await git(author, ['checkout', '-q', '-b', 'feature/issue-1']);
}, 60_000);

afterAll(async () => {
  repo?.cleanup();
  for (const dir of [bare, author]) if (dir) rmSync(dir, { recursive: true, force: true });
  await em?.close();
});

describe.sequential('loom pr-test and the merge gate', () => {
  test('without a green run the gate refuses "no checks" when merge.require_checks is on', async () => {
    await push('green', 'first');
    const { exitCode, checks } = await gate();
    expect(exitCode).toBe(25);
    expect(checks.pass).toBe(false);
    expect(checks.reason).toMatch(/no green local test run/);
  });

  test('red tests: exit 27, loom/tests failure on the head, the gate refuses', async () => {
    const sha = await push('red', 'red change');
    em.clearRequests();
    const { exitCode, json } = await prTest();
    expect(exitCode).toBe(27);
    expect(json).toMatchObject({ head: sha, outcome: 'failed', exit_code: 1, status: 'failure' });
    expect(json!.command).toEqual(['node', 'check.mjs']);
    expect(json!.last_lines).toContain('checking red change');
    // One read of the head, one status written.
    expect(em.requests().map((r) => `${r.method} ${r.operation ?? r.path}`)).toEqual([
      'POST LoomPrHead',
      `POST /repos/acme/widgets/statuses/${sha}`,
    ]);
    expect(em.store.statusesOf(sha)).toMatchObject([{ context: 'loom/tests', state: 'failure' }]);
    const { exitCode: gateExit, checks } = await gate();
    expect(gateExit).toBe(25);
    expect(checks.reason).toMatch(/loom\/tests\) is failure/);
    // The throwaway checkout is gone again.
    expect(existsSync(path.join(repo.dir, '.loom/worktrees/pr-2-test'))).toBe(false);
    expect(await repo.git(['worktree', 'list'])).not.toMatch(/pr-2-test/);
  });

  test('green tests on the head: exit 0, the gate passes', async () => {
    const sha = await push('green', 'fixed');
    const { exitCode, json } = await prTest();
    expect(exitCode).toBe(0);
    expect(json).toMatchObject({ head: sha, outcome: 'passed', status: 'success' });
    const { exitCode: gateExit, checks } = await gate();
    expect(checks).toMatchObject({ pass: true, reason: 'the local test run (loom/tests) passed on the head commit' });
    expect(gateExit).toBe(0);
  });

  test('a push after the green run: the new head has no run, the gate refuses again', async () => {
    await push('green', 'one more change');
    const { exitCode, checks } = await gate();
    expect(exitCode).toBe(25);
    expect(checks.reason).toMatch(/no green local test run/);
  });

  test('the configured command is an argument array, never a shell line', async () => {
    await push('green', 'shell test');
    repo.writeConfig({ commands: { test: 'node check.mjs; touch pwned' } });
    const { exitCode, json } = await prTest(['--no-record']);
    // node gets "check.mjs;" as its script: nothing after the semicolon runs in any shell.
    expect(exitCode).toBe(27);
    expect(json!.command).toEqual(['node', 'check.mjs;', 'touch', 'pwned']);
    expect(json!.status).toBeNull();
    expect(existsSync(path.join(repo.dir, 'pwned'))).toBe(false);
  });

  test('no commands.test: exit 28, nothing ran, nothing recorded', async () => {
    repo.writeConfig({});
    em.clearRequests();
    const out = await repo.loom(['pr-test', '2']);
    expect(out.exitCode).toBe(28);
    expect(out.stdout).toMatch(/No test command/);
    expect(em.requests()).toEqual([]);
  });
});
