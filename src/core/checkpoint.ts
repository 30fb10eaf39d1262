/**
 * The shepherd's checkpoint (DESIGN.md §8.3): one issue comment whose body carries
 * `<!-- loom:checkpoint {json} -->`, edited in place as phases complete, so
 * `/shepherd N --resume` continues where the last run stopped. Pure: parsing,
 * formatting and the next value.
 */
import * as z from 'zod';

export const CheckpointSchema = z
  .object({
    phase: z.string().regex(/^[a-z][a-z-]{0,19}$/),
    pr: z.number().int().positive().nullable(),
    doctor_rounds: z.number().int().nonnegative(),
    updated_at: z.string(),
  })
  .strict();
export type Checkpoint = z.infer<typeof CheckpointSchema>;

const MARKER = /<!--\s*loom:checkpoint\s+(\{[\s\S]*?\})\s*-->/;

/** The checkpoint in a comment body, or undefined when it has none (or an unreadable one). */
export function parseCheckpoint(body: string): Checkpoint | undefined {
  const match = MARKER.exec(body);
  if (!match) return undefined;
  try {
    const parsed = CheckpointSchema.safeParse(JSON.parse(match[1]!));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** True when a comment body is a checkpoint comment (even an unreadable one: it is still edited, not duplicated). */
export function isCheckpointComment(body: string): boolean {
  return /<!--\s*loom:checkpoint\b/.test(body);
}

/** The next checkpoint: entering `doctor` counts a round; `pr` is kept unless a new one is given. */
export function nextCheckpoint(
  previous: Checkpoint | null,
  update: { phase: string; pr?: number },
  now: Date,
): Checkpoint {
  return {
    phase: update.phase,
    pr: update.pr ?? previous?.pr ?? null,
    doctor_rounds: (previous?.doctor_rounds ?? 0) + (update.phase === 'doctor' ? 1 : 0),
    updated_at: now.toISOString(),
  };
}

/** The comment body: a line for humans, then the machine-readable marker. */
export function formatCheckpointComment(checkpoint: Checkpoint): string {
  const pr = checkpoint.pr ? `, PR #${checkpoint.pr}` : '';
  return (
    `**Loom shepherd checkpoint**: phase \`${checkpoint.phase}\`${pr}, doctor rounds ${checkpoint.doctor_rounds} (updated ${checkpoint.updated_at}).\n` +
    `_Edited in place by \`loom checkpoint\`; \`/shepherd --resume\` continues from here._\n\n` +
    `<!-- loom:checkpoint ${JSON.stringify(checkpoint)} -->`
  );
}

export interface CheckpointCommentCandidate {
  id: string;
  body: string;
  viewerDidAuthor: boolean;
  authorAssociation: string;
}

/** Only comments Loom (the viewer) or a collaborator wrote are trusted: anyone can comment on an issue. */
const TRUSTED = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

/** Picks the checkpoint comment among an issue's comments: the viewer's own first, then a collaborator's. */
export function findCheckpointComment<T extends CheckpointCommentCandidate>(comments: T[]): T | undefined {
  const marked = comments.filter((c) => isCheckpointComment(c.body));
  return marked.find((c) => c.viewerDidAuthor) ?? marked.find((c) => TRUSTED.has(c.authorAssociation));
}
