/**
 * Reading and writing the shepherd checkpoint comment (DESIGN.md §8.3). One comment
 * per issue, edited in place with `updateIssueComment`; a second one is never
 * created while Loom's own checkpoint comment exists.
 */
import {
  type Checkpoint,
  findCheckpointComment,
  formatCheckpointComment,
  nextCheckpoint,
  parseCheckpoint,
} from '../core/checkpoint.js';
import { decidePhase, roleFinished } from '../core/shepherd-phase.js';
import { LoomError } from '../errors.js';
import type { GhClient } from './gh.js';
import type { IssueComment } from './issue-work.js';
import { readIssueWork } from './issue-work.js';
import type { Repo } from './repo.js';

/** The checkpoint among already-read comments, or null. */
export function checkpointFrom(comments: IssueComment[]): Checkpoint | null {
  const comment = findCheckpointComment(comments);
  return comment ? (parseCheckpoint(comment.body) ?? null) : null;
}

export async function readCheckpoint(gh: GhClient, repo: Repo, issue: number): Promise<Checkpoint | null> {
  const work = await readIssueWork(gh, repo, issue, { comments: true });
  return checkpointFrom(work.comments ?? []);
}

export interface CheckpointWrite {
  checkpoint: Checkpoint;
  commentId: string;
  created: boolean;
}

/** Writes the next checkpoint: edits Loom's checkpoint comment, or creates it the first time. */
export async function writeCheckpoint(
  gh: GhClient,
  repo: Repo,
  issue: number,
  update: { phase: string; pr?: number },
  now: Date,
): Promise<CheckpointWrite> {
  const work = await readIssueWork(gh, repo, issue, { comments: true });
  const comments = work.comments ?? [];
  // Only a comment the viewer wrote can be edited; a collaborator's checkpoint still seeds the values.
  const own = comments.find((c) => c.viewerDidAuthor && findCheckpointComment([c]));
  const current = checkpointFrom(comments);
  // A role's phase is recorded only when GitHub shows it done (a builder's PR named with --pr counts).
  const next = decidePhase(work.issue, work.pull?.pull ?? null, current).phase;
  if (!roleFinished(update.phase, next) && !(update.phase === 'builder' && update.pr)) {
    throw new LoomError(
      'PHASE_NOT_FINISHED',
      `The ${update.phase} phase of #${issue} has not finished: the next phase is still ${next}.`,
      {
        hint: 'Nothing was recorded. Run `loom shepherd-phase` and carry on from the phase it names.',
      },
    );
  }
  const checkpoint = nextCheckpoint(current, update, now);
  const body = formatCheckpointComment(checkpoint);
  if (own) {
    await gh.graphql(
      'mutation LoomCheckpointEdit($id: ID!, $body: String!) { updateIssueComment(input: { id: $id, body: $body }) { clientMutationId } }',
      { id: own.id, body },
    );
    return { checkpoint, commentId: own.id, created: false };
  }
  const added = await gh.graphql<{ addComment: { commentEdge: { node: { id: string } } | null } }>(
    'mutation LoomCheckpointCreate($id: ID!, $body: String!) { addComment(input: { subjectId: $id, body: $body }) { commentEdge { node { id } } } }',
    { id: work.issue.id, body },
  );
  return { checkpoint, commentId: added.addComment.commentEdge?.node.id ?? '', created: true };
}
