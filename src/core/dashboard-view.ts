/**
 * The `loom dashboard` page as data (DESIGN.md §6.1): `buildDashboard` turns a status report
 * (`loom status --json`, src/core/status-report.ts) plus the few facts the snapshot adds (issue titles,
 * the head of the ready queue) into what the page shows. Pure, so the whole view is table-tested; the HTML
 * and the browser script only lay it out. Times are ISO-8601 (UTC), durations in seconds, money in USD.
 *
 * Two facts the state file does not keep are observed by the dashboard while it runs and passed back in:
 * each shepherd's phase timeline (`trackPhases`) and the summaries of the iterations it saw (`summarize`).
 */
import type { Config } from './config.js';
import { slotCounts, totalSlots } from './remote-slots.js';
import { cleanText } from './sanitize.js';
import type { StatusReport } from './status-report.js';
import { summaryLine } from './summary.js';

/** Issue and pull request titles by number, and the next ready issues, from the refresh's snapshot. */
export interface SnapshotFacts {
  titles: Record<number, string>;
  ready: { number: number; title: string }[];
}

/** When each phase of a shepherd's current issue began, as observed (oldest first). */
export interface PhaseTrack {
  issue: number;
  phases: { phase: string; since: string }[];
  /** True when the first phase began before the dashboard watched (its start is the claim time then). */
  partial: boolean;
}

export interface IterationSummary {
  iteration: number;
  time: string;
  line: string;
}

export interface PipelineStage {
  key: string;
  /** Plain words for people; `label` is the GitHub label (or labels) counted. */
  name: string;
  label: string;
  count: number | null;
}

export interface Lane {
  slot: string;
  status: string;
  issue: number | null;
  title: string | null;
  issue_url: string | null;
  phase: string | null;
  /** Phase timeline with the seconds spent in each (the last one still running). */
  timeline: { phase: string; seconds: number }[];
  timeline_partial: boolean;
  running_seconds: number | null;
  heartbeat_age_seconds: number | null;
  stuck: boolean;
  pr: number | null;
  pr_url: string | null;
  cost_usd: number | null;
  /** A worker log can be tailed for this slot. */
  has_log: boolean;
}

export interface DashboardModel {
  generated_at: string;
  repository: string | null;
  repository_url: string | null;
  daemon: StatusReport['daemon'];
  pipeline: PipelineStage[];
  pipeline_source: StatusReport['pipeline_source'];
  pipeline_updated_at: string | null;
  ready: { number: number; title: string; url: string | null }[];
  lanes: Lane[];
  roles: (StatusReport['support_roles'][number] & { has_log: boolean })[];
  usage: StatusReport['usage'];
  cost: { today_usd: number; total_usd: number; budget_daily_usd: number | null; budget_reached: boolean };
  waiting: (StatusReport['human_actions'][number] & { url: string | null })[];
  repairs: (StatusReport['pull_repairs'][number] & { url: string | null })[];
  summaries: IterationSummary[];
  warnings: StatusReport['warnings'];
  errors: StatusReport['errors'];
  refresh: RefreshFacts;
}

/** How the dashboard refreshes: GitHub requests made so far, the last one's time, the interval (seconds). */
export interface RefreshFacts {
  github_requests: number;
  last_github_at: string | null;
  poll_interval_seconds: number;
}

/** The label state machine in the order work flows through it (DESIGN.md §3). */
const STAGES: { key: keyof StatusReport['pipeline'] | 'proposals'; name: string; label: string }[] = [
  { key: 'triage', name: 'Outside issues waiting', label: 'loom:triage' },
  { key: 'curated', name: 'Curated', label: 'loom:curated' },
  { key: 'proposals', name: 'Proposals', label: 'loom:architect, loom:hermit' },
  { key: 'ready', name: 'Ready', label: 'loom:issue' },
  { key: 'building', name: 'Building', label: 'loom:building' },
  { key: 'review_requested', name: 'In review', label: 'loom:review-requested' },
  { key: 'changes_requested', name: 'Changes requested', label: 'loom:changes-requested' },
  { key: 'ready_to_merge', name: 'Approved', label: 'loom:pr' },
  { key: 'pr_needs_fix', name: 'Approved, needs a fix', label: 'loom:pr (conflict or failing checks)' },
  { key: 'blocked', name: 'Blocked', label: 'loom:blocked' },
];

/** The web address of an issue or pull request (GitHub answers both under /issues/N), or null without a repository. */
export function itemUrl(host: string, repository: string | null, number: number): string | null {
  if (!repository || !/^[\w.-]+\/[\w.-]+$/.test(repository) || !/^[\w.-]+$/.test(host)) return null;
  return `https://${host}/${repository}/issues/${number}`;
}

/**
 * The next phase tracks: a slot that took a new issue starts over (from its claim time when it is in the
 * first phase, else from now, marked partial); a new phase is appended at `now`; idle slots are dropped.
 */
export function trackPhases(
  previous: Readonly<Record<string, PhaseTrack>>,
  shepherds: StatusReport['shepherds'],
  now: Date,
): Record<string, PhaseTrack> {
  const next: Record<string, PhaseTrack> = {};
  for (const s of shepherds) {
    if (s.issue === null || s.phase === null) continue;
    const old = previous[s.slot];
    if (old && old.issue === s.issue) {
      const last = old.phases.at(-1);
      next[s.slot] =
        last?.phase === s.phase
          ? old
          : { ...old, phases: [...old.phases, { phase: s.phase, since: now.toISOString() }] };
      continue;
    }
    const fromClaim = s.phase === 'curator' && s.running_seconds !== null;
    const since = fromClaim ? new Date(now.getTime() - s.running_seconds! * 1000) : now;
    next[s.slot] = { issue: s.issue, phases: [{ phase: s.phase, since: since.toISOString() }], partial: !fromClaim };
  }
  return next;
}

/** Seconds spent in each tracked phase; the last one runs until `now`. */
export function phaseDurations(track: PhaseTrack | undefined, now: Date): { phase: string; seconds: number }[] {
  if (!track) return [];
  return track.phases.map((p, i) => {
    const end = i + 1 < track.phases.length ? Date.parse(track.phases[i + 1]!.since) : now.getTime();
    return { phase: p.phase, seconds: Math.max(0, Math.round((end - Date.parse(p.since)) / 1000)) };
  });
}

/**
 * The summary line (the `/loom` parent's one line, src/core/summary.ts) of the iterations between two
 * reports, derived from what changed: issues that appeared in a lane were spawned, issues that left one
 * completed, roles that started running were spawned. Null when no iteration ran in between.
 */
export function summarize(
  previous: StatusReport | null,
  current: StatusReport,
  config: Config,
): IterationSummary | null {
  if (current.daemon.iteration === 0 || (previous && previous.daemon.iteration === current.daemon.iteration))
    return null;
  const issuesOf = (r: StatusReport | null) =>
    new Set((r?.shepherds ?? []).flatMap((s) => (s.issue !== null && s.phase !== null ? [s.issue] : [])));
  const before = issuesOf(previous);
  const after = issuesOf(current);
  const running = (r: StatusReport | null) =>
    new Set((r?.support_roles ?? []).filter((x) => x.status === 'running').map((x) => x.role));
  const rolesBefore = running(previous);
  const line = summaryLine({
    ready: current.pipeline.ready,
    building: current.pipeline.building,
    activeShepherds: after.size,
    maxShepherds: totalSlots(slotCounts(config)),
    spawnedIssues: previous ? [...after].filter((n) => !before.has(n)) : [],
    spawnedRoles: previous
      ? ([...running(current)].filter((r) => !rolesBefore.has(r)) as Parameters<typeof summaryLine>[0]['spawnedRoles'])
      : [],
    completedIssues: previous ? [...before].filter((n) => !after.has(n)) : [],
    stuck: current.shepherds.filter((s) => s.stuck).length,
    warnings: current.warnings.filter((w) => !previous?.warnings.some((p) => p.time === w.time && p.type === w.type))
      .length,
  });
  return { iteration: current.daemon.iteration, time: current.daemon.last_poll ?? current.generated_at, line };
}

/** Appends a summary, keeping the newest `keep`. */
export function pushSummary(list: readonly IterationSummary[], item: IterationSummary | null, keep: number) {
  return item ? [...list, item].slice(-keep) : [...list];
}

export interface DashboardInput {
  report: StatusReport;
  /** The forge's web host: the repository's (a GitHub Enterprise remote's, else GH_HOST), or `github.com`. */
  host: string;
  facts: SnapshotFacts | null;
  phases: Readonly<Record<string, PhaseTrack>>;
  summaries: readonly IterationSummary[];
  refresh: RefreshFacts;
  now: Date;
}

export function buildDashboard(input: DashboardInput): DashboardModel {
  const { report, host, facts, now } = input;
  const repo = report.repository;
  const url = (n: number) => itemUrl(host, repo, n);
  // The report's title (null on local-only reads), else the last GitHub refresh's.
  const title = (n: number | null, own: string | null) =>
    own ?? (n !== null && facts?.titles[n] !== undefined ? cleanText(facts.titles[n]!, 120) : null);
  const counts = report.pipeline as Record<string, number | null>;
  const sum = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
  return {
    generated_at: report.generated_at,
    repository: repo,
    repository_url: repo && url(1) ? `https://${host}/${repo}` : null,
    daemon: report.daemon,
    pipeline: STAGES.map((s) => ({
      key: s.key,
      name: s.name,
      label: s.label,
      count:
        s.key === 'proposals'
          ? sum(report.pipeline.architect_proposals, report.pipeline.hermit_proposals)
          : (counts[s.key] ?? null),
    })),
    pipeline_source: report.pipeline_source,
    pipeline_updated_at: report.pipeline_updated_at,
    ready: (facts?.ready ?? []).map((r) => ({ number: r.number, title: cleanText(r.title, 120), url: url(r.number) })),
    lanes: report.shepherds.map((s) => {
      const track = input.phases[s.slot];
      const current = track && track.issue === s.issue ? track : undefined;
      return {
        slot: s.slot,
        status: s.status,
        issue: s.issue,
        title: title(s.issue, s.title),
        issue_url: s.issue !== null ? url(s.issue) : null,
        phase: s.phase,
        timeline: phaseDurations(current, now),
        timeline_partial: current?.partial ?? false,
        running_seconds: s.running_seconds,
        heartbeat_age_seconds: s.seconds_since_output,
        stuck: s.stuck,
        pr: s.pr,
        pr_url: s.pr !== null ? url(s.pr) : null,
        cost_usd: s.cost_usd,
        has_log: s.log !== null,
      };
    }),
    roles: report.support_roles.map((r) => ({ ...r, has_log: r.log !== null })),
    usage: report.usage,
    cost: {
      today_usd: report.cost.today_usd,
      total_usd: report.cost.total_usd,
      budget_daily_usd: report.cost.budget_daily_usd,
      budget_reached: report.cost.budget_reached,
    },
    waiting: report.human_actions.map((a) => ({ ...a, url: url(a.number) })),
    repairs: report.pull_repairs.map((p) => ({ ...p, url: url(p.number) })),
    summaries: [...input.summaries].reverse(),
    warnings: report.warnings,
    errors: report.errors,
    refresh: input.refresh,
  };
}

/**
 * A report that keeps the GitHub half (pipeline, waiting actions, repairs) of the last GitHub refresh and
 * takes everything local (daemon, shepherds, roles, cost, usage) from a newer local-only (`--fast`) read.
 */
export function withLocalParts(github: StatusReport, local: StatusReport): StatusReport {
  return {
    ...local,
    pipeline: github.pipeline,
    pipeline_source: github.pipeline_source,
    pipeline_updated_at: github.pipeline_updated_at,
    human_actions: github.human_actions,
    pull_repairs: github.pull_repairs,
    errors: [...github.errors, ...local.errors.filter((e) => !github.errors.some((g) => g.code === e.code))],
  };
}
