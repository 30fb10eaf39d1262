/**
 * Reads a role's queue for `loom next`: one GraphQL search request (the
 * builder's urgent issues in a second alias of the same request).
 */
import { Label } from '../core/labels.js';
import { type Candidate, type NextRole, queueQuery, repairQueueQuery } from '../core/next-item.js';
import type { GhClient } from './gh.js';
import type { Repo } from './repo.js';

const FIELDS = `number createdAt labels(first: 20) { nodes { name } }`;
// Issues carry the trust boundary's facts: author association and who added `loom:` labels (src/core/trust.ts).
const TRUST = `authorAssociation author { login } timelineItems(itemTypes: [LABELED_EVENT], last: 10) { nodes { ... on LabeledEvent { createdAt actor { login } label { name } } } }`;
const NODE = `... on Issue { ${FIELDS} ${TRUST} } ... on PullRequest { ${FIELDS} mergeable commits(last: 1) { nodes { commit { statusCheckRollup { state } } } } closingIssuesReferences(first: 5) { nodes { number labels(first: 20) { nodes { name } } } } }`;

interface RawNode {
  number?: number;
  createdAt: string;
  labels: { nodes: { name: string }[] };
  closingIssuesReferences?: { nodes: { number: number; labels: { nodes: { name: string }[] } }[] };
  mergeable?: string;
  authorAssociation?: string | null;
  author?: { login: string } | null;
  timelineItems?: {
    nodes: ({ createdAt?: string; actor?: { login: string } | null; label?: { name: string } | null } | null)[];
  };
  commits?: { nodes: { commit: { statusCheckRollup: { state: string } | null } }[] };
}

export async function readQueue(gh: GhClient, repo: Repo, role: NextRole): Promise<Candidate[]> {
  const base = `repo:${repo.owner}/${repo.name} is:open ${queueQuery(role)}`;
  // A second alias in the same request: the builder's urgent issues, the doctor's approved PRs to repair.
  const second =
    role === 'builder'
      ? `${base} label:${Label.urgent}`
      : role === 'doctor'
        ? `repo:${repo.owner}/${repo.name} is:open ${repairQueueQuery()}`
        : null;
  const data = await gh.graphql<Record<'queue' | 'urgent', { nodes: RawNode[] } | undefined>>(
    `query LoomNext($q: String!${second ? ', $urgent: String!' : ''}) {
  queue: search(type: ISSUE, query: $q, first: 10) { nodes { ${NODE} } }
  ${second ? `urgent: search(type: ISSUE, query: $urgent, first: 10) { nodes { ${NODE} } }` : ''}
}`,
    second ? { q: base, urgent: second } : { q: base },
  );
  const seen = new Set<number>();
  return [...(data.urgent?.nodes ?? []), ...(data.queue?.nodes ?? [])]
    .filter(
      (node): node is RawNode & { number: number } =>
        typeof node?.number === 'number' && !seen.has(node.number) && !!seen.add(node.number),
    )
    .map((node) => ({
      number: node.number,
      createdAt: node.createdAt,
      labels: node.labels.nodes.map((l) => l.name),
      mergeable: node.mergeable,
      checks: node.commits?.nodes[0]?.commit.statusCheckRollup?.state ?? null,
      ...(node.authorAssociation !== undefined
        ? {
            authorAssociation: node.authorAssociation,
            author: node.author?.login ?? null,
            labelEvents: (node.timelineItems?.nodes ?? []).flatMap((e) =>
              e?.label && e.createdAt
                ? [{ label: e.label.name, actor: e.actor?.login ?? null, createdAt: e.createdAt }]
                : [],
            ),
          }
        : {}),
      closes: node.closingIssuesReferences?.nodes.map((i) => ({
        number: i.number,
        labels: i.labels.nodes.map((l) => l.name),
      })),
    }));
}
