/**
 * `.loom/config.json` (DESIGN.md §4.4). All durations are in seconds. Every key is
 * optional in the file: missing keys take the defaults below, so a user's file
 * holds only what they changed and survives upgrades.
 */
import { z } from 'zod';
import { RULES } from '../guard/rules.js';
import { RUNNERS } from './remote-slots.js';

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
  .regex(/^[A-Za-z0-9._:[\]-]{1,100}$/, 'a model name such as opus, sonnet or claude-opus-4-1');

/** A runner label as `runs-on:` takes it (`ubuntu-latest`, `self-hosted`, `linux`, `gpu-2`). */
const runnerLabel = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a runner label such as ubuntu-latest or self-hosted');

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
    /**
     * Shepherd slots: a number (that many local slots, `shepherd-1` … `shepherd-N`; with `runner: "actions"`
     * that many Actions slots), or `{local, actions}` for each kind (DESIGN.md §4.9).
     */
    max_shepherds: z
      .union([
        z.number().int().min(0).max(20),
        z
          .object({
            local: z.number().int().min(0).max(20).default(3),
            actions: z.number().int().min(0).max(20).default(0),
          })
          .strict(),
      ])
      .default(3),
    /**
     * Where the daemon runs shepherds: `local` (the `/loom` parent or `loom run` starts them), `actions` (each
     * claim is dispatched to a GitHub Actions runner through the loom-shepherd.yml workflow), or `mixed` (both,
     * `max_shepherds.local` and `max_shepherds.actions`). `loom iterate --runner` overrides it for one call.
     */
    runner: z.enum(RUNNERS).default('local'),
    /** Work generation runs while fewer than this many issues are ready. */
    issue_threshold: z.number().int().nonnegative().default(3),
    architect: proposalRoleSchema.prefault({}),
    hermit: proposalRoleSchema.prefault({}),
    guide: supportRoleSchema(900).prefault({}),
    champion: supportRoleSchema(600).prefault({}),
    doctor: supportRoleSchema(300).prefault({}),
    /** The daemon starts the Curator while `loom:triage` issues wait and fewer than `cap` are `loom:curating`. */
    curator: z
      .object({
        interval: seconds.default(600),
        cap: z.number().int().min(1).default(2),
        enabled: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /** The daemon starts a Judge for a `loom:review-requested` PR no shepherd holds (a person's PR, a dead shepherd's). */
    judge: supportRoleSchema(300).prefault({}),
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
    /**
     * Seconds between two heartbeats written to GitHub (the claim comment, edited in place), so every clone
     * sees a live shepherd: one request per interval per shepherd. Keep it below heartbeat_fresh.
     */
    heartbeat_interval: z.number().int().min(30).default(300),
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
    /** The Champion's merge gate (src/core/merge-gate.ts). */
    merge: z
      .object({
        /** On: the Champion merges approved PRs that pass the gate without a person. Off: a person merges each. */
        auto: z.boolean().default(true),
        /** Changed lines (additions + deletions) above which a PR needs a person. */
        max_changed_lines: z.number().int().positive().default(200),
        /** A PR not updated for this many hours needs a person (`--force`: three times this). */
        max_age_hours: z.number().positive().default(24),
        /** Globs of files whose change needs a person (replaces the built-in list when given). */
        critical_paths: z.array(z.string().min(1).max(200)).max(200).optional(),
        /** Refuse a PR whose head commit has no CI checks at all. */
        require_checks: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /**
     * The failure budget of an issue (src/core/failure-budget.ts): after a failed attempt the next claim waits
     * `backoff[n-1]` seconds (n = failures so far; the last value repeats); the failure that reaches
     * `max_attempts` moves the issue to `loom:blocked` with one comment naming the attempts.
     */
    failure: z
      .object({
        max_attempts: z.number().int().min(1).max(100).default(3),
        backoff: z.array(seconds).max(20).default([900, 3600]),
      })
      .strict()
      .prefault({}),
    /**
     * Issues written by people outside the repository (GitHub's authorAssociation is not OWNER, MEMBER or
     * COLLABORATOR): `ignore` (default) keeps them out of every queue until a maintainer adds a `loom:` label by
     * hand; `triage-only` lets the Guide triage them, and nothing further happens without a maintainer.
     */
    trust: z
      .object({ outside_issues: z.enum(['ignore', 'triage-only']).default('ignore') })
      .strict()
      .prefault({}),
    /** Arguments every daemon-spawned shepherd gets: the shepherd's own flags only (see shepherd.md). */
    shepherd_args: z
      .string()
      .max(200)
      .refine((text) => shepherdArgsProblem(text) === undefined, {
        message: 'may hold only --force-pr or --force-merge and --to curated|pr|approved',
      })
      .default('--force-pr'),
    /** `loom run`: the Claude Code binary (else env LOOM_CLAUDE, else `claude` on PATH). */
    claude: z
      .object({ command: z.string().min(1).max(1000).optional() })
      .strict()
      .prefault({}),
    /** `loom run`: worker logs in .loom/logs/; the last `keep` per slot are kept. */
    logs: z
      .object({ keep: z.number().int().min(1).max(1000).default(20) })
      .strict()
      .prefault({}),
    /** Claude usage limits: pause new workers and claims at this utilization (0–1) or when refused. */
    usage: z
      .object({
        pause_at: z.number().min(0).max(1).default(0.95),
        /** Seconds added to the reset time Claude Code names. */
        margin: seconds.default(120),
        /** Seconds to pause when the reset time is unknown (a `/loom` subagent's transcript names none). */
        retry_after: seconds.default(1800),
      })
      .strict()
      .prefault({}),
    /** Optional spending limit: no new claims once today's (UTC) worker cost reaches `daily_usd`. */
    budget: z.object({ daily_usd: z.number().positive().optional() }).strict().prefault({}),
    /**
     * Model per role (`shepherd`, `builder`, `judge`, `curator`, `doctor`, `champion`, `architect`,
     * `hermit`, `guide`) as Claude Code's `--model` takes it (`opus`, `sonnet`, a full name);
     * `escalate_to`: the model of a Builder/Doctor run after a Judge rejection.
     */
    models: z.partialRecord(z.enum(MODEL_ROLES), modelName).default({}),
    /**
     * The project's own commands, which the Builder and Doctor run in a worktree (and the Judge reads):
     * e.g. `{"test": "npm test", "lint": "npx biome check .", "typecheck": "npx tsc --noEmit"}`.
     * `test` is also what `loom pr-test` runs in a checkout of a PR's head, never through a shell: a string is
     * split at spaces by execa's parseCommandString (a backslash keeps a space); `""` means none.
     */
    commands: z
      .object({
        test: z.string().max(300).optional(),
        lint: z.string().max(300).optional(),
        typecheck: z.string().max(300).optional(),
      })
      .strict()
      .optional(),
    /**
     * The GitHub Actions workflows `loom actions install` writes (src/core/workflows.ts, docs/SCALING.md):
     * `secret` names the repository secret Claude Code authenticates with (only its name is ever written);
     * `timeout_minutes` ends a shepherd's job (GitHub-hosted runners allow at most 360); `runs_on` is the
     * runner label or labels (`["self-hosted", "linux"]` for your own machines); `daemon_interval` is the
     * schedule of the optional `loom-daemon.yml`, in seconds (rounded to a cron GitHub accepts, 5 minutes at least).
     * `ref`, `appear_timeout`, `start_timeout`: how the daemon dispatches to and follows remote slots (DESIGN.md §4.9).
     */
    actions: z
      .object({
        secret: z.enum(['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN']).default('ANTHROPIC_API_KEY'),
        timeout_minutes: z.number().int().min(5).max(360).default(120),
        runs_on: z.union([runnerLabel, z.array(runnerLabel).min(1).max(10)]).default('ubuntu-latest'),
        daemon_interval: seconds.default(900),
        /** Remote slots (DESIGN.md §4.9): the branch whose loom-shepherd.yml is dispatched (the default branch). */
        ref: z
          .string()
          .min(1)
          .max(200)
          .regex(/^[A-Za-z0-9._/-]+$/, 'a branch name')
          .default('main'),
        /** Seconds after a dispatch before a run that does not show in the runs list is given up (released). */
        appear_timeout: seconds.min(30).default(300),
        /** Seconds after a dispatch before a run no runner started is cancelled and its claim released. */
        start_timeout: seconds.min(60).default(1800),
      })
      .strict()
      .prefault({}),
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
