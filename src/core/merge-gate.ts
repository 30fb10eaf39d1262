/**
 * The Champion's merge gate (DESIGN.md §8.8): every check a `loom:pr` pull request
 * must pass before Loom merges it, each with pass/fail and a reason. Pure:
 * the facts come from one direct GraphQL read of the PR (never cached).
 * `--force` relaxes only the size limit, the critical-file rule and recency.
 */
import * as z from 'zod/mini';
import './zod-setup.js';
import { Label } from './labels.js';

/** The gate's limits: `merge.*` in .loom/config.json (defaults there: 200 lines, 24 h, built-in paths, checks optional). */
export interface GateLimits {
  auto: boolean;
  max_changed_lines: number;
  max_age_hours: number;
  critical_paths?: readonly string[];
  require_checks: boolean;
}
/** `--force` widens the age limit by this factor (24 h → 72 h by default). */
export const FORCED_AGE_FACTOR = 3;

/**
 * Files whose change needs a human: CI and automation, Loom's and Claude
 * Code's own configuration, dependency lock files (supply chain) and anything
 * that looks like a secret. Globs: `**` any path, `*` within one segment;
 * a pattern without `/` matches the file name in any folder.
 */
export const CRITICAL_FILE_PATTERNS: readonly string[] = [
  '.github/workflows/**',
  '.github/actions/**',
  '.github/CODEOWNERS',
  '.github/dependabot.yml',
  '.gitlab-ci.yml',
  '.loom/**',
  '.claude/**',
  'CLAUDE.md',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
  'bun.lock',
  'Cargo.lock',
  'Gemfile.lock',
  'poetry.lock',
  'Pipfile.lock',
  'uv.lock',
  'composer.lock',
  'go.sum',
  '.env',
  '.env.*',
  '*.pem',
  '*.key',
  '*.p12',
  'id_rsa*',
  'id_ed25519*',
  '.npmrc',
  '.pypirc',
  '.netrc',
  'secrets.*',
  '*.secret',
];

/** Converts a glob (see CRITICAL_FILE_PATTERNS) into an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(glob.includes('/') ? `^${re}$` : `(?:^|/)${re}$`);
}

const compile = (patterns: readonly string[]) => patterns.map((p) => ({ pattern: p, re: globToRegExp(p) }));
const CRITICAL = compile(CRITICAL_FILE_PATTERNS);

/** The critical pattern a path matches, if any (the built-in list unless `patterns` is given). */
export function criticalPattern(path: string, patterns?: readonly string[]): string | undefined {
  return (patterns ? compile(patterns) : CRITICAL).find((c) => c.re.test(path))?.pattern;
}

export interface GatePull {
  number: number;
  state: 'OPEN' | 'CLOSED' | 'MERGED';
  isDraft: boolean;
  labels: string[];
  additions: number;
  deletions: number;
  /** Paths of changed files as read (at most one page). */
  files: string[];
  /** Total changed files according to GitHub (more than `files.length` when the list is cut). */
  changedFiles: number;
  mergeable: string;
  updatedAt: string;
  /** statusCheckRollup.state, or null when the head commit has no checks. */
  checks: string | null;
  /** State of the `loom/tests` status on the head commit (the Judge's `loom pr-test`), null when none. */
  localTests?: string | null;
  /** Checks and statuses on the head commit other than `loom/tests`. */
  otherChecks?: number;
}

export const GateCheckSchema = z.object({
  name: z.enum([
    'open',
    'approved',
    'manual-merge',
    'auto',
    'size',
    'critical-files',
    'mergeable',
    'recency',
    'checks',
  ]),
  pass: z.boolean(),
  reason: z.string(),
  /** True when --force turned a failure into a pass (or loosened the limit). */
  relaxed: z.boolean(),
});
export type GateCheck = z.infer<typeof GateCheckSchema>;

export const GateResultSchema = z.object({
  pr: z.int().check(z.positive()),
  pass: z.boolean(),
  force: z.boolean(),
  checks: z.array(GateCheckSchema),
});
export type GateResult = z.infer<typeof GateResultSchema>;

const check = (name: GateCheck['name'], pass: boolean, reason: string, relaxed = false): GateCheck => ({
  name,
  pass,
  reason,
  relaxed,
});

export function ruleOpen(pull: GatePull): GateCheck {
  if (pull.state !== 'OPEN') return check('open', false, `PR is ${pull.state.toLowerCase()}`);
  if (pull.isDraft) return check('open', false, 'PR is a draft');
  return check('open', true, 'PR is open and not a draft');
}

export function ruleApproved(pull: GatePull): GateCheck {
  return pull.labels.includes(Label.pr)
    ? check('approved', true, 'has loom:pr')
    : check('approved', false, 'no loom:pr label (not approved by the Judge)');
}

export function ruleManualMerge(pull: GatePull): GateCheck {
  return pull.labels.includes(Label.manualMerge)
    ? check('manual-merge', false, 'loom:manual-merge: a human merges this PR')
    : check('manual-merge', true, 'no loom:manual-merge');
}

/** `merge.auto` off: the Champion never merges on its own; a person's `loom merge --force` still may. */
export function ruleAuto(limits: GateLimits, force: boolean): GateCheck {
  if (limits.auto) return check('auto', true, 'merge.auto is on');
  return force
    ? check('auto', true, 'merge.auto is off; merged by a person with --force', true)
    : check('auto', false, 'merge.auto is off: a person merges approved PRs');
}

export function ruleSize(pull: GatePull, force: boolean, limits: GateLimits): GateCheck {
  const lines = pull.additions + pull.deletions;
  const text = `${lines} changed lines (+${pull.additions} -${pull.deletions}), limit ${limits.max_changed_lines}`;
  if (lines <= limits.max_changed_lines) return check('size', true, text);
  return force ? check('size', true, `${text}; allowed by --force`, true) : check('size', false, text);
}

export function ruleCriticalFiles(pull: GatePull, force: boolean, limits: GateLimits): GateCheck {
  const hits = pull.files.flatMap((f) => {
    const pattern = criticalPattern(f, limits.critical_paths);
    return pattern ? [`${f} (${pattern})`] : [];
  });
  const incomplete = pull.changedFiles > pull.files.length;
  if (!hits.length && !incomplete)
    return check('critical-files', true, `no critical files among ${pull.files.length} changed`);
  const text = hits.length
    ? `critical files changed: ${hits.slice(0, 5).join(', ')}${hits.length > 5 ? ` and ${hits.length - 5} more` : ''}`
    : `only ${pull.files.length} of ${pull.changedFiles} changed files could be read`;
  return force
    ? check('critical-files', true, `${text}; allowed by --force`, true)
    : check('critical-files', false, text);
}

export function ruleMergeable(pull: GatePull): GateCheck {
  if (pull.mergeable === 'MERGEABLE') return check('mergeable', true, 'mergeable');
  if (pull.mergeable === 'CONFLICTING') return check('mergeable', false, 'merge conflicts with the base branch');
  return check(
    'mergeable',
    false,
    `mergeability is ${pull.mergeable} (GitHub has not computed it yet; try again shortly)`,
  );
}

export function ruleRecency(pull: GatePull, now: Date, force: boolean, limits: GateLimits): GateCheck {
  const limit = force ? limits.max_age_hours * FORCED_AGE_FACTOR : limits.max_age_hours;
  const updated = Date.parse(pull.updatedAt);
  const hours = (now.getTime() - updated) / 3_600_000;
  if (Number.isNaN(hours)) return check('recency', false, `unreadable updatedAt "${pull.updatedAt}"`);
  const age =
    hours < 1
      ? `${Math.max(0, Math.round(hours * 60))} min`
      : hours < 48
        ? `${hours.toFixed(1)} h`
        : `${(hours / 24).toFixed(1)} days`;
  const text = `updated ${age} ago, limit ${limit} h`;
  return check('recency', hours <= limit, text, force);
}

export function ruleChecks(pull: GatePull, limits: GateLimits): GateCheck {
  const local = pull.localTests ?? null;
  const onlyLocal = local !== null && (pull.otherChecks ?? 0) === 0;
  if (pull.checks === null)
    return limits.require_checks
      ? check(
          'checks',
          false,
          'no CI checks and no green local test run (`loom pr-test`) on the head commit, and merge.require_checks is on',
        )
      : check('checks', true, 'no CI checks on the head commit');
  if (pull.checks === 'SUCCESS')
    return check(
      'checks',
      true,
      onlyLocal ? 'the local test run (loom/tests) passed on the head commit' : 'CI checks passed',
    );
  if (local === 'FAILURE' || local === 'ERROR')
    return check('checks', false, `the local test run (loom/tests) is ${local.toLowerCase()} on the head commit`);
  return check('checks', false, `CI checks are ${pull.checks.toLowerCase()}`);
}

/** Runs every rule; the gate passes when all pass. */
export function evaluateMergeGate(pull: GatePull, now: Date, limits: GateLimits, force = false): GateResult {
  const checks = [
    ruleOpen(pull),
    ruleApproved(pull),
    ruleManualMerge(pull),
    ruleAuto(limits, force),
    ruleSize(pull, force, limits),
    ruleCriticalFiles(pull, force, limits),
    ruleMergeable(pull),
    ruleRecency(pull, now, force, limits),
    ruleChecks(pull, limits),
  ];
  return { pr: pull.number, pass: checks.every((c) => c.pass), force, checks };
}

/** Failed checks only a person can settle (not the Doctor: conflicts and red checks are its work). */
export const PERSON_CHECKS: readonly GateCheck['name'][] = ['auto', 'size', 'critical-files', 'recency'];

/** The checks of a refused gate that a person must settle; empty when the gate passed or the Doctor can fix it. */
export function personReasons(gate: GateResult): GateCheck[] {
  return gate.checks.filter((c) => !c.pass && PERSON_CHECKS.includes(c.name));
}

/** Hidden marker of the one comment Loom posts on a PR the gate refused for a person's reason. */
export const GATE_REFUSED_MARKER = '<!-- loom:gate-refused -->';

/** The comment: why the gate refused, and what a person can do (merge by hand, or relax the limit). */
export function gateRefusedComment(gate: GateResult, repoArg: string): string {
  const reasons = personReasons(gate)
    .map((c) => `- **${c.name}**: ${c.reason}`)
    .join('\n');
  return [
    GATE_REFUSED_MARKER,
    `Loom: the Champion will not merge PR #${gate.pr} on its own:`,
    reasons,
    '',
    'What you can do:',
    `- merge it after a look: \`.loom/scripts/loom merge ${gate.pr} --force\` (or \`gh pr merge ${gate.pr}${repoArg} --squash\`);`,
    '- or split it into smaller PRs, or raise the limit in `.loom/config.json` (`merge.max_changed_lines`, `merge.max_age_hours`, `merge.critical_paths`, `merge.auto`).',
    '',
    'Loom posts this once; the PR stays under "Waiting for you" in `loom status`.',
  ].join('\n');
}

/**
 * What the snapshot alone shows of a person-only refusal of an approved PR
 * (`merge.auto` off, too big, too old), so the planner does not start the
 * Champion for it again and status lists it under "Waiting for you". The
 * critical-file rule needs the file list and is known only from `loom merge`.
 */
export function snapshotWaitReason(
  pull: { additions: number; deletions: number; updatedAt: string },
  limits: GateLimits,
  now: Date,
): string | null {
  if (!limits.auto) return 'merge.auto is off: a person merges approved PRs';
  const lines = pull.additions + pull.deletions;
  if (lines > limits.max_changed_lines) return `${lines} changed lines, limit ${limits.max_changed_lines}`;
  const hours = (now.getTime() - Date.parse(pull.updatedAt)) / 3_600_000;
  if (hours > limits.max_age_hours) return `not updated for ${Math.round(hours)} h, limit ${limits.max_age_hours} h`;
  return null;
}
