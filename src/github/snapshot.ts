/**
 * The iteration snapshot (DESIGN.md §4.3 step 3): ONE GraphQL request whatever the
 * backlog size. Counts come from aliased `search { issueCount }` fields; lists
 * only where the iteration needs items (a few ready issues, the building
 * issues, open pull requests); issues and pull requests held by shepherd slots
 * are fetched by alias in the same document.
 */
import { revertibleLabels } from '../core/label-owners.js';
import { Label } from '../core/labels.js';
import {
  type ApprovedPull,
  type IssueSummary,
  type PullSummary,
  repairReason,
  type Snapshot,
  type TrackedIssue,
  type TrackedPull,
} from '../core/snapshot.js';
import type { GhClient } from './gh.js';
import type { Repo } from './repo.js';

export interface SnapshotRequest {
  repo: Repo;
  /** How many ready issues to list (claim candidates); keep small. */
  readyLimit: number;
  /** Issue and PR numbers whose state the iteration must know (held by slots). */
  trackIssues?: readonly number[];
  trackPulls?: readonly number[];
  /** Counts only (status): no lists beyond the short human-action ones. */
  countsOnly?: boolean;
}

const ISSUE_FIELDS = 'number title createdAt updatedAt labels(first: 20) { nodes { name } }';
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
    triage: `${base} is:issue label:${Label.triage} -label:${Label.curating}`,
    reviewRequested: `${base} is:pr label:${Label.reviewRequested}`,
    changesRequested: `${base} is:pr label:${Label.changesRequested}`,
    readyToMerge: `${base} is:pr label:${Label.pr} sort:created-asc`,
  };
}

/** One search alias per revertible worker label (loom:curating, loom:reviewing, loom:treating). */
function orphanAliases(repo: Repo) {
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
  const list = (alias: string, variable: string, first: number) =>
    `${alias}: search(type: ISSUE, query: $${variable}, first: ${first}) { issueCount nodes { ... on Issue { ${ISSUE_FIELDS} } } }`;
  const count = (alias: string, variable: string) =>
    `${alias}: search(type: ISSUE, query: $${variable}) { issueCount }`;
  const tracked = [
    ...(request.trackIssues ?? []).map(
      (n) => `i${n}: issue(number: ${n}) { number state labels(first: 20) { nodes { name } } }`,
    ),
    ...(request.trackPulls ?? []).map((n) => `p${n}: pullRequest(number: ${n}) { number state merged }`),
  ];
  const fields = [
    listed ? list('ready', 'qReady', request.readyLimit) : count('ready', 'qReady'),
    listed ? list('urgent', 'qUrgent', request.readyLimit) : '',
    listed ? list('building', 'qBuilding', 100) : count('building', 'qBuilding'),
    list('curated', 'qCurated', 5),
    list('architect', 'qArchitect', 5),
    list('hermit', 'qHermit', 5),
    list('blocked', 'qBlocked', 10),
    count('triage', 'qTriage'),
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

interface SearchAnswer {
  issueCount: number;
  nodes?: RawIssue[];
}
interface RawApproved {
  number: number;
  title: string;
  updatedAt: string;
  mergeable: string;
  additions: number;
  deletions: number;
  labels: { nodes: { name: string }[] };
  commits: { nodes: { commit: { statusCheckRollup: { state: string } | null } }[] };
}
interface RawIssue {
  number: number;
  title: string;
  createdAt: string;
  updatedAt: string;
  labels: { nodes: { name: string }[] };
}
interface RawPull {
  number: number;
  title: string;
  updatedAt: string;
  headRefName: string;
  mergeable: string;
  labels: { nodes: { name: string }[] };
  closingIssuesReferences: { nodes: { number: number }[] };
  commits: { nodes: { commit: { statusCheckRollup: { state: string } | null } }[] };
}
type SnapshotAnswer = Record<string, SearchAnswer | undefined> & {
  repository?: Record<string, unknown> & { pullRequests?: { totalCount: number; nodes: RawPull[] } };
  rateLimit?: { remaining: number; resetAt: string } | null;
};

const toIssue = (raw: RawIssue): IssueSummary => ({
  number: raw.number,
  title: raw.title,
  labels: raw.labels.nodes.map((l) => l.name),
  createdAt: raw.createdAt,
  updatedAt: raw.updatedAt,
});

const nodes = (answer: SearchAnswer | undefined): IssueSummary[] =>
  (answer?.nodes ?? []).filter((node) => node && typeof node.number === 'number').map(toIssue);

/** Parses the GraphQL answer into a Snapshot. */
export function parseSnapshot(data: SnapshotAnswer, request: SnapshotRequest, takenAt: Date): Snapshot {
  const countOf = (alias: string) => data[alias]?.issueCount ?? 0;
  const urgent = nodes(data.urgent);
  const ready = nodes(data.ready);
  const seen = new Set(urgent.map((i) => i.number));
  const repository = data.repository ?? {};
  const pulls: PullSummary[] = (repository.pullRequests?.nodes ?? []).map((raw) => ({
    number: raw.number,
    title: raw.title,
    labels: raw.labels.nodes.map((l) => l.name),
    headRefName: raw.headRefName,
    mergeable: raw.mergeable,
    updatedAt: raw.updatedAt,
    closingIssues: raw.closingIssuesReferences.nodes.map((n) => n.number),
    checks: raw.commits.nodes[0]?.commit.statusCheckRollup?.state ?? null,
  }));
  const approvedPulls: ApprovedPull[] = ((data.readyToMerge?.nodes ?? []) as unknown as RawApproved[])
    .filter((raw) => raw && typeof raw.number === 'number')
    .map((raw) => ({
      number: raw.number,
      title: raw.title,
      labels: raw.labels.nodes.map((l) => l.name),
      mergeable: raw.mergeable,
      checks: raw.commits.nodes[0]?.commit.statusCheckRollup?.state ?? null,
      additions: raw.additions,
      deletions: raw.deletions,
      updatedAt: raw.updatedAt,
    }));
  const trackedIssues: Record<number, TrackedIssue> = {};
  for (const n of request.trackIssues ?? []) {
    const raw = repository[`i${n}`] as
      | { state: 'OPEN' | 'CLOSED'; labels: { nodes: { name: string }[] } }
      | null
      | undefined;
    if (raw) trackedIssues[n] = { number: n, state: raw.state, labels: raw.labels.nodes.map((l) => l.name) };
  }
  const trackedPulls: Record<number, TrackedPull> = {};
  for (const n of request.trackPulls ?? []) {
    const raw = repository[`p${n}`] as { state: 'OPEN' | 'CLOSED' | 'MERGED'; merged: boolean } | null | undefined;
    if (raw) trackedPulls[n] = { number: n, state: raw.merged ? 'MERGED' : raw.state };
  }
  return {
    takenAt: takenAt.toISOString(),
    counts: {
      ready: countOf('ready'),
      building: countOf('building'),
      curated: countOf('curated'),
      architect_proposals: countOf('architect'),
      hermit_proposals: countOf('hermit'),
      review_requested: countOf('reviewRequested'),
      changes_requested: countOf('changesRequested'),
      ready_to_merge: countOf('readyToMerge'),
      blocked: countOf('blocked'),
      triage: countOf('triage'),
      pr_needs_fix: approvedPulls.filter((p) => repairReason(p)).length,
    },
    readyIssues: [...urgent, ...ready.filter((i) => !seen.has(i.number))],
    buildingIssues: nodes(data.building),
    workerLabels: request.countsOnly
      ? []
      : orphanAliases(request.repo).flatMap((o) =>
          nodes(data[o.alias]).map((item) => ({ ...item, label: o.label, to: o.to, isPull: o.on === 'pr' })),
        ),
    pullRequests: pulls,
    pullRequestsComplete: (repository.pullRequests?.totalCount ?? 0) <= pulls.length,
    blockedIssues: nodes(data.blocked),
    proposals: [...nodes(data.curated), ...nodes(data.architect), ...nodes(data.hermit)],
    approvedPulls,
    tracked: { issues: trackedIssues, pulls: trackedPulls },
    rateLimit: data.rateLimit ?? null,
  };
}

/** Takes the snapshot: exactly one `gh api graphql` call. */
export async function takeSnapshot(gh: GhClient, request: SnapshotRequest, now: () => Date): Promise<Snapshot> {
  const { query, variables } = buildSnapshotQuery(request);
  const data = await gh.graphql<SnapshotAnswer>(query, variables);
  return parseSnapshot(data, request, now());
}
