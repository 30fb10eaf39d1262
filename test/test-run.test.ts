/** Pure parts of the Judge's test run and of the gate's checks rule (issue 11). */
import { describe, expect, test } from 'vitest';
import { defaultConfig } from '../src/core/config.js';
import { type GatePull, ruleChecks } from '../src/core/merge-gate.js';
import { statusDescription, statusOf, testArgv } from '../src/core/test-run.js';

describe('testArgv', () => {
  test.each([
    ['npm test', ['npm', 'test']],
    ['  npx vitest run  ', ['npx', 'vitest', 'run']],
    ['node tests/run\\ all.js --ci', ['node', 'tests/run all.js', '--ci']],
    // No shell: these are plain arguments.
    ['make test; rm -rf /', ['make', 'test;', 'rm', '-rf', '/']],
    ['echo $HOME "a b"', ['echo', '$HOME', '"a', 'b"']],
  ])('%s', (command, argv) => {
    expect(testArgv({ commands: { test: command } })).toEqual(argv);
  });

  test('unset or "" (init\'s "none") means no test command', () => {
    expect(testArgv({})).toBeUndefined();
    expect(testArgv({ commands: {} })).toBeUndefined();
    expect(testArgv({ commands: { test: '' } })).toBeUndefined();
    expect(testArgv({ commands: { test: '   ' } })).toBeUndefined();
  });
});

describe('the recorded status', () => {
  test('outcome → state', () => {
    expect(statusOf({ kind: 'passed' })).toBe('success');
    expect(statusOf({ kind: 'failed', exitCode: 2 })).toBe('failure');
    expect(statusOf({ kind: 'timed-out' })).toBe('error');
  });

  test("the description names the command, the end and the time, within GitHub's 140 characters", () => {
    expect(statusDescription(['npm', 'test'], { kind: 'failed', exitCode: 1 }, 41.6)).toBe(
      'npm test failed (exit 1) in 42 s, local run before review',
    );
    const long = statusDescription(['x'.repeat(300)], { kind: 'timed-out' }, 540);
    expect(long.length).toBeLessThanOrEqual(140);
    expect(long).toMatch(/… timed out in 540 s, local run before review$/);
  });
});

describe('ruleChecks', () => {
  const pull = (extra: Partial<GatePull>): GatePull => ({
    number: 5,
    state: 'OPEN',
    isDraft: false,
    labels: ['loom:pr'],
    additions: 1,
    deletions: 0,
    files: ['a.ts'],
    changedFiles: 1,
    mergeable: 'MERGEABLE',
    updatedAt: '2026-01-01T00:00:00Z',
    checks: null,
    ...extra,
  });
  const strict = { ...defaultConfig.merge, require_checks: true };

  test('no checks: passes by default, refused with merge.require_checks', () => {
    expect(ruleChecks(pull({}), defaultConfig.merge).pass).toBe(true);
    expect(ruleChecks(pull({}), strict)).toMatchObject({
      pass: false,
      reason: expect.stringMatching(/no green local test run/),
    });
  });

  test('a green loom/tests alone passes and says so; beside CI it is just "CI checks passed"', () => {
    expect(ruleChecks(pull({ checks: 'SUCCESS', localTests: 'SUCCESS', otherChecks: 0 }), strict)).toMatchObject({
      pass: true,
      reason: 'the local test run (loom/tests) passed on the head commit',
    });
    expect(ruleChecks(pull({ checks: 'SUCCESS', localTests: 'SUCCESS', otherChecks: 2 }), strict).reason).toBe(
      'CI checks passed',
    );
  });

  test('a red or timed-out loom/tests refuses and is named', () => {
    expect(ruleChecks(pull({ checks: 'FAILURE', localTests: 'FAILURE', otherChecks: 0 }), strict)).toMatchObject({
      pass: false,
      reason: 'the local test run (loom/tests) is failure on the head commit',
    });
    expect(ruleChecks(pull({ checks: 'ERROR', localTests: 'ERROR' }), defaultConfig.merge).pass).toBe(false);
  });
});
