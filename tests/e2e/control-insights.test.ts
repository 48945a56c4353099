import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import type { Cloud } from '../../cloud/src/index.ts';
import { startTestCloud } from '../../cloud/test/support/test-cloud.ts';
import { connectGateway, sendUplink, uplinkOf } from '../support/gateway.ts';
import { statusOf, twoGatewaySite as site } from '../support/two-gateway-site.ts';
import { launchChromium, seriousA11yViolations, signIn } from '../support/browser.ts';

/**
 * The control room's Insights and Devices pages in real Chromium against a real cloud fed by
 * two gateways over MQTT: charts drawn from counted footfall and a real work order, the SLA
 * CSV downloaded through the page, an offline device shown offline and the devices behind a
 * silent gateway shown unknown, and no serious accessibility violation on either page.
 */
const ADMIN = 'atr_admin-key-for-the-control-insights-test';
const ADMIN_PASSWORD = 'control insights admin password';
const GATEWAY_SECRET = 'gateway-secret-for-tests-01';
const POLL = { timeout: 20_000, interval: 100 };
const HOUR = 3_600_000;

describe('control room insights and devices pages (real Chromium, real cloud)', () => {
  let cloud: Cloud;
  let base: string;
  let now = Math.floor(Date.now() / 60_000) * 60_000;
  let browser: Browser;
  let page: Page;
  let hall: MqttClient;
  let wc: MqttClient;
  const errors: string[] = [];
  const footfall = [3, 2, 1].map((h, i) => ({ deviceId: 'radar-main', floorId: 'g', zoneId: 'hall', minute: now - h * HOUR, subjectKind: 'entrance' as const, subjectId: 'main', in: 40 + i * 10, out: 5, samples: 2, occupancySum: 0, occupancyCount: 0, occupancyMax: 0 }));
  const siteDay = (t: number) => new Intl.DateTimeFormat('en-CA', { timeZone: site.timezone }).format(t);
  const hallStatus = (extra: ReturnType<typeof statusOf>[] = []) =>
    sendUplink(hall, uplinkOf(site.id, 'gw-hall', 'status', { devices: [statusOf('env-hall', now, 'online', 64), statusOf('radar-hall-1', now, 'online'), statusOf('radar-main', now, 'online'), ...extra] }));
  const text = (selector: string) => page.locator(selector).first().textContent({ timeout: 2_000 });

  beforeAll(async () => {
    let mqttUrl: string;
    [{ cloud, base, mqttUrl }, browser] = await Promise.all([
      startTestCloud({ ATRIUM_ADMIN_KEY: ADMIN, ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD, ATRIUM_DISPATCH_TICK_MS: '100' }, site, { clock: () => now }),
      launchChromium(),
    ]);
    [hall, wc] = await Promise.all([connectGateway(mqttUrl, { gatewayId: 'gw-hall', gatewaySecret: GATEWAY_SECRET }), connectGateway(mqttUrl, { gatewayId: 'gw-wc', gatewaySecret: GATEWAY_SECRET })]);
    // Entries at the main entrance over the last three hours, and a forced door: a real work order for the SLA report.
    await sendUplink(hall, uplinkOf(site.id, 'gw-hall', 'minute', { footfall, env: [] }));
    await sendUplink(hall, uplinkOf(site.id, 'gw-hall', 'events', { events: [{ deviceId: 'gate-staff', floorId: 'g', zoneId: 'hall', family: 'gate', type: 'forced_open', ts: now, seq: 1, data: {} }] }));
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, timezoneId: 'UTC', locale: 'en-GB', acceptDownloads: true });
    await signIn(context, base, 'admin', ADMIN_PASSWORD);
    page = await context.newPage();
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('response', (r) => {
      if (r.status() >= 500) errors.push(`${r.status()} ${new URL(r.url()).pathname}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
  });
  afterAll(async () => {
    await Promise.all([hall?.endAsync(), wc?.endAsync()]);
    await browser?.close();
    await cloud?.stop();
  });

  it('insights: footfall and SLA charts drawn with their tables, the header strip, and the SLA CSV with the report\'s rows', async () => {
    // The SLA report counts orders once closed: the control room cancels it (a false alarm).
    const openOrders = async () => (await (await fetch(`${base}/api/v1/work-orders?status=open`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as Array<{ id: string }>;
    await expect.poll(async () => (await openOrders()).length, POLL).toBe(1);
    const [open] = await openOrders();
    const cancelled = await fetch(`${base}/api/v1/work-orders/${open!.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'false alarm: staff door sensor' }) });
    expect(cancelled.status).toBe(200);
    await page.goto(`${base}/insights.html`);
    await page.locator('#subject').selectOption('entrance/main');
    // the counted hours are in the table that stands for the chart, and the chart is drawn
    await expect.poll(() => page.locator('#footfall-table tbody tr th').count(), POLL).toBeGreaterThan(2);
    await expect.poll(() => page.locator('#footfall-table tbody').textContent(), POLL).toMatch(/40[\s\S]*50[\s\S]*60/);
    await expect.poll(() => page.locator('#footfall-chart canvas').count(), POLL).toBe(1);
    expect(await text('#footfall-summary')).toContain('Main entrance');
    // the order is in the SLA report, its chart and its table
    await expect.poll(() => text('#sla-summary'), POLL).toMatch(/1 orders?; accepted in time/);
    await expect.poll(() => page.locator('#sla-chart canvas').count(), POLL).toBe(1);
    expect(await page.locator('#sla-table tbody tr').count()).toBe(4);
    expect(await page.locator('#sla-table tbody').textContent()).toContain('security_breach');
    // the header strip: entries today, and no order left open
    await expect.poll(() => text('#kpi-strip [data-kpi="open"] dd'), POLL).toBe('0');
    // entries since the site's midnight (the three hours may straddle it)
    const today = footfall.filter((f) => siteDay(f.minute) === siteDay(now)).reduce((sum, f) => sum + f.in, 0);
    expect(await text('#kpi-strip [data-kpi="footfall"] dd')).toBe(`${today} no forecast yet`);
    // the nav marks this page
    expect(await page.locator('#control-nav a[aria-current="page"]').textContent()).toBe('Insights');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('sla-report.csv');
    const csv = readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n');
    expect(csv[0]).toMatch(/^type,day,orders,cancelled,verified,accept_due/);
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      expect.stringMatching(/^security_breach,\d{4}-\d{2}-\d{2},1$/),
      'security_breach,all,1',
      expect.stringMatching(/^all,\d{4}-\d{2}-\d{2},1$/),
      'all,all,1',
    ]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    // nothing legible under 12 px on a wall screen
    const small = await page.evaluate(() => Array.from(document.querySelectorAll('body *')).filter((e) => e.childNodes.length > 0 && Array.from(e.childNodes).some((n) => n.nodeType === 3 && n.textContent!.trim()) && parseFloat(getComputedStyle(e).fontSize) < 12 && (e as HTMLElement).offsetParent !== null).map((e) => `${e.tagName}.${e.className}: ${e.textContent}`));
    expect(small).toEqual([]);
  });

  it('devices: a device its gateway reported offline is offline, devices behind a silent gateway are unknown', async () => {
    await hallStatus([statusOf('gate-staff', now, 'offline')]);
    await sendUplink(wc, uplinkOf(site.id, 'gw-wc', 'status', { devices: [statusOf('env-wc', now, 'online', 9), statusOf('radar-wc', now, 'online')] }));
    await page.goto(`${base}/devices.html`);
    const status = (id: string) => page.locator(`tr[data-device="${id}"]`).getAttribute('data-status', { timeout: 2_000 });
    await expect.poll(() => status('radar-wc'), POLL).toBe('online');
    expect(await page.locator('tr[data-device="env-wc"]').textContent()).toContain('9%');
    expect(await status('gate-staff')).toBe('offline');
    expect(await page.locator('tr[data-device="gate-staff"]').textContent()).toContain('Offline');

    // gw-wc goes silent while gw-hall keeps delivering, past the rules' 120 s
    now += 100_000;
    await hallStatus();
    now += 100_000;
    await hallStatus();
    await page.reload();
    await expect.poll(() => status('radar-wc'), POLL).toBe('unknown');
    expect(await status('env-wc')).toBe('unknown');
    expect(await page.locator('tr[data-device="radar-wc"]').textContent()).toContain('its gateway is quiet');
    expect(await page.locator('[data-gateway="gw-wc"] .gateway-head').textContent()).toContain('Gateway offline');
    expect(await status('env-hall')).toBe('online');
    expect(await page.locator('tr[data-device="env-hall"]').textContent()).toContain('64%');
    // the filter shows the problems only
    await page.getByLabel('Show devices').selectOption('unknown');
    await expect.poll(() => page.locator('tr[data-device][data-status="online"]').count(), POLL).toBe(0);
    expect(await page.locator('#environment-table tbody tr').count()).toBe(site.zones.length);
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
