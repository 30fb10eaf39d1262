import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ErrorCode, isTransient, LoomError, TRANSIENT_CODES } from '../src/errors.js';

const ALL_CODES: ErrorCode[] = [
  'USAGE',
  'GH_MISSING',
  'GH_NOT_AUTHENTICATED',
  'GH_RATE_LIMITED',
  'GH_NETWORK',
  'GH_NOT_FOUND',
  'GH_ERROR',
  'STATE_INVALID',
  'STATE_NEWER_VERSION',
  'STATE_WRITE_FAILED',
  'LOCKED',
  'DAEMON_OWNED',
  'CONFIG_INVALID',
  'SETTINGS_INVALID',
  'CLAIM_CONFLICT',
  'PHASE_NOT_FINISHED',
  'NOT_A_REPOSITORY',
  'NOT_INSTALLED',
  'GIT_FAILED',
  'WORKTREE_CONFLICT',
  'UNSAFE_PATH',
  'GH_MALFORMED',
];

describe('isTransient', () => {
  it.each(ALL_CODES)('%s', (code) => {
    const expected = ['GH_NETWORK', 'GH_MALFORMED', 'GH_RATE_LIMITED', 'GH_ERROR', 'LOCKED'].includes(code);
    expect(isTransient(new LoomError(code, 'x'))).toBe(expected);
  });

  it('is false for anything that is not a LoomError', () => {
    expect(isTransient(new Error('GH_NETWORK'))).toBe(false);
    expect(isTransient({ code: 'GH_NETWORK' })).toBe(false);
    expect(isTransient(undefined)).toBe(false);
  });

  it('matches the exit codes loom.md retries: those only transient codes produce', () => {
    const exitOf = (code: ErrorCode) => new LoomError(code, 'x').exitCode;
    const permanentExits = new Set(ALL_CODES.filter((c) => !TRANSIENT_CODES.includes(c)).map(exitOf));
    const retried = [...new Set(TRANSIENT_CODES.map(exitOf))]
      .filter((e) => !permanentExits.has(e))
      .sort((a, b) => a - b);
    const prompt = readFileSync(new URL('../defaults/.claude/commands/loom.md', import.meta.url), 'utf8');
    const sentence = prompt.match(/Only exit codes ([^.]*) are transient/)?.[1] ?? '';
    const inPrompt = [...sentence.matchAll(/\b(\d+) \(/g)].map((m) => Number(m[1]));
    expect(inPrompt).toEqual(retried);
  });
});
