/**
 * One direct GraphQL read of everything a shepherd needs about an issue: its
 * state and labels, the pull requests that may belong to it (GitHub's closing
 * references, open PRs whose body names it, PRs on `feature/issue-N`), and
 * optionally its comments (for the checkpoint) and one PR by number. Direct
 * reads, not search: search lags label changes (DESIGN.md §4.3).
 */

import { branchForIssue, type LinkReason, type PullCandidate, selectPullForIssue } from '../core/pr-link.js';
import { LoomError } from '../errors.js';
import type { GhClient } from './gh.js';
import type { Repo } from './repo.js';

export const PULL_FIELDS = `fragment LoomPull on PullRequest {
  number state merged url headRefName body updatedAt mergeable isDraft
  labels(first: 50) { nodes { name } }
  closingIssuesReferences(first: 20) { nodes { number } }
}`;

export interface RawPull {
  number: number;
  state: 'OPEN' | 'CLOSED' | 'MERGED';
  merged: boolean;
  url: string;
  headRefName: string;
  body: string | null;
  updatedAt: string;
  mergeable: string;
  isDraft: boolean;
  labels: { nodes: { name: string }[] };
  closingIssuesReferences: { nodes: { number: number }[] } | null;
}

export const toCandidate = (p: RawPull): PullCandidate => ({
  number: p.number,
  state: p.merged ? 'MERGED' : p.state,
  headRefName: p.headRefName,
  body: p.body ?? '',
  url: p.url,
  updatedAt: p.updatedAt,
  labels: p.labels.nodes.map((l) => l.name),
  mergeable: p.mergeable,
  isDraft: p.isDraft,
  closingIssues: (p.closingIssuesReferences?.nodes ?? []).map((i) => i.number),
});

export interface IssueComment {
  id: string;
  databaseId: number | null;
  body: string;
  viewerDidAuthor: boolean;
  authorAssociation: string;
}

interface CommentPage {
  nodes: IssueComment[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const COMMENT_FIELDS =
  'nodes { id databaseId body viewerDidAuthor authorAssociation } pageInfo { hasNextPage endCursor }';

const ISSUE_WORK = `query LoomIssueWork($owner: String!, $name: String!, $number: Int!, $branch: String!, $withComments: Boolean!, $pr: Int!, $withPr: Boolean!) {
  repository(owner: $owner, name: $name) {
    item: issueOrPullRequest(number: $number) {
      __typename
      ... on Issue {
        id number title state body
        labels(first: 50) { nodes { name } }
        closedByPullRequestsReferences(first: 20, includeClosedPrs: true) { nodes { ...LoomPull } }
        comments(first: 100) @include(if: $withComments) { ${COMMENT_FIELDS} }
      }
      ... on PullRequest { number }
    }
    byBranch: pullRequests(headRefName: $branch, first: 20, states: [OPEN, MERGED]) { nodes { ...LoomPull } }
    openPulls: pullRequests(states: [OPEN], first: 50, orderBy: { field: UPDATED_AT, direction: DESC }) { nodes { ...LoomPull } }
    explicit: issueOrPullRequest(number: $pr) @include(if: $withPr) { __typename ... on PullRequest { ...LoomPull } }
  }
}
${PULL_FIELDS}`;

const MORE_COMMENTS = `query LoomMoreComments($id: ID!, $after: String) {
  node(id: $id) { ... on Issue { comments(first: 100, after: $after) { ${COMMENT_FIELDS} } } }
}`;

export interface IssueWork {
  issue: { id: string; number: number; title: string; state: 'OPEN' | 'CLOSED'; body: string; labels: string[] };
  /** Every PR the read found (linked or not); select with `pull`. */
  candidates: PullCandidate[];
  /** The PR that belongs to the issue (open first, then merged), or null. */
  pull: { pull: PullCandidate; via: LinkReason[] } | null;
  /** The PR asked for with `pr` (null when not asked). */
  explicit: PullCandidate | null;
  /** All comments when asked for (every page). */
  comments: IssueComment[] | null;
}

/** Reads an issue and its PRs in one request (plus one per further 100 comments, when comments are asked for). */
export async function readIssueWork(
  gh: GhClient,
  repo: Repo,
  number: number,
  options: { comments?: boolean; pr?: number } = {},
): Promise<IssueWork> {
  const data = await gh.graphql<{
    repository: {
      item:
        | (
            | {
                __typename: 'Issue';
                id: string;
                number: number;
                title: string;
                state: 'OPEN' | 'CLOSED';
                body: string;
                labels: { nodes: { name: string }[] };
                closedByPullRequestsReferences: { nodes: RawPull[] } | null;
                comments?: CommentPage;
              }
            | { __typename: 'PullRequest'; number: number }
          )
        | null;
      byBranch: { nodes: RawPull[] };
      openPulls: { nodes: RawPull[] };
      explicit?: ({ __typename: 'PullRequest' } & RawPull) | { __typename: 'Issue' } | null;
    } | null;
  }>(ISSUE_WORK, {
    owner: repo.owner,
    name: repo.name,
    number,
    branch: branchForIssue(number),
    withComments: Boolean(options.comments),
    pr: options.pr ?? 0,
    withPr: options.pr !== undefined,
  });
  const item = data.repository?.item;
  if (!item)
    throw new LoomError('GH_NOT_FOUND', `#${number} does not exist in ${repo.owner}/${repo.name}.`, {
      hint: 'Check the issue number.',
    });
  if (item.__typename !== 'Issue')
    throw new LoomError('USAGE', `#${number} is a pull request, not an issue.`, {
      hint: 'Give the number of the issue the pull request belongs to.',
    });
  let explicit: PullCandidate | null = null;
  if (options.pr !== undefined) {
    const raw = data.repository!.explicit;
    if (raw?.__typename !== 'PullRequest')
      throw new LoomError('GH_NOT_FOUND', `#${options.pr} is not a pull request in ${repo.owner}/${repo.name}.`, {
        hint: 'Check the --pr number.',
      });
    explicit = toCandidate(raw);
  }
  const candidates = [
    ...(item.closedByPullRequestsReferences?.nodes ?? []),
    ...data.repository!.byBranch.nodes,
    ...data.repository!.openPulls.nodes,
  ].map(toCandidate);
  let comments: IssueComment[] | null = null;
  if (options.comments && item.comments) {
    comments = [...item.comments.nodes];
    let page = item.comments.pageInfo;
    // Bounded: an issue with more than 2 000 comments is read only that far.
    for (let i = 0; page.hasNextPage && i < 20; i++) {
      const more = await gh.graphql<{ node: { comments: CommentPage } | null }>(MORE_COMMENTS, {
        id: item.id,
        after: page.endCursor,
      });
      if (!more.node) break;
      comments.push(...more.node.comments.nodes);
      page = more.node.comments.pageInfo;
    }
  }
  return {
    issue: {
      id: item.id,
      number: item.number,
      title: item.title,
      state: item.state,
      body: item.body,
      labels: item.labels.nodes.map((l) => l.name),
    },
    candidates,
    pull: selectPullForIssue(number, candidates),
    explicit,
    comments,
  };
}
