/**
 * Direct reads and edits of one issue or pull request. Arbitration (claims,
 * merge gates) always reads through here, never through search, whose index
 * lags label changes by seconds (SPEC §4.3).
 */
import { LoomError } from '../errors.js';
import type { GhClient } from './gh.js';
import type { Repo } from './repo.js';

export interface Item {
  id: string;
  number: number;
  title: string;
  state: 'OPEN' | 'CLOSED' | 'MERGED';
  isPullRequest: boolean;
  labels: string[];
  updatedAt: string;
}

export interface ItemWithLabelIds extends Item {
  /** Node ids of the repository's `loom:` labels, by name (needed by the label mutations). */
  labelIds: Map<string, string>;
}

const READ_ITEM = `query LoomItem($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    labels(first: 100, query: "loom:") { nodes { id name } }
    issueOrPullRequest(number: $number) {
      __typename
      ... on Issue { id number title state updatedAt labels(first: 50) { nodes { name } } }
      ... on PullRequest { id number title state merged updatedAt labels(first: 50) { nodes { name } } }
    }
  }
}`;

interface RawItem {
  __typename: 'Issue' | 'PullRequest';
  id: string;
  number: number;
  title: string;
  state: 'OPEN' | 'CLOSED' | 'MERGED';
  merged?: boolean;
  updatedAt: string;
  labels: { nodes: { name: string }[] };
}

/** Reads one issue or pull request by number, with the `loom:` label ids. One request. */
export async function readItem(gh: GhClient, repo: Repo, number: number): Promise<ItemWithLabelIds> {
  const data = await gh.graphql<{
    repository: { labels: { nodes: { id: string; name: string }[] }; issueOrPullRequest: RawItem | null } | null;
  }>(READ_ITEM, { owner: repo.owner, name: repo.name, number });
  const raw = data.repository?.issueOrPullRequest;
  if (!raw) {
    throw new LoomError('GH_NOT_FOUND', `#${number} does not exist in ${repo.owner}/${repo.name}.`, {
      hint: 'Check the issue number.',
    });
  }
  return {
    id: raw.id,
    number: raw.number,
    title: raw.title,
    state: raw.merged ? 'MERGED' : raw.state,
    isPullRequest: raw.__typename === 'PullRequest',
    labels: raw.labels.nodes.map((l) => l.name),
    updatedAt: raw.updatedAt,
    labelIds: new Map(data.repository!.labels.nodes.map((l) => [l.name, l.id])),
  };
}

/**
 * One edit that removes and adds labels together: a single GraphQL document
 * with both mutations (GitHub applies them as two mutations, hence the re-read).
 */
export async function editLabels(gh: GhClient, itemId: string, addIds: string[], removeIds: string[]): Promise<void> {
  const parts: string[] = [];
  if (addIds.length) parts.push('add: addLabelsToLabelable(input: { labelableId: $id, labelIds: $add }) { clientMutationId }');
  if (removeIds.length) parts.push('remove: removeLabelsFromLabelable(input: { labelableId: $id, labelIds: $remove }) { clientMutationId }');
  if (!parts.length) return;
  const declared = ['$id: ID!', addIds.length ? '$add: [ID!]!' : '', removeIds.length ? '$remove: [ID!]!' : ''].filter(Boolean);
  await gh.graphql(`mutation LoomEditLabels(${declared.join(', ')}) {\n  ${parts.join('\n  ')}\n}`, {
    id: itemId,
    ...(addIds.length ? { add: addIds } : {}),
    ...(removeIds.length ? { remove: removeIds } : {}),
  });
}

export interface TransitionResult {
  ok: boolean;
  before: Item;
  after: Item;
  /** Why the transition was not applied or not verified. */
  reason?: string;
}

/**
 * SPEC §3 transition: read, check `precondition`, one edit, re-read, verify.
 * Three requests. Missing labels are reported, not created (run `loom labels sync`).
 */
export async function transitionLabels(
  gh: GhClient,
  repo: Repo,
  number: number,
  change: { add: string[]; remove: string[] },
  precondition?: (item: Item) => string | undefined,
): Promise<TransitionResult> {
  const before = await readItem(gh, repo, number);
  const refusal = precondition?.(before);
  if (refusal) return { ok: false, before, after: before, reason: refusal };
  const idsOf = (names: string[], mustExist: boolean) =>
    names.flatMap((name) => {
      const id = before.labelIds.get(name);
      if (!id && mustExist) {
        throw new LoomError('GH_NOT_FOUND', `The label ${name} does not exist in ${repo.owner}/${repo.name}.`, {
          hint: 'Run `.loom/scripts/loom labels sync` to create Loom\'s labels.',
        });
      }
      return id ? [id] : [];
    });
  const add = idsOf(change.add.filter((l) => !before.labels.includes(l)), true);
  const remove = idsOf(change.remove.filter((l) => before.labels.includes(l)), false);
  await editLabels(gh, before.id, add, remove);
  const after = await readItem(gh, repo, number);
  const missing = change.add.filter((l) => !after.labels.includes(l));
  const extra = change.remove.filter((l) => after.labels.includes(l));
  if (missing.length || extra.length) {
    return { ok: false, before, after, reason: `labels after the edit: missing ${missing.join(',') || '-'}, still present ${extra.join(',') || '-'}` };
  }
  return { ok: true, before, after };
}

/** Adds a comment to an issue or pull request (one request). */
export async function addComment(gh: GhClient, subjectId: string, body: string): Promise<void> {
  await gh.graphql('mutation LoomComment($id: ID!, $body: String!) { addComment(input: { subjectId: $id, body: $body }) { clientMutationId } }', {
    id: subjectId,
    body,
  });
}
