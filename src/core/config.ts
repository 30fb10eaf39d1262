/**
 * `.loom/config.json` (DESIGN.md §4.4). All durations are in seconds. Every key is
 * optional in the file: missing keys take the defaults below, so a user's file
 * holds only what they changed and survives upgrades.
 */
import * as z from 'zod/mini';
import { RULES } from '../guard/rules.js';
import './zod-messages.js';

// zod/mini (function style): this module is on the path of `loom status`, which must load little.
const seconds = z.int().check(z.nonnegative());

const proposalRoleSchema = z.strictObject({
  /** Seconds between two triggers of this role. */
  cooldown: z._default(seconds, 1800),
  /** No trigger while this many proposals of this role are open. */
  cap: z._default(z.int().check(z.nonnegative()), 2),
  enabled: z._default(z.boolean(), true),
});

const supportRoleSchema = (interval: number) =>
  z.strictObject({
    /** Seconds after the role last finished before it runs again. */
    interval: z._default(seconds, interval),
    enabled: z._default(z.boolean(), true),
  });

export const ConfigSchema = z.strictObject({
  $schema: z.optional(z.string()),
  /** Seconds between iterations of `loom iterate --wait`. */
  poll_interval: z._default(z.int().check(z.minimum(1)), 30),
  max_shepherds: z._default(z.int().check(z.minimum(0), z.maximum(20)), 3),
  /** Work generation runs while fewer than this many issues are ready. */
  issue_threshold: z._default(z.int().check(z.nonnegative()), 3),
  architect: z.prefault(proposalRoleSchema, {}),
  hermit: z.prefault(proposalRoleSchema, {}),
  guide: z.prefault(supportRoleSchema(900), {}),
  champion: z.prefault(supportRoleSchema(600), {}),
  doctor: z.prefault(supportRoleSchema(300), {}),
  /** A `loom:building` issue with no pull request for this long is stale (DESIGN.md §9.1). */
  stale_building: z._default(seconds, 7200),
  /**
   * Seconds a worker label may sit on an item no shepherd holds before it counts as left by a crashed
   * agent and goes back to the state before it (src/core/label-owners.ts), with one comment.
   */
  orphan_after: z.prefault(
    z.strictObject({
      curating: z._default(seconds, 3600),
      reviewing: z._default(seconds, 3600),
      treating: z._default(seconds, 7200),
    }),
    {},
  ),
  /** A heartbeat younger than this counts as fresh (a claim with a fresh heartbeat is never released). */
  heartbeat_fresh: z._default(seconds, 900),
  /** Seconds without heartbeat or output after which a shepherd is stuck, per phase. */
  stuck_after: z.prefault(
    z.strictObject({
      default: z._default(seconds, 1800),
      curator: z._default(seconds, 1200),
      builder: z._default(seconds, 3600),
      judge: z._default(seconds, 1200),
      doctor: z._default(seconds, 2400),
    }),
    {},
  ),
  /** Start-up grace: a shepherd younger than this is never stuck. */
  stuck_grace: z._default(seconds, 600),
  /** `loom shutdown` waits up to this long for shepherds to reach a safe point. */
  shutdown_drain: z._default(seconds, 300),
  /** `loom iterate --wait` answers after at most this long, staying below the Bash tool timeout. */
  wait_budget: z._default(seconds, 540),
  /** Arguments every daemon-spawned shepherd gets. */
  shepherd_args: z._default(z.string().check(z.maxLength(200)), '--force-pr'),
  /**
   * The `loom guard` hook's rules: `{"force-push": false}` switches one off, `false` all of them.
   * Absent: every rule is on. (Read by the guard itself without this schema, to stay fast.)
   */
  guard: z.optional(
    z.union([z.literal(false), z.partialRecord(z.enum(RULES.map((r) => r.id) as [string, ...string[]]), z.boolean())]),
  ),
});

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
