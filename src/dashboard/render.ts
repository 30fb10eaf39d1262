/**
 * The dashboard's sections, written once for both sides: the server calls `renderSections` with an `h` that
 * builds escaped HTML text, the browser runs the same function's source (shipped in the page by
 * src/dashboard/page.ts) with an `h` that builds DOM nodes through textContent and setAttribute. So the
 * first paint and every live update look the same, and no GitHub or log text is ever parsed as HTML.
 *
 * The function body must stay self-contained: its source text runs in the browser, where no module-level
 * name exists. Types are erased, so importing types is fine; helpers live inside it.
 */
import type { DashboardModel } from '../core/dashboard-view.js';

export type Child<N> = N | string | null | false | undefined | Child<N>[];
/** Builds one element: a tag, its attributes (null/false left out, true as a bare attribute) and children. */
export type H<N> = (
  tag: string,
  attrs: Record<string, string | number | boolean | null | undefined> | null,
  ...children: Child<N>[]
) => N;

/** Section id → the section's content. */
export type Sections<N> = Record<string, N>;

export function renderSections<N>(m: DashboardModel, h: H<N>): Sections<N> {
  const secs = (s: number | null): string => {
    if (s === null) return '—';
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m`;
    if (s < 86400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
    return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
  };
  const nowMs = Date.parse(m.generated_at);
  /** A time relative to the report: `12m ago`, `in 5m`, `due` (a next run already past). */
  const rel = (iso: string | null, future = false) => {
    if (!iso) return '—';
    const d = Math.round((Date.parse(iso) - nowMs) / 1000);
    if (future) return d <= 0 ? 'due' : `in ${secs(d)}`;
    return `${secs(Math.max(0, -d))} ago`;
  };
  const usd = (v: number | null) => (v === null ? '—' : `$${v.toFixed(2)}`);
  const time = (iso: string | null) => (iso ? `${iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')} UTC` : '—');
  const link = (url: string | null, text: string, label?: string) =>
    url ? h('a', { href: url, rel: 'noreferrer noopener', 'aria-label': label ?? null }, text) : text;
  const empty = (text: string) => h('p', { class: 'empty' }, text);
  const list = (items: N[], cls: string, none: string) => (items.length ? h('ul', { class: cls }, items) : empty(none));
  const logButton = (id: string, what: string) =>
    h('button', { type: 'button', class: 'show-log', 'data-log': id, 'aria-label': `Show the log of ${what}` }, 'Log');

  const daemon = h(
    'p',
    { class: `daemon daemon-${m.daemon.status}` },
    h('strong', null, `Daemon ${m.daemon.status}`),
    ` · iteration ${m.daemon.iteration} · last poll ${secs(m.daemon.seconds_since_poll)} ago`,
    m.daemon.rate_limited_until ? ` · GitHub rate limit until ${time(m.daemon.rate_limited_until)}` : '',
    ` · GitHub read ${m.refresh.github_requests}× (every ${m.refresh.poll_interval_seconds}s at most), last ${time(m.refresh.last_github_at)}`,
  );

  const pipeline = h(
    'div',
    null,
    h(
      'ol',
      { class: 'pipeline' },
      m.pipeline.map((s) =>
        h(
          'li',
          { class: `stage stage-${s.key}`, 'data-stage': s.key },
          h('span', { class: 'count' }, s.count === null ? '?' : String(s.count)),
          h('span', { class: 'name' }, s.name),
          h('span', { class: 'label' }, s.label),
        ),
      ),
    ),
    m.pipeline_source === 'none' ? empty('Counts unavailable: GitHub could not be read (see Problems).') : null,
    m.ready.length
      ? h(
          'div',
          { class: 'next' },
          h('h3', null, 'Next ready issues'),
          h(
            'ol',
            { class: 'ready' },
            m.ready.map((r) => h('li', null, link(r.url, `#${r.number}`), ' ', h('span', { class: 'title' }, r.title))),
          ),
        )
      : null,
  );

  const lanes = list(
    m.lanes.map((l) =>
      h(
        'li',
        { class: `lane lane-${l.status}${l.stuck ? ' stuck' : ''}`, 'data-slot': l.slot },
        h(
          'div',
          { class: 'lane-head' },
          h('strong', null, l.slot),
          ' ',
          h('span', { class: 'badge' }, l.status),
          l.stuck ? h('span', { class: 'badge badge-stuck', role: 'img', 'aria-label': 'stuck' }, '⚠ stuck') : null,
          l.has_log ? logButton(l.slot, l.slot) : null,
        ),
        l.issue === null
          ? empty('No issue')
          : h(
              'p',
              { class: 'lane-issue' },
              link(l.issue_url, `#${l.issue}`, `issue ${l.issue}`),
              ' ',
              h('span', { class: 'title' }, l.title ?? ''),
            ),
        l.issue === null
          ? null
          : h(
              'dl',
              { class: 'facts' },
              h('dt', null, 'Phase'),
              h('dd', { class: 'phase' }, l.phase ?? '—'),
              h('dt', null, 'Running'),
              h('dd', null, secs(l.running_seconds)),
              h('dt', null, 'Heartbeat'),
              h('dd', { class: 'heartbeat' }, `${secs(l.heartbeat_age_seconds)} ago`),
              h('dt', null, 'PR'),
              h('dd', null, l.pr === null ? '—' : link(l.pr_url, `#${l.pr}`, `pull request ${l.pr}`)),
              h('dt', null, 'Cost'),
              h('dd', null, usd(l.cost_usd)),
            ),
        l.timeline.length
          ? h(
              'ol',
              {
                class: 'timeline',
                'aria-label': `Phases of ${l.slot}${l.timeline_partial ? ' since the dashboard started' : ''}`,
              },
              l.timeline.map((p) => h('li', null, h('span', null, p.phase), ' ', secs(p.seconds))),
            )
          : null,
      ),
    ),
    'lanes',
    'No shepherd slot yet.',
  );

  const waiting = list(
    m.waiting.map((a, i) =>
      h(
        'li',
        { class: `action action-${a.kind}` },
        h(
          'p',
          null,
          link(a.url, `#${a.number}`),
          ' ',
          h('span', { class: 'title' }, a.title),
          ' ',
          h('span', { class: 'badge' }, a.kind),
        ),
        a.reason ? h('p', { class: 'reason' }, a.reason) : null,
        h(
          'div',
          { class: 'command' },
          h('code', { id: `cmd-${i}` }, a.command),
          h(
            'button',
            {
              type: 'button',
              class: 'copy',
              'data-copy': `cmd-${i}`,
              'aria-label': `Copy the command for #${a.number}`,
            },
            'Copy',
          ),
        ),
      ),
    ),
    'actions',
    'Nothing waits for you.',
  );

  const roles = h(
    'table',
    null,
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['Role', 'Status', 'Last run', 'Next run', 'Last result', ''].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      null,
      m.roles.map((r) =>
        h(
          'tr',
          { 'data-role': r.role },
          h('th', { scope: 'row' }, r.role),
          h('td', null, r.status),
          h('td', { title: r.last_completed ?? '' }, rel(r.last_completed)),
          h('td', { title: r.next_due ?? '' }, r.status === 'running' ? 'running now' : rel(r.next_due, true)),
          h('td', null, r.last_result ?? '—'),
          h('td', null, r.has_log ? logButton(r.role, `the ${r.role}`) : ''),
        ),
      ),
    ),
  );

  const budget = m.cost.budget_daily_usd;
  const spend = h(
    'div',
    null,
    h(
      'p',
      { class: m.usage.paused_until ? 'paused' : 'not-paused' },
      m.usage.paused_until
        ? `Usage limit: paused until ${time(m.usage.paused_until)}${m.usage.reason ? ` (${m.usage.reason})` : ''}`
        : 'Usage limit: not paused',
    ),
    h(
      'p',
      null,
      `Today ${usd(m.cost.today_usd)}`,
      budget === null ? ' (no daily budget)' : ` of ${usd(budget)}`,
      m.cost.budget_reached ? h('strong', null, ' — budget reached: no new claims today') : '',
      ` · all time ${usd(m.cost.total_usd)}`,
    ),
    budget === null
      ? null
      : h('meter', {
          min: 0,
          max: budget,
          value: Math.min(m.cost.today_usd, budget),
          'aria-label': "Today's cost against the daily budget",
        }),
  );

  const summaries = list(
    m.summaries.map((s) =>
      h('li', null, h('span', { class: 'when' }, `#${s.iteration} ${time(s.time)}`), ' ', h('code', null, s.line)),
    ),
    'summaries',
    'No iteration seen since the dashboard started.',
  );

  const problems = list(
    [
      ...m.errors.map((e) => h('li', { class: 'error' }, `${e.code}: ${e.message}${e.hint ? ` → ${e.hint}` : ''}`)),
      ...m.repairs.map((p) =>
        h('li', { class: 'warning' }, link(p.url, `#${p.number}`), ` ${p.title} needs the Doctor (${p.reason})`),
      ),
      ...m.warnings.map((w) => h('li', { class: w.severity }, `${time(w.time)} ${w.type}: ${w.message}`)),
    ],
    'problems',
    'None.',
  );

  return { daemon, pipeline, lanes, waiting, roles, spend, summaries, problems };
}
