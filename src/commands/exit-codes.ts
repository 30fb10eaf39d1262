/**
 * The exit codes each command can end with, beyond the ones any command may
 * give (COMMON_EXIT_CODES: a bug, bad arguments, gh/GitHub/state/config
 * trouble). `--help` prints them from here, and the prompt-pack checker
 * (test/prompt-pack.test.ts) refuses a command file that acts on a code its
 * command cannot produce. Numbers as in src/errors.ts.
 */
export const COMMON_EXIT_CODES: Readonly<Record<number, string>> = {
  1: 'a bug in Loom',
  2: 'bad arguments',
  3: 'gh missing',
  4: 'gh not authenticated',
  5: 'rate limited',
  6: 'GitHub unreachable',
  8: 'state file invalid',
  9: 'locked by another Loom process',
  10: 'config invalid',
  11: 'GitHub error',
  13: 'Loom not installed',
};

export const EXIT_CODES: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  status: { 0: 'all parts shown' },
  iterate: { 0: 'ok' },
  start: { 0: 'registered (the id is the last line)' },
  shutdown: { 0: 'stopped' },
  record: { 0: 'recorded' },
  spawn: { 0: 'claimed; the SPAWN line is printed', 12: 'the claim was refused' },
  stop: { 0: 'stop file created' },
  progress: { 0: 'recorded' },
  init: { 0: 'installed' },
  'labels sync': { 0: 'synced' },
  'labels lint': { 0: 'no phantom labels', 26: 'phantom labels found' },
  'shepherd-phase': { 0: 'printed the phase', 7: 'no such issue' },
  gate: { 0: 'go or wait', 7: 'no such issue', 12: 'refused: another worker holds the claim' },
  checkpoint: { 0: 'recorded', 7: 'no such issue', 12: 'the phase is not finished on GitHub: nothing recorded' },
  await: {
    0: 'condition met',
    7: 'no such issue',
    20: 'timed out',
    21: '.loom/stop-shepherds exists',
    22: 'loom:abort on the issue',
    23: 'the issue became loom:blocked',
  },
  claim: { 0: 'claimed', 7: 'no such issue', 12: 'refused' },
  release: { 0: 'released or nothing to release', 7: 'no such issue', 12: 'the label change could not be verified' },
  transition: {
    0: 'verified',
    7: 'no such item, or a label missing on GitHub',
    12: 'not verified after the re-read, or an --expect label was not there (someone else moved it)',
  },
  take: {
    0: 'taken: the labels moved to the role',
    7: 'no such pull request',
    12: 'refused: a live shepherd holds it, or its labels moved (someone else took it)',
  },
  worktree: { 0: 'ready', 14: 'a git command failed', 15: 'the post-worktree hook failed' },
  'worktree clean': { 0: 'done', 14: 'a git command failed' },
  'pr-for': { 0: 'found (number printed)', 7: 'no PR, or no such issue' },
  deps: {
    0: 'every dependency is closed',
    7: 'no such issue',
    12: '--unblock refused: not blocked, or blocked for another reason',
    24: 'some are open (listed)',
  },
  'merge-gate': { 0: 'all checks pass', 7: 'no such PR', 25: 'some check fails' },
  merge: { 0: 'merged', 7: 'no such PR', 25: 'the merge gate refused (nothing merged)' },
  next: { 0: 'a number was printed', 7: 'the queue is empty' },
  comment: { 0: 'posted', 7: 'no such issue or PR' },
  'pr-open': { 0: 'opened (the number is printed)', 7: 'no default branch' },
  'issue-open': { 0: 'filed (the number is printed)', 7: 'a label is missing on GitHub' },
  guard: { 0: 'the call may run', 2: 'blocked (the reason is on stderr)' },
};

/** `0 verified, 12 …, 7 …` for a command's --help. */
export function exitCodeHelp(command: string): string {
  const own = EXIT_CODES[command] ?? {};
  return Object.entries(own)
    .map(([code, meaning]) => `${code} ${meaning}`)
    .join(', ')
    .concat(', 2 bad arguments; any command: 3-6, 8-11, 13 (see README)');
}
