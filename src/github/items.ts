/**
 * Direct reads and edits of one issue or pull request. Arbitration (claims,
 * merge gates) always reads through here, never through search, whose index
 * lags label changes by seconds (DESIGN.md §4.3).
 */
import type { TrustFacts } from '../core/trust.js';
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
  /** Database id of the newest comment when read (0 when none): claims arbitrate on what came after. */
  lastCommentId: number;
  /** A pull request's head branch (undefined for an issue): a stranger's text, compared, never run. */
  headRefName?: string;
  /** A pull request's closing issue references (`Closes #N`), by number; undefined for an issue. */
  closingIssues?: number[];
  /** An issue's trust-boundary facts (src/core/trust.ts): author association, author, `loom:` label events. */
  trust?: TrustFacts;
}

export interface ItemWithLabelIds extends Item {
  /** Node ids of the repository's `loom:` labels, by name (needed by the label mutations). */
  labelIds: Map<string, string>;
}

/** Who wrote an issue and who added its labels: what `loom transition` checks before moving it into a queue. */
const TRUST_FIELDS =
  'authorAssociation author { login } timelineItems(itemTypes: [LABELED_EVENT], last: 10) { nodes { ... on LabeledEvent { createdAt actor { login } label { name } } } }';

const READ_ITEM = `query LoomItem($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    labels(first: 100, query: "loom:") { nodes { id name } }
    issueOrPullRequest(number: $number) {
      __typename
      ... on Issue { id number title state updatedAt labels(first: 50) { nodes { name } } comments(last: 1) { nodes { databaseId } } ${TRUST_FIELDS} }
      ... on PullRequest { id number title state merged headRefName closingIssuesReferences(first: 5) { nodes { number } } updatedAt labels(first: 50) { nodes { name } } comments(last: 1) { nodes { databaseId } } }
    }
  }
}`;

/** The same read plus the latest comments (claim arbitration, DESIGN.md §7.2); its own operation name so faults and counts can target it. */
const READ_ITEM_WITH_COMMENTS = (
  operation: string,
) => `query ${operation}($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    labels(first: 100, query: "loom:") { nodes { id name } }
    issueOrPullRequest(number: $number) {
      __typename
      ... on Issue { id number title state updatedAt labels(first: 50) { nodes { name } } ${COMMENTS} }
      ... on PullRequest { id number title state merged headRefName updatedAt labels(first: 50) { nodes { name } } ${COMMENTS} }
    }
  }
}`;
/** How many of the latest comments an arbitration read looks at. */
export const ARBITRATION_COMMENTS = 30;
const COMMENTS = `comments(last: ${ARBITRATION_COMMENTS}) { nodes { id databaseId body createdAt authorAssociation viewerDidAuthor } }`;

interface RawItem {
  __typename: 'Issue' | 'PullRequest';
  id: string;
  number: number;
  title: string;
  state: 'OPEN' | 'CLOSED' | 'MERGED';
  merged?: boolean;
  headRefName?: string;
  closingIssuesReferences?: { nodes: { number: number }[] };
  updatedAt: string;
  labels: { nodes: { name: string }[] };
  authorAssociation?: string | null;
  author?: { login: string } | null;
  timelineItems?: {
    nodes: ({ createdAt?: string; actor?: { login: string } | null; label?: { name: string } | null } | null)[];
  };
  comments?: {
    nodes: ({
      id?: string;
      databaseId: number;
      body?: string;
      createdAt?: string;
      authorAssociation?: string;
      viewerDidAuthor?: boolean;
    } | null)[];
  };
}

export interface ItemComment {
  id: string;
  databaseId: number;
  body: string;
  createdAt: string;
  /** Written by someone with write access (owner, member, collaborator) or by us: only such comments can hold a claim. */
  trusted: boolean;
  /** Written by the account gh is logged in as (ours to delete). */
  ownComment: boolean;
}

/**
 * The pull request a direct read by number found, or the error a person needs: GH_NOT_FOUND (exit 7) when the
 * number does not exist, USAGE (exit 2) when it is an issue.
 */
export function expectPullRequest<T extends { __typename: 'PullRequest' }>(
  item: T | { __typename: 'Issue' } | null | undefined,
  repo: Repo,
  number: number,
): T {
  if (!item)
    throw new LoomError('GH_NOT_FOUND', `#${number} does not exist in ${repo.owner}/${repo.name}.`, {
      hint: 'Check the pull request number.',
    });
  if (item.__typename !== 'PullRequest')
    throw new LoomError('USAGE', `#${number} is an issue, not a pull request.`, {
      hint: 'Find its PR with `loom pr-for <issue>`.',
    });
  return item as T;
}

export interface ItemWithComments extends ItemWithLabelIds {
  /** The latest comments, oldest first. */
  comments: ItemComment[];
}

type ItemAnswer = {
  repository: { labels: { nodes: { id: string; name: string }[] }; issueOrPullRequest: RawItem | null } | null;
};

/** Reads one issue or pull request by number, with the `loom:` label ids. One request. */
export async function readItem(gh: GhClient, repo: Repo, number: number): Promise<ItemWithLabelIds> {
  const data = await gh.graphql<ItemAnswer>(READ_ITEM, { owner: repo.owner, name: repo.name, number });
  return toItem(data, repo, number);
}

/** `readItem` plus the latest comments, never cached (arbitration, DESIGN.md §10.1). One request. */
export async function readItemWithComments(
  gh: GhClient,
  repo: Repo,
  number: number,
  operation = 'LoomItemComments',
): Promise<ItemWithComments> {
  const data = await gh.graphql<ItemAnswer>(READ_ITEM_WITH_COMMENTS(operation), {
    owner: repo.owner,
    name: repo.name,
    number,
  });
  const item = toItem(data, repo, number);
  const raw = data.repository!.issueOrPullRequest!;
  const comments = (raw.comments?.nodes ?? [])
    .filter((c): c is NonNullable<typeof c> => !!c && typeof c.databaseId === 'number')
    .map((c) => ({
      id: c.id ?? '',
      databaseId: c.databaseId,
      body: c.body ?? '',
      createdAt: c.createdAt ?? '',
      trusted: !!c.viewerDidAuthor || ['OWNER', 'MEMBER', 'COLLABORATOR'].includes(c.authorAssociation ?? ''),
      ownComment: !!c.viewerDidAuthor,
    }))
    .sort((a, b) => a.databaseId - b.databaseId);
  return { ...item, comments };
}

function toItem(data: ItemAnswer, repo: Repo, number: number): ItemWithLabelIds {
  const raw = data.repository?.issueOrPullRequest;
  if (!raw) {
    throw new LoomError('GH_NOT_FOUND', `#${number} does not exist in ${repo.owner}/${repo.name}.`, {
      hint: 'Check the issue number.',
    });
  }
  const lastComment = raw.comments?.nodes.at(-1);
  return {
    id: raw.id,
    number: raw.number,
    title: raw.title,
    state: raw.merged ? 'MERGED' : raw.state,
    isPullRequest: raw.__typename === 'PullRequest',
    labels: raw.labels.nodes.map((l) => l.name),
    updatedAt: raw.updatedAt,
    lastCommentId: lastComment?.databaseId ?? 0,
    ...(raw.headRefName !== undefined ? { headRefName: raw.headRefName } : {}),
    ...(raw.closingIssuesReferences ? { closingIssues: raw.closingIssuesReferences.nodes.map((n) => n.number) } : {}),
    labelIds: new Map(data.repository!.labels.nodes.map((l) => [l.name, l.id])),
    ...(raw.authorAssociation !== undefined
      ? {
          trust: {
            authorAssociation: raw.authorAssociation,
            author: raw.author?.login ?? null,
            labelEvents: (raw.timelineItems?.nodes ?? []).flatMap((e) =>
              e?.label && e.createdAt
                ? [{ label: e.label.name, actor: e.actor?.login ?? null, createdAt: e.createdAt }]
                : [],
            ),
          },
        }
      : {}),
  };
}

/**
 * One edit that removes and adds labels together: a single GraphQL document
 * with both mutations (GitHub applies them as two mutations, hence the re-read).
 */
export async function editLabels(gh: GhClient, itemId: string, addIds: string[], removeIds: string[]): Promise<void> {
  await mutateItem(gh, itemId, { addIds, removeIds }, 'LoomEditLabels');
}

export interface TransitionResult {
  ok: boolean;
  before: Item;
  after: Item;
  /** Why the transition was not applied or not verified. */
  reason?: string;
}

/**
 * DESIGN.md §3.4 transition: read, check `precondition`, one edit, re-read, verify.
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
          hint: "Run `.loom/scripts/loom labels sync` to create Loom's labels.",
        });
      }
      return id ? [id] : [];
    });
  const add = idsOf(
    change.add.filter((l) => !before.labels.includes(l)),
    true,
  );
  const remove = idsOf(
    change.remove.filter((l) => before.labels.includes(l)),
    false,
  );
  await editLabels(gh, before.id, add, remove);
  const after = await readItem(gh, repo, number);
  const missing = change.add.filter((l) => !after.labels.includes(l));
  const extra = change.remove.filter((l) => after.labels.includes(l));
  if (missing.length || extra.length) {
    return {
      ok: false,
      before,
      after,
      reason: `labels after the edit: missing ${missing.join(',') || '-'}, still present ${extra.join(',') || '-'}`,
    };
  }
  return { ok: true, before, after };
}

/** Adds a comment to an issue or pull request (one request). */
export async function addComment(gh: GhClient, subjectId: string, body: string): Promise<void> {
  await gh.graphql(
    'mutation LoomComment($id: ID!, $body: String!) { addComment(input: { subjectId: $id, body: $body }) { clientMutationId } }',
    {
      id: subjectId,
      body,
    },
  );
}

export interface ItemMutation {
  addIds?: string[];
  removeIds?: string[];
  /** Node ids of comments to delete (a settled claim's own comment). */
  deleteCommentIds?: string[];
  /** A comment to post after the label changes. */
  comment?: string;
}

/**
 * Label changes, comment deletions and one new comment as ONE GraphQL
 * document (one request; GitHub runs the mutations in order). Used where a
 * label change and its comment must not be separated by a crash: a claim and
 * its claim comment, a release and its explanation. Returns the new comment.
 */
export async function mutateItem(
  gh: GhClient,
  itemId: string,
  change: ItemMutation,
  operation: string,
): Promise<{ comment: { id: string; databaseId: number; createdAt: string } | null }> {
  const add = change.addIds ?? [];
  const remove = change.removeIds ?? [];
  const deletes = change.deleteCommentIds ?? [];
  const parts: string[] = [];
  const declared = ['$id: ID!'];
  const variables: Record<string, unknown> = { id: itemId };
  if (add.length) {
    parts.push('add: addLabelsToLabelable(input: { labelableId: $id, labelIds: $add }) { clientMutationId }');
    declared.push('$add: [ID!]!');
    variables.add = add;
  }
  if (remove.length) {
    parts.push(
      'remove: removeLabelsFromLabelable(input: { labelableId: $id, labelIds: $remove }) { clientMutationId }',
    );
    declared.push('$remove: [ID!]!');
    variables.remove = remove;
  }
  deletes.forEach((commentId, i) => {
    parts.push(`d${i}: deleteIssueComment(input: { id: $d${i} }) { clientMutationId }`);
    declared.push(`$d${i}: ID!`);
    variables[`d${i}`] = commentId;
  });
  if (change.comment !== undefined) {
    parts.push(
      'comment: addComment(input: { subjectId: $id, body: $body }) { commentEdge { node { id databaseId createdAt } } }',
    );
    declared.push('$body: String!');
    variables.body = change.comment;
  }
  if (!parts.length) return { comment: null };
  if (!add.length && !remove.length && change.comment === undefined) {
    // Deletions only: GraphQL rejects a declared variable that no field uses.
    declared.shift();
    delete variables.id;
  }
  type Answer = {
    comment?: { commentEdge?: { node?: { id: string; databaseId: number; createdAt: string } | null } | null } | null;
  };
  const document = `mutation ${operation}(${declared.join(', ')}) {\n  ${parts.join('\n  ')}\n}`;
  if (!deletes.length)
    return { comment: (await gh.graphql<Answer>(document, variables)).comment?.commentEdge?.node ?? null };
  // A comment to delete that is already gone (a racing release or retract deleted it first) is no failure:
  // the other mutations of the document still ran. Any other missing thing is.
  const { data, notFound } = await gh.graphqlPartial<Answer>(document, variables);
  const other = notFound.find((alias) => !/^d\d+$/.test(alias));
  if (other)
    throw new LoomError('GH_NOT_FOUND', `GitHub says not found: ${other} in ${operation}.`, {
      hint: 'The issue or label changed meanwhile; the next iteration reads it again.',
    });
  return { comment: data.comment?.commentEdge?.node ?? null };
}
