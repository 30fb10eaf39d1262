/**
 * `.loom/config.json` (DESIGN.md §4.4). All durations are in seconds. Every key is
 * optional in the file: missing keys take the defaults below, so a user's file
 * holds only what they changed and survives upgrades.
 */
import * as z from 'zod/mini';
import './zod-setup.js';
import { RULES } from '../guard/rules.js';
import { RUNNERS } from './remote-slots.js';

const seconds = z.int().check(z.nonnegative());

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

export const MODEL_ROLES = [
  'shepherd',
  'builder',
  'judge',
  'curator',
  'doctor',
  'champion',
  'architect',
  'hermit',
  'guide',
  'escalate_to',
] as const;
/** A model name or alias: passed as one argument, never through a shell. */
const modelName = z
  .string()
  .check(z.regex(/^[A-Za-z0-9._:[\]-]{1,100}$/, 'a model name such as opus, sonnet or claude-opus-4-1'));

/** A runner label as `runs-on:` takes it (`ubuntu-latest`, `self-hosted`, `linux`, `gpu-2`). */
const runnerLabel = z
  .string()
  .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a runner label such as ubuntu-latest or self-hosted'));

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

/** A nested section of the file: absent means all its defaults (classic zod's `.prefault({})`). */
const section = <T extends z.ZodMiniType>(schema: T) => z.prefault(schema, {} as z.input<T>);
const string = (max: number) => z.string().check(z.maxLength(max));

export const ConfigSchema = z.strictObject({
  $schema: z.optional(z.string()),
  /**
   * Seconds between iterations of `loom iterate --wait` (one GitHub request each). Below 5 s is allowed
   * (tests use 1 s) but `loom doctor` warns: a snapshot a second uses 3600 of the 5000 requests an hour.
   */
  poll_interval: z._default(z.int().check(z.minimum(1), z.maximum(3600)), 30),
  /**
   * Shepherd slots: a number (that many local slots, `shepherd-1` … `shepherd-N`; with `runner: "actions"`
   * that many Actions slots), or `{local, actions}` for each kind (DESIGN.md §4.9).
   */
  max_shepherds: z._default(
    z.union([
      z.int().check(z.minimum(0), z.maximum(20)),
      z.strictObject({
        local: z._default(z.int().check(z.minimum(0), z.maximum(20)), 3),
        actions: z._default(z.int().check(z.minimum(0), z.maximum(20)), 0),
      }),
    ]),
    3,
  ),
  /**
   * Where the daemon runs shepherds: `local` (the `/loom` parent or `loom run` starts them), `actions` (each
   * claim is dispatched to a GitHub Actions runner through the loom-shepherd.yml workflow), or `mixed` (both,
   * `max_shepherds.local` and `max_shepherds.actions`). `loom iterate --runner` overrides it for one call.
   */
  runner: z._default(z.enum(RUNNERS), 'local'),
  /** Work generation runs while fewer than this many issues are ready. */
  issue_threshold: z._default(z.int().check(z.nonnegative()), 3),
  architect: section(proposalRoleSchema),
  hermit: section(proposalRoleSchema),
  guide: section(supportRoleSchema(900)),
  champion: section(supportRoleSchema(600)),
  doctor: section(supportRoleSchema(300)),
  /** The daemon starts the Curator while `loom:triage` issues wait and fewer than `cap` are `loom:curating`. */
  curator: section(
    z.strictObject({
      interval: z._default(seconds, 600),
      cap: z._default(z.int().check(z.minimum(1)), 2),
      enabled: z._default(z.boolean(), true),
    }),
  ),
  /** The daemon starts a Judge for a `loom:review-requested` PR no shepherd holds (a person's PR, a dead shepherd's). */
  judge: section(supportRoleSchema(300)),
  /** A `loom:building` issue with no pull request for this long is stale (DESIGN.md §9.1). */
  stale_building: z._default(seconds, 7200),
  /**
   * Seconds a worker label may sit on an item no shepherd holds before it counts as left by a crashed
   * agent and goes back to the state before it (src/core/label-owners.ts), with one comment.
   */
  orphan_after: section(
    z.strictObject({
      curating: z._default(seconds, 3600),
      reviewing: z._default(seconds, 3600),
      treating: z._default(seconds, 7200),
    }),
  ),
  /** A heartbeat younger than this counts as fresh (a claim with a fresh heartbeat is never released). */
  heartbeat_fresh: z._default(seconds, 900),
  /**
   * Seconds between two heartbeats written to GitHub (the claim comment, edited in place), so every clone
   * sees a live shepherd: one request per interval per shepherd. Keep it below heartbeat_fresh.
   */
  heartbeat_interval: z._default(z.int().check(z.minimum(30)), 300),
  /** Seconds without heartbeat or output after which a shepherd is stuck, per phase. */
  stuck_after: section(
    z.strictObject({
      default: z._default(seconds, 1800),
      curator: z._default(seconds, 1200),
      builder: z._default(seconds, 3600),
      judge: z._default(seconds, 1200),
      doctor: z._default(seconds, 2400),
    }),
  ),
  /** Start-up grace: a shepherd younger than this is never stuck. */
  stuck_grace: z._default(seconds, 600),
  /** `loom shutdown` waits up to this long for shepherds to reach a safe point. */
  /** Both run inside one Bash tool call of Claude Code, which ends after 600 s: they stay below it. */
  shutdown_drain: z._default(seconds.check(z.maximum(BASH_LIMIT, BASH_LIMIT_MESSAGE)), 300),
  /** `loom iterate --wait` answers after at most this long, staying below the Bash tool timeout. */
  wait_budget: z._default(z.int().check(z.minimum(1), z.maximum(BASH_LIMIT, BASH_LIMIT_MESSAGE)), 540),
  /** The Champion's merge gate (src/core/merge-gate.ts). */
  merge: section(
    z.strictObject({
      /** On: the Champion merges approved PRs that pass the gate without a person. Off: a person merges each. */
      auto: z._default(z.boolean(), true),
      /** Changed lines (additions + deletions) above which a PR needs a person. */
      max_changed_lines: z._default(z.int().check(z.positive()), 200),
      /** A PR not updated for this many hours needs a person (`--force`: three times this). */
      max_age_hours: z._default(z.number().check(z.positive()), 24),
      /** Globs of files whose change needs a person (replaces the built-in list when given). */
      critical_paths: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(200))).check(z.maxLength(200))),
      /** Refuse a PR whose head commit has no CI checks at all. */
      require_checks: z._default(z.boolean(), false),
    }),
  ),
  /**
   * The failure budget of an issue (src/core/failure-budget.ts): after a failed attempt the next claim waits
   * `backoff[n-1]` seconds (n = failures so far; the last value repeats); the failure that reaches
   * `max_attempts` moves the issue to `loom:blocked` with one comment naming the attempts.
   */
  failure: section(
    z.strictObject({
      max_attempts: z._default(z.int().check(z.minimum(1), z.maximum(100)), 3),
      backoff: z._default(z.array(seconds).check(z.maxLength(20)), [900, 3600]),
    }),
  ),
  /**
   * Issues written by people outside the repository (GitHub's authorAssociation is not OWNER, MEMBER or
   * COLLABORATOR): `ignore` (default) keeps them out of every queue until a maintainer adds a `loom:` label by
   * hand; `triage-only` lets the Guide triage them, and nothing further happens without a maintainer.
   */
  trust: section(z.strictObject({ outside_issues: z._default(z.enum(['ignore', 'triage-only']), 'ignore') })),
  /** Arguments every daemon-spawned shepherd gets: the shepherd's own flags only (see shepherd.md). */
  shepherd_args: z._default(
    string(200).check(
      z.refine((text) => shepherdArgsProblem(text) === undefined, {
        message: 'may hold only --force-pr or --force-merge and --to curated|pr|approved',
      }),
    ),
    '--force-pr',
  ),
  /** `loom run`: the Claude Code binary (else env LOOM_CLAUDE, else `claude` on PATH). */
  claude: section(z.strictObject({ command: z.optional(z.string().check(z.minLength(1), z.maxLength(1000))) })),
  /** `loom run`: worker logs in .loom/logs/; the last `keep` per slot are kept. */
  logs: section(z.strictObject({ keep: z._default(z.int().check(z.minimum(1), z.maximum(1000)), 20) })),
  /** Claude usage limits: pause new workers and claims at this utilization (0–1) or when refused. */
  usage: section(
    z.strictObject({
      pause_at: z._default(z.number().check(z.minimum(0), z.maximum(1)), 0.95),
      /** Seconds added to the reset time Claude Code names. */
      margin: z._default(seconds, 120),
      /** Seconds to pause when the reset time is unknown (a `/loom` subagent's transcript names none). */
      retry_after: z._default(seconds, 1800),
    }),
  ),
  /** Optional spending limit: no new claims once today's (UTC) worker cost reaches `daily_usd`. */
  budget: section(z.strictObject({ daily_usd: z.optional(z.number().check(z.positive())) })),
  /**
   * Model per role (`shepherd`, `builder`, `judge`, `curator`, `doctor`, `champion`, `architect`,
   * `hermit`, `guide`) as Claude Code's `--model` takes it (`opus`, `sonnet`, a full name);
   * `escalate_to`: the model of a Builder/Doctor run after a Judge rejection.
   */
  models: z._default(z.partialRecord(z.enum(MODEL_ROLES), modelName), {}),
  /**
   * The project's own commands, which the Builder and Doctor run in a worktree (and the Judge reads):
   * e.g. `{"test": "npm test", "lint": "npx biome check .", "typecheck": "npx tsc --noEmit"}`.
   * `test` is also what `loom pr-test` runs in a checkout of a PR's head, never through a shell: a string is
   * split at spaces by execa's parseCommandString (a backslash keeps a space); `""` means none.
   */
  commands: z.optional(
    z.strictObject({
      test: z.optional(string(300)),
      lint: z.optional(string(300)),
      typecheck: z.optional(string(300)),
    }),
  ),
  /**
   * The GitHub Actions workflows `loom actions install` writes (src/core/workflows.ts, docs/SCALING.md):
   * `secret` names the repository secret Claude Code authenticates with (only its name is ever written);
   * `timeout_minutes` ends a shepherd's job (GitHub-hosted runners allow at most 360); `runs_on` is the
   * runner label or labels (`["self-hosted", "linux"]` for your own machines); `daemon_interval` is the
   * schedule of the optional `loom-daemon.yml`, in seconds (rounded to a cron GitHub accepts, 5 minutes at least).
   * `ref`, `appear_timeout`, `start_timeout`: how the daemon dispatches to and follows remote slots (DESIGN.md §4.9).
   */
  actions: section(
    z.strictObject({
      secret: z._default(z.enum(['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN']), 'ANTHROPIC_API_KEY'),
      timeout_minutes: z._default(z.int().check(z.minimum(5), z.maximum(360)), 120),
      runs_on: z._default(
        z.union([runnerLabel, z.array(runnerLabel).check(z.minLength(1), z.maxLength(10))]),
        'ubuntu-latest',
      ),
      daemon_interval: z._default(seconds, 900),
      /** Remote slots: the branch whose loom-shepherd.yml is dispatched (the repository's default branch). */
      ref: z._default(
        z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^[A-Za-z0-9._/-]+$/, 'a branch name')),
        'main',
      ),
      /** Seconds after a dispatch before a run that does not show in the runs list is given up (released). */
      appear_timeout: z._default(z.int().check(z.minimum(30)), 300),
      /** Seconds after a dispatch before a run no runner started is cancelled and its claim released. */
      start_timeout: z._default(z.int().check(z.minimum(60)), 1800),
    }),
  ),
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
