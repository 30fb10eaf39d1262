/**
 * `loom dashboard` in a real browser: headless Debian Chromium (playwright-core) against the real bundle
 * and the GitHub emulator. The page loads with the token and is refused without it, shows the backlog,
 * follows a label change on the forge without a reload, tails a worker log, and shows hostile titles and
 * log text as text: no payload runs (`window.__pwned` stays unset), before and after live updates.
 */
import { appendFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, hasChromium, launchChromium, NO_CHROMIUM } from './helpers/chromium.js';
import {
  type DashboardFixture,
  FIRST_READY,
  HOSTILE,
  HTML_HOSTILE,
  startDashboard,
  toolLine,
} from './helpers/dashboard.js';

if (!hasChromium) console.warn(NO_CHROMIUM);

describe.skipIf(!hasChromium)('loom dashboard in Chromium', () => {
  let fx: DashboardFixture;
  let browser: Browser;

  beforeAll(async () => {
    fx = await startDashboard(2);
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await fx?.close();
  });

  const pwned = async (page: import('playwright-core').Page) =>
    page.evaluate(() => (window as { __pwned?: unknown }).__pwned);
  const count = (page: import('playwright-core').Page, stage: string) =>
    page.locator(`[data-stage="${stage}"] .count`).textContent();

  it('refuses the page without the token', async () => {
    const page = await browser.context.newPage();
    const answer = await page.goto(fx.url.replace(/\?token=.*/, ''));
    expect(answer?.status()).toBe(403);
    expect(await page.locator('body').textContent()).toContain('Forbidden');
    await page.close();
  });

  it('loads with the token and shows the backlog, hostile titles as text', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const answer = await page.goto(fx.url);
    expect(answer?.status()).toBe(200);
    await expect.poll(() => page.locator('#live').textContent(), { timeout: 20_000 }).toMatch(/^Updated/);
    expect(await count(page, 'ready')).toBe(String(2 + HOSTILE.length));
    expect(await page.locator('.ready li').first().textContent()).toContain('First ready issue');
    expect(await page.locator('[data-slot="shepherd-1"] .lane-issue').textContent()).toContain('Add the widget cache');
    // Each HTML payload shows as its own literal text, and no element it names was created.
    const titles = await page.locator('.ready .title').allTextContents();
    for (const hostile of HTML_HOSTILE) expect(titles).toContain(hostile);
    expect(await page.locator('main img, main svg, main script').count()).toBe(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(await pwned(page)).toBeUndefined();
    expect(errors).toEqual([]);
    // Landmarks and names for screen readers.
    expect(await page.getByRole('main').count()).toBe(1);
    expect(await page.getByRole('region', { name: 'Waiting for you' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: /Copy the command for #13/ }).count()).toBe(1);
    await page.close();
  }, 60_000);

  it('updates live when a label changes on the forge', async () => {
    const page = await browser.context.newPage();
    await page.goto(fx.url);
    await expect.poll(() => page.locator('#live').textContent(), { timeout: 20_000 }).toMatch(/^Updated/);
    const before = Number(await count(page, 'ready'));
    const blockedBefore = Number(await count(page, 'blocked'));
    fx.emulator.store.removeLabels(FIRST_READY, ['loom:issue']);
    fx.emulator.store.addLabels(FIRST_READY, ['loom:blocked']);
    try {
      await expect.poll(() => count(page, 'ready'), { timeout: 20_000 }).toBe(String(before - 1));
      expect(await count(page, 'blocked')).toBe(String(blockedBefore + 1));
      expect(await page.locator('#waiting').textContent()).toContain(
        `gh issue edit ${FIRST_READY} -R github.localhost/acme/widgets --remove-label loom:blocked --add-label loom:issue`,
      );
      expect(await pwned(page)).toBeUndefined();
    } finally {
      fx.emulator.store.removeLabels(FIRST_READY, ['loom:blocked']);
      fx.emulator.store.addLabels(FIRST_READY, ['loom:issue']);
      await page.close();
    }
  }, 60_000);

  it('tails the selected worker log from the keyboard, log text as text', async () => {
    const page = await browser.context.newPage();
    await page.goto(fx.url);
    await expect.poll(() => page.locator('#live').textContent(), { timeout: 20_000 }).toMatch(/^Updated/);
    await page.getByRole('button', { name: 'Show the log of shepherd-1' }).focus();
    await page.keyboard.press('Enter');
    const lines = page.locator('#log-lines > div');
    await expect
      .poll(() => lines.allTextContents(), { timeout: 15_000 })
      .toEqual(expect.arrayContaining(['→ Bash git status', `→ Bash echo ${HTML_HOSTILE[0]}`]));
    expect(await page.locator('#log-file').textContent()).toMatch(/^shepherd-1-1-/);
    appendFileSync(fx.logFile, toolLine('npm run build'));
    await expect.poll(() => lines.last().textContent(), { timeout: 15_000 }).toBe('→ Bash npm run build');
    expect(await page.locator('#log-lines img').count()).toBe(0);
    expect(await pwned(page)).toBeUndefined();
    await page.close();
  }, 60_000);

  it('fits a phone-width window without horizontal scrolling', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(fx.url);
    await expect.poll(() => page.locator('#live').textContent(), { timeout: 20_000 }).toMatch(/^Updated/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.close();
  }, 60_000);
});
