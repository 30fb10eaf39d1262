/**
 * `loom merge-gate`, `loom merge` and `loom labels lint` end to end (built
 * bundle, real gh, emulator). Every gate rule has a PR that fails only it.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LabelsLintJsonSchema } from '../src/commands/labels.js';
import { MergeGateJsonSchema, MergeJsonSchema } from '../src/commands/pulls.js';
import { type EmulatorHandle, type Seed, startEmulator } from './emulator/index.js';
import { BUNDLE, createTestRepo, type TestRepo } from './helpers/repo.js';

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
type SeedPull = NonNullable<Seed['pullRequests']>[number];
const pr = (number: number, extra: Partial<SeedPull> = {}): SeedPull => ({
  number,
  title: `PR ${number}`,
  headRefName: `feature/issue-${number - 200}`,
  body: `Closes #${number - 200}`,
  labels: ['loom:pr'],
  files: [{ path: 'src/app.ts', additions: 40, deletions: 10 }],
  checks: 'SUCCESS',
  updatedAt: hoursAgo(1),
  ...extra,
});

let em: EmulatorHandle;
let repo: TestRepo;

beforeAll(async () => {
  em = await startEmulator({
    repo: 'acme/widgets',
    issues: Array.from({ length: 12 }, (_, i) => ({
      number: i + 1,
      title: `Issue ${i + 1}`,
      labels: ['loom:building'],
    })),
    pullRequests: [
      pr(201),
      pr(202, { labels: ['loom:review-requested'] }),
      pr(203, { labels: ['loom:pr', 'loom:manual-merge'] }),
      pr(204, { files: [{ path: 'src/big.ts', additions: 200, deletions: 50 }] }),
      pr(205, { files: [{ path: '.github/workflows/ci.yml', additions: 3, deletions: 1 }] }),
      pr(206, { mergeable: 'CONFLICTING' }),
      pr(207, { updatedAt: hoursAgo(48) }),
      pr(208, { checks: 'FAILURE' }),
      pr(209, { checks: 'PENDING' }),
      pr(210, { state: 'MERGED' }),
      pr(211, { checks: null }),
      pr(212, { updatedAt: hoursAgo(100) }),
      pr(213, { body: '', headRefName: 'release/protected' }),
      pr(214, { body: '' }),
      pr(215, { body: '', headRefName: 'main', baseRefName: 'develop' }),
    ],
  });
  repo = await createTestRepo(em, { inProcess: true });
});

afterAll(async () => {
  repo?.cleanup();
  await em?.close();
});

const gate = async (n: number, force = false) => {
  const out = await repo.loom(['merge-gate', String(n), '--json', ...(force ? ['--force'] : [])]);
  const result = MergeGateJsonSchema.parse(JSON.parse(out.stdout));
  return { exitCode: out.exitCode, failing: result.checks.filter((c) => !c.pass).map((c) => c.name), result };
};

describe.concurrent('merge-gate', () => {
  test.each([
    [201, [], []],
    [202, ['approved'], ['approved']],
    [203, ['manual-merge'], ['manual-merge']],
    [204, ['size'], []],
    [205, ['critical-files'], []],
    [206, ['mergeable'], ['mergeable']],
    [207, ['recency'], []],
    [208, ['checks'], ['checks']],
    [209, ['checks'], ['checks']],
    [210, ['open', 'mergeable'], ['open', 'mergeable']],
    [211, [], []],
    [212, ['recency'], ['recency']],
  ])('PR %i fails %o (with --force: %o)', async (n, plain, forced) => {
    const a = await gate(n);
    expect(a.failing).toEqual(plain);
    expect(a.exitCode).toBe(plain.length ? 25 : 0);
    const b = await gate(n, true);
    expect(b.failing).toEqual(forced);
    expect(b.exitCode).toBe(forced.length ? 25 : 0);
  });

  test('text output names each check', async () => {
    const out = await repo.loom(['merge-gate', '204']);
    expect(out.exitCode).toBe(25);
    expect(out.stdout).toMatch(/FAIL {2}size +250 changed lines/);
    expect(out.stdout).toMatch(/merge gate: PR #204 fails: size/);
  });
});

describe('merge-gate budget', () => {
  test('one direct GraphQL read, never a search', async () => {
    em.clearRequests();
    await repo.loom(['merge-gate', '201']);
    expect(em.requests().map((r) => r.operation)).toEqual(['LoomMergeGate']);
  });
});

describe('merge', () => {
  test('gate passes → squash merge, confirmed; the closing reference closes the issue; the head branch is deleted', async () => {
    expect(em.store.branchDeleted('feature/issue-1')).toBe(false);
    em.clearRequests();
    const out = await repo.loom(['merge', '201', '--json']);
    expect(out.exitCode).toBe(0);
    expect(MergeJsonSchema.parse(JSON.parse(out.stdout))).toMatchObject({
      pr: 201,
      merged: true,
      gate: { pass: true },
      branch: { name: 'feature/issue-1', action: 'deleted' },
    });
    expect(em.store.pullRequest(201).state).toBe('MERGED');
    expect(em.store.issue(1).state).toBe('CLOSED');
    expect(em.store.branchDeleted('feature/issue-1')).toBe(true);
    // Gate read, merge, confirming re-read, and one request for the branch.
    expect(em.requests().map((r) => `${r.method} ${r.operation ?? r.path}`)).toEqual([
      'POST LoomMergeGate',
      'POST LoomMerge',
      'POST LoomMergeGate',
      'DELETE /repos/acme/widgets/git/refs/heads/feature/issue-1',
    ]);
  });

  test('a protected head branch, the default branch and --keep-branch are kept, with the reason', async () => {
    em.store.protectedBranches.add('release/protected');
    const kept = await repo.loom(['merge', '213']);
    expect(kept.exitCode).toBe(0);
    expect(kept.stdout).toMatch(
      /kept its branch release\/protected: GitHub refused \(Cannot delete this protected branch/,
    );
    expect(em.store.branchDeleted('release/protected')).toBe(false);

    const keep = MergeJsonSchema.parse(
      JSON.parse((await repo.loom(['merge', '214', '--keep-branch', '--json'])).stdout),
    );
    expect(keep.branch).toEqual({ name: 'feature/issue-14', action: 'kept', reason: '--keep-branch' });
    expect(em.store.branchDeleted('feature/issue-14')).toBe(false);

    em.clearRequests();
    const main = MergeJsonSchema.parse(JSON.parse((await repo.loom(['merge', '215', '--json'])).stdout));
    expect(main.branch).toMatchObject({ name: 'main', action: 'kept' });
    expect(em.requests().some((r) => r.method === 'DELETE')).toBe(false);
  });

  test('gate fails → 25, nothing merged', async () => {
    const out = await repo.loom(['merge', '202']);
    expect(out.exitCode).toBe(25);
    expect(em.store.pullRequest(202).state).toBe('OPEN');
  });

  test('--force merges a large PR', async () => {
    expect((await repo.loom(['merge', '204'])).exitCode).toBe(25);
    const out = await repo.loom(['merge', '204', '--force']);
    expect(out.exitCode).toBe(0);
    expect(out.stdout.trim()).toBe('merged PR #204 (squash)\ndeleted its branch feature/issue-4 on GitHub');
    expect(em.store.pullRequest(204).state).toBe('MERGED');
  });

  test('an issue number is refused', async () => {
    expect((await repo.loom(['merge', '3'])).exitCode).toBe(2);
    expect((await repo.loom(['merge', '999'])).exitCode).toBe(7);
  });
});

describe('labels lint', () => {
  test('catches a phantom label in a command file, with file:line', async () => {
    const file = path.join(repo.dir, '.claude/commands/tmp-phantom.md');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      '---\ndescription: test\n---\nAdd `loom:ghost` when done, then loom:pr.\n<!-- loom:checkpoint {} -->\n',
    );
    try {
      const out = await repo.loom(['labels', 'lint']);
      expect(out.exitCode).toBe(26);
      expect(out.stdout).toContain(
        '.claude/commands/tmp-phantom.md:4: loom:ghost is not declared in .github/labels.yml',
      );
      const parsed = LabelsLintJsonSchema.parse(JSON.parse((await repo.loom(['labels', 'lint', '--json'])).stdout));
      expect(parsed.phantoms.filter((p) => p.file.endsWith('tmp-phantom.md'))).toEqual([
        { label: 'loom:ghost', file: '.claude/commands/tmp-phantom.md', line: 4 },
      ]);
    } finally {
      rmSync(file);
    }
  });

  test("Loom's own prompts and source declare every label they use", async () => {
    const root = path.resolve(import.meta.dirname, '..');
    const out = await execa('node', [BUNDLE, 'labels', 'lint'], {
      cwd: root,
      reject: false,
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(out.stdout).toMatch(/no phantom labels/);
    expect(out.exitCode).toBe(0);
  });
});
