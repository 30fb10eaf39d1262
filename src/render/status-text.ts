/**
 * Renders a StatusReport for a terminal. Colour only when asked for (a TTY
 * without NO_COLOR); every string from GitHub was cleaned in buildStatus.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { StatusReport } from '../core/status-report.js';

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400)
    return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(seconds / 86400)}d${Math.floor((seconds % 86400) / 3600)}h`;
}

const usd = (value: number | null) => (value === null ? '-' : `$${value.toFixed(value < 10 ? 4 : 2)}`);

const PIPELINE_LABELS: [keyof StatusReport['pipeline'], string][] = [
  ['ready', 'Ready (loom:issue)'],
  ['building', 'Building'],
  ['curated', 'Curated, awaiting approval'],
  ['architect_proposals', 'Architect proposals'],
  ['hermit_proposals', 'Hermit proposals'],
  ['review_requested', 'PRs awaiting review'],
  ['changes_requested', 'PRs with changes requested'],
  ['ready_to_merge', 'PRs ready to merge'],
  ['blocked', 'Blocked'],
  ['triage', 'Awaiting triage (loom:triage)'],
  ['pr_needs_fix', 'Approved PRs to repair'],
];

export function renderStatus(report: StatusReport, options: { color: boolean }): string {
  const c: ChalkInstance = new Chalk({ level: options.color ? 1 : 0 });
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
  lines.push(`${c.bold('Loom')} ${report.repository ?? ''}`.trimEnd());
  lines.push(
    `Daemon: ${statusColour(d.status.toUpperCase())}` +
      (d.daemon_id ? `  id ${d.daemon_id}` : '') +
      (d.uptime_seconds !== null ? `  uptime ${formatDuration(d.uptime_seconds)}` : '') +
      `  iteration ${d.iteration}` +
      (d.last_poll ? `  last poll ${formatDuration(d.seconds_since_poll)} ago` : '') +
      (d.force_mode ? c.yellow('  force mode') : ''),
  );
  if (d.status === 'crashed')
    lines.push(
      c.red('  No poll for three poll intervals: run /loom again (it recovers) or check the Claude Code session.'),
    );
  if (d.rate_limited_until) lines.push(c.yellow(`  GitHub rate limit: paused until ${d.rate_limited_until}`));
  if (report.usage.paused_until)
    lines.push(
      c.yellow(
        `  Claude usage limit: no new worker or claim until ${report.usage.paused_until} (${report.usage.reason ?? ''})`,
      ),
    );
  if (report.cost.budget_reached)
    lines.push(c.yellow(`  Daily budget $${report.cost.budget_daily_usd} reached: no new claims until tomorrow (UTC)`));

  heading(`Pipeline${report.pipeline_source === 'cache' ? ` (cached ${report.pipeline_updated_at ?? ''})` : ''}`);
  const pipeline = table(['', 'count']);
  for (const [key, label] of PIPELINE_LABELS)
    pipeline.push([label, report.pipeline[key] === null ? c.dim('?') : String(report.pipeline[key])]);
  lines.push(pipeline.toString());

  heading('Shepherds');
  if (!report.shepherds.length) lines.push(c.dim('  none yet'));
  else {
    const shepherds = table(['slot', 'status', 'issue', 'phase', 'PR', 'running', 'last output', 'cost']);
    for (const s of report.shepherds) {
      shepherds.push([
        s.slot,
        s.status,
        s.issue ? `#${s.issue}` : '-',
        s.phase ?? '-',
        s.pr ? `#${s.pr}` : '-',
        formatDuration(s.running_seconds),
        s.seconds_since_output === null ? '-' : `${formatDuration(s.seconds_since_output)} ago`,
        usd(s.cost_usd),
      ]);
    }
    lines.push(shepherds.toString());
    for (const s of report.shepherds) if (s.log) lines.push(c.dim(`  ${s.slot} log: ${s.log}`));
  }

  heading('Support roles');
  const roles = table(['role', 'status', 'last finished', 'next due']);
  for (const r of report.support_roles) roles.push([r.role, r.status, r.last_completed ?? '-', r.next_due ?? '-']);
  lines.push(roles.toString());
  for (const r of report.support_roles) if (r.log) lines.push(c.dim(`  ${r.role} log: ${r.log}`));

  heading('Session');
  lines.push(
    `  iterations ${report.stats.iterations}  completed issues ${report.stats.completed_issues}  PRs merged ${report.stats.total_prs_merged}`,
  );
  const cost = report.cost;
  lines.push(
    `  cost today ${usd(cost.today_usd)}${cost.budget_daily_usd !== null ? ` of ${usd(cost.budget_daily_usd)}` : ''}  this session ${usd(cost.session_usd)}  total ${usd(cost.total_usd)}`,
  );
  const issues = Object.entries(cost.by_issue).slice(-10);
  if (issues.length) lines.push(`  cost per issue: ${issues.map(([n, v]) => `#${n} ${usd(v)}`).join('  ')}`);

  if (report.warnings.length) {
    heading('Recent warnings');
    for (const w of report.warnings)
      lines.push(`  ${c.dim(w.time)} ${w.severity === 'error' ? c.red(w.type) : c.yellow(w.type)} ${w.message}`);
  }
  if (report.human_actions.length) {
    heading('Waiting for you');
    for (const a of report.human_actions) {
      lines.push(`  #${a.number} ${a.title} (${a.label}${a.reason ? `: ${a.reason}` : ''})`);
      lines.push(`    ${c.cyan(a.command)}`);
    }
  }
  if (report.pull_repairs.length) {
    heading('Approved PRs the Doctor must repair');
    for (const p of report.pull_repairs)
      lines.push(`  #${p.number} ${p.title} (${p.reason === 'conflict' ? 'conflicts with its base' : 'checks fail'})`);
  }
  if (report.errors.length) {
    heading('Errors');
    for (const e of report.errors) lines.push(`  ${c.red(e.code)} ${e.message}${e.hint ? `\n    → ${e.hint}` : ''}`);
  }
  return lines.join('\n');
}
