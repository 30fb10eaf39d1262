/**
 * GraphQL object wrappers over store data. graphql-js's field resolver
 * reads a property of the same name as the field, calling it with
 * `(args, context, info)` when it is a method. Fields not implemented here
 * fall back to type-based defaults (see `graphql.ts`).
 */
import { connection, emptyConnection, type PageArgs } from './connection.js';
import { EmuGraphQLError } from './errors.js';
import {
  type Comment,
  fakeSha,
  headOid,
  type Issue,
  type Item,
  type Label,
  type PullRequest,
  type Store,
  VIEWER_LOGIN,
} from './store.js';

export const WEB_BASE = 'https://github.localhost';

export interface RateInfo {
  limit: number;
  used: number;
  remaining: number;
  /** Epoch seconds. */
  reset: number;
}

export interface GqlContext {
  store: Store;
  rate(): RateInfo;
}

// ---- node ids ---------------------------------------------------------------

const b64 = (s: string) => Buffer.from(s).toString('base64url');
const unb64 = (s: string) => Buffer.from(s, 'base64url').toString('utf8');

export const nodeId = {
  issue: (n: number) => `I_emu${n}`,
  pullRequest: (n: number) => `PR_emu${n}`,
  label: (id: number) => `LA_emu${id}`,
  comment: (id: number) => `IC_emu${id}`,
  repository: () => 'R_emu1',
  user: (login: string) => `U_emu${b64(login)}`,
  commit: (oid: string) => `C_emu${oid}`,
  ref: (name: string) => `REF_emu${b64(name)}`,
};

/** Resolves a node id to its wrapper object, or null. */
export function lookupNode(ctx: GqlContext, id: string): object | null {
  const m = /^(I|PR|LA|IC|R|U|C|REF)_emu(.*)$/.exec(id);
  if (!m) return null;
  const [, kind, rest] = m as unknown as [string, string, string];
  const { store } = ctx;
  switch (kind) {
    case 'I':
    case 'PR': {
      const item = store.getItem(Number(rest));
      if (!item || (kind === 'I') !== (item.kind === 'issue')) return null;
      return wrapItem(ctx, item);
    }
    case 'LA': {
      const label = store.getLabelById(Number(rest));
      return label ? new LabelObj(ctx, label) : null;
    }
    case 'IC': {
      const found = store.findComment(Number(rest));
      return found ? new CommentObj(ctx, found.item, found.comment) : null;
    }
    case 'R':
      return rest === '1' ? new RepoObj(ctx) : null;
    case 'U':
      return new UserObj(unb64(rest));
    case 'C':
      return new CommitObj(ctx, rest, null);
    case 'REF':
      return new RefObj(ctx, unb64(rest));
    default:
      return null;
  }
}

export function requireNode<T>(ctx: GqlContext, id: string, cls: abstract new (...a: never[]) => T, what: string): T {
  const node = lookupNode(ctx, id);
  if (!(node instanceof cls))
    throw new EmuGraphQLError('NOT_FOUND', `Could not resolve to ${what} with the global id of '${id}'.`);
  return node;
}

function userDatabaseId(login: string): number {
  if (login === VIEWER_LOGIN) return 1;
  let h = 7;
  for (const ch of login) h = (h * 31 + ch.charCodeAt(0)) % 9_000_000;
  return 1000 + h;
}

// ---- wrappers ---------------------------------------------------------------

export class UserObj {
  readonly __typename = 'User';
  constructor(readonly login: string) {}
  get id() {
    return nodeId.user(this.login);
  }
  get databaseId() {
    return userDatabaseId(this.login);
  }
  get name() {
    return this.login === VIEWER_LOGIN ? 'Loom Bot' : this.login;
  }
  get url() {
    return `${WEB_BASE}/${this.login}`;
  }
  get resourcePath() {
    return `/${this.login}`;
  }
  avatarUrl() {
    return `${WEB_BASE}/avatars/${this.login}.png`;
  }
  get email() {
    return '';
  }
  get isViewer() {
    return this.login === VIEWER_LOGIN;
  }
  get isSiteAdmin() {
    return false;
  }
  get isBountyHunter() {
    return false;
  }
  get company() {
    return null;
  }
  get bio() {
    return null;
  }
  get location() {
    return null;
  }
}

export class LabelObj {
  readonly __typename = 'Label';
  constructor(
    private readonly ctx: GqlContext,
    private readonly label: Label,
  ) {}
  get id() {
    return nodeId.label(this.label.id);
  }
  get name() {
    return this.label.name;
  }
  get color() {
    return this.label.color;
  }
  get description() {
    return this.label.description === '' ? null : this.label.description;
  }
  get createdAt() {
    return this.label.createdAt;
  }
  get updatedAt() {
    return this.label.updatedAt;
  }
  get isDefault() {
    return false;
  }
  get url() {
    return `${WEB_BASE}/${this.ctx.store.repo}/labels/${encodeURIComponent(this.label.name)}`;
  }
  get resourcePath() {
    return `/${this.ctx.store.repo}/labels/${encodeURIComponent(this.label.name)}`;
  }
  get repository() {
    return new RepoObj(this.ctx);
  }
  issues(args: PageArgs & { states?: string[] | null }) {
    const items = this.ctx.store
      .allItems()
      .filter(
        (i): i is Issue =>
          i.kind === 'issue' && i.labels.includes(this.label.name) && (!args.states || args.states.includes(i.state)),
      );
    return connection(items, args, { name: 'issues' }, (i) => wrapItem(this.ctx, i));
  }
  pullRequests(args: PageArgs & { states?: string[] | null }) {
    const items = this.ctx.store
      .allItems()
      .filter(
        (i): i is PullRequest =>
          i.kind === 'pr' && i.labels.includes(this.label.name) && (!args.states || args.states.includes(i.state)),
      );
    return connection(items, args, { name: 'pullRequests' }, (i) => wrapItem(this.ctx, i));
  }
}

export class CommentObj {
  readonly __typename = 'IssueComment';
  constructor(
    private readonly ctx: GqlContext,
    private readonly item: Item,
    private readonly comment: Comment,
  ) {}
  get id() {
    return nodeId.comment(this.comment.id);
  }
  get databaseId() {
    return this.comment.id;
  }
  get fullDatabaseId() {
    return String(this.comment.id);
  }
  get body() {
    return this.comment.body;
  }
  get bodyText() {
    return this.comment.body;
  }
  get bodyHTML() {
    return `<p>${escapeHtml(this.comment.body)}</p>`;
  }
  get author() {
    return new UserObj(this.comment.author);
  }
  get authorAssociation() {
    return this.ctx.store.associationOf(this.comment.author);
  }
  get createdAt() {
    return this.comment.createdAt;
  }
  get publishedAt() {
    return this.comment.createdAt;
  }
  get updatedAt() {
    return this.comment.updatedAt;
  }
  get lastEditedAt() {
    return this.comment.updatedAt === this.comment.createdAt ? null : this.comment.updatedAt;
  }
  get includesCreatedEdit() {
    return false;
  }
  get isMinimized() {
    return false;
  }
  get minimizedReason() {
    return null;
  }
  get url() {
    return `${itemUrl(this.ctx, this.item)}#issuecomment-${this.comment.id}`;
  }
  get resourcePath() {
    return `${itemPath(this.ctx, this.item)}#issuecomment-${this.comment.id}`;
  }
  get viewerDidAuthor() {
    return this.comment.author === VIEWER_LOGIN;
  }
  get viewerCanUpdate() {
    return true;
  }
  get viewerCanDelete() {
    return true;
  }
  get viewerCanReact() {
    return true;
  }
  get viewerCanMinimize() {
    return true;
  }
  get reactionGroups() {
    return [];
  }
  get issue() {
    return wrapItem(this.ctx, this.item);
  }
  get pullRequest() {
    return this.item.kind === 'pr' ? wrapItem(this.ctx, this.item) : null;
  }
  get repository() {
    return new RepoObj(this.ctx);
  }
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function itemPath(ctx: GqlContext, item: Item): string {
  return `/${ctx.store.repo}/${item.kind === 'pr' ? 'pull' : 'issues'}/${item.number}`;
}

function itemUrl(ctx: GqlContext, item: Item): string {
  return `${WEB_BASE}${itemPath(ctx, item)}`;
}

interface LabelOrderArg {
  orderBy?: { field: string; direction: string } | null;
}

function sortLabels(labels: Label[], orderBy: LabelOrderArg['orderBy']): Label[] {
  if (!orderBy) return labels;
  const dir = orderBy.direction === 'DESC' ? -1 : 1;
  const key =
    orderBy.field === 'NAME'
      ? (l: Label) => l.name.toLowerCase()
      : (l: Label) => `${l.createdAt}|${String(l.id).padStart(10, '0')}`;
  return [...labels].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * dir);
}

abstract class ItemObj<T extends Item> {
  constructor(
    protected readonly ctx: GqlContext,
    protected readonly item: T,
  ) {}
  get number() {
    return this.item.number;
  }
  get databaseId() {
    return 100_000 + this.item.number;
  }
  get fullDatabaseId() {
    return String(this.databaseId);
  }
  get title() {
    return this.item.title;
  }
  get titleHTML() {
    return escapeHtml(this.item.title);
  }
  get body() {
    return this.item.body;
  }
  get bodyText() {
    return this.item.body;
  }
  get bodyHTML() {
    return this.item.body ? `<p>${escapeHtml(this.item.body)}</p>` : '';
  }
  get createdAt() {
    return this.item.createdAt;
  }
  get publishedAt() {
    return this.item.createdAt;
  }
  get updatedAt() {
    return this.item.updatedAt;
  }
  get lastEditedAt() {
    return null;
  }
  get closedAt() {
    return this.item.closedAt;
  }
  get closed() {
    return this.item.state !== 'OPEN';
  }
  get url() {
    return itemUrl(this.ctx, this.item);
  }
  get resourcePath() {
    return itemPath(this.ctx, this.item);
  }
  get author() {
    return new UserObj(this.item.author);
  }
  get authorAssociation() {
    return this.ctx.store.associationOf(this.item.author);
  }
  get editor() {
    return null;
  }
  get locked() {
    return false;
  }
  get activeLockReason() {
    return null;
  }
  get includesCreatedEdit() {
    return false;
  }
  get milestone() {
    return null;
  }
  get repository() {
    return new RepoObj(this.ctx);
  }
  get viewerDidAuthor() {
    return this.item.author === VIEWER_LOGIN;
  }
  get viewerCanUpdate() {
    return true;
  }
  get viewerCanReact() {
    return true;
  }
  get viewerCanClose() {
    return true;
  }
  get viewerCanReopen() {
    return true;
  }
  get viewerCanLabel() {
    return true;
  }
  get viewerCanDelete() {
    return true;
  }
  get viewerCanSubscribe() {
    return true;
  }
  get viewerSubscription() {
    return 'SUBSCRIBED';
  }
  get reactionGroups() {
    return [];
  }
  labels(args: PageArgs & LabelOrderArg) {
    const labels = this.item.labels.map((n) => this.ctx.store.getLabel(n)).filter((l): l is Label => !!l);
    return connection(sortLabels(labels, args.orderBy), args, { name: 'labels' }, (l) => new LabelObj(this.ctx, l));
  }
  comments(args: PageArgs) {
    return connection(this.item.comments, args, { name: 'comments' }, (c) => new CommentObj(this.ctx, this.item, c));
  }
  /** Only `LabeledEvent`s are recorded; asking for other item types gives none of them. */
  timelineItems(args: PageArgs & { itemTypes?: string[] | null }) {
    const wanted = !args.itemTypes || args.itemTypes.includes('LABELED_EVENT');
    const events = wanted ? this.item.labelEvents : [];
    return connection(events, args, { name: 'timelineItems' }, (event) => ({
      __typename: 'LabeledEvent',
      id: `LE_${this.item.number}_${events.indexOf(event)}`,
      createdAt: event.createdAt,
      actor: new UserObj(event.actor),
      label: new LabelObj(this.ctx, this.ctx.store.getLabel(event.label) ?? this.ctx.store.ensureLabel(event.label)),
      labelable: wrapItem(this.ctx, this.item),
    }));
  }
  assignees(args: PageArgs) {
    return connection(this.item.assignees, args, { name: 'assignees' }, (login) => new UserObj(login));
  }
  participants(args: PageArgs) {
    const logins = [...new Set([this.item.author, ...this.item.comments.map((c) => c.author)])];
    return connection(logins, args, { name: 'participants' }, (login) => new UserObj(login));
  }
}

export class IssueObj extends ItemObj<Issue> {
  readonly __typename = 'Issue';
  get id() {
    return nodeId.issue(this.item.number);
  }
  get state() {
    return this.item.state;
  }
  get stateReason() {
    return this.item.stateReason;
  }
  get isPinned() {
    return false;
  }
  get bodyUrl() {
    return this.url;
  }
  get bodyResourcePath() {
    return this.resourcePath;
  }
  closedByPullRequestsReferences(args: PageArgs & { includeClosedPrs?: boolean | null }) {
    const prs = this.ctx.store
      .allItems()
      .filter(
        (i): i is PullRequest =>
          i.kind === 'pr' &&
          (args.includeClosedPrs || i.state === 'OPEN') &&
          this.ctx.store.closingIssuesOf(i).some((x) => x.number === this.item.number),
      );
    return connection(prs, args, { name: 'closedByPullRequestsReferences' }, (p) => wrapItem(this.ctx, p));
  }
}

export class PullRequestObj extends ItemObj<PullRequest> {
  readonly __typename = 'PullRequest';
  get id() {
    return nodeId.pullRequest(this.item.number);
  }
  get state() {
    return this.item.state;
  }
  get headRefName() {
    return this.item.headRefName;
  }
  get baseRefName() {
    return this.item.baseRefName;
  }
  get headRefOid() {
    return headOid(this.item);
  }
  get baseRefOid() {
    return fakeSha(`base:${this.item.baseRefName}`);
  }
  get headRef() {
    return this.item.state === 'MERGED' || this.ctx.store.branchDeleted(this.item.headRefName)
      ? null
      : new RefObj(this.ctx, this.item.headRefName);
  }
  get baseRef() {
    return new RefObj(this.ctx, this.item.baseRefName);
  }
  get headRepository() {
    return new RepoObj(this.ctx);
  }
  get baseRepository() {
    return new RepoObj(this.ctx);
  }
  get headRepositoryOwner() {
    return new UserObj(this.ctx.store.owner);
  }
  get isCrossRepository() {
    return false;
  }
  get maintainerCanModify() {
    return true;
  }
  get mergeable() {
    return this.item.state === 'OPEN' ? this.item.mergeable : 'UNKNOWN';
  }
  get mergeStateStatus() {
    if (this.item.state !== 'OPEN') return 'UNKNOWN';
    if (this.item.isDraft) return 'DRAFT';
    if (this.item.mergeable === 'CONFLICTING') return 'DIRTY';
    if (this.item.mergeable === 'UNKNOWN') return 'UNKNOWN';
    if (this.item.checks === 'FAILURE' || this.item.checks === 'ERROR') return 'UNSTABLE';
    if (this.item.checks === 'PENDING') return 'BLOCKED';
    return 'CLEAN';
  }
  get merged() {
    return this.item.state === 'MERGED';
  }
  get mergedAt() {
    return this.item.mergedAt;
  }
  get mergedBy() {
    return this.item.state === 'MERGED' ? new UserObj(VIEWER_LOGIN) : null;
  }
  get mergeCommit() {
    return this.item.state === 'MERGED' ? new CommitObj(this.ctx, fakeSha(`merge:${this.item.number}`), null) : null;
  }
  get potentialMergeCommit() {
    return null;
  }
  get isDraft() {
    return this.item.isDraft;
  }
  get isInMergeQueue() {
    return false;
  }
  get isMergeQueueEnabled() {
    return false;
  }
  get mergeQueueEntry() {
    return null;
  }
  get autoMergeRequest() {
    return null;
  }
  get additions() {
    return this.item.additions;
  }
  get deletions() {
    return this.item.deletions;
  }
  get changedFiles() {
    return this.item.files.length;
  }
  get reviewDecision() {
    return this.item.reviewDecision;
  }
  get permalink() {
    return this.url;
  }
  get checksUrl() {
    return `${this.url}/checks`;
  }
  get checksResourcePath() {
    return `${this.resourcePath}/checks`;
  }
  get viewerCanApplySuggestion() {
    return true;
  }
  get viewerCanEnableAutoMerge() {
    return false;
  }
  get viewerCanDisableAutoMerge() {
    return false;
  }
  get viewerCanMergeAsAdmin() {
    return true;
  }
  get viewerCanUpdateBranch() {
    return false;
  }
  get viewerCanDeleteHeadRef() {
    return true;
  }
  get viewerCanEditFiles() {
    return true;
  }
  get totalCommentsCount() {
    return this.item.comments.length;
  }
  get statusCheckRollup() {
    return this.headCommit().statusCheckRollup;
  }
  headCommit() {
    return new CommitObj(this.ctx, headOid(this.item), this.item);
  }
  files(args: PageArgs) {
    return connection(this.item.files, args, { name: 'files' }, (f) => ({
      __typename: 'PullRequestChangedFile',
      path: f.path,
      additions: f.additions,
      deletions: f.deletions,
      changeType: 'MODIFIED',
      viewerViewedState: 'UNVIEWED',
    }));
  }
  closingIssuesReferences(args: PageArgs) {
    return connection(this.ctx.store.closingIssuesOf(this.item), args, { name: 'closingIssuesReferences' }, (i) =>
      wrapItem(this.ctx, i),
    );
  }
  commits(args: PageArgs) {
    return connection([this.item], args, { name: 'commits' }, (pr) => ({
      __typename: 'PullRequestCommit',
      id: `PRC_emu${pr.number}`,
      url: `${this.url}/commits/${headOid(pr)}`,
      resourcePath: `${this.resourcePath}/commits/${headOid(pr)}`,
      pullRequest: this,
      commit: this.headCommit(),
    }));
  }
}

export class CommitObj {
  readonly __typename = 'Commit';
  constructor(
    private readonly ctx: GqlContext,
    readonly oid: string,
    private readonly pr: PullRequest | null,
  ) {}
  get id() {
    return nodeId.commit(this.oid);
  }
  get abbreviatedOid() {
    return this.oid.slice(0, 7);
  }
  get messageHeadline() {
    return this.pr ? this.pr.title : 'Commit';
  }
  get message() {
    return this.messageHeadline;
  }
  get messageBody() {
    return '';
  }
  get committedDate() {
    return this.pr?.updatedAt ?? '2024-01-01T00:00:00Z';
  }
  get authoredDate() {
    return this.committedDate;
  }
  get pushedDate() {
    return this.committedDate;
  }
  get url() {
    return `${WEB_BASE}/${this.ctx.store.repo}/commit/${this.oid}`;
  }
  get resourcePath() {
    return `/${this.ctx.store.repo}/commit/${this.oid}`;
  }
  get repository() {
    return new RepoObj(this.ctx);
  }
  authors(args: PageArgs) {
    const login = this.pr?.author ?? VIEWER_LOGIN;
    return connection([login], args, { name: 'authors' }, (l) => ({
      __typename: 'GitActor',
      name: l,
      email: `${l}@users.noreply.github.localhost`,
      user: new UserObj(l),
    }));
  }
  get statusCheckRollup() {
    const pr = this.pr;
    const ctx = this.ctx;
    const oid = this.oid;
    const statuses = ctx.store.statusesOf(oid);
    if (!pr?.checks && !statuses.length) return null;
    const ci = pr?.checks ?? null;
    const states = [...(ci ? [ci] : []), ...statuses.map((s) => s.state.toUpperCase())];
    // GitHub's rollup: the worst state of every check run and status context.
    const rollup = (['ERROR', 'FAILURE', 'EXPECTED', 'PENDING'] as const).find((w) => states.includes(w)) ?? 'SUCCESS';
    const statusNodes = statuses.map((st, k) => ({
      __typename: 'StatusContext',
      id: `SC_emu${oid.slice(0, 8)}${k}`,
      context: st.context,
      state: st.state.toUpperCase(),
      description: st.description,
      targetUrl: st.targetUrl,
      avatarUrl: null,
      createdAt: st.createdAt,
      isRequired: () => false,
      creator: new UserObj(VIEWER_LOGIN),
      commit: this,
    }));
    if (!pr?.checks)
      return {
        __typename: 'StatusCheckRollup',
        id: `SCR_emu${oid.slice(0, 8)}`,
        state: rollup,
        commit: this,
        contexts: (args: PageArgs) => connection(statusNodes, args, { name: 'contexts' }, (r) => r),
      };
    const state = pr.checks;
    return {
      __typename: 'StatusCheckRollup',
      id: `SCR_emu${pr.number}`,
      state: rollup,
      commit: this,
      contexts(args: PageArgs) {
        const run = {
          __typename: 'CheckRun',
          id: `CR_emu${pr.number}`,
          databaseId: 700_000 + pr.number,
          name: 'ci',
          status: state === 'PENDING' || state === 'EXPECTED' ? 'IN_PROGRESS' : 'COMPLETED',
          conclusion: state === 'SUCCESS' ? 'SUCCESS' : state === 'FAILURE' || state === 'ERROR' ? 'FAILURE' : null,
          startedAt: pr.updatedAt,
          completedAt: state === 'PENDING' ? null : pr.updatedAt,
          detailsUrl: `${WEB_BASE}/${ctx.store.repo}/actions/runs/${pr.number}`,
          url: `${WEB_BASE}/${ctx.store.repo}/runs/${pr.number}`,
          permalink: `${WEB_BASE}/${ctx.store.repo}/runs/${pr.number}`,
          isRequired: () => true,
          title: null,
          summary: null,
          text: null,
          repository: new RepoObj(ctx),
          checkSuite: {
            __typename: 'CheckSuite',
            id: `CS_emu${pr.number}`,
            status: 'COMPLETED',
            conclusion: state,
            commit: null,
            app: null,
            workflowRun: null,
          },
          headSha: oid,
        };
        return connection([run, ...statusNodes], args, { name: 'contexts' }, (r: object) => r);
      },
    };
  }
  status() {
    return null;
  }
}

export class RefObj {
  readonly __typename = 'Ref';
  constructor(
    private readonly ctx: GqlContext,
    readonly name: string,
  ) {}
  get id() {
    return nodeId.ref(this.name);
  }
  get prefix() {
    return 'refs/heads/';
  }
  get target() {
    return new CommitObj(this.ctx, fakeSha(`ref:${this.name}`), null);
  }
  get repository() {
    return new RepoObj(this.ctx);
  }
  associatedPullRequests(args: PageArgs & { states?: string[] | null }) {
    const prs = this.ctx.store
      .allItems()
      .filter(
        (i): i is PullRequest =>
          i.kind === 'pr' && i.headRefName === this.name && (!args.states || args.states.includes(i.state)),
      );
    return connection(prs, args, { name: 'associatedPullRequests' }, (p) => wrapItem(this.ctx, p));
  }
}

export function wrapItem(ctx: GqlContext, item: Issue): IssueObj;
export function wrapItem(ctx: GqlContext, item: PullRequest): PullRequestObj;
export function wrapItem(ctx: GqlContext, item: Item): IssueObj | PullRequestObj;
export function wrapItem(ctx: GqlContext, item: Item): IssueObj | PullRequestObj {
  return item.kind === 'issue' ? new IssueObj(ctx, item) : new PullRequestObj(ctx, item);
}

interface ItemListArgs extends PageArgs {
  states?: string[] | null;
  labels?: string[] | null;
  orderBy?: { field: string; direction: string } | null;
}

function orderItems<T extends Item>(items: T[], orderBy: ItemListArgs['orderBy']): T[] {
  const field = orderBy?.field ?? 'CREATED_AT';
  const dir = orderBy?.direction === 'DESC' ? -1 : 1;
  const key: (i: Item) => number =
    field === 'UPDATED_AT'
      ? (i) => Date.parse(i.updatedAt)
      : field === 'COMMENTS'
        ? (i) => i.comments.length
        : (i) => Date.parse(i.createdAt);
  const keyed = items.map((item) => ({ item, k: key(item) }));
  keyed.sort((a, b) => (a.k - b.k || a.item.number - b.item.number) * dir);
  return keyed.map((x) => x.item);
}

function mentions(item: Item, login: string): boolean {
  const needle = `@${login.toLowerCase()}`;
  return item.body.toLowerCase().includes(needle) || item.comments.some((c) => c.body.toLowerCase().includes(needle));
}

function labelsMatch(item: Item, labels: string[] | null | undefined): boolean {
  if (!labels || labels.length === 0) return true;
  const want = labels.map((l) => l.toLowerCase());
  return item.labels.some((l) => want.includes(l.toLowerCase()));
}

export class RepoObj {
  readonly __typename = 'Repository';
  constructor(private readonly ctx: GqlContext) {}
  get id() {
    return nodeId.repository();
  }
  get databaseId() {
    return 1;
  }
  get name() {
    return this.ctx.store.name;
  }
  get nameWithOwner() {
    return this.ctx.store.repo;
  }
  get owner() {
    return new UserObj(this.ctx.store.owner);
  }
  get url() {
    return `${WEB_BASE}/${this.ctx.store.repo}`;
  }
  get resourcePath() {
    return `/${this.ctx.store.repo}`;
  }
  get sshUrl() {
    return `git@github.localhost:${this.ctx.store.repo}.git`;
  }
  get description() {
    return 'Loom emulator repository';
  }
  get homepageUrl() {
    return null;
  }
  get createdAt() {
    return '2024-01-01T00:00:00Z';
  }
  get pushedAt() {
    return '2024-01-01T00:00:00Z';
  }
  get updatedAt() {
    return '2024-01-01T00:00:00Z';
  }
  get hasIssuesEnabled() {
    return true;
  }
  get hasProjectsEnabled() {
    return true;
  }
  get hasWikiEnabled() {
    return false;
  }
  get hasDiscussionsEnabled() {
    return false;
  }
  get isPrivate() {
    return false;
  }
  get isArchived() {
    return false;
  }
  get isDisabled() {
    return false;
  }
  get isFork() {
    return false;
  }
  get isTemplate() {
    return false;
  }
  get isMirror() {
    return false;
  }
  get isEmpty() {
    return false;
  }
  get isLocked() {
    return false;
  }
  get isInOrganization() {
    return false;
  }
  get isSecurityPolicyEnabled() {
    return false;
  }
  get visibility() {
    return 'PUBLIC';
  }
  get viewerPermission() {
    return 'ADMIN';
  }
  get viewerCanAdminister() {
    return true;
  }
  get viewerCanCreateProjects() {
    return true;
  }
  get viewerCanSubscribe() {
    return true;
  }
  get viewerCanUpdateTopics() {
    return true;
  }
  get viewerDefaultMergeMethod() {
    return 'MERGE';
  }
  get viewerDefaultCommitEmail() {
    return `${VIEWER_LOGIN}@users.noreply.github.localhost`;
  }
  get mergeCommitAllowed() {
    return true;
  }
  get squashMergeAllowed() {
    return true;
  }
  get rebaseMergeAllowed() {
    return true;
  }
  get autoMergeAllowed() {
    return false;
  }
  get deleteBranchOnMerge() {
    return false;
  }
  get forkingAllowed() {
    return true;
  }
  get stargazerCount() {
    return 0;
  }
  get forkCount() {
    return 0;
  }
  get diskUsage() {
    return 0;
  }
  get parent() {
    return null;
  }
  get templateRepository() {
    return null;
  }
  get primaryLanguage() {
    return null;
  }
  get licenseInfo() {
    return null;
  }
  get defaultBranchRef() {
    return new RefObj(this.ctx, 'main');
  }
  ref(args: { qualifiedName: string }) {
    return new RefObj(this.ctx, args.qualifiedName.replace(/^refs\/heads\//, ''));
  }
  issue(args: { number: number }) {
    return new IssueObj(this.ctx, this.ctx.store.issue(args.number));
  }
  pullRequest(args: { number: number }) {
    return new PullRequestObj(this.ctx, this.ctx.store.pullRequest(args.number));
  }
  issueOrPullRequest(args: { number: number }) {
    return wrapItem(this.ctx, this.ctx.store.item(args.number));
  }
  issues(
    args: ItemListArgs & {
      filterBy?: {
        states?: string[] | null;
        labels?: string[] | null;
        assignee?: string | null;
        createdBy?: string | null;
        mentioned?: string | null;
        since?: string | null;
      } | null;
    },
  ) {
    const f = args.filterBy ?? {};
    const states = args.states ?? f.states ?? null;
    const since = f.since ? Date.parse(f.since) : null;
    const items: Issue[] = [];
    for (const i of this.ctx.store.itemsUnordered()) {
      if (i.kind !== 'issue') continue;
      if (states && !states.includes(i.state)) continue;
      if (!labelsMatch(i, args.labels) || !labelsMatch(i, f.labels)) continue;
      if (f.createdBy && i.author.toLowerCase() !== f.createdBy.toLowerCase()) continue;
      if (f.assignee && f.assignee !== '*' && !i.assignees.some((a) => a.toLowerCase() === f.assignee!.toLowerCase()))
        continue;
      if (f.assignee === '*' && i.assignees.length === 0) continue;
      if (since !== null && Date.parse(i.updatedAt) < since) continue;
      if (f.mentioned && !mentions(i, f.mentioned)) continue;
      items.push(i);
    }
    return connection(orderItems(items, args.orderBy), args, { name: 'issues' }, (i) => new IssueObj(this.ctx, i));
  }
  pullRequests(args: ItemListArgs & { headRefName?: string | null; baseRefName?: string | null }) {
    const items: PullRequest[] = [];
    for (const i of this.ctx.store.itemsUnordered()) {
      if (i.kind !== 'pr') continue;
      if (args.states && !args.states.includes(i.state)) continue;
      if (!labelsMatch(i, args.labels)) continue;
      if (args.headRefName && i.headRefName !== args.headRefName) continue;
      if (args.baseRefName && i.baseRefName !== args.baseRefName) continue;
      items.push(i);
    }
    return connection(
      orderItems(items, args.orderBy),
      args,
      { name: 'pullRequests' },
      (p) => new PullRequestObj(this.ctx, p),
    );
  }
  labels(args: PageArgs & LabelOrderArg & { query?: string | null }) {
    let labels = this.ctx.store.listLabels();
    if (args.query) {
      const q = args.query.toLowerCase();
      labels = labels.filter((l) => l.name.toLowerCase().includes(q) || l.description.toLowerCase().includes(q));
    }
    return connection(sortLabels(labels, args.orderBy), args, { name: 'labels' }, (l) => new LabelObj(this.ctx, l));
  }
  label(args: { name: string }) {
    const label = this.ctx.store.getLabel(args.name);
    return label ? new LabelObj(this.ctx, label) : null;
  }
  assignableUsers(args: PageArgs & { query?: string | null }) {
    const logins = [VIEWER_LOGIN].filter((l) => !args.query || l.includes(args.query.toLowerCase()));
    return connection(logins, args, { name: 'assignableUsers' }, (l) => new UserObj(l));
  }
  mentionableUsers(args: PageArgs) {
    return connection([VIEWER_LOGIN], args, { name: 'mentionableUsers' }, (l) => new UserObj(l));
  }
  milestones() {
    return emptyConnection();
  }
  milestone() {
    return null;
  }
}
