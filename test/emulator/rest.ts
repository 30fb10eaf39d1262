/**
 * REST routes of the emulator (the subset of api.github.com that gh and
 * Loom use), answering with GitHub-shaped JSON.
 */

import { nodeId, type RateInfo, WEB_BASE } from './objects.js';
import {
  type Comment,
  fakeSha,
  headOid,
  type Issue,
  type Item,
  type Label,
  type PullRequest,
  type Store,
  StoreError,
  VIEWER_LOGIN,
} from './store.js';

export interface RestRequest {
  method: string;
  /** Decoded path segments, e.g. ['repos', 'o', 'r', 'labels', 'a:b']. */
  segments: string[];
  query: URLSearchParams;
  body: unknown;
  /** Origin for `url` fields, e.g. http://api.github.localhost. */
  apiBase: string;
  pathname: string;
  /** The Accept header (media type decides e.g. JSON vs diff). */
  accept: string;
}

export interface RestResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RestContext {
  store: Store;
  rate(resource: string): RateInfo;
}

const notFound = (): RestResponse => ({
  status: 404,
  body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' },
});

function validationFailed(resource: string, code: string, field: string, message?: string): RestResponse {
  const error: Record<string, string> = { resource, code, field };
  if (message) error.message = message;
  return {
    status: 422,
    body: { message: 'Validation Failed', errors: [error], documentation_url: 'https://docs.github.com/rest' },
  };
}

// ---- representations ---------------------------------------------------------------

function restUser(api: string, login: string) {
  const id = login === VIEWER_LOGIN ? 1 : 1000 + login.length;
  return {
    login,
    id,
    node_id: nodeId.user(login),
    avatar_url: `${WEB_BASE}/avatars/${login}.png`,
    url: `${api}/users/${login}`,
    html_url: `${WEB_BASE}/${login}`,
    type: 'User',
    site_admin: false,
  };
}

function restLabel(api: string, store: Store, l: Label) {
  return {
    id: l.id,
    node_id: nodeId.label(l.id),
    url: `${api}/repos/${store.repo}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    default: false,
    description: l.description === '' ? null : l.description,
  };
}

function restLabels(api: string, store: Store, item: Item) {
  return item.labels
    .map((n) => store.getLabel(n))
    .filter((l): l is Label => !!l)
    .map((l) => restLabel(api, store, l));
}

function restRepo(api: string, store: Store) {
  return {
    id: 1,
    node_id: nodeId.repository(),
    name: store.name,
    full_name: store.repo,
    owner: restUser(api, store.owner),
    private: false,
    visibility: 'public',
    html_url: `${WEB_BASE}/${store.repo}`,
    description: 'Loom emulator repository',
    fork: false,
    url: `${api}/repos/${store.repo}`,
    clone_url: `${WEB_BASE}/${store.repo}.git`,
    default_branch: 'main',
    has_issues: true,
    has_projects: true,
    has_wiki: false,
    archived: false,
    disabled: false,
    open_issues_count: [...store.itemsUnordered()].filter((i) => i.state === 'OPEN').length,
    allow_merge_commit: true,
    allow_squash_merge: true,
    allow_rebase_merge: true,
    allow_auto_merge: false,
    delete_branch_on_merge: false,
    permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
    pushed_at: '2024-01-01T00:00:00Z',
  };
}

function itemHtmlUrl(store: Store, item: Item) {
  return `${WEB_BASE}/${store.repo}/${item.kind === 'pr' ? 'pull' : 'issues'}/${item.number}`;
}

function restIssue(api: string, store: Store, item: Item) {
  const out: Record<string, unknown> = {
    url: `${api}/repos/${store.repo}/issues/${item.number}`,
    repository_url: `${api}/repos/${store.repo}`,
    comments_url: `${api}/repos/${store.repo}/issues/${item.number}/comments`,
    html_url: itemHtmlUrl(store, item),
    id: 100_000 + item.number,
    node_id: item.kind === 'pr' ? nodeId.pullRequest(item.number) : nodeId.issue(item.number),
    number: item.number,
    title: item.title,
    user: restUser(api, item.author),
    labels: restLabels(api, store, item),
    state: item.state === 'OPEN' ? 'open' : 'closed',
    state_reason: item.kind === 'issue' ? (item.stateReason ? item.stateReason.toLowerCase() : null) : null,
    locked: false,
    assignee: item.assignees[0] ? restUser(api, item.assignees[0]) : null,
    assignees: item.assignees.map((a) => restUser(api, a)),
    milestone: null,
    comments: item.comments.length,
    created_at: item.createdAt,
    updated_at: item.updatedAt,
    closed_at: item.closedAt,
    author_association: store.associationOf(item.author),
    body: item.body,
  };
  if (item.kind === 'pr') {
    out.draft = item.isDraft;
    out.pull_request = {
      url: `${api}/repos/${store.repo}/pulls/${item.number}`,
      html_url: itemHtmlUrl(store, item),
      merged_at: item.mergedAt,
    };
  }
  return out;
}

function restPull(api: string, store: Store, pr: PullRequest) {
  const repo = restRepo(api, store);
  const mergeable =
    pr.state !== 'OPEN' ? null : pr.mergeable === 'MERGEABLE' ? true : pr.mergeable === 'CONFLICTING' ? false : null;
  const mergeableState =
    pr.state !== 'OPEN'
      ? 'unknown'
      : pr.isDraft
        ? 'draft'
        : pr.mergeable === 'CONFLICTING'
          ? 'dirty'
          : pr.mergeable === 'UNKNOWN'
            ? 'unknown'
            : 'clean';
  return {
    url: `${api}/repos/${store.repo}/pulls/${pr.number}`,
    id: 100_000 + pr.number,
    node_id: nodeId.pullRequest(pr.number),
    html_url: itemHtmlUrl(store, pr),
    issue_url: `${api}/repos/${store.repo}/issues/${pr.number}`,
    number: pr.number,
    state: pr.state === 'OPEN' ? 'open' : 'closed',
    locked: false,
    title: pr.title,
    user: restUser(api, pr.author),
    body: pr.body,
    labels: restLabels(api, store, pr),
    assignees: pr.assignees.map((a) => restUser(api, a)),
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt,
    merged_at: pr.mergedAt,
    merge_commit_sha: pr.state === 'MERGED' ? fakeSha(`merge:${pr.number}`) : null,
    draft: pr.isDraft,
    head: {
      label: `${store.owner}:${pr.headRefName}`,
      ref: pr.headRefName,
      sha: headOid(pr),
      user: restUser(api, store.owner),
      repo,
    },
    base: {
      label: `${store.owner}:${pr.baseRefName}`,
      ref: pr.baseRefName,
      sha: fakeSha(`base:${pr.baseRefName}`),
      user: restUser(api, store.owner),
      repo,
    },
    author_association: store.associationOf(pr.author),
    merged: pr.state === 'MERGED',
    mergeable,
    rebaseable: mergeable,
    mergeable_state: mergeableState,
    merged_by: pr.state === 'MERGED' ? restUser(api, VIEWER_LOGIN) : null,
    comments: pr.comments.length,
    review_comments: 0,
    maintainer_can_modify: true,
    commits: 1,
    additions: pr.additions,
    deletions: pr.deletions,
    changed_files: pr.files.length,
  };
}

function restComment(api: string, store: Store, item: Item, c: Comment) {
  return {
    url: `${api}/repos/${store.repo}/issues/comments/${c.id}`,
    html_url: `${itemHtmlUrl(store, item)}#issuecomment-${c.id}`,
    issue_url: `${api}/repos/${store.repo}/issues/${item.number}`,
    id: c.id,
    node_id: nodeId.comment(c.id),
    user: restUser(api, c.author),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: store.associationOf(c.author),
    body: c.body,
  };
}

// ---- helpers ---------------------------------------------------------------------

/** Slices a list by per_page/page and adds a GitHub-style Link header. */
function paginate<T>(req: RestRequest, all: T[]): RestResponse {
  const perPage = Math.min(100, Math.max(1, Number(req.query.get('per_page') ?? 30) || 30));
  const page = Math.max(1, Number(req.query.get('page') ?? 1) || 1);
  const slice = all.slice((page - 1) * perPage, page * perPage);
  const last = Math.max(1, Math.ceil(all.length / perPage));
  const link = (p: number, rel: string) => {
    const q = new URLSearchParams(req.query);
    q.set('per_page', String(perPage));
    q.set('page', String(p));
    return `<${req.apiBase}${req.pathname}?${q.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
  return { status: 200, body: slice, headers: links.length ? { link: links.join(', ') } : {} };
}

function obj(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function labelNamesFrom(body: unknown): string[] | null {
  const raw = Array.isArray(body) ? body : obj(body).labels;
  if (!Array.isArray(raw)) return null;
  return raw.map((l) => (typeof l === 'string' ? l : (str(obj(l).name) ?? ''))).filter(Boolean);
}

function parseNumber(s: string | undefined): number | null {
  return s && /^\d+$/.test(s) ? Number(s) : null;
}

// ---- routing ---------------------------------------------------------------------

export function handleRest(ctx: RestContext, req: RestRequest): RestResponse {
  try {
    return route(ctx, req);
  } catch (e) {
    if (e instanceof StoreError) {
      if (e.code === 'NOT_FOUND') return notFound();
      if (e.code === 'NOT_MERGEABLE')
        return { status: 405, body: { message: e.message, documentation_url: 'https://docs.github.com/rest' } };
      if (e.code === 'CONFLICT')
        return { status: 409, body: { message: e.message, documentation_url: 'https://docs.github.com/rest' } };
      return { status: 422, body: { message: e.message, documentation_url: 'https://docs.github.com/rest' } };
    }
    throw e;
  }
}

function route(ctx: RestContext, req: RestRequest): RestResponse {
  const { store, rate } = ctx;
  const api = req.apiBase;
  const s = req.segments;
  const m = req.method;

  const actions = actionsRoute(ctx, req);
  if (actions) return actions;

  // The API root: `gh auth status` reads the token's scopes from its X-OAuth-Scopes header.
  if (s.length === 0 && m === 'GET')
    return {
      status: 200,
      body: { current_user_url: `${api}/user`, repository_url: `${api}/repos/{owner}/{repo}` },
      headers: { 'x-oauth-scopes': 'repo, read:org, workflow' },
    };
  if (s.length === 1 && s[0] === 'user' && m === 'GET') {
    return {
      status: 200,
      body: {
        ...restUser(api, VIEWER_LOGIN),
        name: 'Loom Bot',
        email: null,
        public_repos: 1,
        created_at: '2024-01-01T00:00:00Z',
      },
    };
  }
  if (s.length === 1 && s[0] === 'rate_limit' && m === 'GET') {
    const res = (name: string) => {
      const r = rate(name);
      return { limit: r.limit, used: r.used, remaining: r.remaining, reset: r.reset };
    };
    return {
      status: 200,
      body: { resources: { core: res('core'), graphql: res('graphql'), search: res('search') }, rate: res('core') },
    };
  }
  if (s.length === 2 && s[0] === 'users' && m === 'GET') return { status: 200, body: restUser(api, s[1]!) };

  if (s[0] !== 'repos' || s.length < 3) return notFound();
  if (`${s[1]}/${s[2]}`.toLowerCase() !== store.repo.toLowerCase()) return notFound();
  const rest = s.slice(3);
  const [a, b, c, d, e] = rest;

  if (rest.length === 0) return m === 'GET' ? { status: 200, body: restRepo(api, store) } : notFound();

  // labels
  if (a === 'labels') {
    if (rest.length === 1 && m === 'GET')
      return paginate(
        req,
        store.listLabels().map((l) => restLabel(api, store, l)),
      );
    if (rest.length === 1 && m === 'POST') {
      const body = obj(req.body);
      const name = str(body.name);
      if (!name) return validationFailed('Label', 'missing_field', 'name');
      if (store.getLabel(name)) return validationFailed('Label', 'already_exists', 'name');
      const color = str(body.color);
      if (color !== undefined && !/^#?[0-9a-fA-F]{6}$/.test(color))
        return validationFailed('Label', 'invalid', 'color');
      const label = store.createLabel({ name, color: color ?? 'ededed', description: str(body.description) ?? '' });
      return { status: 201, body: restLabel(api, store, label) };
    }
    if (rest.length === 2) {
      const label = store.getLabel(b!);
      if (!label) return notFound();
      if (m === 'GET') return { status: 200, body: restLabel(api, store, label) };
      if (m === 'PATCH') {
        const body = obj(req.body);
        const patch: { name?: string; color?: string; description?: string | null } = {};
        const newName = str(body.new_name) ?? str(body.name);
        if (newName !== undefined) patch.name = newName;
        const color = str(body.color);
        if (color !== undefined) {
          if (!/^#?[0-9a-fA-F]{6}$/.test(color)) return validationFailed('Label', 'invalid', 'color');
          patch.color = color;
        }
        if ('description' in body) patch.description = str(body.description) ?? '';
        if (patch.name && store.getLabel(patch.name) && store.getLabel(patch.name) !== label)
          return validationFailed('Label', 'already_exists', 'name');
        return { status: 200, body: restLabel(api, store, store.updateLabel(label.name, patch)) };
      }
      if (m === 'DELETE') {
        store.deleteLabel(label.name);
        return { status: 204 };
      }
    }
    return notFound();
  }

  // issues
  if (a === 'issues') {
    if (rest.length === 1 && m === 'GET') {
      const state = req.query.get('state') ?? 'open';
      const wanted = (req.query.get('labels') ?? '')
        .split(',')
        .map((x) => x.trim().toLowerCase())
        .filter(Boolean);
      const sort = req.query.get('sort') ?? 'created';
      const dir = (req.query.get('direction') ?? 'desc') === 'asc' ? 1 : -1;
      const since = req.query.get('since');
      const items = store.allItems().filter((i) => {
        if (state === 'open' && i.state !== 'OPEN') return false;
        if (state === 'closed' && i.state === 'OPEN') return false;
        const have = i.labels.map((l) => l.toLowerCase());
        if (!wanted.every((w) => have.includes(w))) return false;
        if (since && Date.parse(i.updatedAt) < Date.parse(since)) return false;
        return true;
      });
      const key = (i: Item) =>
        sort === 'updated'
          ? Date.parse(i.updatedAt)
          : sort === 'comments'
            ? i.comments.length
            : Date.parse(i.createdAt);
      items.sort((x, y) => (key(x) - key(y) || x.number - y.number) * dir);
      return paginate(
        req,
        items.map((i) => restIssue(api, store, i)),
      );
    }
    if (rest.length === 1 && m === 'POST') {
      const body = obj(req.body);
      const title = str(body.title);
      if (!title) return validationFailed('Issue', 'missing_field', 'title');
      const issue = store.addIssue({
        title,
        body: str(body.body) ?? '',
        labels: labelNamesFrom(body) ?? [],
        assignees: Array.isArray(body.assignees)
          ? body.assignees.filter((x): x is string => typeof x === 'string')
          : [],
      });
      return { status: 201, body: restIssue(api, store, issue) };
    }
    // comments by id
    if (b === 'comments' && rest.length === 3) {
      const id = parseNumber(c);
      const found = id === null ? undefined : store.findComment(id);
      if (!found) return notFound();
      if (m === 'GET') return { status: 200, body: restComment(api, store, found.item, found.comment) };
      if (m === 'PATCH') {
        const body = str(obj(req.body).body);
        if (body === undefined) return validationFailed('IssueComment', 'missing_field', 'body');
        const updated = store.updateComment(found.comment.id, body);
        return { status: 200, body: restComment(api, store, found.item, updated) };
      }
      if (m === 'DELETE') {
        store.deleteComment(found.comment.id);
        return { status: 204 };
      }
      return notFound();
    }
    if (b === 'comments' && rest.length === 2 && m === 'GET') {
      const all = store.allItems().flatMap((i) => i.comments.map((cm) => restComment(api, store, i, cm)));
      return paginate(req, all);
    }
    const n = parseNumber(b);
    if (n === null) return notFound();
    const item = store.getItem(n);
    if (!item) return notFound();
    if (rest.length === 2) {
      if (m === 'GET') return { status: 200, body: restIssue(api, store, item) };
      if (m === 'PATCH') return patchIssue(ctx, req, item);
      return notFound();
    }
    if (c === 'comments' && rest.length === 3) {
      if (m === 'GET') {
        const since = req.query.get('since');
        const list = item.comments.filter((cm) => !since || Date.parse(cm.updatedAt) >= Date.parse(since));
        return paginate(
          req,
          list.map((cm) => restComment(api, store, item, cm)),
        );
      }
      if (m === 'POST') {
        const body = str(obj(req.body).body);
        if (!body) return validationFailed('IssueComment', 'missing_field', 'body');
        return { status: 201, body: restComment(api, store, item, store.addComment(n, body)) };
      }
      return notFound();
    }
    if (c === 'labels') {
      if (rest.length === 3) {
        if (m === 'GET') return paginate(req, restLabels(api, store, item));
        const names = labelNamesFrom(req.body);
        if (m === 'POST' || m === 'PUT') {
          if (!names) return validationFailed('Label', 'missing_field', 'labels');
          if (m === 'POST') store.addLabels(n, names);
          else store.setLabels(n, names);
          return { status: 200, body: restLabels(api, store, store.item(n)) };
        }
        if (m === 'DELETE') {
          store.setLabels(n, []);
          return { status: 204 };
        }
      }
      if (rest.length === 4 && m === 'DELETE') {
        if (!item.labels.some((l) => l.toLowerCase() === d!.toLowerCase()))
          return {
            status: 404,
            body: { message: 'Label does not exist', documentation_url: 'https://docs.github.com/rest' },
          };
        store.removeLabels(n, [d!]);
        return { status: 200, body: restLabels(api, store, store.item(n)) };
      }
      return notFound();
    }
    if (c === 'dependencies' && item.kind === 'issue') {
      if (d === 'blocked_by' && rest.length === 4) {
        if (m === 'GET')
          return paginate(
            req,
            store.blockersOf(n).map((i) => restIssue(api, store, i)),
          );
        if (m === 'POST') {
          const id = Number(obj(req.body).issue_id);
          const blocker = blockerFromDatabaseId(store, id);
          if (!blocker) return validationFailed('IssueDependency', 'invalid', 'issue_id');
          store.addBlocker(n, blocker.number);
          return { status: 201, body: restIssue(api, store, blocker) };
        }
      }
      if (d === 'blocked_by' && rest.length === 5 && m === 'DELETE') {
        const blocker = blockerFromDatabaseId(store, Number(e));
        if (!blocker) return notFound();
        store.removeBlocker(n, blocker.number);
        return { status: 200, body: restIssue(api, store, blocker) };
      }
      if (d === 'blocking' && rest.length === 4 && m === 'GET') {
        return paginate(
          req,
          store.blockedByThis(n).map((i) => restIssue(api, store, i)),
        );
      }
    }
    return notFound();
  }

  // pulls
  if (a === 'pulls') {
    if (rest.length === 1 && m === 'GET') {
      const state = req.query.get('state') ?? 'open';
      const head = req.query.get('head')?.replace(/^[^:]+:/, '');
      const base = req.query.get('base');
      const prs = store.allItems().filter((i): i is PullRequest => {
        if (i.kind !== 'pr') return false;
        if (state === 'open' && i.state !== 'OPEN') return false;
        if (state === 'closed' && i.state === 'OPEN') return false;
        if (head && i.headRefName !== head) return false;
        if (base && i.baseRefName !== base) return false;
        return true;
      });
      prs.reverse();
      return paginate(
        req,
        prs.map((p) => restPull(api, store, p)),
      );
    }
    if (rest.length === 1 && m === 'POST') {
      const body = obj(req.body);
      const title = str(body.title);
      const head = str(body.head)?.replace(/^[^:]+:/, '');
      const base = str(body.base);
      if (!title) return validationFailed('PullRequest', 'missing_field', 'title');
      if (!head) return validationFailed('PullRequest', 'missing_field', 'head');
      if (!base) return validationFailed('PullRequest', 'missing_field', 'base');
      try {
        const pr = store.addPullRequest({
          title,
          body: str(body.body) ?? '',
          headRefName: head,
          baseRefName: base,
          isDraft: body.draft === true,
        });
        return { status: 201, body: restPull(api, store, pr) };
      } catch (err) {
        if (err instanceof StoreError) return validationFailed('PullRequest', 'custom', 'head', err.message);
        throw err;
      }
    }
    const n = parseNumber(b);
    if (n === null) return notFound();
    const item = store.getItem(n);
    if (item?.kind !== 'pr') return notFound();
    if (rest.length === 2 && m === 'GET') {
      if (/\.(diff|patch)\b/.test(req.accept)) {
        return {
          status: 200,
          body: fakeDiff(item),
          headers: { 'content-type': 'application/vnd.github.v3.diff; charset=utf-8' },
        };
      }
      return { status: 200, body: restPull(api, store, item) };
    }
    if (rest.length === 2 && m === 'PATCH') {
      const body = obj(req.body);
      const patch: { title?: string; body?: string; baseRefName?: string } = {};
      if (str(body.title) !== undefined) patch.title = str(body.title)!;
      if (str(body.body) !== undefined) patch.body = str(body.body)!;
      if (str(body.base) !== undefined) patch.baseRefName = str(body.base)!;
      store.updateItem(n, patch);
      if (body.state === 'closed') store.closePullRequest(n);
      if (body.state === 'open') store.reopenPullRequest(n);
      return { status: 200, body: restPull(api, store, store.pullRequest(n)) };
    }
    if (c === 'files' && rest.length === 3 && m === 'GET') {
      return paginate(
        req,
        item.files.map((f) => ({
          sha: fakeSha(`file:${f.path}`),
          filename: f.path,
          status: 'modified',
          additions: f.additions,
          deletions: f.deletions,
          changes: f.additions + f.deletions,
        })),
      );
    }
    if (c === 'merge' && rest.length === 3) {
      if (m === 'GET') return item.state === 'MERGED' ? { status: 204 } : notFound();
      if (m === 'PUT') {
        const body = obj(req.body);
        const sha = str(body.sha);
        const merged = store.mergePullRequest(n, sha ? { expectedHeadOid: sha } : {});
        return {
          status: 200,
          body: { sha: fakeSha(`merge:${merged.number}`), merged: true, message: 'Pull Request successfully merged' },
        };
      }
    }
    return notFound();
  }

  if (a === 'branches' && rest.length >= 2 && m === 'GET') {
    const name = rest.slice(1).join('/');
    if (store.branchDeleted(name)) return notFound();
    return {
      status: 200,
      body: { name, commit: { sha: fakeSha(`ref:${name}`) }, protected: store.protectedBranches.has(name) },
    };
  }

  // Commit statuses (`loom pr-test` records the Judge's local test run as context loom/tests).
  if (a === 'statuses' && rest.length === 2 && m === 'POST') {
    const body = obj(req.body);
    const state = str(body.state);
    if (state !== 'error' && state !== 'failure' && state !== 'pending' && state !== 'success')
      return validationFailed('Status', 'invalid', 'state');
    const status = store.addStatus(b!, {
      state,
      context: str(body.context) ?? 'default',
      description: str(body.description) ?? null,
      targetUrl: str(body.target_url) ?? null,
    });
    return {
      status: 201,
      body: {
        id: 800_000 + store.statusesOf(b!).length,
        state: status.state,
        context: status.context,
        description: status.description,
        target_url: status.targetUrl,
        created_at: status.createdAt,
        updated_at: status.createdAt,
        creator: restUser(api, VIEWER_LOGIN),
      },
    };
  }
  if (a === 'commits' && rest.length === 3 && c === 'status' && m === 'GET') {
    const statuses = store.statusesOf(b!);
    const worst = (['error', 'failure', 'pending'] as const).find((w) => statuses.some((s) => s.state === w));
    return {
      status: 200,
      body: {
        sha: b,
        state: worst ?? (statuses.length ? 'success' : 'pending'),
        total_count: statuses.length,
        statuses: statuses.map((s) => ({ context: s.context, state: s.state, description: s.description })),
      },
    };
  }

  // Branch deletion after a merge (`DELETE /git/refs/heads/{branch}`; the name may span segments).
  if (a === 'git' && b === 'refs' && c === 'heads' && rest.length >= 4 && m === 'DELETE') {
    store.deleteBranch(rest.slice(3).join('/'));
    return { status: 204 };
  }
  return notFound();
}

/** A plausible unified diff with the pull request's file list and line counts. */
function fakeDiff(pr: PullRequest): string {
  return pr.files
    .map((f) => {
      const minus = Array.from({ length: f.deletions }, (_, k) => `-old line ${k + 1}\n`).join('');
      const plus = Array.from({ length: f.additions }, (_, k) => `+new line ${k + 1}\n`).join('');
      return `diff --git a/${f.path} b/${f.path}\nindex 1111111..2222222 100644\n--- a/${f.path}\n+++ b/${f.path}\n@@ -1,${f.deletions} +1,${f.additions} @@\n${minus}${plus}`;
    })
    .join('');
}

function blockerFromDatabaseId(store: Store, id: number): Issue | undefined {
  const item = store.getItem(id - 100_000);
  return item?.kind === 'issue' ? item : undefined;
}

function patchIssue(ctx: RestContext, req: RestRequest, item: Item): RestResponse {
  const { store } = ctx;
  const body = obj(req.body);
  const patch: { title?: string; body?: string; assignees?: string[] } = {};
  if (str(body.title) !== undefined) patch.title = str(body.title)!;
  if (str(body.body) !== undefined) patch.body = str(body.body)!;
  if (Array.isArray(body.assignees)) patch.assignees = body.assignees.filter((x): x is string => typeof x === 'string');
  store.updateItem(item.number, patch);
  const names = labelNamesFrom(body.labels === undefined ? undefined : { labels: body.labels });
  if (names) store.setLabels(item.number, names);
  if (body.state === 'closed') {
    if (item.kind === 'issue')
      store.closeIssue(item.number, body.state_reason === 'not_planned' ? 'NOT_PLANNED' : 'COMPLETED');
    else store.closePullRequest(item.number);
  }
  if (body.state === 'open') {
    if (item.kind === 'issue') store.reopenIssue(item.number);
    else store.reopenPullRequest(item.number);
  }
  return { status: 200, body: restIssue(req.apiBase, store, store.item(item.number)) };
}

/**
 * GitHub Actions (test/emulator/actions.ts): dispatch, the runs list, one run, cancel. Undefined when the path
 * is not one of these.
 */
function actionsRoute(ctx: RestContext, req: RestRequest): RestResponse | undefined {
  const s = req.segments;
  if (s[0] !== 'repos' || `${s[1]}/${s[2]}`.toLowerCase() !== ctx.store.repo.toLowerCase() || s[3] !== 'actions')
    return undefined;
  const actions = ctx.store.actions;
  const rest = s.slice(4);
  const m = req.method;
  if (rest.length === 3 && rest[0] === 'workflows' && rest[2] === 'dispatches' && m === 'POST') {
    try {
      actions.dispatch(rest[1]!, req.body);
    } catch (e) {
      if (e instanceof StoreError && e.code === 'UNPROCESSABLE')
        return { status: 422, body: { message: e.message, documentation_url: 'https://docs.github.com/rest' } };
      throw e;
    }
    return { status: 204 };
  }
  if (rest.length === 1 && rest[0] === 'runs' && m === 'GET') {
    const perPage = Math.min(100, Math.max(1, Number(req.query.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(req.query.get('page') ?? 1) || 1);
    const runs = actions.list({
      event: req.query.get('event') ?? undefined,
      status: req.query.get('status') ?? undefined,
    });
    return {
      status: 200,
      body: {
        total_count: runs.length,
        workflow_runs: runs.slice((page - 1) * perPage, page * perPage).map((r) => actions.rest(req.apiBase, r)),
      },
    };
  }
  const id = Number(rest[1]);
  if (rest[0] === 'runs' && Number.isInteger(id) && id > 0) {
    if (rest.length === 2 && m === 'GET') return { status: 200, body: actions.rest(req.apiBase, actions.get(id)) };
    if (rest.length === 3 && rest[2] === 'cancel' && m === 'POST') {
      actions.cancel(id);
      return { status: 202, body: {} };
    }
  }
  return undefined;
}
