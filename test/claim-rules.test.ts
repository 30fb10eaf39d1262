import { describe, expect, it } from 'vitest';
import {
  type ClaimableItem,
  type CommentFacts,
  claimCommentBody,
  claimCommentsOf,
  claimMayStillArrive,
  claimRefusal,
  claimStands,
  rivalOf,
} from '../src/core/claim-rules.js';

const item = (labels: string[], partial: Partial<ClaimableItem> = {}): ClaimableItem => ({
  state: 'OPEN',
  isPullRequest: false,
  labels,
  ...partial,
});

describe('claimRefusal', () => {
  it.each<[string, ClaimableItem, string | undefined]>([
    ['a ready issue', item(['loom:issue']), undefined],
    ['a ready issue with other labels', item(['bug', 'loom:issue', 'loom:urgent']), undefined],
    ['a pull request', item(['loom:issue'], { isPullRequest: true }), 'is a pull request'],
    ['a closed issue', item(['loom:issue'], { state: 'CLOSED' }), 'is closed'],
    ['a claimed issue', item(['loom:issue', 'loom:building']), 'already loom:building (another claimant holds it)'],
    ['an issue no longer ready', item(['bug']), 'no longer loom:issue'],
    ['a blocked issue', item(['loom:issue', 'loom:blocked']), 'is loom:blocked'],
    ['an aborted issue', item(['loom:issue', 'loom:abort']), 'is loom:abort'],
    [
      'a closed pull request (the pull request reason first)',
      item([], { isPullRequest: true, state: 'CLOSED' }),
      'is a pull request',
    ],
  ])('%s', (_name, input, reason) => {
    expect(claimRefusal(input)).toBe(reason);
  });
});

describe('the claim comment', () => {
  const comment = (body: string, databaseId = 1, trusted = true): CommentFacts => ({
    databaseId,
    body,
    createdAt: '2026-06-01T12:00:00Z',
    trusted,
  });

  it.each([
    ['daemon-1', 'daemon-1'],
    ['one-off:4242', 'one-off:4242'],
    ['evil owner `rm -rf`', 'evil-owner--rm--rf-'],
    ['', 'loom'],
    ['x'.repeat(150), 'x'.repeat(100)],
  ])('owner %j is written as %j and read back', (owner, shown) => {
    const body = claimCommentBody('0123456789abcdef', owner);
    expect(body).toContain(`claimed by \`${shown}\``);
    expect(claimCommentsOf([comment(body)])).toEqual([
      expect.objectContaining({ token: '0123456789abcdef', owner: shown }),
    ]);
  });

  it.each<[string, CommentFacts]>([
    ['by someone without write access', comment(claimCommentBody('0123456789abcdef', 'x'), 1, false)],
    ['with a short token', comment('<!-- loom:claim 0123 x -->')],
    ['with an upper-case token', comment('<!-- loom:claim 0123456789ABCDEF x -->')],
    ['as plain text', comment('loom:claim 0123456789abcdef x')],
  ])('a comment %s holds no claim', (_name, input) => {
    expect(claimCommentsOf([input])).toEqual([]);
  });

  it('keeps the order it is given (oldest first) and drops other comments', () => {
    const claims = claimCommentsOf([
      comment(claimCommentBody('aaaaaaaaaaaaaaaa', 'a'), 5),
      comment('just a comment', 6),
      comment(claimCommentBody('bbbbbbbbbbbbbbbb', 'b'), 7),
    ]);
    expect(claims.map((c) => [c.databaseId, c.owner])).toEqual([
      [5, 'a'],
      [7, 'b'],
    ]);
  });
});

describe('rivalOf: the earliest claim wins', () => {
  const at = (seconds: number) => new Date(Date.parse('2026-06-01T12:00:00Z') + seconds * 1000).toISOString();
  const claim = (databaseId: number, secondsAfter: number): CommentFacts => ({
    databaseId,
    body: '',
    createdAt: at(secondsAfter),
    trusted: true,
  });
  const mine = claim(100, 0);

  it.each<[string, CommentFacts[], number, number | undefined]>([
    ['alone', [mine], 50, undefined],
    ['an earlier claim posted after my read', [claim(90, -5), mine], 80, 90],
    ['an earlier claim seen before my read but inside the window', [claim(70, -30), mine], 80, 70],
    ['an earlier claim seen before my read and older than the window', [claim(70, -61), mine], 80, undefined],
    ['an earlier claim exactly at the window start', [claim(70, -60), mine], 80, 70],
    ['a later claim (it loses to mine)', [mine, claim(110, 1)], 80, undefined],
    ['two earlier rivals: the first one found', [claim(85, -2), claim(90, -1), mine], 80, 85],
  ])('%s', (_name, claims, readMark, winner) => {
    expect(rivalOf(claims, mine, readMark)?.databaseId).toBe(winner);
  });
});

describe('claimStands', () => {
  it.each<[string, ClaimableItem, boolean]>([
    ['building, not ready, open', item(['loom:building']), true],
    ['building and still ready (edit half applied)', item(['loom:building', 'loom:issue']), false],
    ['not building', item(['loom:issue']), false],
    ['closed meanwhile', item(['loom:building'], { state: 'CLOSED' }), false],
    ['a pull request', item(['loom:building'], { isPullRequest: true }), false],
  ])('%s → %s', (_name, input, stands) => {
    expect(claimStands(input)).toBe(stands);
  });
});

describe('claimMayStillArrive', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  it.each<[string | undefined, boolean]>([
    ['2026-06-01T11:59:00Z', true],
    ['2026-06-01T11:58:01Z', true],
    ['2026-06-01T11:58:00Z', false],
    ['2026-06-01T10:00:00Z', false],
    [undefined, false],
    ['not a date', false],
  ])('claimed at %s → %s', (claimedAt, pending) => {
    expect(claimMayStillArrive(claimedAt, now)).toBe(pending);
  });
});
