import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { MqttClient } from 'mqtt';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { startStack, type Stack } from '../../scripts/stack.ts';
import { miniSite } from '../support/mini-site.ts';
import { connectDevice, publish, topicOf } from '../support/device.ts';
import { launchChromium, seriousA11yViolations, signIn } from '../support/browser.ts';

const SCREENSHOT = '/tmp/atrium-page.png';
const POLL = { timeout: 10_000, interval: 50 }; // generous for a loaded CI box; a passing run waits far less

/** Page-side probes the test plants, to prove later that nothing was reloaded or rebuilt. */
type Probe = { marker?: string; svg?: Element | null; states?: string[] };

describe('control room page (real Chromium, real stack, real MQTT radar)', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let hall: MqttClient;
  let wc: MqttClient;
  let seq = 0;
  const pageErrors: string[] = [];

  const report = (client: MqttClient, deviceId: string, occupancy: number) =>
    publish(client, topicOf(miniSite.id, deviceId, 'count'), { ts: Date.now(), seq: ++seq, periodS: 30, in: 0, out: 0, occupancy });
  const text = (p: Page, selector: string) => p.locator(selector).first().textContent({ timeout: 2_000 });
  const classOf = (p: Page, selector: string) => p.locator(selector).first().getAttribute('class', { timeout: 2_000 });

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack({ site: miniSite, logger: pino({ level: 'silent' }) }), launchChromium()]);
    [hall, wc] = await Promise.all([
      connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'radar-hall-1'),
      connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'radar-wc'),
    ]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await signIn(context, stack.urls.page, 'admin', stack.adminPassword);
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
  });

  afterAll(async () => {
    hall?.end(true);
    wc?.end(true);
    await browser?.close();
    await stack?.stop();
  });

  it('draws every zone of the site with its name, and says it is live', async () => {
    await page.goto(stack.urls.page);
    await expect.poll(() => text(page, '#conn-text'), POLL).toBe('Live');
    expect(await page.getAttribute('#conn', 'aria-live')).toBe('polite');
    expect(await text(page, 'h1')).toBe(miniSite.name);
    expect(await page.locator('svg.floor-map').count()).toBe(miniSite.floors.length);
    for (const zone of miniSite.zones) {
      const shape = page.locator(`svg.floor-map .zone[data-zone-id="${zone.id}"]`);
      expect(await shape.locator('.zone-name').textContent()).toBe(zone.name);
      expect(await shape.getAttribute('class')).toContain('lvl-none'); // no radar has reported yet
      expect(await text(page, `tr[data-zone-id="${zone.id}"] .zone-link`)).toBe(zone.name);
    }
    // the legend explains every colour in words
    expect(await page.locator('#legend li').allTextContents()).toEqual(['Quiet< 0.2', 'Moderate0.2–0.5', 'Busy0.5–1', 'Crowded≥ 1', 'No data']);
  });

  it('shows a radar’s occupancy on the plan and in the table without reloading', async () => {
    let navigations = 0;
    page.on('framenavigated', () => navigations++);
    await page.evaluate(() => {
      const w = window as unknown as Probe;
      w.marker = 'same page';
      w.svg = document.querySelector('svg.floor-map');
    });
    const updatedBefore = await page.getAttribute('#last-update', 'datetime');

    await report(hall, 'radar-hall-1', 37); // 37 people in 200 m²: 0.19 /m², quiet
    await expect.poll(() => text(page, '.zone[data-zone-id="hall"] .zone-count'), POLL).toBe('37');
    expect(await text(page, 'tr[data-zone-id="hall"] td.occupancy')).toBe('37');
    expect(await classOf(page, '.zone[data-zone-id="hall"]')).toContain('lvl-quiet');
    expect(await text(page, '.zone[data-zone-id="hall"] .zone-level')).toBe(' · Quiet');
    expect(await text(page, 'tr[data-zone-id="hall"] .badge')).toBe('Quiet');
    expect(await text(page, 'tr[data-zone-id="hall"] .density')).toBe('0.19');
    expect(await page.getAttribute('#last-update', 'datetime')).not.toBe(updatedBefore); // ms precision

    await report(hall, 'radar-hall-1', 130); // 0.65 /m²: busy
    await expect.poll(() => text(page, '.zone[data-zone-id="hall"] .zone-count'), POLL).toBe('130');
    await expect.poll(() => classOf(page, '.zone[data-zone-id="hall"]'), POLL).toContain('lvl-busy');
    expect(await classOf(page, '.zone[data-zone-id="hall"]')).not.toContain('lvl-quiet');
    expect(await text(page, 'tr[data-zone-id="hall"] .badge')).toBe('Busy');
    expect(await text(page, 'tr[data-zone-id="hall"] .density')).toBe('0.65');
    expect(await page.locator('.zone[data-zone-id="hall"]').locator('title').textContent()).toBe('Hall: 130 people, 0.65 per m², Busy (concourse, 200 m²)');

    await report(wc, 'radar-wc', 45); // 45 people in 40 m²: crowded, and now the densest zone
    await expect.poll(() => text(page, 'tr[data-zone-id="wc"] .badge'), POLL).toBe('Crowded');
    expect(await classOf(page, '.zone[data-zone-id="wc"]')).toContain('lvl-crowded');
    expect(await text(page, '#kpi-people')).toBe('175');
    expect(await text(page, '#kpi-crowded')).toBe('1');
    // the table is sorted by density, densest first, and follows the change
    await expect.poll(() => page.locator('table.zones tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.zoneId)), POLL).toEqual(['wc', 'hall']);

    expect(navigations).toBe(0);
    expect(await page.evaluate(() => (window as unknown as Probe).marker)).toBe('same page');
    expect(await page.evaluate(() => (window as unknown as Probe).svg === document.querySelector('svg.floor-map'))).toBe(true);
    expect(await text(page, '#conn-text')).toBe('Live');

    await page.screenshot({ path: SCREENSHOT, animations: 'disabled' }); // change highlights fast-forwarded
    expect(pageErrors).toEqual([]);
  });

  it('has no serious or critical accessibility violation (axe-core)', async () => {
    const p = await context.newPage();
    await p.goto(stack.urls.page);
    await expect.poll(() => text(p, '#conn-text'), POLL).toBe('Live');
    await report(hall, 'radar-hall-1', 42);
    await expect.poll(() => text(p, '.zone[data-zone-id="hall"] .zone-count'), POLL).toBe('42');
    expect(await seriousA11yViolations(p)).toEqual([]);
    await p.close();
  });

  it('says “Reconnecting…” when the live connection drops, then “Live” again with fresh values', async () => {
    const p = await context.newPage();
    const routes: WebSocketRoute[] = [];
    let upgraded = false;
    await p.routeWebSocket(/\/socket\.io\//, (ws) => {
      routes.push(ws);
      const server = ws.connectToServer();
      ws.onMessage((m) => {
        if (m === '5') upgraded = true; // engine.io "upgrade": the session now runs on this WebSocket
        server.send(m);
      });
    });
    await p.goto(stack.urls.page);
    await expect.poll(() => text(p, '#conn-text'), POLL).toBe('Live');
    await expect.poll(() => upgraded, POLL).toBe(true);
    await p.evaluate(() => {
      const w = window as unknown as Probe;
      const states: string[] = (w.states = []);
      const el = document.getElementById('conn-text');
      if (el) new MutationObserver(() => states.push(el.textContent ?? '')).observe(el, { childList: true, characterData: true, subtree: true });
    });
    await routes[0]!.close();
    await report(hall, 'radar-hall-1', 61); // while the page is away: the reconnect's `hello` (or a push) brings it
    await expect.poll(() => p.evaluate(() => (window as unknown as Probe).states), POLL).toEqual(['Reconnecting…', 'Live']);
    await expect.poll(() => text(p, '.zone[data-zone-id="hall"] .zone-count'), POLL).toBe('61');
    await p.close();
  });

  it('explains what to do when the API is down, and recovers when it is back', async () => {
    const p = await context.newPage();
    let down = true;
    await p.route('**/api/v1/site', (route) =>
      down ? route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ code: 'ATRIUM_UNAVAILABLE', message: 'store is starting' }) }) : route.continue(),
    );
    await p.goto(stack.urls.page);
    await expect.poll(() => p.locator('#problem').isVisible(), POLL).toBe(true);
    expect(await text(p, '#problem-title')).toBe('The Atrium cloud answered 503 Service Unavailable for /api/v1/site.');
    expect(await text(p, '#problem-detail')).toContain('“store is starting”');
    expect(await text(p, '#problem-help')).toMatch(/What to do: check that the Atrium cloud service is running.*\/health/);
    expect(await text(p, '#retry-in')).toMatch(/Retrying in \d+ s/);
    expect(await text(p, '#conn-text')).toBe('Not connected');
    expect(await p.locator('#content').isVisible()).toBe(false);
    await p.screenshot({ path: '/tmp/atrium-page-error.png' });

    down = false;
    await p.click('#retry');
    await expect.poll(() => text(p, '#conn-text'), POLL).toBe('Live');
    expect(await p.locator('#problem').isVisible()).toBe(false);
    expect(await p.locator('svg.floor-map .zone').count()).toBe(miniSite.zones.length);
    await p.close();
  });

  it('sends a browser that is not signed in to the sign-in page, and back to the control room after', async () => {
    const fresh = await browser.newContext();
    const p = await fresh.newPage();
    await p.goto(stack.urls.page);
    await p.waitForURL(/\/signin\.html\?next=%2F/, { timeout: POLL.timeout });
    expect(await p.locator('svg.floor-map .zone').count()).toBe(0);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await p.getByLabel('User name').fill('admin');
    await p.getByLabel('Password', { exact: true }).fill(stack.adminPassword);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.waitForURL(stack.urls.page, { timeout: POLL.timeout });
    await expect.poll(() => p.locator('svg.floor-map .zone').count(), POLL).toBe(miniSite.zones.length);
    expect(await text(p, '#signed-in-as')).toBe('admin (admin)');
    await fresh.close();
  });

  it('fits a phone screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth), POLL).toBeLessThanOrEqual(390);
    expect(await page.locator('.zone[data-zone-id="wc"] .zone-count').isVisible()).toBe(true);
    await page.screenshot({ path: '/tmp/atrium-page-phone.png', fullPage: true, animations: 'disabled' });
  });
});
