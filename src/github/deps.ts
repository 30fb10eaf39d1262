/**
 * An issue's dependencies (DESIGN.md §8.6): GitHub's native "blocked by" list (REST)
 * plus the references written in its body, each with its state. At most three
 * requests: the body, the native list, and one aliased read of the body's
 * references. Fail closed: whatever cannot be read counts as open.
 */

import { combineDependencies, type Dependency, parseDependencies, type ResolvedState } from '../core/deps.js';
import { LoomError } from '../errors.js';
import type { GhClient } from './gh.js';
import type { Repo } from './repo.js';

export interface DependencyReport {
  issue: number;
  dependencies: Dependency[];
  /** Null when GitHub's native dependency list could be read; else why not (the body still counts). */
  native_error: string | null;
}

interface NativeIssue {
  number: number;
  state: string;
  title: string | null;
}

export async function readDependencies(gh: GhClient, repo: Repo, issue: number): Promise<DependencyReport> {
  const data = await gh.graphql<{ repository: { item: { __typename: string; body?: string } | null } | null }>(
    'query LoomIssueBody($owner: String!, $name: String!, $number: Int!) { repository(owner: $owner, name: $name) { item: issueOrPullRequest(number: $number) { __typename ... on Issue { body } } } }',
    { owner: repo.owner, name: repo.name, number: issue },
  );
  const item = data.repository?.item;
  if (!item)
    throw new LoomError('GH_NOT_FOUND', `#${issue} does not exist in ${repo.owner}/${repo.name}.`, {
      hint: 'Check the issue number.',
    });
  if (item.__typename !== 'Issue')
    throw new LoomError('USAGE', `#${issue} is a pull request, not an issue.`, { hint: 'Give an issue number.' });

  let native: { number: number; state: 'open' | 'closed'; title: string | null }[] = [];
  let nativeError: string | null = null;
  const response = await gh.restRaw(
    'GET',
    `repos/${repo.owner}/${repo.name}/issues/${issue}/dependencies/blocked_by?per_page=100`,
  );
  if (response.status === 200) {
    try {
      native = (JSON.parse(response.body) as NativeIssue[]).map((i) => ({
        number: i.number,
        state: i.state === 'closed' ? 'closed' : 'open',
        title: i.title ?? null,
      }));
    } catch {
      nativeError = 'unreadable answer';
    }
  } else {
    // 404: this GitHub has no native dependencies (older GHES). The body references still count.
    nativeError = `HTTP ${response.status}`;
  }

  const refs = parseDependencies(item.body ?? '', issue, `${repo.owner}/${repo.name}`);
  const known = new Set(native.map((n) => n.number));
  const toResolve = [
    ...new Set(refs.filter((r) => r.repo === null && !known.has(r.number)).map((r) => r.number)),
  ].slice(0, 100);
  const resolved = new Map<number, ResolvedState>();
  if (toResolve.length) {
    const fields = toResolve
      .map(
        (n) =>
          `n${n}: issueOrPullRequest(number: ${n}) { __typename ... on Issue { state title } ... on PullRequest { state title } }`,
      )
      .join('\n    ');
    const answer = await gh.graphqlPartial<{
      repository: Record<string, { state: string; title: string } | null> | null;
    }>(
      `query LoomDependencyStates($owner: String!, $name: String!) {\n  repository(owner: $owner, name: $name) {\n    ${fields}\n  }\n}`,
      { owner: repo.owner, name: repo.name },
    );
    for (const n of toResolve) {
      const node = answer.data.repository?.[`n${n}`];
      if (node) resolved.set(n, { state: node.state === 'OPEN' ? 'open' : 'closed', title: node.title });
    }
  }
  return { issue, dependencies: combineDependencies(native, refs, (n) => resolved.get(n)), native_error: nativeError };
}
