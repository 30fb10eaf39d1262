/**
 * The Champion's merge gate (DESIGN.md §8.8): every check a `loom:pr` pull request
 * must pass before Loom merges it, each with pass/fail and a reason. Pure:
 * the facts come from one direct GraphQL read of the PR (never cached).
 * `--force` relaxes only the size limit, the critical-file rule and recency.
 */
import { z } from 'zod';
import { Label } from './labels.js';

/** Changed lines (additions + deletions) above which a PR needs a human. */
export const MAX_CHANGED_LINES = 200;
export const RECENT_HOURS = 24;
export const RECENT_HOURS_FORCED = 72;

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

const CRITICAL = CRITICAL_FILE_PATTERNS.map((p) => ({ pattern: p, re: globToRegExp(p) }));

/** The critical pattern a path matches, if any. */
export function criticalPattern(path: string): string | undefined {
  return CRITICAL.find((c) => c.re.test(path))?.pattern;
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
}

export const GateCheckSchema = z.object({
  name: z.enum(['open', 'approved', 'manual-merge', 'size', 'critical-files', 'mergeable', 'recency', 'checks']),
  pass: z.boolean(),
  reason: z.string(),
  /** True when --force turned a failure into a pass (or loosened the limit). */
  relaxed: z.boolean(),
});
export type GateCheck = z.infer<typeof GateCheckSchema>;

export const GateResultSchema = z.object({
  pr: z.number().int().positive(),
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

export function ruleSize(pull: GatePull, force: boolean): GateCheck {
  const lines = pull.additions + pull.deletions;
  const text = `${lines} changed lines (+${pull.additions} -${pull.deletions}), limit ${MAX_CHANGED_LINES}`;
  if (lines <= MAX_CHANGED_LINES) return check('size', true, text);
  return force ? check('size', true, `${text}; allowed by --force`, true) : check('size', false, text);
}

export function ruleCriticalFiles(pull: GatePull, force: boolean): GateCheck {
  const hits = pull.files.flatMap((f) => {
    const pattern = criticalPattern(f);
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

export function ruleRecency(pull: GatePull, now: Date, force: boolean): GateCheck {
  const limit = force ? RECENT_HOURS_FORCED : RECENT_HOURS;
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

export function ruleChecks(pull: GatePull): GateCheck {
  if (pull.checks === null) return check('checks', true, 'no CI checks on the head commit');
  if (pull.checks === 'SUCCESS') return check('checks', true, 'CI checks passed');
  return check('checks', false, `CI checks are ${pull.checks.toLowerCase()}`);
}

/** Runs every rule; the gate passes when all pass. */
export function evaluateMergeGate(pull: GatePull, now: Date, force = false): GateResult {
  const checks = [
    ruleOpen(pull),
    ruleApproved(pull),
    ruleManualMerge(pull),
    ruleSize(pull, force),
    ruleCriticalFiles(pull, force),
    ruleMergeable(pull),
    ruleRecency(pull, now, force),
    ruleChecks(pull),
  ];
  return { pr: pull.number, pass: checks.every((c) => c.pass), force, checks };
}
