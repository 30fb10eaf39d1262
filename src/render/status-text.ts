/**
 * Renders a StatusReport for a person at a terminal: relative times instead of
 * ISO timestamps, titles cut to the terminal width, tables that fit 80 columns,
 * colour only when asked for (a TTY without NO_COLOR). Every string from GitHub
 * was cleaned in buildStatus; JSON output never comes through here.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { StatusReport } from '../core/status-report.js';

export interface RenderOptions {
  color: boolean;
  /** Terminal width in columns (titles and warnings are cut to it); 80 when unknown. */
  width?: number;
}

/** A span of seconds for people: `45 s`, `12 m`, `2 h 5 m`, `3 d 4 h`; `-` when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '-';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m`;
  if (s < 86400) {
    const minutes = Math.floor((s % 3600) / 60);
    return `${Math.floor(s / 3600)} h${minutes ? ` ${minutes} m` : ''}`;
  }
  const hours = Math.floor((s % 86400) / 3600);
  return `${Math.floor(s / 86400)} d${hours ? ` ${hours} h` : ''}`;
}

/** `time` relative to `now` (both ISO): `in 4 m`, `12 m ago`, `now`; `-` when there is no time. */
export function relativeTime(time: string | null, now: string): string {
  if (!time) return '-';
  const seconds = (Date.parse(time) - Date.parse(now)) / 1000;
  if (Number.isNaN(seconds)) return time;
  if (Math.abs(seconds) < 1) return 'now';
  return seconds > 0 ? `in ${formatDuration(seconds)}` : `${formatDuration(-seconds)} ago`;
}

/** Cuts a one-line text to `width` columns with an ellipsis. */
export function clip(text: string, width: number): string {
  const chars = [...text];
  return chars.length > width ? `${chars.slice(0, Math.max(0, width - 1)).join('')}…` : text;
}

const usd = (value: number | null) => (value === null ? '-' : `$${value.toFixed(value < 10 ? 2 : 0)}`);

const ISSUE_COUNTS: [keyof StatusReport['pipeline'], string][] = [
  ['ready', 'Ready (loom:issue)'],
  ['building', 'Building'],
  ['curated', 'Curated, to approve'],
  ['architect_proposals', 'Architect proposals'],
  ['hermit_proposals', 'Hermit proposals'],
  ['blocked', 'Blocked'],
  ['triage', 'Awaiting triage'],
];
const PR_COUNTS: [keyof StatusReport['pipeline'], string][] = [
  ['review_requested', 'PRs awaiting review'],
  ['changes_requested', 'Changes requested'],
  ['ready_to_merge', 'Ready to merge'],
  ['pr_needs_fix', 'Approved, to repair'],
];

export function renderStatus(report: StatusReport, options: RenderOptions): string {
  const c: ChalkInstance = new Chalk({ level: options.color ? 1 : 0 });
  const width = Math.max(40, options.width ?? 80);
  const now = report.generated_at;
  const ago = (time: string | null) => relativeTime(time, now);
  const lines: string[] = [];
  const heading = (text: string) => lines.push('', c.bold(text));
  const table = (head: string[]) =>
    new Table({
      head,
      style: { head: options.color ? ['cyan'] : [], border: options.color ? ['grey'] : [] },
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    });

  const d = report.daemon;
  const statusColour = { running: c.green, stopping: c.yellow, stopped: c.dim, crashed: c.red, 'never-started': c.dim }[
    d.status
  ];
  const clock = report.generated_at.slice(11, 16);
  lines.push(
    [c.bold('Loom'), report.repository, c.dim(`${clock} UTC`), d.daemon_id ? c.dim(`daemon ${d.daemon_id}`) : null]
      .filter(Boolean)
      .join('  ')
      .replace(/^(\S+) {2}/, '$1 '),
  );
  lines.push(
    `Daemon: ${statusColour(d.status.toUpperCase())}` +
      (d.uptime_seconds !== null ? `  up ${formatDuration(d.uptime_seconds)}` : '') +
      `  iteration ${d.iteration}` +
      (d.last_poll ? `  last poll ${ago(d.last_poll)}` : '') +
      (d.force_mode ? c.yellow('  force mode') : ''),
  );
  lines.push(summary(report, c));
  if (d.status === 'crashed') lines.push(c.red('  No poll for three poll intervals: run /loom again (it recovers).'));
  if (d.rate_limited_until) lines.push(c.yellow(`  GitHub rate limit: paused, resumes ${ago(d.rate_limited_until)}`));
  if (report.usage.paused_until)
    lines.push(
      c.yellow(
        `  Claude usage limit: no new worker or claim, resumes ${ago(report.usage.paused_until)}` +
          (report.usage.reason ? ` (${report.usage.reason})` : ''),
      ),
    );
  if (report.cost.budget_reached)
    lines.push(c.yellow(`  Daily budget $${report.cost.budget_daily_usd} reached: no new claims until tomorrow (UTC)`));

  heading(
    `Pipeline${report.pipeline_source === 'cache' ? c.dim(` (cached, ${ago(report.pipeline_updated_at)})`) : ''}`,
  );
  const count = (key: keyof StatusReport['pipeline']) =>
    report.pipeline[key] === null ? c.dim('?') : String(report.pipeline[key]);
  const pipeline = table(['issues', '', 'pull requests', '']);
  for (let i = 0; i < ISSUE_COUNTS.length; i++) {
    const [issueKey, issueLabel] = ISSUE_COUNTS[i]!;
    const pr = PR_COUNTS[i];
    pipeline.push([issueLabel, count(issueKey), pr ? pr[1] : '', pr ? count(pr[0]) : '']);
  }
  lines.push(pipeline.toString());
  if (report.outside_waiting)
    lines.push(
      c.yellow(
        `  ${report.outside_waiting} outside issue${report.outside_waiting === 1 ? ' waits' : 's wait'} for a maintainer` +
          ' (trust.outside_issues): add a loom: label by hand to admit one',
      ),
    );

  heading('Shepherds');
  if (!report.shepherds.length) lines.push(c.dim('  none yet'));
  else {
    const shepherds = table(['slot', 'status', 'issue', 'phase', 'PR', 'running', 'last output', 'cost']);
    for (const s of report.shepherds) {
      shepherds.push([
        s.slot,
        s.stuck ? c.red('STUCK') : s.status,
        s.issue ? `#${s.issue}` : '-',
        s.phase ?? '-',
        s.pr ? `#${s.pr}` : '-',
        formatDuration(s.running_seconds),
        s.seconds_since_output === null ? '-' : `${formatDuration(s.seconds_since_output)} ago`,
        usd(s.cost_usd),
      ]);
    }
    lines.push(shepherds.toString());
    for (const s of report.shepherds) {
      if (s.issue === null || (!s.title && !s.log && !s.stuck && !s.run_url)) continue;
      lines.push(clip(`  ${s.slot} #${s.issue}${s.title ? ` ${s.title}` : ''}`, width));
      if (s.stuck)
        lines.push(
          c.red(
            `    stuck: no sign of life for ${formatDuration(s.seconds_since_output)}` +
              ` (limit ${formatDuration(s.stuck_after_seconds)} in ${s.phase ?? 'its'} phase)`,
          ),
        );
      if (s.log) lines.push(c.dim(`    log ${s.log}`));
      if (s.runner === 'actions')
        lines.push(c.dim(`    run ${s.run_url ?? '(not listed yet)'}${s.run_status ? ` (${s.run_status})` : ''}`));
    }
  }

  heading('Support roles');
  const roles = table(['role', 'status', 'last finished', 'next due']);
  for (const r of report.support_roles)
    roles.push([
      r.role,
      r.status,
      ago(r.last_completed),
      r.next_due && r.next_due <= now ? 'due now' : ago(r.next_due),
    ]);
  lines.push(roles.toString());
  for (const r of report.support_roles) if (r.log) lines.push(c.dim(`  ${r.role} log ${r.log}`));

  heading('Session (daemon counters)');
  lines.push(
    `  iterations ${report.stats.iterations}  completed issues ${report.stats.completed_issues}  PRs merged ${report.stats.total_prs_merged}`,
  );
  const cost = report.cost;
  lines.push(
    `  cost today ${usd(cost.today_usd)}${cost.budget_daily_usd !== null ? ` of ${usd(cost.budget_daily_usd)}` : ''}  this session ${usd(cost.session_usd)}  total ${usd(cost.total_usd)}`,
  );
  const issues = Object.entries(cost.by_issue).slice(-6);
  if (issues.length)
    lines.push(clip(`  cost per issue: ${issues.map(([n, v]) => `#${n} ${usd(v)}`).join('  ')}`, width));

  if (report.warnings.length) {
    heading('Recent warnings');
    for (const w of report.warnings) {
      const when = ago(w.time);
      const text = clip(`${w.type} ${w.message}`, width - when.length - 3);
      const type = w.severity === 'error' ? c.red(w.type) : c.yellow(w.type);
      lines.push(`  ${c.dim(when)} ${type}${text.slice(w.type.length)}`);
    }
  }
  if (report.human_actions.length) {
    heading('Waiting for you');
    for (const a of report.human_actions) {
      lines.push(clip(`  #${a.number} ${a.title}`, width));
      lines.push(clip(`    ${a.reason ? `${a.reason} ` : ''}(${a.label})`, width));
      lines.push(`    ${c.cyan(a.command)}`);
    }
  }
  if (report.pull_repairs.length) {
    heading('Approved PRs the Doctor must repair');
    for (const p of report.pull_repairs) {
      const why = p.reason === 'conflict' ? 'conflicts with its base' : 'checks fail';
      lines.push(`${clip(`  #${p.number} ${p.title}`, width - why.length - 3)} ${c.yellow(`(${why})`)}`);
    }
  }
  if (report.errors.length) {
    heading('Errors');
    for (const e of report.errors) lines.push(`  ${c.red(e.code)} ${e.message}${e.hint ? `\n    → ${e.hint}` : ''}`);
  }
  return lines.join('\n');
}

/** One line that says how things stand: shepherds at work, what is ready, what waits for a person. */
function summary(report: StatusReport, c: ChalkInstance): string {
  const working = report.shepherds.filter((s) => s.status === 'working').length;
  const stuck = report.shepherds.filter((s) => s.stuck).length;
  const parts = [
    `${working} shepherd${working === 1 ? '' : 's'} working${stuck ? `, ${c.red(`${stuck} stuck`)}` : ''}`,
  ];
  if (report.pipeline.ready !== null) parts.push(`${report.pipeline.ready} ready`);
  if (report.pipeline.review_requested) parts.push(`${report.pipeline.review_requested} PR to review`);
  const waiting = report.human_actions.length;
  if (waiting) parts.push(c.yellow(`${waiting} waiting for you`));
  if (report.pull_repairs.length) parts.push(c.yellow(`${report.pull_repairs.length} PR to repair`));
  if (report.outside_waiting) parts.push(c.yellow(`${report.outside_waiting} outside waiting`));
  if (report.errors.length) parts.push(c.red(`${report.errors.length} error${report.errors.length === 1 ? '' : 's'}`));
  return parts.join(' · ');
}
