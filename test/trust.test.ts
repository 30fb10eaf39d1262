import { describe, expect, it } from 'vitest';
import { admittedBy, isOutside, mayEnter, type Queue } from '../src/core/trust.js';

const event = (label: string, actor: string | null, minute = 0) => ({
  label,
  actor,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
});
const stranger = { authorAssociation: 'NONE', author: 'stranger' };

describe('trust boundary', () => {
  it.each([
    ['OWNER', false],
    ['MEMBER', false],
    ['COLLABORATOR', false],
    ['CONTRIBUTOR', true],
    ['FIRST_TIME_CONTRIBUTOR', true],
    ['NONE', true],
    [null, true],
  ])('author association %s is outside: %s', (association, outside) => {
    expect(isOutside({ authorAssociation: association })).toBe(outside);
  });

  it('an issue whose association was not read is not judged', () => {
    expect(isOutside({})).toBe(false);
  });

  const queues: Queue[] = ['triage', 'curate', 'build', 'promote'];
  it.each([
    ['inside author, no label event', { authorAssociation: 'OWNER', author: 'me' }, 'ignore', [true, true, true, true]],
    ['stranger, nothing', stranger, 'ignore', [false, false, false, false]],
    ['stranger, triage-only mode', stranger, 'triage-only', [true, false, false, false]],
    [
      'stranger who labelled it himself (issue template)',
      { ...stranger, labelEvents: [event('loom:issue', 'stranger')] },
      'ignore',
      [false, false, false, false],
    ],
    [
      'stranger, a maintainer added loom:issue',
      { ...stranger, labelEvents: [event('loom:issue', 'maintainer')] },
      'ignore',
      [true, true, true, true],
    ],
    [
      'stranger, a maintainer added a non-loom label',
      { ...stranger, labelEvents: [event('bug', 'maintainer')] },
      'ignore',
      [false, false, false, false],
    ],
    [
      'stranger, loom:triage from the Guide in triage-only mode does not admit',
      { ...stranger, labelEvents: [event('loom:triage', 'maintainer')] },
      'triage-only',
      [true, false, false, false],
    ],
    [
      'stranger, deleted account labelled it',
      { ...stranger, labelEvents: [event('loom:issue', null)] },
      'ignore',
      [false, false, false, false],
    ],
  ] as const)('%s', (_name, facts, mode, expected) => {
    expect(queues.map((q) => mayEnter(facts, q, mode))).toEqual(expected);
  });

  it('names the newest admitting maintainer', () => {
    const facts = {
      ...stranger,
      labelEvents: [
        event('loom:triage', 'alice', 1),
        event('loom:issue', 'bob', 2),
        event('loom:issue', 'stranger', 3),
      ],
    };
    expect(admittedBy(facts, 'ignore')).toBe('bob');
  });
});
