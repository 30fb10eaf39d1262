/**
 * Which GitHub repository Loom works on: `LOOM_REPO`, else `GH_REPO`, else the
 * `origin` remote of the repository (any host: `https://host/o/r(.git)`,
 * `git@host:o/r(.git)`, `ssh://git@host/o/r`). Resolved locally, without a
 * GitHub request.
 */

import { readEnv } from '../env.js';
import { LoomError } from '../errors.js';
import { remoteUrl } from '../git/git.js';

export interface Repo {
  owner: string;
  name: string;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

/** Parses `owner/name`; undefined when it is not one. */
export function parseRepoSlug(slug: string): Repo | undefined {
  const parts = slug.trim().split('/');
  if (parts.length === 3 && parts[0]?.includes('.')) parts.shift(); // host/owner/name (GH_REPO allows it)
  const [owner, name] = parts;
  if (parts.length !== 2 || !owner || !name || !NAME.test(owner) || !NAME.test(name)) return undefined;
  return { owner, name };
}

/** Extracts owner/name from a git remote URL. */
export function parseRemoteUrl(url: string): Repo | undefined {
  const match = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?[^/:]+[:/](?:\d+\/)?([^/]+)\/([^/]+?)(?:\.git)?\/?$/i.exec(url.trim());
  return match ? parseRepoSlug(`${match[1]}/${match[2]}`) : undefined;
}

export async function resolveRepo(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Repo> {
  const explicit = readEnv('LOOM_REPO', env) ?? (env.GH_REPO || undefined);
  if (explicit) {
    const repo = parseRepoSlug(explicit);
    if (!repo)
      throw new LoomError('USAGE', `"${explicit}" is not an owner/name repository.`, {
        hint: 'Set LOOM_REPO=owner/name.',
      });
    return repo;
  }
  const url = await remoteUrl(cwd);
  const repo = url ? parseRemoteUrl(url) : undefined;
  if (!repo) {
    throw new LoomError('NOT_A_REPOSITORY', 'Cannot tell which GitHub repository this is: no usable `origin` remote.', {
      hint: 'Add the remote (`git remote add origin https://github.com/OWNER/NAME.git`) or set LOOM_REPO=OWNER/NAME.',
    });
  }
  return repo;
}

export const repoSlug = (repo: Repo) => `${repo.owner}/${repo.name}`;
