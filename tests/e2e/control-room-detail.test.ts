import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Cloud } from '../../cloud/src/index.ts';
import { startTestCloud } from '../../cloud/test/support/test-cloud.ts';
import { apiClient, seedPeople } from '../../cloud/test/support/api-client.ts';
import { sendGatewayEvent } from '../support/gateway.ts';
import { miniSite } from '../support/mini-site.ts';
import { givePassword, launchChromium, seriousA11yViolations, signIn } from '../support/browser.ts';

/**
 * The control room's detail, hand-raised orders and history, in real Chromium on a real
 * cloud: a forced staff door raises a critical alarm, the operator opens its detail from the
 * keyboard, follows it to its work order and reads the audit trail, then goes back; raises
 * a work order by hand; and, once a job is done and verified, finds it on the History page by
 * a word from the cleaner's note. axe-core checks both pages. Screenshots go to
 * test-results/screenshots/.
 */
const ADMIN = 'atr_admin-key-for-the-control-room-detail-test';
const SECRET = 'gateway-secret-for-tests-01';
const OPS_PASSWORD = 'olive operates the control room';
const SHOTS = resolve('test-results/screenshots');
const POLL = { timeout: 15_000, interval: 100 };

interface Order { id: string; type: string; status: string; assignee: string | null; alarmIds: string[] }

describe('control room detail, hand-raised orders and history (real Chromium, real cloud)', () => {
  let cloud: Cloud;
  let base = '';
  let mqttUrl = '';
  let keys: Record<string, string> = {};
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  const json = apiClient(() => base);
  const api = async <T>(key: string, method: string, path: string, body?: unknown) => {
    const r = await json(key, method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as unknown as T;
  };
  const shot = async (name: string) => {
    const path = `${SHOTS}/control-room-detail-${name}.png`;
    await page.screenshot({ path, fullPage: false });
    console.log(`screenshot: ${path}`);
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    [{ cloud, base, mqttUrl }, browser] = await Promise.all([startTestCloud({ ATRIUM_ADMIN_KEY: ADMIN, ATRIUM_DISPATCH_TICK_MS: '100' }), launchChromium()]);
    keys = await seedPeople(json, ADMIN, {
      zoneId: 'hall',
      staff: [['guard-1', ['security']], ['cleaner-1', ['cleaner']], ['sup-1', ['supervisor']]],
      users: [
        { userId: 'olive', role: 'operator' },
        { userId: 'cleaner-1', role: 'staff', staffId: 'cleaner-1' },
        { userId: 'sup-1', role: 'supervisor', staffId: 'sup-1' },
      ],
    });
    const shifts = [{ from: Date.now() - 3600_000, to: Date.now() + 86_400_000 }];
    await api(ADMIN, 'PUT', '/api/v1/staff/cleaner-1', { name: 'Carla Clean', roles: ['cleaner'], shifts, zoneId: 'wc', available: true });
    await api(ADMIN, 'PUT', '/api/v1/staff/guard-1', { name: 'Gita Guard', roles: ['security'], shifts, zoneId: 'hall', available: true });
    await givePassword(base, ADMIN, 'olive', OPS_PASSWORD);
    // The screen is in UTC, the mall elsewhere: times must be the mall's.
    context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, timezoneId: 'UTC', locale: 'en-GB' });
    await signIn(context, base, 'olive', OPS_PASSWORD);
    page = await context.newPage();
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await cloud?.stop();
  });

  it('the operator opens a new alarm from the keyboard, follows it to its order, sees the audit trail and comes back', async () => {
    await page.goto(`${base}/`);
    await expect.poll(() => page.locator('#content').isVisible(), POLL).toBe(true);
    await expect.poll(() => page.locator('#control-nav a[aria-current=page]').textContent(), POLL).toBe('Live');
    // The page has been touched (as a person would), so the browser lets it make sound.
    await page.locator('#mute').focus();
    await page.keyboard.press('Tab');
    await sendGatewayEvent({ mqttUrl, gatewaySecret: SECRET, siteId: miniSite.id, event: { deviceId: 'gate-staff', floorId: 'g', zoneId: 'hall', family: 'gate', type: 'forced_open' } });
    const alarmRow = page.locator('#alarms-list li').first();
    await expect.poll(() => alarmRow.textContent(), POLL).toMatch(/Hall/);
    // A new critical alarm gives the cue (counted on the sound button).
    await expect.poll(() => page.locator('#mute').getAttribute('data-cues'), POLL).toBe('1');
    // Guard on shift in the hall shows on the plan.
    await expect.poll(() => page.locator('[data-zone-id=hall] .zone-staff').textContent(), POLL).toMatch(/1 staff/);

    const details = alarmRow.getByRole('button', { name: /^Details of/ });
    await details.focus();
    await page.keyboard.press('Enter');
    const drawer = page.locator('#detail');
    await expect.poll(() => drawer.isVisible(), POLL).toBe(true);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id), POLL).toBe('detail-title');
    await expect.poll(() => drawer.textContent(), POLL).toMatch(/Work order/);
    expect(await drawer.textContent()).toMatch(/Rule/);
    await shot('alarm');

    // Follow it to its order: the audit trail names who it was given to.
    const toOrder = drawer.getByRole('button', { name: /security breach/i });
    await expect.poll(() => toOrder.count(), POLL).toBe(1);
    await toOrder.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => drawer.locator('h3').allTextContents(), POLL).toContain('Audit trail');
    const trail = drawer.locator('.timeline li');
    await expect.poll(() => trail.allTextContents(), POLL).toEqual(expect.arrayContaining([expect.stringMatching(/^\d\d:\d\d:\d\d\b.* Created by Atrium alarm /), expect.stringMatching(/Assigned to Gita Guard/)]));
    // ...and back to the alarm from the order.
    expect(await drawer.getByRole('button', { name: /→$/ }).count()).toBeGreaterThan(0);
    await shot('order');

    await page.keyboard.press('Escape');
    await expect.poll(() => drawer.isHidden(), POLL).toBe(true);
    // The keyboard is back on the button that opened the drawer.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/^Details of/);
  }, 60_000);

  it('the operator raises a work order by hand and it is on the board, dispatched', async () => {
    await page.getByRole('button', { name: 'Raise a work order…' }).click();
    await page.getByLabel('Zone', { exact: true }).selectOption('wc');
    await page.getByLabel('Kind of job').fill('spill');
    await page.getByLabel('Who goes').selectOption('cleaner');
    await page.getByLabel('What do we know? (optional)').fill('A shopper rang: coffee spilt by the sinks');
    await shot('raise-form');
    await page.getByRole('button', { name: 'Raise the work order' }).click();
    await expect.poll(() => page.locator('#raise-status').textContent(), POLL).toMatch(/raised: Spill in Restroom/);
    const row = page.locator('#orders-list li', { hasText: 'Spill' });
    await expect.poll(() => row.textContent(), POLL).toMatch(/Carla Clean/);
    await row.getByRole('button', { name: /^Details of/ }).click();
    await expect.poll(() => page.locator('#detail').textContent(), POLL).toMatch(/Raised by hand by olive: “A shopper rang: coffee spilt by the sinks”/);
    await page.keyboard.press('Escape');
    expect(await seriousA11yViolations(page)).toEqual([]);
  }, 60_000);

  it('history finds the job, once done and verified, by a word from the cleaner\'s note', async () => {
    const [spill] = await api<Order[]>(ADMIN, 'GET', '/api/v1/work-orders?type=spill');
    expect(spill?.assignee).toBe('cleaner-1');
    for (const step of ['accept', 'arrive'] as const) await api(keys['cleaner-1']!, 'POST', `/api/v1/work-orders/${spill!.id}/${step}`, {});
    await api(keys['cleaner-1']!, 'POST', `/api/v1/work-orders/${spill!.id}/resolve`, { note: 'mopped, put a yellow sign up' });
    await api(keys['sup-1']!, 'POST', `/api/v1/work-orders/${spill!.id}/verify`, {});

    await page.goto(`${base}/history.html`);
    await expect.poll(() => page.locator('#control-nav a[aria-current=page]').textContent(), POLL).toBe('History');
    await page.getByLabel('Text', { exact: true }).fill('yellow sign');
    await page.getByRole('button', { name: 'Search' }).click();
    const rows = page.locator('#results-body tr');
    await expect.poll(() => rows.count(), POLL).toBe(1);
    expect(await rows.first().textContent()).toMatch(/Spill.*Restroom.*Carla Clean.*Verified/);
    expect(page.url()).toContain('q=yellow+sign');
    await rows.first().getByRole('button', { name: /^Details of/ }).click();
    const drawer = page.locator('#detail');
    await expect.poll(() => drawer.locator('.drawer-note').textContent(), POLL).toMatch(/mopped, put a yellow sign up/);
    await shot('history');
    await page.keyboard.press('Escape');
    // A search that matches nothing says so.
    await page.getByLabel('Text', { exact: true }).fill('nothing like this');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.locator('#results-summary').textContent(), POLL).toBe('No closed work orders match.');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);
});
