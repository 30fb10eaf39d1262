/**
 * The text of the snapshot request (DESIGN.md §4.3 step 3): the GraphQL document and its variables, built from
 * the repository alone. Kept apart from the answer's parsing (snapshot.ts, zod) so `loom status` can start the
 * request before the rest of its code has loaded (status-prefetch.ts).
 */
import { revertibleLabels } from '../core/label-owners.js';
import { Label } from '../core/labels.js';
import type { Repo } from './repo.js';

export interface SnapshotRequest {
  repo: Repo;
  /** How many ready issues to list (claim candidates); keep small. */
  readyLimit: number;
  /** Issue and PR numbers whose state the iteration must know (held by slots). */
  trackIssues?: readonly number[];
  trackPulls?: readonly number[];
  /** Counts only (status): no lists beyond the short human-action ones and the building issues' titles. */
  countsOnly?: boolean;
}

const ISSUE_FIELDS =
  'number title createdAt updatedAt authorAssociation author { login } labels(first: 20) { nodes { name } }';
/** Label events read with queue issues: who added a `loom:` label (the trust boundary, src/core/trust.ts). */
export const SNAPSHOT_LABEL_EVENTS = 10;
const LABEL_EVENTS = `timelineItems(itemTypes: [LABELED_EVENT], last: ${SNAPSHOT_LABEL_EVENTS}) { nodes { ... on LabeledEvent { createdAt actor { login } label { name } } } }`;
/** Comments read with each building and tracked issue: where claim comments and their heartbeats are (DESIGN.md §7). */
export const SNAPSHOT_COMMENTS = { building: 10, tracked: 30, ready: 10 } as const;
const commentFields = (last: number) =>
  `comments(last: ${last}) { nodes { databaseId body createdAt authorAssociation viewerDidAuthor } }`;
const APPROVED_FIELDS =
  'number title updatedAt mergeable additions deletions labels(first: 20) { nodes { name } } commits(last: 1) { nodes { commit { statusCheckRollup { state } } } }';

/** Search query strings per count. `repo` is validated `owner/name`, so no quoting issues. */
export function searchQueries(repo: Repo) {
  const base = `repo:${repo.owner}/${repo.name} is:open`;
  return {
    ready: `${base} is:issue label:${Label.issue} -label:${Label.blocked} -label:${Label.abort} sort:created-asc`,
    urgent: `${base} is:issue label:${Label.issue} label:${Label.urgent} -label:${Label.blocked} -label:${Label.abort} sort:created-asc`,
    building: `${base} is:issue label:${Label.building} sort:updated-asc`,
    curated: `${base} is:issue label:${Label.curated} sort:created-asc`,
    architect: `${base} is:issue label:${Label.architect} sort:created-asc`,
    hermit: `${base} is:issue label:${Label.hermit} sort:created-asc`,
    blocked: `${base} is:issue label:${Label.blocked} sort:created-asc`,
    triage: `${base} is:issue label:${Label.triage} -label:${Label.curating} sort:created-asc`,
    reviewRequested: `${base} is:pr label:${Label.reviewRequested}`,
    changesRequested: `${base} is:pr label:${Label.changesRequested}`,
    readyToMerge: `${base} is:pr label:${Label.pr} sort:created-asc`,
  };
}

/** One search alias per revertible worker label (loom:curating, loom:reviewing, loom:treating). */
export function orphanAliases(repo: Repo) {
  return revertibleLabels().map((entry) => {
    const suffix = entry.label.replace(/^loom:/, '').replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    return {
      ...entry,
      alias: `orphan${suffix[0]!.toUpperCase()}${suffix.slice(1)}`,
      variable: `qOrphan${suffix[0]!.toUpperCase()}${suffix.slice(1)}`,
      query: `repo:${repo.owner}/${repo.name} is:open is:${entry.on === 'pr' ? 'pr' : 'issue'} label:${entry.label} sort:updated-asc`,
    };
  });
}

/** Builds the snapshot document and its variables. Exported so tests can validate it against GitHub's schema. */
export function buildSnapshotQuery(request: SnapshotRequest): { query: string; variables: Record<string, unknown> } {
  const q = searchQueries(request.repo);
  const listed = !request.countsOnly;
  const list = (alias: string, variable: string, first: number, extra = '') =>
    `${alias}: search(type: ISSUE, query: $${variable}, first: ${first}) { issueCount nodes { ... on Issue { ${ISSUE_FIELDS}${extra} } } }`;
  const count = (alias: string, variable: string) =>
    `${alias}: search(type: ISSUE, query: $${variable}) { issueCount }`;
  const tracked = [
    ...(request.trackIssues ?? []).map(
      (n) =>
        `i${n}: issue(number: ${n}) { number state labels(first: 20) { nodes { name } } ${commentFields(SNAPSHOT_COMMENTS.tracked)} }`,
    ),
    ...(request.trackPulls ?? []).map((n) => `p${n}: pullRequest(number: ${n}) { number state merged }`),
  ];
  // Ready and triage issues carry what the failure budget and the trust boundary judge them by.
  const queueExtra = ` ${commentFields(SNAPSHOT_COMMENTS.ready)} ${LABEL_EVENTS}`;
  const fields = [
    // Counts-only (status) still lists the oldest ready issues: the outside issues waiting are counted among them.
    list('ready', 'qReady', request.countsOnly ? Math.max(request.readyLimit, 10) : request.readyLimit, queueExtra),
    listed ? list('urgent', 'qUrgent', request.readyLimit, queueExtra) : '',
    // Status lists building issues too (titles beside their shepherds), without the claim comments.
    listed
      ? list('building', 'qBuilding', 100, ` ${commentFields(SNAPSHOT_COMMENTS.building)}`)
      : list('building', 'qBuilding', 20),
    list('curated', 'qCurated', 5),
    list('architect', 'qArchitect', 5),
    list('hermit', 'qHermit', 5),
    list('blocked', 'qBlocked', 10),
    list('triage', 'qTriage', 20, ` ${LABEL_EVENTS}`),
    count('reviewRequested', 'qReviewRequested'),
    count('changesRequested', 'qChangesRequested'),
    `readyToMerge: search(type: ISSUE, query: $qReadyToMerge, first: 20) { issueCount nodes { ... on PullRequest { ${APPROVED_FIELDS} } } }`,
    listed
      ? `repository(owner: $owner, name: $name) {
    pullRequests(states: OPEN, first: 50, orderBy: { field: UPDATED_AT, direction: DESC }) {
      totalCount
      nodes { number title updatedAt headRefName mergeable labels(first: 20) { nodes { name } }
        closingIssuesReferences(first: 10) { nodes { number } }
        commits(last: 1) { nodes { commit { statusCheckRollup { state } } } } }
    }
    ${tracked.join('\n    ')}
  }`
      : '',
    'rateLimit { remaining resetAt }',
  ].filter(Boolean);
  const variables: Record<string, unknown> = {
    qReady: q.ready,
    qCurated: q.curated,
    qArchitect: q.architect,
    qHermit: q.hermit,
    qBlocked: q.blocked,
    qBuilding: q.building,
    qTriage: q.triage,
    qReviewRequested: q.reviewRequested,
    qChangesRequested: q.changesRequested,
    qReadyToMerge: q.readyToMerge,
  };
  const declared = [
    '$qReady: String!',
    '$qCurated: String!',
    '$qArchitect: String!',
    '$qHermit: String!',
    '$qBlocked: String!',
    '$qBuilding: String!',
    '$qTriage: String!',
    '$qReviewRequested: String!',
    '$qChangesRequested: String!',
    '$qReadyToMerge: String!',
  ];
  if (listed) {
    // Worker labels a crashed agent may have left (from the label-ownership table), least recently updated first.
    for (const orphan of orphanAliases(request.repo)) {
      fields.splice(
        -1,
        0,
        `${orphan.alias}: search(type: ISSUE, query: $${orphan.variable}, first: 10) { issueCount nodes { ... on Issue { ${ISSUE_FIELDS} } ... on PullRequest { ${ISSUE_FIELDS} } } }`,
      );
      variables[orphan.variable] = orphan.query;
      declared.push(`$${orphan.variable}: String!`);
    }
    variables.qUrgent = q.urgent;
    variables.owner = request.repo.owner;
    variables.name = request.repo.name;
    declared.push('$qUrgent: String!', '$owner: String!', '$name: String!');
  }
  const query = `query LoomSnapshot(${declared.join(', ')}) {\n  ${fields.join('\n  ')}\n}`;
  return { query, variables };
}
