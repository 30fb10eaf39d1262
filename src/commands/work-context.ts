/**
 * Context for the shepherd and worker commands. They may run from inside an
 * issue worktree (`.loom/worktrees/issue-N`), where `git rev-parse
 * --show-toplevel` names the worktree: state, claims, stop files and config
 * live in the main worktree, so the context is built there.
 */
import type { LoomContext } from '../context.js';
import { mainWorktreeRoot } from '../git/worktree.js';
import { type CommandEnv, context } from './shared.js';

export async function mainContext(env: CommandEnv): Promise<LoomContext> {
  return context({ ...env, cwd: await mainWorktreeRoot(env.cwd) }, { startedIn: env.cwd });
}

/** Splits `a,b` option values (repeatable options give arrays) into trimmed, non-empty names. */
export function splitList(value: unknown): string[] {
  const parts = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return parts
    .flatMap((p) => String(p).split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}
