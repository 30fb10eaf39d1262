/**
 * Relay-style connections over arrays, with GitHub's pagination rules
 * (`first`/`last` required, at most 100) and opaque cursors.
 */
import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';
import { EmuGraphQLError } from './errors.js';

/**
 * The field being resolved, set by the emulator's field resolver around each
 * resolver call (execution is synchronous), so connections can see whether
 * `nodes`/`edges` were selected: GitHub only demands `first`/`last` then.
 */
let currentInfo: GraphQLResolveInfo | null = null;

export function withResolveInfo<T>(info: GraphQLResolveInfo, fn: () => T): T {
  const saved = currentInfo;
  currentInfo = info;
  try {
    return fn();
  } finally {
    currentInfo = saved;
  }
}

function selectsItems(info: GraphQLResolveInfo | null): boolean {
  if (!info) return true;
  const visit = (set: SelectionSetNode | undefined): boolean =>
    !!set &&
    set.selections.some((sel) => {
      if (sel.kind === Kind.FIELD) return sel.name.value === 'nodes' || sel.name.value === 'edges';
      if (sel.kind === Kind.INLINE_FRAGMENT) return visit(sel.selectionSet);
      return visit(info.fragments[sel.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((f) => visit(f.selectionSet));
}

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

export interface Connection<T> {
  totalCount: number;
  nodes: T[];
  edges: { node: T; cursor: string }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

export function encodeCursor(index: number): string {
  return Buffer.from(`cursor:v2:${index}`).toString('base64');
}

export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  const m = /^cursor:v2:(\d+)$/.exec(text);
  if (!m) throw new EmuGraphQLError('INVALID_CURSOR_ARGUMENTS', `\`${cursor}\` does not appear to be a valid cursor.`);
  return Number(m[1]);
}

export function emptyConnection(): Connection<never> {
  return {
    totalCount: 0,
    nodes: [],
    edges: [],
    pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
  };
}

export interface ConnectionOptions {
  /** Name used in GitHub-style error messages. */
  name: string;
  /** Search quirk: GitHub's search treats `last` without `before` like `first` (gh relies on it). */
  lastActsAsFirst?: boolean;
  /** Allow omitting both `first` and `last` (returns everything). */
  optionalBounds?: boolean;
}

export function connection<S, T>(all: S[], args: PageArgs, opts: ConnectionOptions, wrap: (s: S) => T): Connection<T> {
  let first = args.first ?? null;
  let last = args.last ?? null;
  if (opts.lastActsAsFirst && last !== null && first === null && !args.before) {
    first = last;
    last = null;
  }
  if (first === null && last === null && !opts.optionalBounds && selectsItems(currentInfo)) {
    throw new EmuGraphQLError(
      'MISSING_PAGINATION_BOUNDARIES',
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${opts.name}\` connection.`,
    );
  }
  for (const [arg, v] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (v === null) continue;
    if (v < 0)
      throw new EmuGraphQLError(
        'INVALID_ARGUMENTS',
        `\`${arg}\` on the \`${opts.name}\` connection cannot be less than zero.`,
      );
    if (v > 100) {
      throw new EmuGraphQLError(
        'EXCESSIVE_PAGINATION',
        `Requesting ${v} records on the \`${opts.name}\` connection exceeds the \`${arg}\` limit of 100 records.`,
      );
    }
  }
  let start = 0;
  let end = all.length;
  if (args.after) start = Math.max(start, decodeCursor(args.after) + 1);
  if (args.before) end = Math.min(end, decodeCursor(args.before));
  if (end < start) end = start;
  if (first !== null) end = Math.min(end, start + first);
  if (last !== null) start = Math.max(start, end - last);
  const slice = all.slice(start, end).map(wrap);
  const edges = slice.map((node, i) => ({ node, cursor: encodeCursor(start + i) }));
  return {
    totalCount: all.length,
    nodes: slice,
    edges,
    pageInfo: {
      hasNextPage: end < all.length,
      hasPreviousPage: start > 0,
      startCursor: edges.length ? edges[0]!.cursor : null,
      endCursor: edges.length ? edges[edges.length - 1]!.cursor : null,
    },
  };
}
