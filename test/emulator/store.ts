/**
 * In-memory repository data of the emulator: labels, issues, pull requests
 * and comments of one repository. Every mutation bumps the item's
 * `updatedAt`. Loads from and exports to the seed format.
 */
import { ActionsStore } from './actions.js';
import { parseSeed, type Seed, type SeedComment, type SeedIssue, type SeedPullRequest } from './seed.js';

export type StoreErrorCode = 'NOT_FOUND' | 'UNPROCESSABLE' | 'ALREADY_EXISTS' | 'NOT_MERGEABLE' | 'CONFLICT';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface Label {
  id: number;
  name: string;
  color: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}

export interface Comment {
  id: number;
  body: string;
  author: string;
  createdAt: string;
  updatedAt: string;
}

/** A `labeled` timeline event: who added which label when. */
export interface LabelEvent {
  label: string;
  actor: string;
  createdAt: string;
}

interface ItemBase {
  labelEvents: LabelEvent[];
  number: number;
  title: string;
  body: string;
  labels: string[];
  author: string;
  assignees: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  comments: Comment[];
}

export interface Issue extends ItemBase {
  kind: 'issue';
  state: 'OPEN' | 'CLOSED';
  stateReason: 'COMPLETED' | 'NOT_PLANNED' | 'REOPENED' | null;
  blockedBy: number[];
}

export interface ChangedFile {
  path: string;
  additions: number;
  deletions: number;
}

export type CheckState = 'SUCCESS' | 'FAILURE' | 'PENDING' | 'ERROR' | 'EXPECTED';

export interface PullRequest extends ItemBase {
  kind: 'pr';
  state: 'OPEN' | 'CLOSED' | 'MERGED';
  headRefName: string;
  baseRefName: string;
  mergeable: 'MERGEABLE' | 'CONFLICTING' | 'UNKNOWN';
  additions: number;
  deletions: number;
  files: ChangedFile[];
  checks: CheckState | null;
  /** Closing references given explicitly in the seed (body keywords are added on top). */
  closingIssues: number[];
  isDraft: boolean;
  mergedAt: string | null;
  reviewDecision: 'APPROVED' | 'CHANGES_REQUESTED' | 'REVIEW_REQUIRED' | null;
  /** The real commit id of the head when a test pushed one (a real git repository behind it); else a fake. */
  headOid: string | null;
}

/** A commit status (`POST /repos/{o}/{r}/statuses/{sha}`): the latest per context counts. */
export interface CommitStatus {
  context: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  description: string | null;
  targetUrl: string | null;
  createdAt: string;
}

export type Item = Issue | PullRequest;

export const VIEWER_LOGIN = 'loom-bot';
const DEFAULT_LABEL_COLOR = 'ededed';
const BASE_TIME = Date.UTC(2024, 0, 1, 0, 0, 0);

/** ISO timestamp in GitHub's style (whole seconds). */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Fixed default for seed items without dates: 2024-01-01 plus one minute per number. */
function defaultDate(n: number): string {
  return isoSeconds(BASE_TIME + n * 60_000);
}

const CLOSING_RE = /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+#(\d+)\b/gi;

/** Issue numbers a text closes with GitHub's closing keywords (`Closes #3`, `fixes #4`, ...). */
export function closingRefsInText(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(CLOSING_RE)) out.push(Number(m[1]));
  return out;
}

export type IssueInput = Partial<Omit<SeedIssue, 'comments'>> & { comments?: SeedComment[] };
export type PullRequestInput = Partial<Omit<SeedPullRequest, 'comments'>> & { comments?: SeedComment[] };

export class Store {
  readonly repo: string;
  readonly owner: string;
  readonly name: string;
  private readonly labelsByKey = new Map<string, Label>();
  private readonly itemsByNumber = new Map<number, Item>();
  private readonly commentIndex = new Map<number, number>(); // comment id -> item number
  private nextNumber = 1;
  private nextLabelId = 1;
  private nextCommentId = 1001;
  private readonly statusesBySha = new Map<string, CommitStatus[]>();
  private readonly deletedBranches = new Set<string>();
  /** Branch names GitHub refuses to delete (branch protection); tests add to it. */
  readonly protectedBranches = new Set<string>(['main']);
  /** Bumped on each change; lets callers cache derived data. */
  version = 0;
  /** Logins with authorAssociation COLLABORATOR. */
  readonly collaborators: Set<string>;
  /** GitHub Actions: registered workflows and their dispatched runs (test/emulator/actions.ts). */
  readonly actions: ActionsStore;

  constructor(seed: Seed) {
    const parsed = parseSeed(seed);
    this.repo = parsed.repo;
    this.collaborators = new Set(parsed.collaborators);
    const [owner, name] = parsed.repo.split('/') as [string, string];
    this.owner = owner;
    this.name = name;
    this.actions = new ActionsStore(parsed.repo);
    for (const l of parsed.labels) {
      this.insertLabel(l.name, l.color ?? DEFAULT_LABEL_COLOR, l.description ?? '', defaultDate(0));
    }
    const numbers = [...parsed.issues, ...parsed.pullRequests].map((i) => i.number ?? 0);
    this.nextNumber = Math.max(0, ...numbers) + 1;
    const commentIds = [...parsed.issues, ...parsed.pullRequests].flatMap((i) =>
      (i.comments ?? []).map((c) => c.id ?? 0),
    );
    this.nextCommentId = Math.max(1000, ...commentIds) + 1;
    for (const i of parsed.issues) this.insertIssue(i, true);
    for (const p of parsed.pullRequests) this.insertPullRequest(p, true);
  }

  // ---- clock -------------------------------------------------------------

  now(): string {
    return isoSeconds(Date.now());
  }

  /** GitHub's authorAssociation of a login in this repository. */
  associationOf(login: string): 'OWNER' | 'COLLABORATOR' | 'NONE' {
    return login === VIEWER_LOGIN ? 'OWNER' : this.collaborators.has(login) ? 'COLLABORATOR' : 'NONE';
  }

  private touch(item: Item): void {
    const now = Date.now();
    const prev = Date.parse(item.updatedAt);
    item.updatedAt = isoSeconds(Number.isNaN(prev) ? now : Math.max(now, prev + 1000));
    this.version++;
  }

  // ---- labels ------------------------------------------------------------

  private insertLabel(name: string, color: string, description: string, at: string): Label {
    const label: Label = {
      id: this.nextLabelId++,
      name,
      color: color.toLowerCase(),
      description,
      createdAt: at,
      updatedAt: at,
    };
    this.labelsByKey.set(name.toLowerCase(), label);
    this.version++;
    return label;
  }

  listLabels(): Label[] {
    return [...this.labelsByKey.values()];
  }

  getLabel(name: string): Label | undefined {
    return this.labelsByKey.get(name.toLowerCase());
  }

  getLabelById(id: number): Label | undefined {
    for (const l of this.labelsByKey.values()) if (l.id === id) return l;
    return undefined;
  }

  /** Returns the label, creating it (grey, no description) if missing. */
  ensureLabel(name: string): Label {
    return this.getLabel(name) ?? this.insertLabel(name, DEFAULT_LABEL_COLOR, '', this.now());
  }

  createLabel(input: { name: string; color?: string; description?: string | null }): Label {
    const name = input.name.trim();
    if (!name) throw new StoreError('UNPROCESSABLE', 'Label name is missing');
    if (this.getLabel(name)) throw new StoreError('ALREADY_EXISTS', `Label "${name}" already exists`);
    const color = (input.color ?? DEFAULT_LABEL_COLOR).replace(/^#/, '');
    if (!/^[0-9a-fA-F]{6}$/.test(color)) throw new StoreError('UNPROCESSABLE', `Invalid color "${color}"`);
    return this.insertLabel(name, color, input.description ?? '', this.now());
  }

  updateLabel(name: string, patch: { name?: string; color?: string; description?: string | null }): Label {
    const label = this.getLabel(name);
    if (!label) throw new StoreError('NOT_FOUND', `Label "${name}" not found`);
    if (patch.color !== undefined) {
      const color = patch.color.replace(/^#/, '');
      if (!/^[0-9a-fA-F]{6}$/.test(color)) throw new StoreError('UNPROCESSABLE', `Invalid color "${color}"`);
      label.color = color.toLowerCase();
    }
    if (patch.description !== undefined) label.description = patch.description ?? '';
    if (patch.name !== undefined && patch.name !== label.name) {
      const newName = patch.name.trim();
      const clash = this.getLabel(newName);
      if (clash && clash !== label) throw new StoreError('ALREADY_EXISTS', `Label "${newName}" already exists`);
      const oldName = label.name;
      this.labelsByKey.delete(oldName.toLowerCase());
      label.name = newName;
      this.labelsByKey.set(newName.toLowerCase(), label);
      for (const item of this.itemsByNumber.values()) {
        const k = item.labels.indexOf(oldName);
        if (k >= 0) item.labels[k] = newName;
      }
    }
    label.updatedAt = this.now();
    this.version++;
    return label;
  }

  deleteLabel(name: string): void {
    const label = this.getLabel(name);
    if (!label) throw new StoreError('NOT_FOUND', `Label "${name}" not found`);
    this.labelsByKey.delete(label.name.toLowerCase());
    for (const item of this.itemsByNumber.values()) {
      const k = item.labels.indexOf(label.name);
      if (k >= 0) {
        item.labels.splice(k, 1);
        this.touch(item);
      }
    }
    this.version++;
  }

  // ---- items -------------------------------------------------------------

  private takeNumber(requested: number | undefined): number {
    if (requested !== undefined) {
      if (this.itemsByNumber.has(requested))
        throw new StoreError('UNPROCESSABLE', `Number ${requested} is already taken`);
      this.nextNumber = Math.max(this.nextNumber, requested + 1);
      return requested;
    }
    return this.nextNumber++;
  }

  private baseFields(input: IssueInput | PullRequestInput, seeded: boolean): ItemBase {
    const number = this.takeNumber(input.number);
    const created = input.createdAt ?? (seeded ? defaultDate(number) : this.now());
    const labels: string[] = [];
    for (const name of input.labels ?? []) {
      const label = this.ensureLabel(name);
      if (!labels.includes(label.name)) labels.push(label.name);
    }
    const comments = (input.comments ?? []).map((c) => {
      const at = c.createdAt ?? created;
      const comment: Comment = {
        id: c.id ?? this.nextCommentId++,
        body: c.body,
        author: c.author ?? VIEWER_LOGIN,
        createdAt: at,
        updatedAt: c.updatedAt ?? at,
      };
      this.commentIndex.set(comment.id, number);
      return comment;
    });
    return {
      number,
      title: input.title ?? '',
      body: input.body ?? '',
      labels,
      labelEvents: labels.map((label) => ({
        label,
        actor: input.labeledBy ?? input.author ?? VIEWER_LOGIN,
        createdAt: created,
      })),
      author: input.author ?? VIEWER_LOGIN,
      assignees: [...(input.assignees ?? [])],
      createdAt: created,
      updatedAt: input.updatedAt ?? created,
      closedAt: input.closedAt ?? null,
      comments,
    };
  }

  private insertIssue(input: IssueInput, seeded: boolean): Issue {
    const base = this.baseFields(input, seeded);
    const state = input.state ?? 'OPEN';
    const issue: Issue = {
      kind: 'issue',
      ...base,
      state,
      stateReason: input.stateReason ?? (state === 'CLOSED' ? 'COMPLETED' : null),
      closedAt: state === 'CLOSED' ? (base.closedAt ?? base.updatedAt) : null,
      blockedBy: [...(input.blockedBy ?? [])],
    };
    this.itemsByNumber.set(issue.number, issue);
    this.version++;
    return issue;
  }

  private insertPullRequest(input: PullRequestInput, seeded: boolean): PullRequest {
    if (!input.headRefName) throw new StoreError('UNPROCESSABLE', 'A pull request needs headRefName');
    const base = this.baseFields(input, seeded);
    const state = input.state ?? 'OPEN';
    const files = (input.files ?? []).map((f) => ({
      path: f.path,
      additions: f.additions ?? 0,
      deletions: f.deletions ?? 0,
    }));
    const pr: PullRequest = {
      kind: 'pr',
      ...base,
      state,
      headRefName: input.headRefName,
      baseRefName: input.baseRefName ?? 'main',
      mergeable: input.mergeable ?? 'MERGEABLE',
      additions: input.additions ?? files.reduce((s, f) => s + f.additions, 0),
      deletions: input.deletions ?? files.reduce((s, f) => s + f.deletions, 0),
      files,
      checks: input.checks ?? null,
      closingIssues: [...(input.closingIssues ?? [])],
      isDraft: input.isDraft ?? false,
      mergedAt: state === 'MERGED' ? (input.mergedAt ?? base.closedAt ?? base.updatedAt) : null,
      reviewDecision: input.reviewDecision ?? null,
      headOid: input.headOid ?? null,
      closedAt: state === 'OPEN' ? null : (base.closedAt ?? input.mergedAt ?? base.updatedAt),
    };
    this.itemsByNumber.set(pr.number, pr);
    this.version++;
    return pr;
  }

  /** Creates an issue now (tests, `POST /_emulator/issues`, createIssue). */
  addIssue(input: IssueInput): Issue {
    return this.insertIssue(input, false);
  }

  addPullRequest(input: PullRequestInput): PullRequest {
    if (input.headRefName && (input.state ?? 'OPEN') === 'OPEN') {
      const base = input.baseRefName ?? 'main';
      const dup = this.allItems().find(
        (i) => i.kind === 'pr' && i.state === 'OPEN' && i.headRefName === input.headRefName && i.baseRefName === base,
      );
      if (dup)
        throw new StoreError('UNPROCESSABLE', `A pull request already exists for ${this.owner}:${input.headRefName}.`);
    }
    return this.insertPullRequest(input, false);
  }

  getItem(n: number): Item | undefined {
    return this.itemsByNumber.get(n);
  }

  item(n: number): Item {
    const item = this.itemsByNumber.get(n);
    if (!item)
      throw new StoreError('NOT_FOUND', `Could not resolve to an issue or pull request with the number of ${n}.`);
    return item;
  }

  issue(n: number): Issue {
    const item = this.itemsByNumber.get(n);
    if (item?.kind !== 'issue')
      throw new StoreError('NOT_FOUND', `Could not resolve to an Issue with the number of ${n}.`);
    return item;
  }

  pullRequest(n: number): PullRequest {
    const item = this.itemsByNumber.get(n);
    if (item?.kind !== 'pr')
      throw new StoreError('NOT_FOUND', `Could not resolve to a PullRequest with the number of ${n}.`);
    return item;
  }

  /** All items in number order. */
  allItems(): Item[] {
    return [...this.itemsByNumber.values()].sort((a, b) => a.number - b.number);
  }

  /** Items in insertion order (cheap; no sort). */
  itemsUnordered(): IterableIterator<Item> {
    return this.itemsByNumber.values();
  }

  get size(): number {
    return this.itemsByNumber.size;
  }

  updateItem(n: number, patch: { title?: string; body?: string; assignees?: string[]; baseRefName?: string }): Item {
    const item = this.item(n);
    if (patch.title !== undefined) item.title = patch.title;
    if (patch.body !== undefined) item.body = patch.body;
    if (patch.assignees !== undefined) item.assignees = [...patch.assignees];
    if (patch.baseRefName !== undefined && item.kind === 'pr') item.baseRefName = patch.baseRefName;
    this.touch(item);
    return item;
  }

  setLabels(n: number, names: string[], actor: string = VIEWER_LOGIN): Item {
    const item = this.item(n);
    const before = new Set(item.labels);
    item.labels = [];
    for (const name of names) {
      const label = this.ensureLabel(name);
      if (!item.labels.includes(label.name)) item.labels.push(label.name);
      if (!before.has(label.name)) item.labelEvents.push({ label: label.name, actor, createdAt: this.now() });
    }
    this.touch(item);
    return item;
  }

  /** Adds labels; `actor` (default the viewer) is recorded as each new label's `LabeledEvent` actor. */
  addLabels(n: number, names: string[], actor: string = VIEWER_LOGIN): Item {
    const item = this.item(n);
    for (const name of names) {
      const label = this.ensureLabel(name);
      if (item.labels.includes(label.name)) continue;
      item.labels.push(label.name);
      item.labelEvents.push({ label: label.name, actor, createdAt: this.now() });
    }
    this.touch(item);
    return item;
  }

  removeLabels(n: number, names: string[]): Item {
    const item = this.item(n);
    const drop = new Set(names.map((x) => x.toLowerCase()));
    item.labels = item.labels.filter((l) => !drop.has(l.toLowerCase()));
    this.touch(item);
    return item;
  }

  closeIssue(n: number, reason: 'COMPLETED' | 'NOT_PLANNED' = 'COMPLETED'): Issue {
    const issue = this.issue(n);
    if (issue.state !== 'CLOSED') {
      issue.state = 'CLOSED';
      issue.closedAt = this.now();
    }
    issue.stateReason = reason;
    this.touch(issue);
    return issue;
  }

  reopenIssue(n: number): Issue {
    const issue = this.issue(n);
    if (issue.state === 'CLOSED') {
      issue.state = 'OPEN';
      issue.closedAt = null;
      issue.stateReason = 'REOPENED';
    }
    this.touch(issue);
    return issue;
  }

  /** Issues the pull request closes: explicit seed references plus closing keywords in its body. */
  closingIssuesOf(pr: PullRequest): Issue[] {
    const out: Issue[] = [];
    const seen = new Set<number>();
    for (const n of [...pr.closingIssues, ...closingRefsInText(pr.body)]) {
      if (seen.has(n)) continue;
      seen.add(n);
      const item = this.itemsByNumber.get(n);
      if (item && item.kind === 'issue') out.push(item);
    }
    return out;
  }

  /** Merges an open, mergeable pull request; closes the issues it references with closing keywords. */
  mergePullRequest(n: number, opts: { expectedHeadOid?: string } = {}): PullRequest {
    const pr = this.pullRequest(n);
    if (pr.state === 'MERGED') throw new StoreError('NOT_MERGEABLE', 'Pull Request is already merged');
    if (pr.state !== 'OPEN') throw new StoreError('NOT_MERGEABLE', 'Pull Request is not open');
    if (pr.isDraft) throw new StoreError('NOT_MERGEABLE', 'Pull Request is still a draft');
    if (pr.mergeable === 'CONFLICTING') throw new StoreError('NOT_MERGEABLE', 'Pull Request is not mergeable');
    if (opts.expectedHeadOid && opts.expectedHeadOid !== headOid(pr)) {
      throw new StoreError('CONFLICT', 'Head branch was modified. Review and try the merge again.');
    }
    const now = this.now();
    pr.state = 'MERGED';
    pr.mergedAt = now;
    pr.closedAt = now;
    this.touch(pr);
    if (pr.baseRefName === 'main') {
      for (const issue of this.closingIssuesOf(pr))
        if (issue.state === 'OPEN') this.closeIssue(issue.number, 'COMPLETED');
    }
    return pr;
  }

  /** A push to the PR's head branch: the head becomes `oid` (a real commit id of the test's repository). */
  pushHead(n: number, oid: string): PullRequest {
    const pr = this.pullRequest(n);
    pr.headOid = oid;
    this.deletedBranches.delete(pr.headRefName);
    this.touch(pr);
    return pr;
  }

  /** Records a commit status; GitHub keeps every one and shows the latest per context. */
  addStatus(sha: string, status: Omit<CommitStatus, 'createdAt'>): CommitStatus {
    if (!/^[0-9a-f]{40}$/.test(sha)) throw new StoreError('UNPROCESSABLE', `No commit found for SHA: ${sha}`);
    const entry = { ...status, createdAt: this.now() };
    this.statusesBySha.set(sha, [...(this.statusesBySha.get(sha) ?? []), entry]);
    this.version++;
    return entry;
  }

  /** The latest status per context of a commit, oldest context first. */
  statusesOf(sha: string): CommitStatus[] {
    const latest = new Map<string, CommitStatus>();
    for (const s of this.statusesBySha.get(sha) ?? []) latest.set(s.context, s);
    return [...latest.values()];
  }

  /** `DELETE /git/refs/heads/{branch}`: refused for a protected branch, not found when already gone. */
  deleteBranch(name: string): void {
    if (this.protectedBranches.has(name)) throw new StoreError('UNPROCESSABLE', 'Cannot delete this protected branch');
    const known = this.allItems().some((i) => i.kind === 'pr' && i.headRefName === name);
    if (!known || this.deletedBranches.has(name)) throw new StoreError('NOT_FOUND', 'Reference does not exist');
    this.deletedBranches.add(name);
    this.version++;
  }

  branchDeleted(name: string): boolean {
    return this.deletedBranches.has(name);
  }

  closePullRequest(n: number): PullRequest {
    const pr = this.pullRequest(n);
    if (pr.state === 'MERGED') throw new StoreError('UNPROCESSABLE', 'Pull Request is already merged');
    if (pr.state === 'OPEN') {
      pr.state = 'CLOSED';
      pr.closedAt = this.now();
    }
    this.touch(pr);
    return pr;
  }

  reopenPullRequest(n: number): PullRequest {
    const pr = this.pullRequest(n);
    if (pr.state === 'MERGED') throw new StoreError('UNPROCESSABLE', 'Pull Request is already merged');
    if (pr.state === 'CLOSED') {
      pr.state = 'OPEN';
      pr.closedAt = null;
    }
    this.touch(pr);
    return pr;
  }

  setDraft(n: number, isDraft: boolean): PullRequest {
    const pr = this.pullRequest(n);
    pr.isDraft = isDraft;
    this.touch(pr);
    return pr;
  }

  deleteItem(n: number): void {
    const item = this.item(n);
    for (const c of item.comments) this.commentIndex.delete(c.id);
    this.itemsByNumber.delete(n);
    for (const other of this.itemsByNumber.values()) {
      if (other.kind === 'issue' && other.blockedBy.includes(n))
        other.blockedBy = other.blockedBy.filter((b) => b !== n);
    }
    this.version++;
  }

  // ---- comments ----------------------------------------------------------

  addComment(n: number, body: string, author: string = VIEWER_LOGIN): Comment {
    const item = this.item(n);
    const now = this.now();
    const comment: Comment = { id: this.nextCommentId++, body, author, createdAt: now, updatedAt: now };
    item.comments.push(comment);
    this.commentIndex.set(comment.id, n);
    this.touch(item);
    return comment;
  }

  findComment(id: number): { item: Item; comment: Comment } | undefined {
    const n = this.commentIndex.get(id);
    const item = n === undefined ? undefined : this.itemsByNumber.get(n);
    const comment = item?.comments.find((c) => c.id === id);
    return item && comment ? { item, comment } : undefined;
  }

  updateComment(id: number, body: string): Comment {
    const found = this.findComment(id);
    if (!found) throw new StoreError('NOT_FOUND', `Could not resolve to an IssueComment with the id of ${id}.`);
    found.comment.body = body;
    found.comment.updatedAt = this.now();
    this.touch(found.item);
    return found.comment;
  }

  deleteComment(id: number): void {
    const found = this.findComment(id);
    if (!found) throw new StoreError('NOT_FOUND', `Could not resolve to an IssueComment with the id of ${id}.`);
    found.item.comments = found.item.comments.filter((c) => c.id !== id);
    this.commentIndex.delete(id);
    this.touch(found.item);
  }

  // ---- dependencies ------------------------------------------------------

  blockersOf(n: number): Issue[] {
    return this.issue(n)
      .blockedBy.map((b) => this.itemsByNumber.get(b))
      .filter((i): i is Issue => i?.kind === 'issue');
  }

  blockedByThis(n: number): Issue[] {
    this.issue(n);
    return this.allItems().filter((i): i is Issue => i.kind === 'issue' && i.blockedBy.includes(n));
  }

  addBlocker(n: number, blocker: number): Issue {
    const issue = this.issue(n);
    this.issue(blocker);
    if (blocker === n) throw new StoreError('UNPROCESSABLE', 'An issue cannot block itself');
    if (!issue.blockedBy.includes(blocker)) issue.blockedBy.push(blocker);
    this.touch(issue);
    return issue;
  }

  removeBlocker(n: number, blocker: number): Issue {
    const issue = this.issue(n);
    if (!issue.blockedBy.includes(blocker)) throw new StoreError('NOT_FOUND', `Issue #${blocker} does not block #${n}`);
    issue.blockedBy = issue.blockedBy.filter((b) => b !== blocker);
    this.touch(issue);
    return issue;
  }

  // ---- export ------------------------------------------------------------

  /** Current data in seed format (a fresh deep copy). */
  exportSeed(): Seed {
    const comments = (cs: Comment[]) =>
      cs.map((c) => ({ id: c.id, body: c.body, author: c.author, createdAt: c.createdAt, updatedAt: c.updatedAt }));
    const items = this.allItems();
    return {
      repo: this.repo,
      labels: this.listLabels().map((l) => ({ name: l.name, color: l.color, description: l.description })),
      issues: items
        .filter((i): i is Issue => i.kind === 'issue')
        .map((i) => ({
          number: i.number,
          title: i.title,
          body: i.body,
          labels: [...i.labels],
          state: i.state,
          stateReason: i.stateReason,
          author: i.author,
          assignees: [...i.assignees],
          createdAt: i.createdAt,
          updatedAt: i.updatedAt,
          closedAt: i.closedAt,
          comments: comments(i.comments),
          blockedBy: [...i.blockedBy],
        })),
      pullRequests: items
        .filter((i): i is PullRequest => i.kind === 'pr')
        .map((p) => ({
          number: p.number,
          title: p.title,
          body: p.body,
          labels: [...p.labels],
          state: p.state,
          headRefName: p.headRefName,
          baseRefName: p.baseRefName,
          mergeable: p.mergeable,
          author: p.author,
          assignees: [...p.assignees],
          createdAt: p.createdAt,
          updatedAt: p.updatedAt,
          closedAt: p.closedAt,
          mergedAt: p.mergedAt,
          comments: comments(p.comments),
          additions: p.additions,
          deletions: p.deletions,
          files: p.files.map((f) => ({ ...f })),
          checks: p.checks,
          closingIssues: [...p.closingIssues],
          isDraft: p.isDraft,
          reviewDecision: p.reviewDecision,
          ...(p.headOid ? { headOid: p.headOid } : {}),
        })),
    };
  }
}

/** A stable fake commit id for the head of a pull request (changes when the PR changes). */
export function headOid(pr: PullRequest): string {
  return pr.headOid ?? fakeSha(`head:${pr.number}:${pr.headRefName}`);
}

export function fakeSha(seed: string): string {
  let h1 = 0x811c9dc5;
  let out = '';
  for (let round = 0; out.length < 40; round++) {
    for (let i = 0; i < seed.length; i++) {
      h1 ^= seed.charCodeAt(i) + round;
      h1 = Math.imul(h1, 0x01000193) >>> 0;
    }
    out += h1.toString(16).padStart(8, '0');
  }
  return out.slice(0, 40);
}
