/**
 * GitHub Actions requests of remote slots (DESIGN.md §4.9): dispatching the shepherd workflow, the one
 * runs-list request per poll that follows every dispatched run, and cancelling a run. One request each.
 */
import { SHEPHERD_WORKFLOW, ShepherdInput } from '../core/actions-contract.js';
import { type WorkflowRun, WorkflowRunSchema, WorkflowRunsSchema } from '../core/remote-slots.js';
import { LoomError } from '../errors.js';
import type { GhClient } from './gh.js';
import type { Repo } from './repo.js';

const repoPath = (repo: Repo) => `repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}`;

/** Runs read per poll: the newest workflow_dispatch runs, enough for every slot's current run (20 slots at most). */
export const RUNS_PER_POLL = 100;

export interface Dispatch {
  ref: string;
  issue: number;
  slot: string;
  args: string;
  claim: string;
}

/**
 * `POST /repos/{o}/{r}/actions/workflows/loom-shepherd.yml/dispatches` (GitHub answers 204, no run id; the
 * run is found later by its name). A 404 (no such workflow on that ref) or 422 (bad ref or inputs) becomes a
 * GH_NOT_FOUND / GH_ERROR naming the fix.
 */
export async function dispatchShepherd(gh: GhClient, repo: Repo, dispatch: Dispatch): Promise<void> {
  const answer = await gh.restRaw('POST', `${repoPath(repo)}/actions/workflows/${SHEPHERD_WORKFLOW}/dispatches`, {
    ref: dispatch.ref,
    inputs: {
      [ShepherdInput.issue]: String(dispatch.issue),
      [ShepherdInput.slot]: dispatch.slot,
      [ShepherdInput.args]: dispatch.args,
      [ShepherdInput.claim]: dispatch.claim,
    },
  });
  if (answer.status < 400) return;
  const message = messageOf(answer.body);
  if (answer.status === 404)
    throw new LoomError('GH_NOT_FOUND', `GitHub has no workflow ${SHEPHERD_WORKFLOW} on ${dispatch.ref}.`, {
      hint: 'Run `loom actions install`, commit and push .github/workflows/, or set actions.ref in .loom/config.json.',
    });
  throw new LoomError('GH_ERROR', `GitHub refused the dispatch of ${SHEPHERD_WORKFLOW}: ${message}`, {
    hint: 'Check actions.ref in .loom/config.json and that the installed workflow is current (`loom actions install`).',
  });
}

/** `GET /repos/{o}/{r}/actions/runs?event=workflow_dispatch&per_page=100`: the newest dispatched runs, newest first. */
export async function listDispatchedRuns(gh: GhClient, repo: Repo): Promise<WorkflowRun[]> {
  const answer = await gh.rest<unknown>(
    'GET',
    `${repoPath(repo)}/actions/runs?event=workflow_dispatch&per_page=${RUNS_PER_POLL}`,
  );
  const parsed = WorkflowRunsSchema.safeParse(answer);
  if (!parsed.success)
    throw new LoomError('GH_MALFORMED', 'GitHub answered the workflow runs list in an unexpected shape.', {
      hint: 'Try again at the next poll.',
    });
  return parsed.data.workflow_runs;
}

/** `GET …/actions/runs/{id}`: one run, or null when GitHub no longer has it (404). */
export async function getRun(gh: GhClient, repo: Repo, runId: number): Promise<WorkflowRun | null> {
  const answer = await gh.restRaw('GET', `${repoPath(repo)}/actions/runs/${runId}`);
  if (answer.status === 404) return null;
  if (answer.status >= 400)
    throw new LoomError('GH_ERROR', `GitHub refused to show run ${runId}: ${messageOf(answer.body)}`, {
      hint: 'Try again at the next poll.',
    });
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    body = undefined;
  }
  const parsed = WorkflowRunSchema.safeParse(body);
  if (!parsed.success)
    throw new LoomError('GH_MALFORMED', `GitHub answered run ${runId} in an unexpected shape.`, {
      hint: 'Try again at the next poll.',
    });
  return parsed.data;
}

/** `POST …/actions/runs/{id}/cancel`: `already-finished` when GitHub says the run cannot be cancelled (409). */
export async function cancelRun(gh: GhClient, repo: Repo, runId: number): Promise<'cancelled' | 'already-finished'> {
  const answer = await gh.restRaw('POST', `${repoPath(repo)}/actions/runs/${runId}/cancel`);
  if (answer.status < 400) return 'cancelled';
  if (answer.status === 409 || answer.status === 404) return 'already-finished';
  throw new LoomError('GH_ERROR', `GitHub refused to cancel run ${runId}: ${messageOf(answer.body)}`, {
    hint: 'Cancel it on the run page if it is still going.',
  });
}

function messageOf(body: string): string {
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message;
    return typeof message === 'string' ? message.slice(0, 200) : `HTTP answer ${body.slice(0, 80)}`;
  } catch {
    return body.slice(0, 80);
  }
}
