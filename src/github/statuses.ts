/**
 * The pull-request head `loom pr-test` checks out, and the commit status it records for that commit
 * (DESIGN.md §8.8). One GraphQL read before the run, one REST write after it.
 */
import { LoomError } from '../errors.js';
import type { GhClient } from './gh.js';
import { expectPullRequest } from './items.js';
import type { Repo } from './repo.js';

export interface PrHead {
  number: number;
  state: 'OPEN' | 'CLOSED' | 'MERGED';
  headRefOid: string;
  headRefName: string;
  /** The head lives in a fork: Loom does not run a stranger's code on this machine. */
  isCrossRepository: boolean;
}

const HEAD_READ = `query LoomPrHead($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    item: issueOrPullRequest(number: $number) {
      __typename
      ... on PullRequest { number state merged headRefOid headRefName isCrossRepository }
    }
  }
}`;

/** One direct read of a pull request's head commit. */
export async function readPrHead(gh: GhClient, repo: Repo, number: number): Promise<PrHead> {
  type Raw = { __typename: 'PullRequest'; merged: boolean } & PrHead;
  const data = await gh.graphql<{ repository: { item: Raw | { __typename: 'Issue' } | null } | null }>(HEAD_READ, {
    owner: repo.owner,
    name: repo.name,
    number,
  });
  const item = expectPullRequest(data.repository?.item, repo, number);
  return {
    number: item.number,
    state: item.merged ? 'MERGED' : item.state,
    headRefOid: item.headRefOid,
    headRefName: item.headRefName,
    isCrossRepository: item.isCrossRepository,
  };
}

/** Records a commit status on `sha` (`POST /repos/{owner}/{repo}/statuses/{sha}`, one request). */
export async function recordCommitStatus(
  gh: GhClient,
  repo: Repo,
  sha: string,
  status: { state: 'success' | 'failure' | 'error' | 'pending'; context: string; description: string },
): Promise<void> {
  if (!/^[0-9a-f]{40}$/.test(sha))
    throw new LoomError('GH_MALFORMED', `"${sha.slice(0, 60)}" is not a commit id.`, {
      hint: 'This is a Loom bug if it repeats; please report it.',
    });
  await gh.rest(
    'POST',
    `repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}/statuses/${sha}`,
    status,
  );
}
