/**
 * What every command receives: the repository root and its Loom paths, the
 * GitHub client, the state store, the clock and the output streams. Tests
 * build one with their own `now`, `env` and captured output.
 */
import { existsSync } from 'node:fs';
import type { Config } from './core/config.js';
import { readEnv } from './env.js';
import { LoomError } from './errors.js';
import { repositoryRoot } from './git/git.js';
import { locateCheckout } from './git/locate.js';
import { execGh, GhClient } from './github/gh.js';
import { type Repo, resolveRepo } from './github/repo.js';
import { type Output, processOutput } from './io.js';
import { loadConfig } from './state/config-file.js';
import { type LoomPaths, loomPaths } from './state/paths.js';
import { StateStore } from './state/store.js';

export { type Output, processOutput } from './io.js';

export interface LoomContext {
  root: string;
  paths: LoomPaths;
  env: NodeJS.ProcessEnv;
  gh: GhClient;
  store: StateStore;
  now: () => Date;
  io: Output;
  repo(): Promise<Repo>;
  config(): Promise<Config>;
}

/** `LOOM_NOW` pins the clock (tests, demos); otherwise the real time. */
export function clockFrom(env: NodeJS.ProcessEnv): () => Date {
  const fixed = readEnv('LOOM_NOW', env);
  if (!fixed) return () => new Date();
  const time = Date.parse(fixed);
  if (Number.isNaN(time))
    throw new LoomError('USAGE', `LOOM_NOW="${fixed}" is not a date.`, {
      hint: 'Use an ISO date, e.g. 2026-01-01T00:00:00Z.',
    });
  return () => new Date(time);
}

export interface ContextOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  io?: Output;
  /** Require `.loom/` to exist (every command but `init`). */
  requireInstalled?: boolean;
}

export async function createContext(options: ContextOptions = {}): Promise<LoomContext> {
  const env = options.env ?? process.env;
  // Always the main checkout, even from inside a linked worktree (git's common dir): heartbeats, claims and
  // state written from `.loom/worktrees/issue-N` must reach the daemon's own `.loom/`.
  const top = await repositoryRoot(options.cwd ?? process.cwd());
  const checkout = locateCheckout(top);
  const root = checkout?.linked ? checkout.mainRoot : top;
  const paths = loomPaths(root);
  if (options.requireInstalled !== false && !existsSync(paths.loomDir)) {
    throw new LoomError('NOT_INSTALLED', `Loom is not installed in ${root} (no .loom/ folder).`, {
      hint: 'Install it with `node <path-to-loom>/.loom/scripts/loom init .`.',
    });
  }
  let repo: Promise<Repo> | undefined;
  let config: Promise<Config> | undefined;
  const resolve = () => (repo ??= resolveRepo(root, env));
  return {
    root,
    paths,
    env,
    gh: new GhClient(execGh({ env, cwd: root, host: () => resolve().then((r) => r.host) })),
    store: new StateStore(paths.state),
    now: clockFrom(env),
    io: options.io ?? processOutput,
    repo: resolve,
    config: () => (config ??= loadConfig(paths.config)),
  };
}
