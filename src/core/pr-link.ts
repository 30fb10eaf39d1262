/**
 * Which pull request belongs to an issue (DESIGN.md §8.7): one that closes it
 * (GitHub's closing references, or `Closes/Fixes/Resolves #N` in its body) or
 * whose head branch is `feature/issue-N`. Open beats merged; a closed,
 * unmerged PR never counts. Pure: the candidates come from one GraphQL read.
 */
import * as z from 'zod/mini';
import './zod-setup.js';

export const branchForIssue = (issue: number) => `feature/issue-${issue}`;

export interface PullCandidate {
  number: number;
  state: 'OPEN' | 'CLOSED' | 'MERGED';
  headRefName: string;
  body: string;
  url: string;
  updatedAt: string;
  labels: string[];
  mergeable: string;
  isDraft: boolean;
  /** Issue numbers GitHub lists as closed by this PR. */
  closingIssues: number[];
}

export type LinkReason = 'closing-reference' | 'body' | 'branch';

/** Issue numbers a PR body closes with GitHub's keywords (`Closes #3`, `fixes: #4`, `Resolved #5`). */
export function closingRefsInBody(body: string): number[] {
  const out: number[] = [];
  for (const m of body.matchAll(/\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b\s*:?\s*#(\d+)\b/gi))
    out.push(Number(m[1]));
  return out;
}

/** How a PR is linked to an issue, or an empty list when it is not. */
export function linkReasons(pull: PullCandidate, issue: number): LinkReason[] {
  const reasons: LinkReason[] = [];
  if (pull.closingIssues.includes(issue)) reasons.push('closing-reference');
  if (closingRefsInBody(pull.body).includes(issue)) reasons.push('body');
  if (pull.headRefName === branchForIssue(issue)) reasons.push('branch');
  return reasons;
}

/** The PR for an issue: open ones first, then merged; most recently updated first. */
export function selectPullForIssue(
  issue: number,
  candidates: PullCandidate[],
): { pull: PullCandidate; via: LinkReason[] } | null {
  const seen = new Map<number, PullCandidate>();
  for (const c of candidates) if (!seen.has(c.number)) seen.set(c.number, c);
  const linked = [...seen.values()]
    .filter((p) => p.state !== 'CLOSED')
    .map((pull) => ({ pull, via: linkReasons(pull, issue) }))
    .filter((x) => x.via.length > 0);
  linked.sort((a, b) => {
    const rank = (p: PullCandidate) => (p.state === 'OPEN' ? 0 : 1);
    return (
      rank(a.pull) - rank(b.pull) ||
      Date.parse(b.pull.updatedAt) - Date.parse(a.pull.updatedAt) ||
      b.pull.number - a.pull.number
    );
  });
  return linked[0] ?? null;
}

/** `--json` shape of a PR in `pr-for` and `shepherd-phase`. */
export const PullRefSchema = z.object({
  number: z.int().check(z.positive()),
  state: z.enum(['OPEN', 'CLOSED', 'MERGED']),
  headRefName: z.string(),
  labels: z.array(z.string()),
  url: z.string(),
});
export type PullRef = z.infer<typeof PullRefSchema>;

export const toPullRef = (p: PullCandidate): PullRef => ({
  number: p.number,
  state: p.state,
  headRefName: p.headRefName,
  labels: p.labels,
  url: p.url,
});
