/**
 * Merge-gate facts and the merge itself (DESIGN.md §8.8). The gate reads the pull
 * request directly in one GraphQL request, never from a snapshot or cache
 * (DESIGN.md §10.1: arbitration reads are never cached); the merge is a squash with
 * the head commit pinned, then a re-read confirms it.
 */

import * as z from 'zod';
import type { GatePull } from '../core/merge-gate.js';
import { TEST_STATUS_CONTEXT } from '../core/test-run.js';
import type { GhClient } from './gh.js';
import { expectPullRequest } from './items.js';
import type { Repo } from './repo.js';

const GATE_READ = `query LoomMergeGate($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    defaultBranchRef { name }
    item: issueOrPullRequest(number: $number) {
      __typename
      ... on PullRequest {
        id number url state merged isDraft updatedAt mergeable additions deletions changedFiles headRefOid
        headRefName isCrossRepository
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
  headRefName: string;
  /** The head branch lives in a fork (Loom never deletes it). */
  isCrossRepository: boolean;
  /** The repository's default branch (never deleted), null when GitHub names none. */
  defaultBranch: string | null;
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
  headRefName: string;
  isCrossRepository: boolean;
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
  const data = await gh.graphql<{
    repository: {
      defaultBranchRef: { name: string } | null;
      item: RawGatePull | { __typename: 'Issue' } | null;
    } | null;
  }>(GATE_READ, { owner: repo.owner, name: repo.name, number });
  const item = expectPullRequest(data.repository?.item, repo, number);
  const files = item.files?.nodes.map((f) => f.path) ?? [];
  return {
    id: item.id,
    url: item.url,
    headRefOid: item.headRefOid,
    headRefName: item.headRefName,
    isCrossRepository: item.isCrossRepository,
    defaultBranch: data.repository?.defaultBranchRef?.name ?? null,
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

export const BranchCleanupSchema = z.object({
  name: z.string(),
  action: z.enum(['deleted', 'kept']),
  reason: z.string(),
});
export type BranchCleanup = z.infer<typeof BranchCleanupSchema>;

/**
 * After a merge, deletes the PR's head branch on GitHub (`DELETE /git/refs/heads/{branch}`, one request),
 * unless it is the default branch or a fork's; GitHub refuses a protected branch (422), which is reported
 * as kept. A branch already gone (GitHub's own auto-delete) counts as deleted.
 */
export async function deleteHeadBranch(gh: GhClient, repo: Repo, pull: GateRead): Promise<BranchCleanup> {
  const name = pull.headRefName;
  const kept = (reason: string): BranchCleanup => ({ name, action: 'kept', reason });
  if (pull.isCrossRepository) return kept('the head branch is in a fork');
  if (name === pull.defaultBranch || !pull.defaultBranch) return kept('it is the default branch (or none is known)');
  const segments = name.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return kept('not a plain branch name');
  const ref = segments.map(encodeURIComponent).join('/');
  const answer = await gh.restRaw(
    'DELETE',
    `repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}/git/refs/heads/${ref}`,
  );
  if (answer.status === 204) return { name, action: 'deleted', reason: 'merged' };
  if (answer.status === 404) return { name, action: 'deleted', reason: 'already gone' };
  const message = /"message"\s*:\s*"([^"]{0,200})"/.exec(answer.body)?.[1] ?? `HTTP ${answer.status}`;
  return kept(`GitHub refused (${message}; a protected branch stays)`);
}
