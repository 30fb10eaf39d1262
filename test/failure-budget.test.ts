import { describe, expect, it } from 'vitest';
import {
  backoffSeconds,
  budgetSpentComment,
  claimableAt,
  failedRelease,
  failuresOf,
  NO_FAILURES,
  RESET_MARK,
} from '../src/core/failure-budget.js';

const budget = { max_attempts: 3, backoff: [900, 3600] };
const comment = (databaseId: number, body: string, trusted = true) => ({
  databaseId,
  body,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, databaseId)).toISOString(),
  trusted,
});

describe('failure budget: reading the marks', () => {
  it.each([
    ['no comments', [], NO_FAILURES.count],
    ['one mark', [comment(1, 'x <!-- loom:failures 1 ended -->')], 1],
    [
      'the newest mark wins',
      [comment(2, '<!-- loom:failures 2 ended,stale -->'), comment(1, '<!-- loom:failures 1 ended -->')],
      2,
    ],
    ['a reset after a mark', [comment(1, '<!-- loom:failures 2 ended,ended -->'), comment(2, RESET_MARK)], 0],
    ['a mark after a reset', [comment(1, RESET_MARK), comment(2, '<!-- loom:failures 1 stopped -->')], 1],
    ['an untrusted mark does not count', [comment(1, '<!-- loom:failures 7 ended -->', false)], 0],
    [
      'an untrusted reset does not erase the count',
      [comment(1, '<!-- loom:failures 2 ended,ended -->'), comment(2, RESET_MARK, false)],
      2,
    ],
  ])('%s', (_name, comments, count) => {
    expect(failuresOf(comments).count).toBe(count);
  });

  it('keeps reasons and the time of the newest failure', () => {
    expect(failuresOf([comment(3, '<!-- loom:failures 2 ended,stale -->')])).toEqual({
      count: 2,
      reasons: ['ended', 'stale'],
      lastAt: '2026-01-01T00:03:00.000Z',
    });
  });
});

describe('failure budget: back-off', () => {
  const at = '2026-01-01T00:00:00.000Z';
  it.each([
    [0, 0],
    [1, 900],
    [2, 3600],
    [5, 3600], // the last value repeats
  ])('after %i failures the next claim waits %i s', (count, seconds) => {
    expect(backoffSeconds({ count, reasons: [], lastAt: count ? at : null }, budget)).toBe(seconds);
  });

  it('claimable again only once the back-off has passed', () => {
    const record = { count: 1, reasons: ['ended'], lastAt: at };
    expect(claimableAt(record, budget, new Date('2026-01-01T00:10:00Z'))).toBe('2026-01-01T00:15:00.000Z');
    expect(claimableAt(record, budget, new Date('2026-01-01T00:15:01Z'))).toBeNull();
    expect(claimableAt(NO_FAILURES, budget, new Date(at))).toBeNull();
    expect(claimableAt(record, { ...budget, backoff: [] }, new Date(at))).toBeNull();
  });
});

describe('failure budget: the release', () => {
  it('counts up and writes the reasons, oldest first', () => {
    const first = failedRelease(NO_FAILURES, 'ended', budget);
    expect(first).toMatchObject({ block: false, mark: '<!-- loom:failures 1 ended -->' });
    const second = failedRelease({ ...first.record, lastAt: 'x' }, 'stale', budget);
    expect(second).toMatchObject({ block: false, mark: '<!-- loom:failures 2 ended,stale -->' });
    // The mark written is read back the same way.
    expect(failuresOf([comment(1, second.mark)]).reasons).toEqual(['ended', 'stale']);
  });

  it('the attempt that reaches max_attempts blocks, and the comment names every attempt', () => {
    const third = failedRelease({ count: 2, reasons: ['ended', 'stale'], lastAt: 'x' }, 'stopped', budget);
    expect(third.block).toBe(true);
    const text = budgetSpentComment(third.record);
    expect(text).toContain('3 attempts');
    expect(text).toContain('1. the shepherd ended without finishing');
    expect(text).toContain('2. loom:building with no pull request');
    expect(text).toContain('3. the shepherd gave up');
    expect(failedRelease(NO_FAILURES, 'ended', { ...budget, max_attempts: 1 }).block).toBe(true);
  });
});
