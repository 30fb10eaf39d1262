/**
 * The marks Loom leaves in issue comments for claims (DESIGN.md §7) and their
 * heartbeats, and what they mean. Pure: the claim protocol (src/claims) and
 * the snapshot parser (src/github/snapshot.ts) read comments through here, so
 * every clone decides from the same rules.
 *
 * A claim comment carries `<!-- loom:claim <token> <owner> -->`. Its shepherd
 * keeps it alive by editing the same comment in place (at most once per
 * `heartbeat_interval`) to carry `<!-- loom:heartbeat <ISO time> -->`, so any
 * clone sees the heartbeat in its one snapshot request. A release posts its one
 * explanation with `<!-- loom:release <token> -->`, so concurrent releases can
 * tell which of them came first.
 */

export const CLAIM_MARK = /<!-- loom:claim ([0-9a-f]{16}) ([A-Za-z0-9._:-]{1,100}) -->/;
const HEARTBEAT_MARK = /<!-- loom:heartbeat (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?Z) -->/;
const RELEASE_MARK = /<!-- loom:release ([0-9a-f]{16}) -->/;

/** Comment authors whose marks count: anyone else can comment on a public issue. */
const TRUSTED_ASSOCIATIONS = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

/** `trusted` when the reader already decided (src/github/items.ts), else from the author fields GitHub gives. */
export function trustedAuthor(comment: {
  trusted?: boolean;
  viewerDidAuthor?: boolean;
  authorAssociation?: string | null;
}): boolean {
  if (comment.trusted !== undefined) return comment.trusted;
  return !!comment.viewerDidAuthor || TRUSTED_ASSOCIATIONS.has(comment.authorAssociation ?? '');
}

const safeOwner = (owner: string) => owner.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 100) || 'loom';

/** The claim comment's body; with `heartbeatAt` it is the same comment as edited by a heartbeat. */
export function claimCommentBody(token: string, owner: string, heartbeatAt?: Date): string {
  const who = safeOwner(owner);
  const body = `<!-- loom:claim ${token} ${who} -->\nLoom: claimed by \`${who}\`; a shepherd is starting on this issue.`;
  if (!heartbeatAt) return body;
  const at = heartbeatAt.toISOString();
  return `${body}\n<!-- loom:heartbeat ${at} -->\n_Shepherd alive at ${at} (this comment is edited in place)._`;
}

/** The release explanation with its mark: the first release comment after a read wins, later ones are taken back. */
export function releaseCommentBody(token: string, text: string): string {
  return `${text}\n\n<!-- loom:release ${token} -->`;
}

export interface ClaimMark {
  token: string;
  owner: string;
  /** The comment's database id (ordering) and creation time (ISO). */
  databaseId: number;
  createdAt: string;
  /** The last heartbeat written into the comment (ISO), or null. */
  heartbeatAt: string | null;
}

export interface MarkedComment {
  databaseId: number;
  body: string;
  createdAt: string;
  trusted?: boolean;
  viewerDidAuthor?: boolean;
  authorAssociation?: string | null;
}

/**
 * Trusted claim marks among comments, oldest first. A heartbeat more than an
 * hour ahead of `now` is ignored (a clock far off, or a forgery): it could
 * otherwise keep a claim alive for ever.
 */
export function claimMarksOf(comments: readonly MarkedComment[], now?: Date): ClaimMark[] {
  const limit = now ? now.getTime() + 3600_000 : Number.POSITIVE_INFINITY;
  return comments
    .flatMap((c) => {
      const mark = trustedAuthor(c) ? CLAIM_MARK.exec(c.body) : null;
      if (!mark) return [];
      const beat = HEARTBEAT_MARK.exec(c.body)?.[1];
      const heartbeatAt = beat && Date.parse(beat) <= limit ? new Date(beat).toISOString() : null;
      return [{ token: mark[1]!, owner: mark[2]!, databaseId: c.databaseId, createdAt: c.createdAt, heartbeatAt }];
    })
    .sort((a, b) => a.databaseId - b.databaseId);
}

/** The release token of a trusted release comment, or undefined. */
export function releaseTokenOf(comment: MarkedComment): string | undefined {
  return trustedAuthor(comment) ? RELEASE_MARK.exec(comment.body)?.[1] : undefined;
}

/** The newest heartbeat among claim marks (ISO), or null. */
export function latestHeartbeat(marks: readonly ClaimMark[]): string | null {
  let best: string | null = null;
  for (const mark of marks)
    if (mark.heartbeatAt && (!best || Date.parse(mark.heartbeatAt) > Date.parse(best))) best = mark.heartbeatAt;
  return best;
}

/**
 * Whether the claim recorded by this clone (`token`) still stands on GitHub,
 * from the labels and its latest comments:
 * - `gone`: the issue is no longer `loom:building` (released by hand, by
 *   another clone, or blocked);
 * - `elsewhere`: our claim comment is gone and another trusted claim is there
 *   (another clone claimed it after a release we did not see);
 * - `ours`: otherwise (our comment is there, or too old to be among the
 *   comments read and no other claim shows: kept, never guessed away).
 */
export function claimStanding(
  labels: readonly string[],
  marks: readonly ClaimMark[],
  token: string | undefined,
  buildingLabel: string,
): 'ours' | 'gone' | 'elsewhere' {
  if (!labels.includes(buildingLabel)) return 'gone';
  if (!token || marks.some((m) => m.token === token)) return 'ours';
  return marks.length ? 'elsewhere' : 'ours';
}
