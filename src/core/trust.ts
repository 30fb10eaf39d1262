/**
 * The trust boundary (issue 11; DESIGN.md §7.6): which issues may enter Loom's
 * queues (triage, curate, build, promote) on their own.
 *
 * Inside issues (GitHub's `authorAssociation` OWNER, MEMBER or COLLABORATOR)
 * always may. An outside issue (anyone else, e.g. a stranger on a public
 * repository) waits until a maintainer admits it by adding a `loom:` label by
 * hand. "By a maintainer" is read from the issue's label events, which the
 * snapshot fetches in its one request: a `loom:` label added by anyone other
 * than the issue's author. That is sound because GitHub lets only people with
 * triage access label someone else's issue (an author can label only their own,
 * through an issue template), and because Loom never admits one itself: its
 * queues skip outside issues and `loom transition` refuses to add a queue label
 * to one that no maintainer admitted. In `triage-only` mode the Guide may add
 * `loom:triage` to outside issues, so that label does not admit them.
 * Pure: table-tested in test/trust.test.ts.
 */
import * as z from 'zod/mini';
import './zod-setup.js';
import { Label } from './labels.js';

export const OutsideIssuesSchema = z.enum(['ignore', 'triage-only']);
export type OutsideIssues = z.infer<typeof OutsideIssuesSchema>;

const INSIDE = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

export const LabelEventSchema = z.object({
  label: z.string(),
  /** Login of who added it; null for a deleted account. */
  actor: z.nullable(z.string()),
  createdAt: z.string(),
});
export type LabelEvent = z.infer<typeof LabelEventSchema>;

export interface TrustFacts {
  /** GitHub's authorAssociation of the issue; undefined when not read (then the issue is not judged). */
  authorAssociation?: string | null;
  /** The author's login (null: deleted account). */
  author?: string | null;
  /** The latest `labeled` events of the issue, any order. */
  labelEvents?: readonly LabelEvent[];
}

/** The queues an issue can enter: triage (Guide), curate (Curator), build (claims), promote (Champion). */
export type Queue = 'triage' | 'curate' | 'build' | 'promote';

/** True for an issue whose author is not the repository's owner, a member or a collaborator. */
export function isOutside(facts: TrustFacts): boolean {
  return facts.authorAssociation !== undefined && !INSIDE.has(facts.authorAssociation ?? '');
}

/** The login of the maintainer whose `loom:` label admitted an outside issue, or null. */
export function admittedBy(facts: TrustFacts, mode: OutsideIssues): string | null {
  const events = [...(facts.labelEvents ?? [])].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  for (const event of events) {
    if (!event.label.startsWith('loom:') || !event.actor) continue;
    if (facts.author && event.actor === facts.author) continue; // an author's own label (an issue template)
    if (mode === 'triage-only' && event.label === Label.triage) continue; // the Guide may add it
    return event.actor;
  }
  return null;
}

/** Whether an issue may enter `queue` without a person: inside issues always, outside ones once admitted. */
export function mayEnter(facts: TrustFacts, queue: Queue, mode: OutsideIssues): boolean {
  if (!isOutside(facts)) return true;
  if (admittedBy(facts, mode)) return true;
  return queue === 'triage' && mode === 'triage-only';
}

/** Labels whose addition moves an issue into a queue (what `loom transition` refuses for an unadmitted outside issue). */
export const QUEUE_LABELS: Record<string, Queue> = {
  [Label.triage]: 'triage',
  [Label.curating]: 'curate',
  [Label.curated]: 'promote',
  [Label.issue]: 'build',
  [Label.urgent]: 'build',
};

/** The labels of `add` that would move an unadmitted outside issue into a queue (empty: allowed). */
export function refusedQueueLabels(facts: TrustFacts, add: readonly string[], mode: OutsideIssues): string[] {
  return add.filter((label) => {
    const queue = QUEUE_LABELS[label];
    return queue !== undefined && !mayEnter(facts, queue, mode);
  });
}
