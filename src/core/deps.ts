/**
 * Dependencies written in an issue body (DESIGN.md §8.6): `Blocked by #N`,
 * `Depends on #N`, `Requires #N` (any case, optional colon, lists such as
 * `Depends on #1, #2 and #3`) and task-list references (`- [ ] #N`). Code
 * blocks, inline code and HTML comments are ignored. Pure.
 *
 * A reference to another repository (`owner/name#N` or a GitHub URL) cannot be
 * resolved here; it is kept as `external` and counts as open (fail closed).
 */
import * as z from 'zod';

export type DepSource = 'native' | 'blocked-by' | 'depends-on' | 'requires' | 'task-list';

export interface BodyReference {
  number: number;
  /** `owner/name` when the reference names another repository. */
  repo: string | null;
  source: DepSource;
  line: number;
}

/** `#12`, `owner/name#12`, or a GitHub issue/pull URL. */
const REF = String.raw`(?:([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)?#(\d+)|https?:\/\/[^\s/]+\/([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)\/(?:issues|pull)\/(\d+))`;
const KEYWORD = new RegExp(
  String.raw`\b(blocked\s+by|depends\s+on|requires)\b\s*:?\s*(${REF}(?:\s*(?:,|\band\b|&)?\s*${REF})*)`,
  'gi',
);
const REF_GLOBAL = new RegExp(REF, 'g');
const TASK = new RegExp(String.raw`^\s*(?:[-*+]|\d+[.)])\s+\[[ xX]\]\s+${REF}`);

/** Removes fenced code blocks, inline code and HTML comments, keeping line numbers. */
export function stripNonProse(body: string): string {
  const withoutComments = body.replace(/<!--[\s\S]*?-->/g, (s) => s.replace(/[^\n]/g, ' '));
  let fence: string | null = null;
  return withoutComments
    .split('\n')
    .map((line) => {
      const opener = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence) {
        if (opener && opener[0] === fence[0] && opener.length >= fence.length) fence = null;
        return '';
      }
      if (opener) {
        fence = opener;
        return '';
      }
      return line.replace(/`[^`]*`/g, (s) => ' '.repeat(s.length));
    })
    .join('\n');
}

const sourceOf = (keyword: string): DepSource => {
  const k = keyword.toLowerCase().replace(/\s+/g, ' ');
  return k === 'blocked by' ? 'blocked-by' : k === 'depends on' ? 'depends-on' : 'requires';
};

function refFrom(m: RegExpMatchArray, offset: number): { number: number; repo: string | null } {
  const repo = m[offset] ?? m[offset + 2] ?? null;
  return { number: Number(m[offset + 1] ?? m[offset + 3]), repo };
}

/**
 * Every dependency reference in a body, in order. `self` (the issue itself)
 * and references to `thisRepo` written out in full are normalised to plain
 * numbers (repo null).
 */
export function parseDependencies(body: string, self?: number, thisRepo?: string): BodyReference[] {
  const text = stripNonProse(body);
  const out: BodyReference[] = [];
  const same = (repo: string | null) =>
    repo && thisRepo && repo.toLowerCase() === thisRepo.toLowerCase() ? null : repo;
  text.split('\n').forEach((lineText, index) => {
    const line = index + 1;
    for (const m of lineText.matchAll(KEYWORD)) {
      const source = sourceOf(m[1]!);
      for (const r of m[2]!.matchAll(REF_GLOBAL)) {
        const ref = refFrom(r, 1);
        out.push({ number: ref.number, repo: same(ref.repo), source, line });
      }
    }
    const task = TASK.exec(lineText);
    if (task) {
      const ref = refFrom(task, 1);
      out.push({ number: ref.number, repo: same(ref.repo), source: 'task-list', line });
    }
  });
  return out.filter((r) => !(r.repo === null && r.number === self) && r.number > 0 && r.number <= 2_147_483_647);
}

export const DependencySchema = z.object({
  number: z.number().int().positive(),
  repo: z.string().nullable(),
  state: z.enum(['open', 'closed']),
  /** False when the dependency could not be read (counted as open). */
  resolved: z.boolean(),
  title: z.string().nullable(),
  sources: z.array(z.enum(['native', 'blocked-by', 'depends-on', 'requires', 'task-list'])),
});
export type Dependency = z.infer<typeof DependencySchema>;

export interface ResolvedState {
  state: 'open' | 'closed';
  title: string | null;
}

/**
 * Merges native and body references into one list (deduplicated by repo and
 * number) with their state. Anything `resolve` cannot answer counts as open.
 */
export function combineDependencies(
  native: { number: number; state: 'open' | 'closed'; title: string | null }[],
  body: BodyReference[],
  resolve: (number: number) => ResolvedState | undefined,
): Dependency[] {
  const byKey = new Map<string, Dependency>();
  const add = (number: number, repo: string | null, source: DepSource, known?: ResolvedState) => {
    const key = `${repo ?? ''}#${number}`;
    let dep = byKey.get(key);
    if (!dep) {
      const state = known ?? (repo === null ? resolve(number) : undefined);
      dep = {
        number,
        repo,
        state: state?.state ?? 'open',
        resolved: state !== undefined,
        title: state?.title ?? null,
        sources: [],
      };
      byKey.set(key, dep);
    }
    if (!dep.sources.includes(source)) dep.sources.push(source);
  };
  for (const n of native) add(n.number, null, 'native', { state: n.state, title: n.title });
  for (const r of body) add(r.number, r.repo, r.source);
  return [...byKey.values()];
}
