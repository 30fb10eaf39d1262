import { describe, expect, it } from 'vitest';
import { parseShepherdRunName, SHEPHERD_RUN_NAME, shepherdRunName } from '../src/core/actions-contract.js';

describe('the shepherd run name', () => {
  it('is what the workflow expression evaluates to', () => {
    const evaluated = SHEPHERD_RUN_NAME.replace(/\$\{\{ inputs\.issue \}\}/, '42').replace(
      /\$\{\{ inputs\.slot \}\}/,
      'actions-3',
    );
    expect(evaluated).toBe(shepherdRunName(42, 'actions-3'));
  });

  it('round-trips issue and slot', () => {
    expect(parseShepherdRunName(shepherdRunName(7, 'shepherd-12'))).toEqual({ issue: 7, slot: 'shepherd-12' });
  });

  it.each([
    'CI',
    'loom shepherd #0 (actions-1)',
    'loom shepherd #12 (actions-0)',
    'loom shepherd #12 (Actions-1)',
    'loom shepherd #12 (actions-1) ',
    'loom shepherd #12 ($(id)-1)',
    'loom shepherd #1e3 (actions-1)',
    'xloom shepherd #12 (actions-1)',
  ])('refuses %j', (title) => {
    expect(parseShepherdRunName(title)).toBeNull();
  });
});
