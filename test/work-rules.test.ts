/**
 * Pure rules behind `loom deps`, `loom merge-gate`, `loom labels lint` and
 * `loom worktree`: dependency parsing, every merge-gate rule, the phantom
 * label scanner, worktree-include parsing and the clean-up decision.
 */
import { describe, expect, test } from 'vitest';
import { defaultConfig } from '../src/core/config.js';
import { combineDependencies, parseDependencies } from '../src/core/deps.js';
import { findPhantomLabels } from '../src/core/label-lint.js';
import {
  criticalPattern,
  evaluateMergeGate,
  GATE_REFUSED_MARKER,
  type GatePull,
  gateRefusedComment,
  globToRegExp,
  personReasons,
} from '../src/core/merge-gate.js';
import { cleanDecision, parseWorktreeInclude, parseWorktreeList } from '../src/core/worktree.js';

describe('parseDependencies', () => {
  const refs = (body: string, self?: number) =>
    parseDependencies(body, self, 'acme/widgets').map((r) => `${r.repo ?? ''}#${r.number}:${r.source}`);
  test.each([
    ['Blocked by #12', ['#12:blocked-by']],
    ['blocked BY #12', ['#12:blocked-by']],
    ['Depends on #1, #2', ['#1:depends-on', '#2:depends-on']],
    ['Depends on: #1, #2 and #3', ['#1:depends-on', '#2:depends-on', '#3:depends-on']],
    ['REQUIRES #7 & #8', ['#7:requires', '#8:requires']],
    ['This requires #4.', ['#4:requires']],
    ['- [ ] #5\n- [x] #6 done\n* [ ] #9 later', ['#5:task-list', '#6:task-list', '#9:task-list']],
    ['1. [ ] #30', ['#30:task-list']],
    ['Mentions #5 but depends on nothing', []],
    ['```\nDepends on #5\n```\nand `Blocked by #6`', []],
    ['<!-- Depends on #5 -->', []],
    ['Depends on other/repo#5', ['other/repo#5:depends-on']],
    ['Depends on acme/widgets#5', ['#5:depends-on']],
    ['Blocked by https://github.com/acme/widgets/issues/8', ['#8:blocked-by']],
    ['Depends on #99 (self)', []],
    ['', []],
  ])('%j', (body, expected) => {
    expect(refs(body, 99)).toEqual(expected);
  });
  test('line numbers', () => {
    expect(parseDependencies('intro\n\nBlocked by #2').map((r) => r.line)).toEqual([3]);
  });
  test('combine: deduplicated, unresolvable and external count as open', () => {
    const body = parseDependencies('Depends on #1, #2, #4\n- [ ] #1\nRequires other/repo#9');
    const deps = combineDependencies([{ number: 2, state: 'closed', title: 'native' }], body, (n) =>
      n === 1 ? { state: 'closed', title: 'one' } : undefined,
    );
    expect(deps.map((d) => [d.repo ?? '', d.number, d.state, d.resolved, d.sources.join('+')])).toEqual([
      ['', 2, 'closed', true, 'native+depends-on'],
      ['', 1, 'closed', true, 'depends-on+task-list'],
      ['', 4, 'open', false, 'depends-on'],
      ['other/repo', 9, 'open', false, 'requires'],
    ]);
  });
});

describe('merge gate rules', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const good: GatePull = {
    number: 40,
    state: 'OPEN',
    isDraft: false,
    labels: ['loom:pr'],
    additions: 50,
    deletions: 10,
    files: ['src/app.ts', 'test/app.test.ts'],
    changedFiles: 2,
    mergeable: 'MERGEABLE',
    updatedAt: '2026-03-01T10:00:00Z',
    checks: 'SUCCESS',
  };
  const failing = (pull: Partial<GatePull>, force = false) =>
    evaluateMergeGate(
      { ...good, changedFiles: pull.files?.length ?? good.changedFiles, ...pull },
      now,
      defaultConfig.merge,
      force,
    )
      .checks.filter((c) => !c.pass)
      .map((c) => c.name);

  test('a good PR passes every check', () => {
    const gate = evaluateMergeGate(good, now, defaultConfig.merge);
    expect(gate.pass).toBe(true);
    expect(gate.checks.map((c) => c.name)).toEqual([
      'open',
      'approved',
      'manual-merge',
      'auto',
      'size',
      'critical-files',
      'mergeable',
      'recency',
      'checks',
    ]);
  });
  test('limits come from merge.* in the config', () => {
    const limits = { ...defaultConfig.merge, max_changed_lines: 20, max_age_hours: 1, critical_paths: ['src/**'] };
    const gate = evaluateMergeGate(good, now, limits);
    expect(gate.checks.filter((c) => !c.pass).map((c) => c.name)).toEqual(['size', 'critical-files', 'recency']);
    expect(personReasons(gate).map((c) => c.name)).toEqual(['size', 'critical-files', 'recency']);
    const comment = gateRefusedComment(gate, ' -R o/r');
    expect(comment.startsWith(GATE_REFUSED_MARKER)).toBe(true);
    expect(comment).toContain('limit 20');
    expect(comment).toContain('loom merge 40 --force');
    const noChecks = evaluateMergeGate({ ...good, checks: null }, now, {
      ...defaultConfig.merge,
      require_checks: true,
    });
    expect(noChecks.checks.filter((c) => !c.pass).map((c) => c.name)).toEqual(['checks']);
    expect(personReasons(noChecks)).toEqual([]);
    const manual = evaluateMergeGate(good, now, { ...defaultConfig.merge, auto: false });
    expect(manual.checks.filter((c) => !c.pass).map((c) => c.name)).toEqual(['auto']);
    expect(evaluateMergeGate(good, now, { ...defaultConfig.merge, auto: false }, true).pass).toBe(true);
  });
  test('open: merged, closed or draft fail', () => {
    expect(failing({ state: 'MERGED' })).toEqual(['open']);
    expect(failing({ isDraft: true })).toEqual(['open']);
  });
  test('approved: needs loom:pr', () => expect(failing({ labels: ['loom:review-requested'] })).toEqual(['approved']));
  test('manual-merge', () =>
    expect(failing({ labels: ['loom:pr', 'loom:manual-merge'] }, true)).toEqual(['manual-merge']));
  test('size: 200 lines pass, 201 fail, --force relaxes', () => {
    expect(failing({ additions: 150, deletions: 50 })).toEqual([]);
    expect(failing({ additions: 151, deletions: 50 })).toEqual(['size']);
    const forced = evaluateMergeGate({ ...good, additions: 5000 }, now, defaultConfig.merge, true).checks.find(
      (c) => c.name === 'size',
    )!;
    expect(forced).toMatchObject({ pass: true, relaxed: true });
  });
  test('critical files, --force relaxes; an unreadable file list fails closed', () => {
    for (const f of [
      '.github/workflows/ci.yml',
      'package-lock.json',
      'web/yarn.lock',
      '.loom/config.json',
      '.claude/commands/x.md',
      '.env',
      'config/.env.production',
      'deploy/server.pem',
    ]) {
      expect(failing({ files: [f] }), f).toEqual(['critical-files']);
    }
    for (const f of ['src/env.ts', 'docs/environment.md', 'lockfile.md', 'github/workflows.md'])
      expect(failing({ files: [f] }), f).toEqual([]);
    expect(failing({ files: ['.github/workflows/ci.yml'] }, true)).toEqual([]);
    expect(failing({ files: ['a.ts'], changedFiles: 150 })).toEqual(['critical-files']);
  });
  test('mergeable: conflicting and unknown fail', () => {
    expect(failing({ mergeable: 'CONFLICTING' }, true)).toEqual(['mergeable']);
    expect(failing({ mergeable: 'UNKNOWN' })).toEqual(['mergeable']);
  });
  test('recency: 24 h, 72 h with --force', () => {
    expect(failing({ updatedAt: '2026-02-28T13:00:00Z' })).toEqual([]);
    expect(failing({ updatedAt: '2026-02-28T11:00:00Z' })).toEqual(['recency']);
    expect(failing({ updatedAt: '2026-02-27T11:00:00Z' }, true)).toEqual([]);
    expect(failing({ updatedAt: '2026-02-26T11:00:00Z' }, true)).toEqual(['recency']);
  });
  test('checks: success or none pass; pending and failure fail, even with --force', () => {
    expect(failing({ checks: null })).toEqual([]);
    expect(failing({ checks: 'PENDING' }, true)).toEqual(['checks']);
    expect(failing({ checks: 'FAILURE' })).toEqual(['checks']);
  });
  test('globs', () => {
    expect(globToRegExp('.github/workflows/**').test('.github/workflows/a/b.yml')).toBe(true);
    expect(globToRegExp('*.pem').test('a/b/c.pem')).toBe(true);
    expect(criticalPattern('src/index.ts')).toBeUndefined();
  });
});

describe('label lint scanner', () => {
  test('reports undeclared labels with file and line; ignores markers and prefixes', () => {
    const files = [
      {
        file: '.claude/commands/judge.md',
        text: 'Add `loom:pr`.\nThen loom:approved, never loom:review-requested-.\n<!-- loom:checkpoint {} -->',
      },
      {
        file: 'src/a.ts',
        text: "const q = 'loom:';\nBash(.loom/scripts/loom:*)\nlabel: 'loom:ghost'\nconst m = /<!-- loom:marker (x) -->/;",
      },
    ];
    expect(findPhantomLabels(files, ['loom:pr', 'loom:review-requested'])).toEqual([
      { label: 'loom:approved', file: '.claude/commands/judge.md', line: 2 },
      { label: 'loom:ghost', file: 'src/a.ts', line: 3 },
    ]);
  });
});

describe('worktree rules', () => {
  test('worktree-include: relative paths inside the repository only', () => {
    const { paths, problems } = parseWorktreeInclude(
      '# comment\n.env\n\nconfig/local.json\n../secret\n/etc/passwd\n.git/config\n.loom/worktrees/issue-1\nnode_modules/\n.env\n',
    );
    expect(paths).toEqual(['.env', 'config/local.json', 'node_modules']);
    expect(problems.map((p) => p.line)).toEqual([5, 6, 7, 8]);
  });
  test('git worktree list --porcelain', () => {
    const list = parseWorktreeList(
      'worktree /r\nHEAD abc\nbranch refs/heads/main\n\nworktree /r/.loom/worktrees/issue-3\nHEAD def\nbranch refs/heads/feature/issue-3\n\nworktree /x\nHEAD 123\ndetached\nprunable gitdir file points to non-existent location\n',
    );
    expect(list.map((w) => [w.path, w.branch, w.prunable])).toEqual([
      ['/r', 'main', false],
      ['/r/.loom/worktrees/issue-3', 'feature/issue-3', false],
      ['/x', null, true],
    ]);
  });
  test.each([
    [{ issue: null, isCwd: false, dirty: false, issueState: 'CLOSED', pr: null }, false, /marker/],
    [{ issue: 1, isCwd: true, dirty: false, issueState: 'CLOSED', pr: null }, false, /working directory/],
    [{ issue: 1, isCwd: false, dirty: true, issueState: 'CLOSED', pr: null }, false, /uncommitted/],
    [{ issue: 1, isCwd: false, dirty: false, issueState: 'OPEN', pr: null }, false, /open/],
    [
      { issue: 1, isCwd: false, dirty: false, issueState: 'CLOSED', pr: { number: 2, state: 'OPEN' } },
      false,
      /not merged/,
    ],
    [
      { issue: 1, isCwd: false, dirty: false, issueState: 'CLOSED', pr: { number: 2, state: 'MERGED' } },
      true,
      /merged/,
    ],
    [{ issue: 1, isCwd: false, dirty: false, issueState: 'CLOSED', pr: null }, true, /no PR/],
  ] as const)('clean %o', (facts, remove, reason) => {
    const d = cleanDecision(facts);
    expect(d.remove).toBe(remove);
    expect(d.reason).toMatch(reason);
  });
});
