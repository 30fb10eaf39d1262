/**
 * Seed format of the GitHub emulator: the zod schema that validates seed
 * files, and the TypeScript types derived from it. `Store.exportSeed()`
 * produces the same shape, so a state dump can be fed back as a seed.
 */
import { z } from 'zod';

export const SeedLabelSchema = z.object({
  name: z.string().min(1),
  color: z
    .string()
    .regex(/^[0-9a-fA-F]{6}$/, 'color must be 6 hex digits')
    .optional(),
  description: z.string().nullable().optional(),
});

export const SeedCommentSchema = z.object({
  id: z.number().int().positive().optional(),
  body: z.string(),
  author: z.string().min(1).optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});

const itemFields = {
  number: z.number().int().positive().optional(),
  title: z.string(),
  body: z.string().nullable().optional(),
  labels: z.array(z.string().min(1)).optional(),
  author: z.string().min(1).optional(),
  /** Who added the seeded labels (timeline `LabeledEvent` actor); default the author. */
  labeledBy: z.string().min(1).optional(),
  assignees: z.array(z.string().min(1)).optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  closedAt: z.string().nullable().optional(),
  comments: z.array(SeedCommentSchema).optional(),
};

export const SeedIssueSchema = z.object({
  ...itemFields,
  state: z.enum(['OPEN', 'CLOSED']).optional(),
  stateReason: z.enum(['COMPLETED', 'NOT_PLANNED', 'REOPENED']).nullable().optional(),
  blockedBy: z.array(z.number().int().positive()).optional(),
});

export const SeedFileSchema = z.object({
  path: z.string().min(1),
  additions: z.number().int().nonnegative().optional(),
  deletions: z.number().int().nonnegative().optional(),
});

export const SeedPullRequestSchema = z.object({
  ...itemFields,
  state: z.enum(['OPEN', 'CLOSED', 'MERGED']).optional(),
  headRefName: z.string().min(1),
  baseRefName: z.string().min(1).optional(),
  mergeable: z.enum(['MERGEABLE', 'CONFLICTING', 'UNKNOWN']).optional(),
  additions: z.number().int().nonnegative().optional(),
  deletions: z.number().int().nonnegative().optional(),
  files: z.array(SeedFileSchema).optional(),
  checks: z.enum(['SUCCESS', 'FAILURE', 'PENDING', 'ERROR', 'EXPECTED']).nullable().optional(),
  closingIssues: z.array(z.number().int().positive()).optional(),
  isDraft: z.boolean().optional(),
  mergedAt: z.string().nullable().optional(),
  reviewDecision: z.enum(['APPROVED', 'CHANGES_REQUESTED', 'REVIEW_REQUIRED']).nullable().optional(),
  /** The head commit id (40 hex digits) when the test has a real commit for it; else a stable fake. */
  headOid: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .optional(),
});

export const SeedSchema = z
  .object({
    repo: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'repo must look like "owner/name"'),
    labels: z.array(SeedLabelSchema).optional().default([]),
    issues: z.array(SeedIssueSchema).optional().default([]),
    pullRequests: z.array(SeedPullRequestSchema).optional().default([]),
    /** Logins whose authorAssociation is COLLABORATOR (the viewer is OWNER, anyone else NONE). */
    collaborators: z.array(z.string().min(1)).optional().default([]),
  })
  .superRefine((seed, ctx) => {
    const seen = new Set<number>();
    const check = (n: number | undefined, where: (string | number)[]) => {
      if (n === undefined) return;
      if (seen.has(n))
        ctx.addIssue({
          code: 'custom',
          message: `number ${n} is used twice (issues and pull requests share one number space)`,
          path: where,
        });
      seen.add(n);
    };
    for (const [k, i] of seed.issues.entries()) check(i.number, ['issues', k, 'number']);
    for (const [k, p] of seed.pullRequests.entries()) check(p.number, ['pullRequests', k, 'number']);
    const names = new Set<string>();
    seed.labels.forEach((l, k) => {
      const key = l.name.toLowerCase();
      if (names.has(key))
        ctx.addIssue({ code: 'custom', message: `label "${l.name}" is defined twice`, path: ['labels', k, 'name'] });
      names.add(key);
    });
  });

export type Seed = z.input<typeof SeedSchema>;
export type ParsedSeed = z.output<typeof SeedSchema>;
export type SeedLabel = z.output<typeof SeedLabelSchema>;
export type SeedComment = z.output<typeof SeedCommentSchema>;
export type SeedIssue = z.output<typeof SeedIssueSchema>;
export type SeedPullRequest = z.output<typeof SeedPullRequestSchema>;

/** Parses and validates a seed; throws an Error with a readable list of problems. */
export function parseSeed(input: unknown): ParsedSeed {
  const result = SeedSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `  - ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new Error(`Invalid emulator seed:\n${problems.join('\n')}`);
}
