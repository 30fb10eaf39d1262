/**
 * GraphQL endpoint of the emulator: GitHub's published schema, real
 * validation (minus OverlappingFieldsCanBeMerged, which gh's IssueByNumber
 * trips) and execution with resolvers over the store. Fields the wrappers do
 * not implement get type-based defaults, so any selection gh makes resolves.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildSchema,
  type DocumentNode,
  execute,
  GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isAbstractType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  type OperationDefinitionNode,
  OverlappingFieldsCanBeMergedRule,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { connection, emptyConnection, type PageArgs, withResolveInfo } from './connection.js';
import { EmuGraphQLError, errorType } from './errors.js';
import {
  CommentObj,
  type GqlContext,
  IssueObj,
  LabelObj,
  lookupNode,
  PullRequestObj,
  RepoObj,
  requireNode,
  UserObj,
  wrapItem,
} from './objects.js';
import { parseSearchQuery, runSearch } from './search-query.js';
import { type Item, VIEWER_LOGIN } from './store.js';

let cachedSchema: GraphQLSchema | null = null;

/** The package's `exports` hide schema.graphql: find it in a node_modules above this file or the cwd. */
function schemaFile(): string {
  const rel = join('node_modules', '@octokit', 'graphql-schema', 'schema.graphql');
  for (const start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    let dir = start;
    for (;;) {
      const candidate = join(dir, rel);
      if (existsSync(candidate)) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error('Cannot find @octokit/graphql-schema/schema.graphql (is the dev dependency installed?)');
}

/** GitHub's schema from @octokit/graphql-schema, built once per process. */
export function loadSchema(): GraphQLSchema {
  if (!cachedSchema) {
    cachedSchema = buildSchema(readFileSync(schemaFile(), 'utf8'), { assumeValidSDL: true });
  }
  return cachedSchema;
}

const rules = specifiedRules.filter((r) => r !== OverlappingFieldsCanBeMergedRule);

export interface OperationInfo {
  /** Operation name, or for an anonymous mutation its first root field; null for anonymous queries. */
  name: string | null;
  type: 'query' | 'mutation' | 'subscription' | null;
}

interface PreparedDocument {
  document: DocumentNode | null;
  errors: readonly GraphQLError[];
  operation: OperationDefinitionNode | null;
  info: OperationInfo;
}

const prepared = new Map<string, PreparedDocument>();

function prepare(query: string): PreparedDocument {
  const hit = prepared.get(query);
  if (hit) return hit;
  let result: PreparedDocument;
  try {
    const document = parse(query);
    const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const operation = ops.length === 1 ? ops[0]! : null;
    let name: string | null = operation?.name?.value ?? null;
    if (!name && operation?.operation === 'mutation') {
      const first = operation.selectionSet.selections[0];
      if (first?.kind === Kind.FIELD) name = first.name.value;
    }
    const errors = validate(loadSchema(), document, rules);
    result = { document, errors, operation, info: { name, type: operation?.operation ?? null } };
  } catch (e) {
    const err = e instanceof GraphQLError ? e : new GraphQLError(String(e));
    result = { document: null, errors: [err], operation: null, info: { name: null, type: null } };
  }
  if (prepared.size > 500) prepared.clear();
  prepared.set(query, result);
  return result;
}

/** Name and type of the operation in a GraphQL request body (for logs and faults). */
export function operationInfo(body: unknown): OperationInfo {
  const query = (body as { query?: unknown } | null)?.query;
  if (typeof query !== 'string') return { name: null, type: null };
  return prepare(query).info;
}

// ---- defaults for fields the wrappers do not implement ----------------------

function scalarDefault(name: string): unknown {
  switch (name) {
    case 'String':
    case 'HTML':
      return '';
    case 'Int':
    case 'Float':
    case 'BigInt':
      return 0;
    case 'Boolean':
      return false;
    case 'ID':
      return 'EMU_stub';
    case 'DateTime':
    case 'PreciseDateTime':
    case 'GitTimestamp':
      return '2024-01-01T00:00:00Z';
    case 'Date':
      return '2024-01-01';
    case 'URI':
      return 'https://github.localhost/';
    case 'GitObjectID':
      return '0'.repeat(40);
    default:
      return '';
  }
}

function defaultValue(type: GraphQLOutputType, schema: GraphQLSchema): unknown {
  const nonNull = isNonNullType(type);
  const inner = getNullableType(type);
  const named = getNamedType(inner);
  if (named.name.endsWith('Connection') && isObjectType(named) && !isListType(inner)) return emptyConnection();
  if (!nonNull) return null;
  if (isListType(inner)) return [];
  if (isScalarType(named)) return scalarDefault(named.name);
  if (isEnumType(named)) return named.getValues()[0]?.name ?? null;
  if (named.name === 'User' || named.name === 'Actor' || named.name === 'RepositoryOwner')
    return new UserObj(VIEWER_LOGIN);
  if (isAbstractType(named)) return { __typename: schema.getPossibleTypes(named)[0]?.name };
  return {};
}

const fieldResolver: GraphQLFieldResolver<unknown, GqlContext> = (source, args, ctx, info) => {
  if (source !== null && typeof source === 'object') {
    const value = (source as Record<string, unknown>)[info.fieldName];
    if (value !== undefined && value !== (Object.prototype as Record<string, unknown>)[info.fieldName]) {
      if (typeof value !== 'function') return value;
      return withResolveInfo(info, () => (value as (...a: unknown[]) => unknown).call(source, args, ctx, info));
    }
  }
  if (info.parentType.name === 'Mutation') {
    throw new EmuGraphQLError(
      'UNPROCESSABLE',
      `The Loom GitHub emulator does not implement the mutation \`${info.fieldName}\`.`,
    );
  }
  return defaultValue(info.returnType, info.schema);
};

// ---- roots ---------------------------------------------------------------------

class QueryRoot {
  constructor(private readonly ctx: GqlContext) {}
  repository(args: { owner: string; name: string }) {
    const { store } = this.ctx;
    if (`${args.owner}/${args.name}`.toLowerCase() !== store.repo.toLowerCase()) {
      throw new EmuGraphQLError(
        'NOT_FOUND',
        `Could not resolve to a Repository with the name '${args.owner}/${args.name}'.`,
      );
    }
    return new RepoObj(this.ctx);
  }
  get viewer() {
    return new UserObj(VIEWER_LOGIN);
  }
  user(args: { login: string }) {
    return new UserObj(args.login);
  }
  repositoryOwner(args: { login: string }) {
    return new UserObj(args.login);
  }
  organization(args: { login: string }) {
    throw new EmuGraphQLError('NOT_FOUND', `Could not resolve to an Organization with the login of '${args.login}'.`);
  }
  node(args: { id: string }) {
    return lookupNode(this.ctx, args.id);
  }
  nodes(args: { ids: string[] }) {
    return args.ids.map((id) => lookupNode(this.ctx, id));
  }
  rateLimit() {
    const r = this.ctx.rate();
    return {
      limit: r.limit,
      remaining: r.remaining,
      used: r.used,
      cost: 1,
      nodeCount: 1,
      resetAt: new Date(r.reset * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
  }
  search(args: PageArgs & { query: string; type: string }) {
    const items: Item[] = args.type === 'ISSUE' ? runSearch(this.ctx.store, parseSearchQuery(args.query)) : [];
    const conn = connection(items, args, { name: 'search', lastActsAsFirst: true }, (i) => wrapItem(this.ctx, i));
    return {
      ...conn,
      issueCount: items.length,
      codeCount: 0,
      discussionCount: 0,
      repositoryCount: 0,
      userCount: 0,
      wikiCount: 0,
    };
  }
  get relay() {
    return this;
  }
}

type Input<T> = { input: T & { clientMutationId?: string | null } };

class MutationRoot {
  constructor(private readonly ctx: GqlContext) {}

  private labelable(id: string) {
    const node = lookupNode(this.ctx, id);
    if (!(node instanceof IssueObj) && !(node instanceof PullRequestObj)) {
      throw new EmuGraphQLError('NOT_FOUND', `Could not resolve to a node with the global id of '${id}'.`);
    }
    return node;
  }

  private labelNames(ids: string[]): string[] {
    return ids.map((id) => requireNode(this.ctx, id, LabelObj, 'a Label').name);
  }

  private issueNumber(id: string): number {
    return requireNode(this.ctx, id, IssueObj, 'an Issue').number;
  }

  private prNumber(id: string): number {
    return requireNode(this.ctx, id, PullRequestObj, 'a PullRequest').number;
  }

  private repo(id: string) {
    return requireNode(this.ctx, id, RepoObj, 'a Repository');
  }

  private wrap(n: number) {
    return wrapItem(this.ctx, this.ctx.store.item(n));
  }

  addLabelsToLabelable({ input }: Input<{ labelableId: string; labelIds: string[] }>) {
    const n = this.labelable(input.labelableId).number;
    this.ctx.store.addLabels(n, this.labelNames(input.labelIds));
    return { clientMutationId: input.clientMutationId ?? null, labelable: this.wrap(n) };
  }

  removeLabelsFromLabelable({ input }: Input<{ labelableId: string; labelIds: string[] }>) {
    const n = this.labelable(input.labelableId).number;
    this.ctx.store.removeLabels(n, this.labelNames(input.labelIds));
    return { clientMutationId: input.clientMutationId ?? null, labelable: this.wrap(n) };
  }

  clearLabelsFromLabelable({ input }: Input<{ labelableId: string }>) {
    const n = this.labelable(input.labelableId).number;
    this.ctx.store.setLabels(n, []);
    return { clientMutationId: input.clientMutationId ?? null, labelable: this.wrap(n) };
  }

  addComment({ input }: Input<{ subjectId: string; body: string }>) {
    const n = this.labelable(input.subjectId).number;
    if (!input.body.trim()) throw new EmuGraphQLError('UNPROCESSABLE', 'Body cannot be blank');
    const comment = this.ctx.store.addComment(n, input.body);
    const item = this.ctx.store.item(n);
    const node = new CommentObj(this.ctx, item, comment);
    return {
      clientMutationId: input.clientMutationId ?? null,
      commentEdge: { cursor: Buffer.from(`cursor:v2:${item.comments.length - 1}`).toString('base64'), node },
      subject: this.wrap(n),
      timelineEdge: { cursor: 'timeline', node },
    };
  }

  updateIssueComment({ input }: Input<{ id: string; body: string }>) {
    const comment = requireNode(this.ctx, input.id, CommentObj, 'an IssueComment');
    const updated = this.ctx.store.updateComment(comment.databaseId, input.body);
    const found = this.ctx.store.findComment(updated.id)!;
    return {
      clientMutationId: input.clientMutationId ?? null,
      issueComment: new CommentObj(this.ctx, found.item, found.comment),
    };
  }

  deleteIssueComment({ input }: Input<{ id: string }>) {
    const comment = requireNode(this.ctx, input.id, CommentObj, 'an IssueComment');
    this.ctx.store.deleteComment(comment.databaseId);
    return { clientMutationId: input.clientMutationId ?? null };
  }

  closeIssue({ input }: Input<{ issueId: string; stateReason?: string | null }>) {
    const n = this.issueNumber(input.issueId);
    const reason = input.stateReason === 'NOT_PLANNED' ? 'NOT_PLANNED' : 'COMPLETED';
    return {
      clientMutationId: input.clientMutationId ?? null,
      issue: new IssueObj(this.ctx, this.ctx.store.closeIssue(n, reason)),
    };
  }

  reopenIssue({ input }: Input<{ issueId: string }>) {
    const n = this.issueNumber(input.issueId);
    return {
      clientMutationId: input.clientMutationId ?? null,
      issue: new IssueObj(this.ctx, this.ctx.store.reopenIssue(n)),
    };
  }

  createIssue({
    input,
  }: Input<{
    repositoryId: string;
    title: string;
    body?: string | null;
    labelIds?: string[] | null;
    assigneeIds?: string[] | null;
  }>) {
    this.repo(input.repositoryId);
    if (!input.title.trim()) throw new EmuGraphQLError('UNPROCESSABLE', "Title can't be blank");
    const issue = this.ctx.store.addIssue({
      title: input.title,
      body: input.body ?? '',
      labels: this.labelNames(input.labelIds ?? []),
      assignees: (input.assigneeIds ?? []).map((id) => requireNode(this.ctx, id, UserObj, 'a User').login),
    });
    return { clientMutationId: input.clientMutationId ?? null, issue: new IssueObj(this.ctx, issue) };
  }

  updateIssue({
    input,
  }: Input<{
    id: string;
    title?: string | null;
    body?: string | null;
    state?: string | null;
    labelIds?: string[] | null;
    assigneeIds?: string[] | null;
  }>) {
    const n = this.issueNumber(input.id);
    this.applyItemUpdate(n, input);
    if (input.state === 'CLOSED') this.ctx.store.closeIssue(n);
    if (input.state === 'OPEN') this.ctx.store.reopenIssue(n);
    return { clientMutationId: input.clientMutationId ?? null, issue: this.wrap(n) };
  }

  deleteIssue({ input }: Input<{ issueId: string }>) {
    this.ctx.store.deleteItem(this.issueNumber(input.issueId));
    return { clientMutationId: input.clientMutationId ?? null, repository: new RepoObj(this.ctx) };
  }

  updatePullRequest({
    input,
  }: Input<{
    pullRequestId: string;
    title?: string | null;
    body?: string | null;
    baseRefName?: string | null;
    state?: string | null;
    labelIds?: string[] | null;
    assigneeIds?: string[] | null;
  }>) {
    const n = this.prNumber(input.pullRequestId);
    this.applyItemUpdate(n, input);
    if (input.baseRefName) this.ctx.store.updateItem(n, { baseRefName: input.baseRefName });
    if (input.state === 'CLOSED') this.ctx.store.closePullRequest(n);
    if (input.state === 'OPEN') this.ctx.store.reopenPullRequest(n);
    return { clientMutationId: input.clientMutationId ?? null, pullRequest: this.wrap(n) };
  }

  private applyItemUpdate(
    n: number,
    input: { title?: string | null; body?: string | null; labelIds?: string[] | null; assigneeIds?: string[] | null },
  ) {
    const patch: { title?: string; body?: string; assignees?: string[] } = {};
    if (input.title != null) patch.title = input.title;
    if (input.body != null) patch.body = input.body;
    if (input.assigneeIds != null)
      patch.assignees = input.assigneeIds.map((id) => requireNode(this.ctx, id, UserObj, 'a User').login);
    this.ctx.store.updateItem(n, patch);
    if (input.labelIds != null) this.ctx.store.setLabels(n, this.labelNames(input.labelIds));
  }

  createPullRequest({
    input,
  }: Input<{
    repositoryId: string;
    baseRefName: string;
    headRefName: string;
    title: string;
    body?: string | null;
    draft?: boolean | null;
  }>) {
    this.repo(input.repositoryId);
    const head = input.headRefName.replace(/^[^:]+:/, '');
    if (head === input.baseRefName)
      throw new EmuGraphQLError('UNPROCESSABLE', `No commits between ${input.baseRefName} and ${head}`);
    if (!input.title.trim()) throw new EmuGraphQLError('UNPROCESSABLE', "Title can't be blank");
    const pr = this.ctx.store.addPullRequest({
      title: input.title,
      body: input.body ?? '',
      headRefName: head,
      baseRefName: input.baseRefName,
      isDraft: input.draft ?? false,
    });
    return { clientMutationId: input.clientMutationId ?? null, pullRequest: new PullRequestObj(this.ctx, pr) };
  }

  mergePullRequest({ input }: Input<{ pullRequestId: string; expectedHeadOid?: string | null }>) {
    const n = this.prNumber(input.pullRequestId);
    const opts = input.expectedHeadOid ? { expectedHeadOid: input.expectedHeadOid } : {};
    return {
      clientMutationId: input.clientMutationId ?? null,
      pullRequest: new PullRequestObj(this.ctx, this.ctx.store.mergePullRequest(n, opts)),
    };
  }

  closePullRequest({ input }: Input<{ pullRequestId: string }>) {
    const n = this.prNumber(input.pullRequestId);
    return {
      clientMutationId: input.clientMutationId ?? null,
      pullRequest: new PullRequestObj(this.ctx, this.ctx.store.closePullRequest(n)),
    };
  }

  reopenPullRequest({ input }: Input<{ pullRequestId: string }>) {
    const n = this.prNumber(input.pullRequestId);
    return {
      clientMutationId: input.clientMutationId ?? null,
      pullRequest: new PullRequestObj(this.ctx, this.ctx.store.reopenPullRequest(n)),
    };
  }

  markPullRequestReadyForReview({ input }: Input<{ pullRequestId: string }>) {
    const n = this.prNumber(input.pullRequestId);
    return {
      clientMutationId: input.clientMutationId ?? null,
      pullRequest: new PullRequestObj(this.ctx, this.ctx.store.setDraft(n, false)),
    };
  }

  convertPullRequestToDraft({ input }: Input<{ pullRequestId: string }>) {
    const n = this.prNumber(input.pullRequestId);
    return {
      clientMutationId: input.clientMutationId ?? null,
      pullRequest: new PullRequestObj(this.ctx, this.ctx.store.setDraft(n, true)),
    };
  }

  createLabel({ input }: Input<{ repositoryId: string; name: string; color: string; description?: string | null }>) {
    this.repo(input.repositoryId);
    const label = this.ctx.store.createLabel({
      name: input.name,
      color: input.color,
      description: input.description ?? '',
    });
    return { clientMutationId: input.clientMutationId ?? null, label: new LabelObj(this.ctx, label) };
  }

  updateLabel({
    input,
  }: Input<{ id: string; name?: string | null; color?: string | null; description?: string | null }>) {
    const current = requireNode(this.ctx, input.id, LabelObj, 'a Label');
    const patch: { name?: string; color?: string; description?: string | null } = {};
    if (input.name != null) patch.name = input.name;
    if (input.color != null) patch.color = input.color;
    if (input.description !== undefined) patch.description = input.description;
    const label = this.ctx.store.updateLabel(current.name, patch);
    return { clientMutationId: input.clientMutationId ?? null, label: new LabelObj(this.ctx, label) };
  }

  deleteLabel({ input }: Input<{ id: string }>) {
    const current = requireNode(this.ctx, input.id, LabelObj, 'a Label');
    this.ctx.store.deleteLabel(current.name);
    return { clientMutationId: input.clientMutationId ?? null };
  }
}

// ---- execution -------------------------------------------------------------------

export interface GraphQLResponse {
  status: number;
  body: unknown;
}

function formatError(e: GraphQLError): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const type = errorType(e.originalError);
  if (type) out.type = type;
  if (e.path) out.path = e.path;
  if (e.locations) out.locations = e.locations;
  out.message = e.message;
  return out;
}

/** Executes a GraphQL request body ({query, variables}) against the store. */
export async function executeGraphQL(ctx: GqlContext, body: unknown): Promise<GraphQLResponse> {
  const req = body as { query?: unknown; variables?: unknown } | null;
  if (!req || typeof req !== 'object' || typeof req.query !== 'string') {
    return {
      status: 400,
      body: { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/graphql' },
    };
  }
  const prep = prepare(req.query);
  if (!prep.document || prep.errors.length) {
    return { status: 200, body: { errors: prep.errors.map(formatError) } };
  }
  if (!prep.operation) {
    return {
      status: 200,
      body: {
        errors: [{ message: 'The document must contain exactly one operation (operationName is not supported).' }],
      },
    };
  }
  const rootValue = prep.operation.operation === 'mutation' ? new MutationRoot(ctx) : new QueryRoot(ctx);
  const variables =
    req.variables && typeof req.variables === 'object' ? (req.variables as Record<string, unknown>) : {};
  const result = await execute({
    schema: loadSchema(),
    document: prep.document,
    rootValue,
    contextValue: ctx,
    variableValues: variables,
    fieldResolver,
  });
  const out: Record<string, unknown> = {};
  if (result.data !== undefined) out.data = result.data;
  if (result.errors?.length) out.errors = result.errors.map(formatError);
  return { status: 200, body: out };
}
