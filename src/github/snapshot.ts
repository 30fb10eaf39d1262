/**
 * The iteration snapshot (DESIGN.md §4.3 step 3): ONE GraphQL request whatever the
 * backlog size. Counts come from aliased `search { issueCount }` fields; lists
 * only where the iteration needs items (a few ready issues, the building
 * issues, open pull requests); issues and pull requests held by shepherd slots
 * are fetched by alias in the same document.
 */
import * as z from 'zod/mini';
import '../core/zod-setup.js';
import { claimMarksOf } from '../core/claim-marks.js';
import { failuresOf } from '../core/failure-budget.js';
import {
  type ApprovedPull,
  ApprovedPullSchema,
  type IssueSummary,
  IssueSummarySchema,
  PipelineCountsSchema,
  type PullSummary,
  PullSummarySchema,
  repairReason,
  type Snapshot,
  type TrackedIssue,
  type TrackedPull,
} from '../core/snapshot.js';
import { LoomError } from '../errors.js';
import type { GhClient } from './gh.js';
import { buildSnapshotQuery, orphanAliases, type SnapshotRequest, searchQueries } from './snapshot-query.js';

export {
  buildSnapshotQuery,
  SNAPSHOT_COMMENTS,
  SNAPSHOT_LABEL_EVENTS,
  type SnapshotRequest,
  searchQueries,
} from './snapshot-query.js';

// The answer is checked with zod at this edge: a missing alias, a wrong type or an empty `data` is a
// malformed answer (GH_MALFORMED, exit 6), never read as an empty repository.
const LabelsRaw = z.object({ nodes: z.array(z.nullable(z.object({ name: z.string() }))) });
const labelNames = (labels: z.infer<typeof LabelsRaw>) => labels.nodes.flatMap((l) => (l ? [l.name] : []));
const CommentRaw = z.nullable(
  z.object({
    databaseId: z.int(),
    body: z.string(),
    createdAt: z.string(),
    authorAssociation: z.optional(z.nullable(z.string())),
    viewerDidAuthor: z.optional(z.boolean()),
  }),
);
const CommentsRaw = z.object({ nodes: z.array(CommentRaw) });
const Login = z.optional(z.nullable(z.object({ login: z.string() })));
const LabelEventsRaw = z.object({
  nodes: z.array(
    z.nullable(
      z.object({
        createdAt: z.optional(z.string()),
        actor: Login,
        label: z.optional(z.nullable(z.object({ name: z.string() }))),
      }),
    ),
  ),
});
const IssueRaw = z.object({
  number: z.int().check(z.positive()),
  title: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  authorAssociation: z.optional(z.nullable(z.string())),
  author: Login,
  labels: LabelsRaw,
  comments: z.optional(CommentsRaw),
  timelineItems: z.optional(LabelEventsRaw),
});
// `... on Issue` leaves other node types as `{}`: those are skipped, a node with a number must be a whole issue.
const SearchRaw = z.object({ issueCount: z.int().check(z.nonnegative()), nodes: z.optional(z.array(z.unknown())) });
const CommitsRaw = z.object({
  nodes: z.array(z.object({ commit: z.object({ statusCheckRollup: z.nullable(z.object({ state: z.string() })) }) })),
});
const PullRaw = z.object({
  number: z.int().check(z.positive()),
  title: z.string(),
  updatedAt: z.string(),
  headRefName: z.string(),
  mergeable: z.string(),
  labels: LabelsRaw,
  closingIssuesReferences: z.object({ nodes: z.array(z.nullable(z.object({ number: z.int() }))) }),
  commits: CommitsRaw,
});
const ApprovedRaw = z.object({
  number: z.int().check(z.positive()),
  title: z.string(),
  updatedAt: z.string(),
  mergeable: z.string(),
  additions: z.int().check(z.nonnegative()),
  deletions: z.int().check(z.nonnegative()),
  labels: LabelsRaw,
  commits: CommitsRaw,
});
const TrackedIssueRaw = z.optional(
  z.nullable(
    z.object({ number: z.int(), state: z.enum(['OPEN', 'CLOSED']), labels: LabelsRaw, comments: CommentsRaw }),
  ),
);
const TrackedPullRaw = z.optional(
  z.nullable(z.object({ number: z.int(), state: z.enum(['OPEN', 'CLOSED', 'MERGED']), merged: z.boolean() })),
);
const RepositoryRaw = z.catchall(
  z.object({ pullRequests: z.object({ totalCount: z.int().check(z.nonnegative()), nodes: z.array(PullRaw) }) }),
  z.unknown(),
);
const RateLimitRaw = z.optional(z.nullable(z.object({ remaining: z.number(), resetAt: z.string() })));

function malformed(what: string): LoomError {
  return new LoomError('GH_MALFORMED', `GitHub answered the snapshot without the data asked for (${what}).`, {
    hint: 'Nothing was changed. This is usually temporary and Loom retries at the next poll; if it persists, check GH_HOST and `gh auth status`.',
  });
}

function check<T extends z.ZodMiniType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw malformed(`${what}${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'}`);
}

const commentsOf = (raw: z.infer<typeof CommentsRaw> | undefined) => (raw?.nodes ?? []).flatMap((c) => (c ? [c] : []));

const labelEventsOf = (raw: z.infer<typeof LabelEventsRaw>) =>
  raw.nodes.flatMap((e) =>
    e?.label && e.createdAt ? [{ label: e.label.name, actor: e.actor?.login ?? null, createdAt: e.createdAt }] : [],
  );

function issuesOf(answer: z.infer<typeof SearchRaw>, alias: string, now: Date): IssueSummary[] {
  return (answer.nodes ?? []).flatMap((node, i) => {
    if (!node || typeof node !== 'object' || !('number' in node)) return [];
    const raw = check(IssueRaw, node, `${alias}.nodes.${i}`);
    return [
      IssueSummarySchema.parse({
        number: raw.number,
        title: raw.title,
        labels: labelNames(raw.labels),
        createdAt: raw.createdAt,
        updatedAt: raw.updatedAt,
        ...(raw.comments ? { claims: claimMarksOf(commentsOf(raw.comments), now) } : {}),
        ...(raw.authorAssociation !== undefined
          ? { authorAssociation: raw.authorAssociation, author: raw.author?.login ?? null }
          : {}),
        ...(raw.timelineItems ? { labelEvents: labelEventsOf(raw.timelineItems) } : {}),
        ...(raw.comments && raw.timelineItems ? { failures: failuresOf(commentsOf(raw.comments)) } : {}),
      }),
    ];
  });
}

/** Parses (and validates) the GraphQL answer into a Snapshot; `vanished`: tracked issues GitHub no longer has. */
export function parseSnapshot(
  data: unknown,
  request: SnapshotRequest,
  takenAt: Date,
  vanished: readonly number[] = [],
): Snapshot {
  const answer = check(z.record(z.string(), z.unknown()), data, 'data');
  const listed = !request.countsOnly;
  const searches: Record<string, z.infer<typeof SearchRaw>> = {};
  for (const alias of Object.keys(searchQueries(request.repo))) {
    if (alias === 'urgent' && !listed) continue;
    searches[alias] = check(SearchRaw, answer[alias], alias);
  }
  const countOf = (alias: string) => searches[alias]?.issueCount ?? 0;
  const list = (alias: string) => (searches[alias] ? issuesOf(searches[alias], alias, takenAt) : []);
  const urgent = list('urgent');
  const ready = list('ready');
  const seen = new Set(urgent.map((i) => i.number));
  const repository = listed ? check(RepositoryRaw, answer.repository, 'repository') : undefined;
  const pulls: PullSummary[] = (repository?.pullRequests.nodes ?? []).map((raw) =>
    PullSummarySchema.parse({
      number: raw.number,
      title: raw.title,
      labels: labelNames(raw.labels),
      headRefName: raw.headRefName,
      mergeable: raw.mergeable,
      updatedAt: raw.updatedAt,
      closingIssues: raw.closingIssuesReferences.nodes.flatMap((n) => (n ? [n.number] : [])),
      checks: raw.commits.nodes[0]?.commit.statusCheckRollup?.state ?? null,
    }),
  );
  const approvedPulls: ApprovedPull[] = (searches.readyToMerge?.nodes ?? []).flatMap((node, i) => {
    if (!node || typeof node !== 'object' || !('number' in node)) return [];
    const raw = check(ApprovedRaw, node, `readyToMerge.nodes.${i}`);
    return [
      ApprovedPullSchema.parse({
        number: raw.number,
        title: raw.title,
        labels: labelNames(raw.labels),
        mergeable: raw.mergeable,
        checks: raw.commits.nodes[0]?.commit.statusCheckRollup?.state ?? null,
        additions: raw.additions,
        deletions: raw.deletions,
        updatedAt: raw.updatedAt,
      }),
    ];
  });
  const trackedIssues: Record<number, TrackedIssue> = {};
  for (const n of request.trackIssues ?? []) {
    if (vanished.includes(n)) continue;
    const raw = check(TrackedIssueRaw, repository?.[`i${n}`], `repository.i${n}`);
    if (raw)
      trackedIssues[n] = {
        number: n,
        state: raw.state,
        labels: labelNames(raw.labels),
        claims: claimMarksOf(commentsOf(raw.comments), takenAt),
      };
  }
  const trackedPulls: Record<number, TrackedPull> = {};
  for (const n of request.trackPulls ?? []) {
    const raw = check(TrackedPullRaw, repository?.[`p${n}`], `repository.p${n}`);
    if (raw) trackedPulls[n] = { number: n, state: raw.merged ? 'MERGED' : raw.state };
  }
  return {
    takenAt: takenAt.toISOString(),
    counts: PipelineCountsSchema.parse({
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
    }),
    readyIssues: [...urgent, ...ready.filter((i) => !seen.has(i.number))],
    triageIssues: list('triage'),
    buildingIssues: list('building'),
    workerLabels: request.countsOnly
      ? []
      : orphanAliases(request.repo).flatMap((o) =>
          issuesOf(check(SearchRaw, answer[o.alias], o.alias), o.alias, takenAt).map((item) => ({
            ...item,
            label: o.label,
            to: o.to,
            isPull: o.on === 'pr',
          })),
        ),
    pullRequests: pulls,
    pullRequestsComplete: (repository?.pullRequests.totalCount ?? 0) <= pulls.length,
    blockedIssues: list('blocked'),
    proposals: [...list('curated'), ...list('architect'), ...list('hermit')],
    approvedPulls,
    tracked: { issues: trackedIssues, pulls: trackedPulls, vanished: [...vanished] },
    rateLimit: check(RateLimitRaw, answer.rateLimit, 'rateLimit') ?? null,
  };
}

/** Takes the snapshot: exactly one `gh api graphql` call. */
export async function takeSnapshot(gh: GhClient, request: SnapshotRequest, now: () => Date): Promise<Snapshot> {
  const { query, variables } = buildSnapshotQuery(request);
  // A tracked issue that was deleted or transferred answers NOT_FOUND for its alias alone: reported, not fatal.
  const { data, notFound } = await gh.graphqlPartial<unknown>(query, variables);
  const vanished: number[] = [];
  for (const alias of notFound) {
    const tracked = /^([ip])(\d+)$/.exec(alias);
    if (!tracked)
      throw new LoomError(
        'GH_NOT_FOUND',
        `GitHub says not found: ${alias} of ${request.repo.owner}/${request.repo.name}.`,
        {
          hint: 'Check the repository (LOOM_REPO, GH_REPO or the origin remote).',
        },
      );
    if (tracked[1] === 'i') vanished.push(Number(tracked[2]));
  }
  return parseSnapshot(data, request, now(), vanished);
}
