/**
 * Writes docs/dashboard-1280.png and docs/dashboard-390.png: the real `loom dashboard` (built bundle) on a
 * demo backlog in the GitHub emulator, three shepherds at work, in Debian's Chromium.
 *   npm run build && npx tsx scripts/dashboard-screenshots.ts
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DaemonState } from '../src/core/daemon-state.js';

declare const window: { scrollTo(x: number, y: number): void };

import { CHROMIUM, hasChromium, launchChromium } from '../test/helpers/chromium.js';
import { startDashboard, toolLine } from '../test/helpers/dashboard.js';
import { seedWith } from '../test/helpers/repo.js';

if (!hasChromium) {
  console.error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  process.exit(2);
}

const docs = path.resolve(import.meta.dirname, '../docs');
const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();
const bucket = (usd: number) => ({ usd, input_tokens: 0, output_tokens: 0, tasks: 1 });

const seed = seedWith(
  [
    { labels: ['loom:building'], title: 'Cache rendered widgets per tenant' },
    { labels: ['loom:building'], title: 'Retry webhook delivery with backoff' },
    { labels: ['loom:building'], title: 'Export reports as CSV' },
    { labels: ['loom:issue'], title: 'Paginate the audit log API' },
    { labels: ['loom:issue', 'loom:urgent'], title: 'Login fails when the session cookie is stale' },
    { labels: ['loom:issue'], title: 'Add dark mode to the settings page' },
    { labels: ['loom:issue'], title: 'Document the plugin hooks' },
    { labels: ['loom:curated'], title: 'Split the billing module' },
    { labels: ['loom:architect'], title: 'Proposal: move jobs to a durable queue' },
    { labels: ['loom:blocked'], title: 'Upgrade the ORM (needs a decision on migrations)' },
    { labels: ['loom:triage'], title: 'Crash on startup with an empty config' },
  ],
  [
    {
      number: 40,
      title: 'Retry webhook delivery with backoff',
      labels: ['loom:review-requested'],
      state: 'OPEN',
      headRefName: 'feature/issue-2',
      mergeable: 'MERGEABLE',
    },
  ],
);

const fx = await startDashboard(30, {
  seed,
  maxShepherds: 3,
  state(base: DaemonState): DaemonState {
    const slot = base.shepherds['shepherd-1']!;
    return {
      ...base,
      iteration: 41,
      started_at: ago(5 * 3600),
      shepherds: {
        'shepherd-1': { ...slot, issue: 1, started: ago(1500), last_phase: 'builder', last_heartbeat: ago(20) },
        'shepherd-2': {
          ...slot,
          issue: 2,
          started: ago(3000),
          last_phase: 'judge',
          pr_number: 40,
          last_heartbeat: ago(2000),
          output_file: null,
        },
        'shepherd-3': {
          ...slot,
          issue: 3,
          started: ago(200),
          last_phase: 'curator',
          last_heartbeat: ago(30),
          output_file: null,
        },
      },
      support_roles: {
        ...base.support_roles,
        guide: { ...base.support_roles.guide, last_completed: ago(900), last_result: 'ranked 4 ready issues' },
        champion: { ...base.support_roles.champion, last_completed: ago(400), last_result: 'merged #38' },
      },
      cost: {
        ...base.cost,
        total_usd: 48.3,
        session_usd: 12.4,
        by_day: { [new Date().toISOString().slice(0, 10)]: 12.4 },
        by_issue: { '1': bucket(2.1), '2': bucket(3.75), '3': bucket(0.4) },
      },
    };
  },
});
// The demo log shows a readable session, not the tests' hostile line.
writeFileSync(
  fx.logFile,
  ['git status', 'npm test -- test/cache.test.ts', 'git diff --stat', 'git commit -m "Cache widgets per tenant"']
    .map(toolLine)
    .join(''),
);

const browser = await launchChromium();
try {
  for (const [width, height] of [
    [1280, 1500],
    [390, 1800],
  ] as const) {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width, height });
    await page.goto(fx.url);
    await page.locator('#live').filter({ hasText: 'Updated' }).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Show the log of shepherd-1' }).click();
    await page.locator('#log-lines > div').first().waitFor({ timeout: 10_000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    const file = path.join(docs, `dashboard-${width}.png`);
    await page.screenshot({ path: file, fullPage: width > 400 });
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
    await page.close();
  }
} finally {
  await browser.close();
  await fx.close();
}
