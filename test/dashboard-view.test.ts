/**
 * The dashboard's pure parts: the view model from a status report (src/core/dashboard-view.ts), the phase
 * timeline and iteration summaries it observes, and the shared section renderer with the escaping `h`.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/core/config.js';
import { emptyState } from '../src/core/daemon-state.js';
import {
  buildDashboard,
  type DashboardInput,
  itemUrl,
  type PhaseTrack,
  phaseDurations,
  summarize,
  trackPhases,
  withLocalParts,
} from '../src/core/dashboard-view.js';
import { buildStatus, type StatusReport } from '../src/core/status-report.js';
import { escapeHtml, htmlH, renderPage } from '../src/dashboard/page.js';
import { renderSections } from '../src/dashboard/render.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000).toISOString();
type Shepherd = StatusReport['shepherds'][number];
const shepherd = (over: Partial<Shepherd> = {}): Shepherd => ({
  slot: 'shepherd-1',
  status: 'working',
  issue: 7,
  phase: 'builder',
  pr: null,
  running_seconds: 1000,
  seconds_since_output: 10,
  task_id: null,
  log: '/x.jsonl',
  cost_usd: null,
  title: null,
  stuck: false,
  stuck_after_seconds: 3600,
  runner: 'local',
  run_url: null,
  run_status: null,
  ...over,
});

function report(over: Partial<StatusReport> = {}): StatusReport {
  const base = buildStatus({
    state: { ...emptyState(), running: true, started_at: ago(100), last_poll: ago(5), iteration: 4 },
    config: defaultConfig,
    now: NOW,
    repository: 'acme/widgets',
    snapshot: null,
    stopRequested: false,
    outputTimes: {},
    errors: [],
    fast: false,
  });
  return { ...base, ...over };
}

const input = (over: Partial<DashboardInput> = {}): DashboardInput => ({
  report: report(),
  host: 'github.com',
  facts: null,
  phases: {},
  summaries: [],
  refresh: { github_requests: 1, last_github_at: NOW.toISOString(), poll_interval_seconds: 30 },
  now: NOW,
  ...over,
});

describe('itemUrl', () => {
  it.each([
    ['github.com', 'acme/widgets', 5, 'https://github.com/acme/widgets/issues/5'],
    ['github.localhost', 'o/r', 1, 'https://github.localhost/o/r/issues/1'],
    ['github.com', null, 5, null],
    ['github.com', 'acme/"><x', 5, null],
    ['evil.example/x?', 'acme/widgets', 5, null],
  ])('%s %s #%s → %s', (host, repo, n, want) => {
    expect(itemUrl(host, repo, n)).toBe(want);
  });
});

describe('trackPhases and phaseDurations', () => {
  it.each<[string, Record<string, PhaseTrack>, Partial<Shepherd>, PhaseTrack | undefined]>([
    [
      'a new claim in the first phase starts at the claim time',
      {},
      { phase: 'curator', running_seconds: 60 },
      { issue: 7, phases: [{ phase: 'curator', since: ago(60) }], partial: false },
    ],
    [
      'a shepherd met mid-way starts now, partial',
      {},
      { phase: 'judge' },
      { issue: 7, phases: [{ phase: 'judge', since: NOW.toISOString() }], partial: true },
    ],
    [
      'a new phase is appended',
      { 'shepherd-1': { issue: 7, phases: [{ phase: 'curator', since: ago(600) }], partial: false } },
      { phase: 'builder' },
      {
        issue: 7,
        phases: [
          { phase: 'curator', since: ago(600) },
          { phase: 'builder', since: NOW.toISOString() },
        ],
        partial: false,
      },
    ],
    [
      'the same phase changes nothing',
      { 'shepherd-1': { issue: 7, phases: [{ phase: 'builder', since: ago(600) }], partial: true } },
      { phase: 'builder' },
      { issue: 7, phases: [{ phase: 'builder', since: ago(600) }], partial: true },
    ],
    [
      'another issue in the slot starts over',
      { 'shepherd-1': { issue: 3, phases: [{ phase: 'merge', since: ago(600) }], partial: false } },
      { issue: 9, phase: 'curator', running_seconds: 5 },
      { issue: 9, phases: [{ phase: 'curator', since: ago(5) }], partial: false },
    ],
    [
      'an idle slot is dropped',
      { 'shepherd-1': { issue: 3, phases: [{ phase: 'merge', since: ago(600) }], partial: false } },
      { issue: null, phase: null },
      undefined,
    ],
  ])('%s', (_what, previous, over, want) => {
    expect(trackPhases(previous, [shepherd(over)], NOW)['shepherd-1']).toEqual(want);
  });

  it('gives the seconds spent in each phase, the last one until now', () => {
    const track: PhaseTrack = {
      issue: 7,
      phases: [
        { phase: 'curator', since: ago(900) },
        { phase: 'builder', since: ago(300) },
      ],
      partial: false,
    };
    expect(phaseDurations(track, NOW)).toEqual([
      { phase: 'curator', seconds: 600 },
      { phase: 'builder', seconds: 300 },
    ]);
    expect(phaseDurations(undefined, NOW)).toEqual([]);
  });
});

describe('summarize', () => {
  const withShepherds = (iteration: number, issues: number[], running: string[] = []) =>
    report({
      daemon: { ...report().daemon, iteration, last_poll: ago(1) },
      shepherds: issues.map((issue, i) => shepherd({ slot: `shepherd-${i + 1}`, issue })),
      support_roles: report().support_roles.map((r) => ({
        ...r,
        status: running.includes(r.role) ? 'running' : 'idle',
      })),
      pipeline: { ...report().pipeline, ready: 4, building: issues.length },
    });

  it.each<[string, StatusReport | null, StatusReport, string | null]>([
    ['no iteration in between', withShepherds(4, [7]), withShepherds(4, [7, 8]), null],
    ['never iterated', null, withShepherds(0, []), null],
    ['first look: the current line', null, withShepherds(4, [7]), 'ready=4 building=1 shepherds=1/3'],
    [
      'spawns, completions and roles from the difference',
      withShepherds(4, [7, 8]),
      withShepherds(6, [8, 9], ['guide']),
      'ready=4 building=2 shepherds=2/3 +shepherd=#9 +guide completed=#7',
    ],
  ])('%s', (_what, previous, current, want) => {
    expect(summarize(previous, current, defaultConfig)?.line ?? null).toBe(want);
  });

  it('counts stuck shepherds and new warnings', () => {
    const warning = { time: ago(2), severity: 'warning', type: 'stuck', message: 'm' };
    const current = withShepherds(5, [7]);
    current.warnings = [warning];
    current.shepherds[0]!.stuck = true;
    expect(summarize(withShepherds(4, [7]), current, defaultConfig)?.line).toBe(
      'ready=4 building=1 shepherds=1/3 stuck=1 warn=1',
    );
  });
});

describe('withLocalParts', () => {
  it('keeps the GitHub half of the last GitHub refresh and the local half of the newer read', () => {
    const github = report({ pipeline: { ...report().pipeline, ready: 9 }, pipeline_source: 'github' });
    const local = report({ shepherds: [shepherd()], pipeline_source: 'cache' });
    const merged = withLocalParts(github, local);
    expect(merged.pipeline.ready).toBe(9);
    expect(merged.pipeline_source).toBe('github');
    expect(merged.shepherds).toEqual([shepherd()]);
  });
});

describe('buildDashboard', () => {
  it('orders the pipeline along the label state machine and sums the proposals', () => {
    const pipeline = { ...report().pipeline, ready: 2, architect_proposals: 1, hermit_proposals: 2, triage: 4 };
    const model = buildDashboard(input({ report: report({ pipeline }) }));
    expect(model.pipeline.map((s) => s.key)).toEqual([
      'triage',
      'curated',
      'proposals',
      'ready',
      'building',
      'review_requested',
      'changes_requested',
      'ready_to_merge',
      'pr_needs_fix',
      'blocked',
    ]);
    expect(model.pipeline.find((s) => s.key === 'proposals')!.count).toBe(3);
    expect(model.pipeline.find((s) => s.key === 'triage')).toMatchObject({ name: 'Outside issues waiting', count: 4 });
  });

  it('shows unknown counts as null when GitHub could not be read', () => {
    const model = buildDashboard(input());
    expect(model.pipeline.every((s) => s.count === null)).toBe(true);
  });

  it('builds lanes with titles, links, timeline, stuck marker and cost', () => {
    const model = buildDashboard(
      input({
        report: report({
          shepherds: [
            shepherd({ pr: 12, cost_usd: 1.5, seconds_since_output: 4000, running_seconds: 5000, stuck: true }),
          ],
        }),
        facts: { titles: { 7: 'Fix \u001b[31mthe\u202e cache\nnow' }, ready: [{ number: 3, title: 'Next' }] },
        phases: { 'shepherd-1': { issue: 7, phases: [{ phase: 'builder', since: ago(60) }], partial: true } },
      }),
    );
    expect(model.lanes[0]).toEqual({
      slot: 'shepherd-1',
      status: 'working',
      issue: 7,
      title: 'Fix the cache now',
      issue_url: 'https://github.com/acme/widgets/issues/7',
      phase: 'builder',
      timeline: [{ phase: 'builder', seconds: 60 }],
      timeline_partial: true,
      running_seconds: 5000,
      heartbeat_age_seconds: 4000,
      stuck: true,
      pr: 12,
      pr_url: 'https://github.com/acme/widgets/issues/12',
      cost_usd: 1.5,
      has_log: true,
    });
    expect(model.ready).toEqual([{ number: 3, title: 'Next', url: 'https://github.com/acme/widgets/issues/3' }]);
  });

  it("prefers the report's own title (GitHub read now) to the last refresh's", () => {
    const model = buildDashboard(
      input({
        report: report({ shepherds: [shepherd({ title: 'Now' })] }),
        facts: { titles: { 7: 'Before' }, ready: [] },
      }),
    );
    expect(model.lanes[0]!.title).toBe('Now');
  });

  it('ignores a timeline of another issue', () => {
    const model = buildDashboard(
      input({
        report: report({ shepherds: [shepherd()] }),
        phases: { 'shepherd-1': { issue: 99, phases: [{ phase: 'judge', since: ago(60) }], partial: false } },
      }),
    );
    expect(model.lanes[0]!.timeline).toEqual([]);
  });

  it('lists the newest iteration summary first', () => {
    const summaries = [
      { iteration: 1, time: ago(60), line: 'a' },
      { iteration: 2, time: ago(30), line: 'b' },
    ];
    expect(buildDashboard(input({ summaries })).summaries.map((s) => s.line)).toEqual(['b', 'a']);
  });
});

describe('the section renderer on the server', () => {
  const hostile = '<img src=x onerror="window.__pwned=1"> & \'quoted\'';

  it.each([
    ['text', '<b>&</b>', '&lt;b&gt;&amp;&lt;/b&gt;'],
    ['quotes', `"'`, '&quot;&#39;'],
    ['plain', 'issue 7', 'issue 7'],
  ])('escapes %s', (_what, text, want) => {
    expect(escapeHtml(text)).toBe(want);
  });

  it('escapes attribute values and text, leaves out null and false attributes', () => {
    expect(htmlH('a', { href: '"><x', hidden: true, title: null, open: false }, hostile).html).toBe(
      '<a href="&quot;&gt;&lt;x" hidden>&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt; &amp; &#39;quoted&#39;</a>',
    );
  });

  it('never lets a title, command, reason, warning or error become markup', () => {
    const action = {
      kind: 'merge-refused' as const,
      number: 5,
      title: hostile,
      label: 'loom:pr',
      command: `loom merge 5 ${hostile}`,
      reason: hostile,
    };
    const model = buildDashboard(
      input({
        report: report({
          human_actions: [action],
          shepherds: [shepherd()],
          warnings: [{ time: ago(1), severity: 'warning', type: hostile, message: hostile }],
          errors: [{ code: 'GH', message: hostile, hint: hostile }],
        }),
        facts: { titles: { 7: hostile }, ready: [{ number: 3, title: hostile }] },
        summaries: [{ iteration: 1, time: ago(1), line: hostile }],
      }),
    );
    const html = Object.values(renderSections(model, htmlH))
      .map((s) => s.html)
      .join('');
    expect(html).not.toContain('<img');
    expect(html.match(/&lt;img src=x/g)!.length).toBeGreaterThanOrEqual(8);
  });

  it('renders a whole page with landmarks, labels and one nonced script', () => {
    const page = renderPage(buildDashboard(input({ report: report({ shepherds: [shepherd()] }) })), { nonce: 'N0' });
    expect(page).toContain('<main>');
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('<label for="log-select">');
    expect(page).toMatch(/<section id="waiting" aria-labelledby="h-waiting">/);
    expect(page.match(/<script nonce="N0">/g)).toHaveLength(1);
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).toContain('aria-label="Show the log of shepherd-1"');
  });

  it('renders a page before anything was read', () => {
    expect(renderPage(null, { nonce: 'N' })).toContain('Loading…');
  });
});
