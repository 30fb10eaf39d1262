/**
 * GitHub issue-search syntax: parses a query string into a filter and
 * applies it to the store's items. One linear scan per search; per-item
 * work is independent of the number of items.
 */
import type { Item, Store } from './store.js';

export type SortField = 'created' | 'updated' | 'comments';

export interface SearchFilter {
  repos: string[];
  type: 'issue' | 'pr' | null;
  state: 'open' | 'closed' | null;
  merged: boolean | null;
  draft: boolean | null;
  /** Each group must match (AND); inside a group any label matches (OR). Lower-cased. */
  labelGroups: string[][];
  excludeLabels: string[];
  noLabel: boolean;
  hasLabel: boolean;
  noAssignee: boolean;
  author: string | null;
  assignee: string | null;
  head: string | null;
  base: string | null;
  linked: 'pr' | 'issue' | null;
  notLinked: 'pr' | 'issue' | null;
  numbers: number[];
  inFields: Set<'title' | 'body' | 'comments'>;
  terms: string[];
  sort: { field: SortField; direction: 'asc' | 'desc' };
}

interface Token {
  negated: boolean;
  key: string | null;
  values: string[];
  raw: string;
}

/** Splits on whitespace outside double quotes. */
function tokenize(query: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let has = false;
  for (const ch of query) {
    if (ch === '"') {
      quoted = !quoted;
      cur += ch;
      has = true;
    } else if (!quoted && /\s/.test(ch)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

const unquote = (s: string) =>
  s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s.replace(/"/g, '');

/** Splits a qualifier value on commas outside quotes (`label:a,"b c"` -> [a, b c]). */
function splitValues(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
      continue;
    }
    if (ch !== '"') cur += ch;
  }
  out.push(cur);
  return out.map((v) => v.trim()).filter(Boolean);
}

function parseToken(raw: string): Token {
  let s = raw;
  let negated = false;
  if (s.startsWith('-') && s.length > 1) {
    negated = true;
    s = s.slice(1);
  }
  const m = /^([A-Za-z][A-Za-z_-]*):(.+)$/.exec(s);
  if (m) return { negated, key: m[1]!.toLowerCase(), values: splitValues(m[2]!), raw };
  return { negated: false, key: null, values: [unquote(raw)], raw };
}

export function parseSearchQuery(query: string): SearchFilter {
  const f: SearchFilter = {
    repos: [],
    type: null,
    state: null,
    merged: null,
    draft: null,
    labelGroups: [],
    excludeLabels: [],
    noLabel: false,
    hasLabel: false,
    noAssignee: false,
    author: null,
    assignee: null,
    head: null,
    base: null,
    linked: null,
    notLinked: null,
    numbers: [],
    inFields: new Set(),
    terms: [],
    sort: { field: 'created', direction: 'desc' },
  };
  for (const raw of tokenize(query)) {
    const t = parseToken(raw);
    const v = t.values[0]?.toLowerCase() ?? '';
    switch (t.key) {
      case null:
        if (/^#\d+$/.test(v)) f.numbers.push(Number(v.slice(1)));
        else if (v) f.terms.push(v);
        break;
      case 'repo':
        f.repos.push(...t.values.map((x) => x.toLowerCase()));
        break;
      case 'is':
      case 'type':
      case 'state':
        for (const val of t.values.map((x) => x.toLowerCase())) {
          if (val === 'issue') f.type = t.negated ? 'pr' : 'issue';
          else if (val === 'pr' || val === 'pull-request' || val === 'pullrequest') f.type = t.negated ? 'issue' : 'pr';
          else if (val === 'open') f.state = t.negated ? 'closed' : 'open';
          else if (val === 'closed') f.state = t.negated ? 'open' : 'closed';
          else if (val === 'merged') f.merged = !t.negated;
          else if (val === 'unmerged') f.merged = t.negated;
          else if (val === 'draft') f.draft = !t.negated;
        }
        break;
      case 'draft':
        f.draft = v === 'true';
        break;
      case 'label':
        if (t.negated) f.excludeLabels.push(...t.values.map((x) => x.toLowerCase()));
        else f.labelGroups.push(t.values.map((x) => x.toLowerCase()));
        break;
      case 'no':
        if (v === 'label') f.noLabel = true;
        if (v === 'assignee') f.noAssignee = true;
        break;
      case 'has':
        if (v === 'label') f.hasLabel = true;
        break;
      case 'author':
        f.author = v;
        break;
      case 'assignee':
        f.assignee = v;
        break;
      case 'head':
        f.head = t.values[0] ?? null;
        break;
      case 'base':
        f.base = t.values[0] ?? null;
        break;
      case 'linked':
        if (v === 'pr' || v === 'issue') {
          if (t.negated) f.notLinked = v;
          else f.linked = v;
        }
        break;
      case 'in':
        for (const val of t.values.map((x) => x.toLowerCase())) {
          if (val === 'title' || val === 'body' || val === 'comments') f.inFields.add(val);
        }
        break;
      case 'sort': {
        const m = /^(created|updated|comments)(?:-(asc|desc))?$/.exec(v);
        if (m) f.sort = { field: m[1] as SortField, direction: (m[2] as 'asc' | 'desc' | undefined) ?? 'desc' };
        break;
      }
      default:
        // Unknown qualifiers are ignored, as the brief allows.
        break;
    }
  }
  return f;
}

/** Runs a parsed search over the store: matching items, sorted. */
export function runSearch(store: Store, filter: SearchFilter): Item[] {
  if (filter.repos.length && !filter.repos.includes(store.repo.toLowerCase())) return [];
  // Precomputed once per search, never per item.
  let linkedIssues: Set<number> | null = null;
  if (filter.linked === 'pr' || filter.notLinked === 'pr') {
    linkedIssues = new Set();
    for (const item of store.itemsUnordered()) {
      if (item.kind === 'pr') for (const i of store.closingIssuesOf(item)) linkedIssues.add(i.number);
    }
  }
  const numbers = filter.numbers.length ? new Set(filter.numbers) : null;
  const fields = filter.inFields.size ? filter.inFields : new Set(['title', 'body']);
  const out: Item[] = [];
  for (const item of store.itemsUnordered()) {
    if (filter.type === 'issue' && item.kind !== 'issue') continue;
    if (filter.type === 'pr' && item.kind !== 'pr') continue;
    const open = item.state === 'OPEN';
    if (filter.state === 'open' && !open) continue;
    if (filter.state === 'closed' && open) continue;
    if (filter.merged !== null) {
      if (item.kind !== 'pr') continue;
      if ((item.state === 'MERGED') !== filter.merged) continue;
    }
    if (filter.draft !== null && (item.kind !== 'pr' || item.isDraft !== filter.draft)) continue;
    if (numbers && !numbers.has(item.number)) continue;
    if (filter.noLabel && item.labels.length) continue;
    if (filter.hasLabel && !item.labels.length) continue;
    if (filter.labelGroups.length || filter.excludeLabels.length) {
      const have = item.labels.map((l) => l.toLowerCase());
      if (!filter.labelGroups.every((g) => g.some((l) => have.includes(l)))) continue;
      if (filter.excludeLabels.some((l) => have.includes(l))) continue;
    }
    if (filter.noAssignee && item.assignees.length) continue;
    if (filter.assignee && !item.assignees.some((a) => a.toLowerCase() === filter.assignee)) continue;
    if (filter.author && item.author.toLowerCase() !== filter.author) continue;
    if (filter.head && (item.kind !== 'pr' || item.headRefName !== filter.head)) continue;
    if (filter.base && (item.kind !== 'pr' || item.baseRefName !== filter.base)) continue;
    if (filter.linked === 'pr' && (item.kind !== 'issue' || !linkedIssues!.has(item.number))) continue;
    if (filter.notLinked === 'pr' && (item.kind !== 'issue' || linkedIssues!.has(item.number))) continue;
    if (filter.linked === 'issue' && (item.kind !== 'pr' || store.closingIssuesOf(item).length === 0)) continue;
    if (filter.notLinked === 'issue' && (item.kind !== 'pr' || store.closingIssuesOf(item).length > 0)) continue;
    if (filter.terms.length) {
      const hay: string[] = [];
      if (fields.has('title')) hay.push(item.title.toLowerCase());
      if (fields.has('body')) hay.push(item.body.toLowerCase());
      if (fields.has('comments')) for (const c of item.comments) hay.push(c.body.toLowerCase());
      if (!filter.terms.every((term) => hay.some((h) => h.includes(term)))) continue;
    }
    out.push(item);
  }
  const dir = filter.sort.direction === 'asc' ? 1 : -1;
  const key: (i: Item) => number =
    filter.sort.field === 'comments'
      ? (i) => i.comments.length
      : filter.sort.field === 'updated'
        ? (i) => Date.parse(i.updatedAt)
        : (i) => Date.parse(i.createdAt);
  const keyed = out.map((item) => ({ item, k: key(item) }));
  keyed.sort((a, b) => (a.k - b.k || a.item.number - b.item.number) * dir);
  return keyed.map((x) => x.item);
}

export function search(store: Store, query: string): Item[] {
  return runSearch(store, parseSearchQuery(query));
}
