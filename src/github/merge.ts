/**
 * Merge-gate facts and the merge itself (DESIGN.md §8.8). The gate reads the pull
 * request directly in one GraphQL request, never from a snapshot or cache
 * (DESIGN.md §10.1: arbitration reads are never cached); the merge is a squash with
 * the head commit pinned, then a re-read confirms it.
 */

import type { GatePull } from '../core/merge-gate.js';
import { TEST_STATUS_CONTEXT } from '../core/test-run.js';
import { LoomError } from '../errors.js';
import type { GhClient } from './gh.js';
import type { Repo } from './repo.js';

const GATE_READ = `query LoomMergeGate($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    item: issueOrPullRequest(number: $number) {
      __typename
      ... on PullRequest {
        id number url state merged isDraft updatedAt mergeable additions deletions changedFiles headRefOid
        labels(first: 50) { nodes { name } }
        files(first: 100) { nodes { path } }
        statusCheckRollup { state contexts(first: 50) { nodes { __typename ... on StatusContext { context state } } } }
        comments(last: 50) { nodes { body viewerDidAuthor } }
      }
    }
  }
}`;

export interface GateRead extends GatePull {
  id: string;
  url: string;
  headRefOid: string;
  /** Bodies of the last 50 comments this account wrote (to keep Loom's own notes idempotent). */
  ownComments: string[];
}

interface RawGatePull {
  __typename: 'PullRequest';
  id: string;
  number: number;
  url: string;
  state: 'OPEN' | 'CLOSED' | 'MERGED';
  merged: boolean;
  isDraft: boolean;
  updatedAt: string;
  mergeable: string;
  additions: number;
  deletions: number;
  changedFiles: number;
  headRefOid: string;
  labels: { nodes: { name: string }[] };
  files: { nodes: { path: string }[] } | null;
  statusCheckRollup: {
    state: string;
    contexts?: { nodes: ({ __typename: string; context?: string; state?: string } | null)[] } | null;
  } | null;
  comments: { nodes: ({ body: string; viewerDidAuthor: boolean } | null)[] } | null;
}

/** One direct read of the PR's gate facts. */
export async function readGatePull(gh: GhClient, repo: Repo, number: number): Promise<GateRead> {
  const data = await gh.graphql<{ repository: { item: RawGatePull | { __typename: 'Issue' } | null } | null }>(
    GATE_READ,
    { owner: repo.owner, name: repo.name, number },
  );
  const item = data.repository?.item;
  if (!item)
    throw new LoomError('GH_NOT_FOUND', `#${number} does not exist in ${repo.owner}/${repo.name}.`, {
      hint: 'Check the pull request number.',
    });
  if (item.__typename !== 'PullRequest')
    throw new LoomError('USAGE', `#${number} is an issue, not a pull request.`, {
      hint: 'Find its PR with `loom pr-for <issue>`.',
    });
  const files = item.files?.nodes.map((f) => f.path) ?? [];
  return {
    id: item.id,
    url: item.url,
    headRefOid: item.headRefOid,
    number: item.number,
    state: item.merged ? 'MERGED' : item.state,
    isDraft: item.isDraft,
    labels: item.labels.nodes.map((l) => l.name),
    additions: item.additions,
    deletions: item.deletions,
    files,
    changedFiles: Math.max(item.changedFiles, files.length),
    mergeable: item.mergeable,
    updatedAt: item.updatedAt,
    checks: item.statusCheckRollup?.state ?? null,
    ...localTests(item.statusCheckRollup),
    ownComments: (item.comments?.nodes ?? []).flatMap((c) => (c?.viewerDidAuthor ? [c.body] : [])),
  };
}

/** The `loom/tests` status (the Judge's local run, `loom pr-test`) among the head's checks, and how many others. */
function localTests(rollup: RawGatePull['statusCheckRollup']): Pick<GatePull, 'localTests' | 'otherChecks'> {
  const nodes = (rollup?.contexts?.nodes ?? []).filter((n) => n !== null);
  const local = nodes.find((n) => n.__typename === 'StatusContext' && n.context === TEST_STATUS_CONTEXT);
  return { localTests: local?.state ?? null, otherChecks: nodes.length - (local ? 1 : 0) };
}

/** Squash-merges the PR if its head is still `headOid` (one request). */
export async function squashMerge(gh: GhClient, pullId: string, headOid: string): Promise<void> {
  await gh.graphql(
    'mutation LoomMerge($id: ID!, $oid: GitObjectID!) { mergePullRequest(input: { pullRequestId: $id, mergeMethod: SQUASH, expectedHeadOid: $oid }) { clientMutationId } }',
    { id: pullId, oid: headOid },
  );
}
