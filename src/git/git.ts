/**
 * The one seam to `git`: small typed functions, argument arrays, a timeout on
 * every call. Errors from git become typed LoomErrors where the user can act.
 */
import { LoomError } from '../errors.js';
import { runProcess } from '../process/run.js';

const TIMEOUT_MS = 60_000;

/** Runs git in `cwd`; returns trimmed stdout; throws with git's message on failure. */
export async function git(
  cwd: string,
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  let result: Awaited<ReturnType<typeof runProcess>>;
  try {
    result = await runProcess('git', args, {
      cwd,
      timeoutMs: TIMEOUT_MS,
      input: options.input,
      env: options.env ? { ...process.env, ...options.env } : undefined,
    });
  } catch (error) {
    throw new GitError(args, (error as Error).message, 1);
  }
  if (result.exitCode !== 0 || result.timedOut) {
    const message = (result.stderr || (result.timedOut ? `timed out after ${TIMEOUT_MS / 1000} s` : 'failed'))
      .trim()
      .split('\n')
      .slice(-2)
      .join(' ');
    throw new GitError(args, message, result.exitCode);
  }
  return String(result.stdout).trim();
}

export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly gitMessage: string,
    readonly exitCode: number,
  ) {
    super(`git ${args[0] ?? ''} failed: ${gitMessage}`);
    this.name = 'GitError';
  }
}

/** The top-level directory of the repository containing `cwd`. */
export async function repositoryRoot(cwd: string): Promise<string> {
  try {
    return await git(cwd, ['rev-parse', '--show-toplevel']);
  } catch {
    throw new LoomError('NOT_A_REPOSITORY', `${cwd} is not inside a git repository.`, {
      hint: 'Run Loom from your repository (or `git init` first).',
    });
  }
}

/** URL of a remote, or undefined when it does not exist. */
export async function remoteUrl(cwd: string, remote = 'origin'): Promise<string | undefined> {
  try {
    return await git(cwd, ['remote', 'get-url', remote]);
  } catch {
    return undefined;
  }
}
