/**
 * `.loom/config.json` (DESIGN.md §4.4). All durations are in seconds. Every key is
 * optional in the file: missing keys take the defaults below, so a user's file
 * holds only what they changed and survives upgrades.
 */
import { z } from 'zod';
import { RULES } from '../guard/rules.js';

const seconds = z.number().int().nonnegative();

/** Claude Code's Bash tool ends a command after 600 s; Loom's waits end 10 s before. */
const BASH_LIMIT = 590;
const BASH_LIMIT_MESSAGE = 'must be at most 590 seconds (a Bash tool call of Claude Code ends after 600 s)';

/** Checks `shepherd_args` token by token; returns what is wrong, or undefined. */
export function shepherdArgsProblem(text: string): string | undefined {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  let force = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === '--force-pr' || token === '--force-merge') force++;
    else if (token === '--to' && ['curated', 'pr', 'approved'].includes(tokens[i + 1] ?? '')) i++;
    else return `unknown shepherd argument "${token}"`;
  }
  return force > 1 ? 'give --force-pr or --force-merge, not both' : undefined;
}

const proposalRoleSchema = z
  .object({
    /** Seconds between two triggers of this role. */
    cooldown: seconds.default(1800),
    /** No trigger while this many proposals of this role are open. */
    cap: z.number().int().nonnegative().default(2),
    enabled: z.boolean().default(true),
  })
  .strict();

const supportRoleSchema = (interval: number) =>
  z
    .object({
      /** Seconds after the role last finished before it runs again. */
      interval: seconds.default(interval),
      enabled: z.boolean().default(true),
    })
    .strict();

export const ConfigSchema = z
  .object({
    $schema: z.string().optional(),
    /**
     * Seconds between iterations of `loom iterate --wait` (one GitHub request each). Below 5 s is allowed
     * (tests use 1 s) but `loom doctor` warns: a snapshot a second uses 3600 of the 5000 requests an hour.
     */
    poll_interval: z.number().int().min(1).max(3600).default(30),
    max_shepherds: z.number().int().min(0).max(20).default(3),
    /** Work generation runs while fewer than this many issues are ready. */
    issue_threshold: z.number().int().nonnegative().default(3),
    architect: proposalRoleSchema.prefault({}),
    hermit: proposalRoleSchema.prefault({}),
    guide: supportRoleSchema(900).prefault({}),
    champion: supportRoleSchema(600).prefault({}),
    doctor: supportRoleSchema(300).prefault({}),
    /** A `loom:building` issue with no pull request for this long is stale (DESIGN.md §9.1). */
    stale_building: seconds.default(7200),
    /**
     * Seconds a worker label may sit on an item no shepherd holds before it counts as left by a crashed
     * agent and goes back to the state before it (src/core/label-owners.ts), with one comment.
     */
    orphan_after: z
      .object({
        curating: seconds.default(3600),
        reviewing: seconds.default(3600),
        treating: seconds.default(7200),
      })
      .strict()
      .prefault({}),
    /** A heartbeat younger than this counts as fresh (a claim with a fresh heartbeat is never released). */
    heartbeat_fresh: seconds.default(900),
    /** Seconds without heartbeat or output after which a shepherd is stuck, per phase. */
    stuck_after: z
      .object({
        default: seconds.default(1800),
        curator: seconds.default(1200),
        builder: seconds.default(3600),
        judge: seconds.default(1200),
        doctor: seconds.default(2400),
      })
      .strict()
      .prefault({}),
    /** Start-up grace: a shepherd younger than this is never stuck. */
    stuck_grace: seconds.default(600),
    /** `loom shutdown` waits up to this long for shepherds to reach a safe point. */
    /** Both run inside one Bash tool call of Claude Code, which ends after 600 s: they stay below it. */
    shutdown_drain: seconds.max(BASH_LIMIT, BASH_LIMIT_MESSAGE).default(300),
    /** `loom iterate --wait` answers after at most this long, staying below the Bash tool timeout. */
    wait_budget: z.number().int().min(1).max(BASH_LIMIT, BASH_LIMIT_MESSAGE).default(540),
    /** Arguments every daemon-spawned shepherd gets: the shepherd's own flags only (see shepherd.md). */
    shepherd_args: z
      .string()
      .max(200)
      .refine((text) => shepherdArgsProblem(text) === undefined, {
        message: 'may hold only --force-pr or --force-merge and --to curated|pr|approved',
      })
      .default('--force-pr'),
    /**
     * The `loom guard` hook's rules: `{"force-push": false}` switches one off, `false` all of them.
     * Absent: every rule is on. (Read by the guard itself without this schema, to stay fast.)
     */
    guard: z
      .union([z.literal(false), z.partialRecord(z.enum(RULES.map((r) => r.id) as [string, ...string[]]), z.boolean())])
      .optional(),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;

/** The defaults, as a fully expanded config. */
export const defaultConfig: Config = ConfigSchema.parse({});

export interface ConfigProblem {
  path: string;
  message: string;
}

/** Parses a config object; returns the config or every field problem, each prefixed with its path. */
export function parseConfig(raw: unknown): { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] } {
  const result = ConfigSchema.safeParse(raw);
  if (result.success) return { ok: true, config: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => ({ path: issue.path.join('.') || '(root)', message: issue.message })),
  };
}
