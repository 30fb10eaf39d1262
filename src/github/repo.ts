/**
 * Which GitHub repository Loom works on: `LOOM_REPO`, else `GH_REPO`, else the
 * `origin` remote of the repository (any host: `https://host/o/r(.git)`,
 * `git@host:o/r(.git)`, `ssh://git@host/o/r`). Resolved locally, without a
 * GitHub request.
 *
 * The host is kept: a GitHub Enterprise remote `git.corp.example/acme/app` is
 * addressed on git.corp.example (gh gets it as GH_HOST), never on github.com
 * where a same-named repository may exist. Host order: the one in
 * LOOM_REPO/GH_REPO (`HOST/OWNER/NAME`), else the remote's, else `GH_HOST`,
 * else gh's default (github.com).
 */

import { ghRepoArg } from '../core/repo-arg.js';
import { readEnv } from '../env.js';
import { LoomError } from '../errors.js';
import { remoteUrl } from '../git/git.js';
import { originUrl } from '../git/read-config.js';

export interface Repo {
  owner: string;
  name: string;
  /** The GitHub host (github.com, or a GitHub Enterprise host); undefined: gh's default (GH_HOST or github.com). */
  host?: string;
}

/**
 * Owner and name as GitHub allows them: they end up in request paths and
 * search queries, so `.`, `..`, a leading `-` or anything longer than GitHub
 * accepts is refused here. Plain patterns, without zod: `loom status` parses a
 * remote before its schemas have loaded (status-prefetch.ts).
 */
const OWNER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const validName = (name: string) => NAME.test(name) && name !== '.' && name !== '..';

const HOST = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

/** Parses `owner/name` or `host/owner/name`; undefined when it is neither. */
export function parseRepoSlug(slug: string): Repo | undefined {
  const parts = slug.trim().split('/');
  let host: string | undefined;
  if (parts.length === 3 && HOST.test(parts[0] ?? '')) host = parts.shift()!.toLowerCase();
  const [owner, name] = parts;
  if (parts.length !== 2 || !owner || !name || !OWNER.test(owner) || !validName(name)) return undefined;
  return host ? { owner, name, host } : { owner, name };
}

/**
 * Extracts host, owner and name from a git remote URL. A host without a dot
 * (an ssh alias such as `github-work`) is not a GitHub host name: it is left
 * to gh's default.
 */
export function parseRemoteUrl(url: string): Repo | undefined {
  const match = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?([^/:]+)[:/](?:\d+\/)?([^/]+)\/([^/]+?)(?:\.git)?\/?$/i.exec(url.trim());
  if (!match) return undefined;
  const repo = parseRepoSlug(`${match[2]}/${match[3]}`);
  const host = match[1]!.toLowerCase();
  return repo && HOST.test(host) ? { ...repo, host } : repo;
}

/**
 * The repository from `LOOM_REPO`/`GH_REPO`, else the `origin` remote of the checkout at `cwd`: read from
 * git's config files when they are plain (src/git/read-config.ts), else from `git remote get-url origin`.
 */
export async function resolveRepo(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Repo> {
  return repoFromFiles(cwd, env) ?? repoFrom(env, await remoteUrl(cwd));
}

/** `resolveRepo` without starting git: null when only git can tell the origin's URL. Throws as `repoFrom`. */
export function repoFromFiles(cwd: string, env: NodeJS.ProcessEnv): Repo | null {
  if (explicitRepo(env)) return repoFrom(env, undefined);
  const origin = originUrl(cwd, env);
  return origin ? repoFrom(env, origin.url) : null;
}

const explicitRepo = (env: NodeJS.ProcessEnv) => readEnv('LOOM_REPO', env) ?? (env.GH_REPO || undefined);

/**
 * The repository from `LOOM_REPO`/`GH_REPO`, else from `originUrl` (the `origin` remote's URL, undefined when
 * there is none), with GH_HOST as the default host. Throws USAGE for a malformed variable and
 * NOT_A_REPOSITORY when neither names a repository.
 */
export function repoFrom(env: NodeJS.ProcessEnv, originUrl: string | undefined): Repo {
  const explicit = explicitRepo(env);
  if (explicit) {
    const repo = parseRepoSlug(explicit);
    if (!repo)
      throw new LoomError('USAGE', `${JSON.stringify(explicit.slice(0, 120))} is not an owner/name repository.`, {
        hint: 'Set LOOM_REPO=OWNER/NAME (or HOST/OWNER/NAME for GitHub Enterprise).',
      });
    return withDefaultHost(repo, env);
  }
  const repo = originUrl ? parseRemoteUrl(originUrl) : undefined;
  if (!repo) {
    throw new LoomError('NOT_A_REPOSITORY', 'Cannot tell which GitHub repository this is: no usable `origin` remote.', {
      hint: 'Add the remote (`git remote add origin https://github.com/OWNER/NAME.git`) or set LOOM_REPO=OWNER/NAME.',
    });
  }
  return withDefaultHost(repo, env);
}

function withDefaultHost(repo: Repo, env: NodeJS.ProcessEnv): Repo {
  if (repo.host || !env.GH_HOST) return repo;
  return { ...repo, host: env.GH_HOST.toLowerCase() };
}

export const repoSlug = (repo: Repo) => `${repo.owner}/${repo.name}`;

/** The repository as gh's `-R` takes it: `host/owner/name` off github.com (see ghRepoArg), else `owner/name`. */
export const repoArg = (repo: Repo) => ghRepoArg(repoSlug(repo), repo.host);
