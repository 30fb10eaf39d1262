/**
 * Typed errors for expected failures. Every LoomError carries a stable `code`,
 * a process exit code and a `hint` (the next step for the user). The CLI's one
 * error sink (src/cli.ts) prints `message` and `hint` and never a stack trace
 * for these; anything that is not a LoomError is a bug and gets its stack.
 */

/** Exit codes, documented in the README. 1 is left to unexpected bugs. */
export const ExitCode = {
  ok: 0,
  bug: 1,
  usage: 2,
  ghMissing: 3,
  ghAuth: 4,
  rateLimited: 5,
  network: 6,
  notFound: 7,
  stateInvalid: 8,
  locked: 9,
  configInvalid: 10,
  github: 11,
  conflict: 12,
  notInstalled: 13,
  /** A git command Loom needed failed (fetch, worktree add). */
  git: 14,
  /** `loom worktree`: the worktree exists but its post-worktree hook failed. */
  hookFailed: 15,
  /** `.claude/settings.json` is not valid JSON or not a settings object (Claude Code's file, not Loom's config). */
  settingsInvalid: 16,
  /** `loom doctor`: at least one check failed. */
  checksFailed: 17,
  /** `loom await`: the time limit passed before the condition was met. */
  timeout: 20,
  /** `loom await`: `.loom/stop-shepherds` appeared (the daemon is shutting down). */
  stopShepherds: 21,
  /** `loom await`: a human put `loom:abort` on the issue. */
  aborted: 22,
  /** `loom await`: the issue became `loom:blocked`. */
  blocked: 23,
  /** `loom deps`: some dependency is still open (or could not be resolved). */
  depsOpen: 24,
  /** `loom merge-gate` / `loom merge`: a merge-gate check failed. */
  gateFailed: 25,
  /** `loom labels lint`: a `loom:` label is used but not declared in labels.yml. */
  phantomLabels: 26,
  /** `loom pr-test`: the project's tests failed or timed out on the PR's head (recorded as loom/tests). */
  testsFailed: 27,
  /** `loom pr-test`: no `commands.test` in .loom/config.json, so nothing ran and nothing was recorded. */
  noTestCommand: 28,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
export type ExitCodeName = keyof typeof ExitCode;

/** What each exit code means in general: the one table every `--help` draws its "Exit codes" lines from. */
export const exitCodeMeaning: Record<ExitCodeName, string> = {
  ok: 'done',
  bug: 'unexpected error (a bug in Loom; the stack trace is printed)',
  usage: 'bad arguments or not a git repository',
  ghMissing: 'gh not found or not executable (LOOM_GH)',
  ghAuth: 'gh is not authenticated (`gh auth login`)',
  rateLimited: 'GitHub rate limit reached',
  network: 'GitHub unreachable or gh timed out',
  notFound: 'issue, pull request or repository not found',
  stateInvalid: 'a Loom state file (.loom/*.json) is invalid',
  locked: 'another Loom process holds the lock',
  configInvalid: '.loom/config.json is invalid',
  github: 'GitHub refused the request',
  conflict: 'conflicting claim or state (someone else got there first)',
  notInstalled: 'Loom is not installed here (run `loom init`)',
  git: 'a git command failed',
  hookFailed: 'the post-worktree hook failed',
  settingsInvalid: '.claude/settings.json is invalid',
  checksFailed: 'at least one check failed',
  timeout: 'time limit reached',
  stopShepherds: 'shepherds are told to stop',
  aborted: 'a human put loom:abort on the issue',
  blocked: 'the issue is loom:blocked',
  depsOpen: 'a dependency is still open',
  gateFailed: 'a merge-gate check failed',
  phantomLabels: 'a loom: label is used but not declared',
  testsFailed: 'the tests failed on the pull request head',
  noTestCommand: 'no test command configured (commands.test)',
};

export type ErrorCode =
  | 'USAGE'
  | 'GH_MISSING'
  | 'GH_NOT_AUTHENTICATED'
  | 'GH_RATE_LIMITED'
  | 'GH_NETWORK'
  | 'GH_NOT_FOUND'
  | 'GH_ERROR'
  | 'STATE_INVALID'
  | 'STATE_NEWER_VERSION'
  | 'STATE_WRITE_FAILED'
  | 'LOCKED'
  | 'DAEMON_OWNED'
  | 'CONFIG_INVALID'
  | 'SETTINGS_INVALID'
  | 'CLAIM_CONFLICT'
  | 'CLAIM_NOT_ADOPTED'
  | 'PHASE_NOT_FINISHED'
  | 'NOT_A_REPOSITORY'
  | 'NOT_INSTALLED'
  | 'GIT_FAILED'
  | 'WORKTREE_CONFLICT'
  | 'UNSAFE_PATH'
  | 'GH_MALFORMED';

const exitFor: Record<ErrorCode, ExitCodeValue> = {
  USAGE: ExitCode.usage,
  GH_MISSING: ExitCode.ghMissing,
  GH_NOT_AUTHENTICATED: ExitCode.ghAuth,
  GH_RATE_LIMITED: ExitCode.rateLimited,
  GH_NETWORK: ExitCode.network,
  GH_NOT_FOUND: ExitCode.notFound,
  GH_ERROR: ExitCode.github,
  STATE_INVALID: ExitCode.stateInvalid,
  STATE_NEWER_VERSION: ExitCode.stateInvalid,
  STATE_WRITE_FAILED: ExitCode.stateInvalid,
  LOCKED: ExitCode.locked,
  DAEMON_OWNED: ExitCode.locked,
  CONFIG_INVALID: ExitCode.configInvalid,
  SETTINGS_INVALID: ExitCode.settingsInvalid,
  CLAIM_CONFLICT: ExitCode.conflict,
  /** `loom adopt-claim`: the claim on GitHub does not carry the dispatched token (DESIGN.md §4.9). */
  CLAIM_NOT_ADOPTED: ExitCode.conflict,
  PHASE_NOT_FINISHED: ExitCode.conflict,
  NOT_A_REPOSITORY: ExitCode.usage,
  NOT_INSTALLED: ExitCode.notInstalled,
  GIT_FAILED: ExitCode.git,
  WORKTREE_CONFLICT: ExitCode.conflict,
  /** A Loom path is a symlink, leads out of the repository or is not a regular file (src/fs/safe-file.ts). */
  UNSAFE_PATH: ExitCode.stateInvalid,
  /** GitHub answered, but not with the shape asked for (empty or malformed data). */
  GH_MALFORMED: ExitCode.network,
};

export class LoomError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly exitCode: ExitCodeValue;
  /** Extra machine-readable facts (e.g. `resetAt` for rate limits). */
  readonly details: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'LoomError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = exitFor[code];
    this.details = options.details ?? {};
  }

  /** The shape used in every `--json` error envelope. */
  toJSON(): { code: ErrorCode; message: string; hint?: string; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(Object.keys(this.details).length ? { details: this.details } : {}),
    };
  }
}

export function isLoomError(error: unknown): error is LoomError {
  return error instanceof LoomError;
}

/**
 * Failures that pass on their own: GitHub unreachable or timing out, its rate limit, a refused request
 * (GitHub's 5xx and abuse answers arrive as GH_ERROR), and a lock another Loom process holds for a moment.
 * Long-running loops (`iterate --wait`, `loom run`, `loom await`) record these and retry at the next poll;
 * everything else ends them. The one place this is decided; loom.md retries exactly the exit codes that only
 * transient codes produce (5, 6, 11 — exit 9 is shared with DAEMON_OWNED, which is permanent).
 */
export const TRANSIENT_CODES: readonly ErrorCode[] = [
  'GH_NETWORK',
  'GH_MALFORMED',
  'GH_RATE_LIMITED',
  'GH_ERROR',
  'LOCKED',
];

/** True when `error` is a LoomError whose code is in TRANSIENT_CODES. */
export function isTransient(error: unknown): error is LoomError {
  return error instanceof LoomError && TRANSIENT_CODES.includes(error.code);
}
