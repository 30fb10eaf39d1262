import { describe, expect, it } from 'vitest';
import {
  ADOPT_CLAIM_COMMAND,
  ADOPT_CLAIM_ENV,
  parseShepherdRunName,
  SHEPHERD_RUN_NAME,
  shepherdRunName,
} from '../src/core/actions-contract.js';

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

describe('the adopt step', () => {
  it('passes every input the run needs through the environment, never on the command line', () => {
    expect(Object.values(ADOPT_CLAIM_ENV).sort()).toEqual(['claim', 'issue', 'slot']);
    for (const name of Object.keys(ADOPT_CLAIM_ENV)) expect(name).toMatch(/^LOOM_[A-Z_]+$/);
    expect(ADOPT_CLAIM_COMMAND.join(' ')).not.toMatch(/\$/);
    expect(ADOPT_CLAIM_COMMAND.slice(0, 3)).toEqual(['node', '.loom/scripts/loom', 'adopt-claim']);
  });
});
