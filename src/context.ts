/**
 * What every command receives: the repository root and its Loom paths, the
 * GitHub client, the state store, the clock and the output streams. Tests
 * build one with their own `now`, `env` and captured output.
 */
import { existsSync } from 'node:fs';
import { type Clock, clockFrom } from './clock.js';
import type { Config } from './core/config.js';
import { LoomError } from './errors.js';
import { type Faults, faultsFrom } from './faults.js';
import { repositoryRoot } from './git/git.js';
import { mainRootFor } from './git/locate.js';
import { checkoutTop } from './git/read-config.js';
import { execGh, GhClient } from './github/gh.js';
import { type Repo, resolveRepo } from './github/repo.js';
import { type Output, processOutput } from './io.js';
import { loadConfig } from './state/config-file.js';
import { type LoomPaths, loomPaths } from './state/paths.js';
import { StateStore } from './state/store.js';

export { type Output, processOutput } from './io.js';

export interface LoomContext {
  /** The main checkout's root (also when the command runs inside a linked worktree). */
  root: string;
  /** The folder the command was started in (may be inside `.loom/worktrees/issue-N`): never removed from under it. */
  cwd: string;
  paths: LoomPaths;
  env: NodeJS.ProcessEnv;
  gh: GhClient;
  store: StateStore;
  /** Wall time, monotonic time and sleep (src/clock.ts); tests pass a fake one. */
  clock: Clock;
  /** Test-only injected faults (src/faults.ts); none in normal use. */
  faults: Faults;
  /** Shorthand for `clock.now`. */
  now: () => Date;
  io: Output;
  repo(): Promise<Repo>;
  config(): Promise<Config>;
}

export interface ContextOptions {
  cwd?: string;
  /** The folder the command was started in, when `cwd` was moved to the main checkout (default: `cwd`). */
  startedIn?: string;
  env?: NodeJS.ProcessEnv;
  io?: Output;
  /** Require `.loom/` to exist (every command but `init`). */
  requireInstalled?: boolean;
  /** The clock (default: the system clock, wall time pinned by `LOOM_NOW`). */
  clock?: Clock;
  /** The GitHub client (default: the `gh` binary in the repository root). */
  gh?: GhClient;
  /** Injected faults (default: from `LOOM_FAULT_KILL_AT`, which is unset in normal use). */
  faults?: Faults;
}

export async function createContext(options: ContextOptions = {}): Promise<LoomContext> {
  const env = options.env ?? process.env;
  // Always the main checkout, even from inside a linked worktree (git's common dir): heartbeats, claims and
  // state written from `.loom/worktrees/issue-N` must reach the daemon's own `.loom/`.
  // From git's own files when they are plain (src/git/read-config.ts), else from git.
  const start = options.cwd ?? process.cwd();
  const root = mainRootFor(checkoutTop(start, env) ?? (await repositoryRoot(start)));
  const paths = loomPaths(root);
  if (options.requireInstalled !== false && !existsSync(paths.loomDir)) {
    throw new LoomError('NOT_INSTALLED', `Loom is not installed in ${root} (no .loom/ folder).`, {
      hint: 'Install it with `node <path-to-loom>/.loom/scripts/loom init .`.',
    });
  }
  let repo: Promise<Repo> | undefined;
  let config: Promise<Config> | undefined;
  const resolve = () => (repo ??= resolveRepo(root, env));
  const clock = options.clock ?? clockFrom(env);
  const faults = options.faults ?? faultsFrom(env);
  return {
    root,
    cwd: options.startedIn ?? options.cwd ?? process.cwd(),
    paths,
    env,
    gh:
      options.gh ??
      new GhClient(execGh({ env, cwd: root, host: () => resolve().then((r) => r.host) }), () => clock.now()),
    store: new StateStore(paths.state, { faults }),
    clock,
    faults,
    now: () => clock.now(),
    io: options.io ?? processOutput,
    repo: resolve,
    config: () => (config ??= loadConfig(paths.config)),
  };
}
