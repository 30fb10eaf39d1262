/**
 * The exit codes each command can end with, beyond the ones any command may
 * give (COMMON_EXIT_CODES: a bug, bad arguments, gh/GitHub/state/config
 * trouble). Every `--help` prints its block from here (`exitCodeHelp`), the
 * root `loom --help` prints them all, and the prompt-pack checker refuses a
 * command file that acts on a code its command cannot produce. Numbers and
 * general meanings come from src/errors.ts.
 */
import { ExitCode, type ExitCodeName, exitCodeMeaning } from '../errors.js';

const COMMON: ExitCodeName[] = [
  'bug',
  'usage',
  'ghMissing',
  'ghAuth',
  'rateLimited',
  'network',
  'stateInvalid',
  'locked',
  'configInvalid',
  'github',
  'notInstalled',
];

export const COMMON_EXIT_CODES: Readonly<Record<number, string>> = Object.fromEntries(
  COMMON.map((name) => [ExitCode[name], exitCodeMeaning[name]]),
);

export const EXIT_CODES: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  status: { 0: 'all parts shown (else the code of the first problem, after printing what could be shown)' },
  iterate: { 0: 'ok (also when a GitHub failure came after spawns were decided: they are printed)' },
  start: { 0: 'registered (the id is the last line)', 9: 'another daemon is alive here (its id is named)' },
  shutdown: { 0: 'stopped' },
  record: { 0: 'recorded' },
  spawn: { 0: 'claimed; the SPAWN line is printed', 12: 'the claim was refused' },
  stop: { 0: 'stop file created' },
  progress: { 0: 'recorded' },
  init: {
    0: 'installed (the output names files kept or skipped)',
    10: 'your .loom/config.json is invalid (nothing written)',
    16: '.claude/settings.json is invalid (nothing written)',
  },
  actions: { 0: 'done', 2: 'no subcommand given (the help is printed)' },
  'actions install': {
    0: 'installed (the output names workflows kept beside your changes)',
    10: 'your .loom/config.json is invalid (nothing written)',
    13: 'Loom is not installed here (`loom init --actions` installs both)',
  },
  'actions uninstall': {
    0: 'removed (workflows you changed are named and kept)',
    13: 'Loom is not installed here (no install manifest)',
  },
  'actions check-inputs': {
    0: 'the inputs are valid (the prompt is printed and written to GITHUB_OUTPUT)',
    2: 'an input is invalid (each problem is named; Claude Code must not run)',
  },
  version: { 0: 'printed' },
  upgrade: {
    0: 'upgraded (the output names files kept or skipped)',
    2: 'no Loom found at --from',
    10: 'your .loom/config.json is invalid (nothing written)',
    16: '.claude/settings.json is invalid (nothing written)',
  },
  uninstall: {
    0: 'removed (files you changed are named and kept)',
    13: 'no install manifest here (nothing removed)',
  },
  doctor: { 0: 'every check passed', 17: 'at least one check failed (each ✗ line names its fix)' },
  labels: { 0: 'done', 26: 'labels lint: phantom labels found' },
  'labels sync': { 0: 'synced (labels with your own values are listed as kept)' },
  'labels lint': { 0: 'no phantom labels', 26: 'phantom labels found' },
  'shepherd-phase': { 0: 'printed the phase', 7: 'no such issue' },
  'adopt-claim': {
    0: 'adopted: the claim lock and the slot are written; the shepherd may start',
    7: 'no such issue',
    12: 'refused: the issue is not loom:building under a claim with this token (stop the job)',
  },
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
    12: "refused: a live shepherd holds it, its labels moved (someone else took it), or (doctor) its head is not the issue's feature/issue-N",
  },
  worktree: {
    0: 'ready',
    7: 'no such issue on GitHub (no worktree or branch made)',
    12: 'the folder exists but is not a worktree',
    14: 'a git command failed',
    15: 'the post-worktree hook failed (the worktree exists)',
  },
  'worktree clean': { 0: 'done (kept worktrees are listed with the reason)', 14: 'a git command failed' },
  'pr-for': { 0: 'found (number printed)', 7: 'no PR, or no such issue' },
  deps: {
    0: 'every dependency is closed',
    7: 'no such issue',
    12: '--unblock refused: not blocked, or blocked for another reason',
    24: 'some are open (listed)',
  },
  'merge-gate': { 0: 'all checks pass', 7: 'no such PR', 25: 'some check fails' },
  merge: { 0: 'merged', 7: 'no such PR', 25: 'the merge gate refused (nothing merged)' },
  'pr-test': {
    0: 'the tests passed on the head commit (recorded as loom/tests success)',
    2: 'not an open pull request of this repository, or its head is in a fork',
    7: 'no such PR',
    12: 'the head moved while it was fetched (run again)',
    14: 'a git command failed (fetch, worktree add)',
    15: 'the post-worktree hook failed in the test checkout (nothing ran, nothing recorded)',
    27: 'the tests failed or timed out (recorded as loom/tests failure or error)',
    28: 'no commands.test in .loom/config.json (nothing ran, nothing recorded)',
  },
  next: { 0: 'a number was printed (with --github-output: also for an empty queue)', 7: 'the queue is empty' },
  comment: { 0: 'posted', 7: 'no such issue or PR' },
  run: {
    0: 'stopped after the drain',
    2: 'bad arguments, or the Claude Code binary is missing',
    9: 'another daemon owns this clone',
  },
  logs: { 0: 'shown', 2: 'bad selector, or no log matches' },
  dashboard: { 0: 'stopped (Ctrl-C or SIGTERM)', 2: 'bad --port, or the port is taken' },
  'pr-open': { 0: 'opened (the number is printed)', 7: 'no default branch' },
  'issue-open': { 0: 'filed (the number is printed)', 7: 'a label is missing on GitHub' },
  guard: { 0: 'the call may run', 2: 'blocked (the reason is on stderr)' },
};

const line = (code: number, meaning: string) => `  ${String(code).padStart(2)}  ${meaning}`;

/** The "Exit codes:" block of a command's --help: its own codes, then a pointer to the common ones. */
export function exitCodeHelp(command: string): string {
  const own = Object.entries(EXIT_CODES[command] ?? {}).map(([code, meaning]) => line(Number(code), meaning));
  return `Exit codes:\n${own.join('\n')}\n  and as any command: 1 bug, 2 bad arguments, 3-6 gh/GitHub, 8-11 state/lock/config/GitHub, 13 not installed (loom --help)`;
}

/** Every exit code with its general meaning, for `loom --help`. */
export function allExitCodesHelp(): string {
  const all = (Object.keys(ExitCode) as ExitCodeName[]).map((name) => line(ExitCode[name], exitCodeMeaning[name]));
  return `Exit codes:\n${all.join('\n')}`;
}
