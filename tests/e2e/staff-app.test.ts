import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Cloud } from '../../cloud/src/index.ts';
import { startTestCloud } from '../../cloud/test/support/test-cloud.ts';
import { givePassword, launchChromium, seriousA11yViolations, signIn } from '../support/browser.ts';
import { sendGatewayEvent } from '../support/gateway.ts';
import { miniSite } from '../support/mini-site.ts';

/**
 * The staff app on a phone, in real Chromium against a real cloud: installable (manifest,
 * service worker), a job arrives with a sound and a vibration, says where it is and what
 * raised it, and is worked through to a resolved note. Without a connection the actions are
 * kept on the phone and sent, in order, when it returns; an answer lost on the way back makes
 * the phone send the same action again, and the cloud applies it once.
 */
const SECRET = 'gateway-secret-for-tests-01';
const ADMIN = 'atr_admin-key-for-the-staff-app-test';
const PASSWORD = 'gita guards the staff door';
const POLL = { timeout: 20_000, interval: 100 };
const HOUR = 3600_000;
/** The mall's clock runs ten minutes behind this machine's (and the phone's): countdowns must follow the mall's. */
const SITE_LAG_MS = 10 * 60_000;
const siteNow = () => Date.now() - SITE_LAG_MS;

interface Order { id: string; status: string; history: Array<{ action: string; by: string; reason: string | null }> }

describe('the staff app on a phone (real Chromium, real cloud)', () => {
  let cloud: Cloud;
  let base: string;
  let mqttUrl: string;
  let browser: Browser;
  let context: BrowserContext;
  let phone: Page;
  const pageErrors: string[] = [];

  const api = async <T>(path: string): Promise<T> => (await (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as T;
  const put = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const order = async () => (await api<Order[]>('/api/v1/work-orders?type=security_breach'))[0];
  const actions = async () => (await order())?.history.map((h) => h.action) ?? [];
  const text = (selector: string) => phone.locator(selector).first().textContent({ timeout: 2_000 });

  beforeAll(async () => {
    [{ cloud, base, mqttUrl }, browser] = await Promise.all([startTestCloud({ ATRIUM_GATEWAY_SECRET: SECRET, ATRIUM_ADMIN_KEY: ADMIN, ATRIUM_DISPATCH_TICK_MS: '100' }, miniSite, { clock: siteNow }), launchChromium()]);
    const shift = { from: Date.now() - HOUR, to: Date.now() + 8 * HOUR };
    expect((await put('/api/v1/staff/guard-1', { name: 'Gita Guard', roles: ['security'], shifts: [shift], zoneId: 'hall', available: true })).status).toBe(200);
    const user = await fetch(`${base}/api/v1/users`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'gita', role: 'staff', staffId: 'guard-1' }) });
    expect(user.status).toBe(201);
    await givePassword(base, ADMIN, 'gita', PASSWORD);

    context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'en-GB', timezoneId: 'UTC' });
    // Chromium's vibration has no hardware here: count the calls instead.
    await context.addInitScript(() => {
      const w = window as unknown as { vibrations: unknown[] };
      w.vibrations = [];
      navigator.vibrate = (pattern: VibratePattern) => (w.vibrations.push(pattern), true);
    });
    await signIn(context, base, 'gita', PASSWORD);
    phone = await context.newPage();
    phone.on('pageerror', (err) => pageErrors.push(err.message));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await cloud?.stop();
  });

  it('is an installable app: a manifest, icons and a service worker for the staff pages', async () => {
    await phone.goto(`${base}/staff.html`);
    await expect.poll(() => text('#conn-text'), POLL).toBe('Live');
    await expect.poll(() => text('#me-name'), POLL).toBe('Gita Guard');
    expect(await phone.getAttribute('#set-available', 'aria-pressed')).toBe('true');

    const manifestHref = await phone.locator('link[rel="manifest"]').getAttribute('href');
    const manifest = await fetch(new URL(manifestHref!, `${base}/staff.html`));
    expect(manifest.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
    const m = (await manifest.json()) as { start_url: string; display: string; icons: Array<{ src: string; sizes: string; type: string }> };
    expect(m).toMatchObject({ start_url: '/staff.html', display: 'standalone' });
    for (const icon of m.icons) {
      const res = await fetch(`${base}${icon.src}`);
      expect(res.status, icon.src).toBe(200);
      expect(res.headers.get('content-type'), icon.src).toContain(icon.type);
    }
    expect(m.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));

    const sw = await fetch(`${base}/staff-sw.js`);
    expect(sw.headers.get('content-type')).toMatch(/javascript/);
    const scope = await phone.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(`${base}/staff`);
    // the shell is kept for a weak connection, the API never
    const cached = await phone.evaluate(async () => (await Promise.all((await caches.keys()).map(async (n) => (await (await caches.open(n)).keys()).map((r) => new URL(r.url).pathname)))).flat());
    expect(cached).toEqual(expect.arrayContaining(['/staff.html', '/staff.js', '/staff-queue.js', '/site-clock.js']));
    expect(cached.filter((p) => p.startsWith('/api/'))).toEqual([]);
    expect(await seriousA11yViolations(phone)).toEqual([]);

    // opened with no connection at all: the kept files show the app, which says why there are no jobs …
    await context.setOffline(true);
    await phone.reload();
    await expect.poll(() => text('#problem-title'), POLL).toBe('No connection to the Atrium cloud.');
    expect(await text('#conn-text')).toBe('Not connected');
    // … and starts by itself once the phone is back online
    await context.setOffline(false);
    await expect.poll(() => text('#conn-text'), POLL).toBe('Live');
    expect(await phone.locator('#problem').isVisible()).toBe(false);
  });

  it('a new job arrives with a sound and a vibration, where it is and what raised it, in words', async () => {
    await phone.locator('body').click(); // a person has touched the page: it may make sound
    await sendGatewayEvent({ mqttUrl, gatewaySecret: SECRET, siteId: miniSite.id, event: { deviceId: 'gate-staff', floorId: 'g', zoneId: 'hall', family: 'gate', type: 'forced_open', ts: siteNow() } });
    const job = phone.locator('#jobs li.job').first();
    await expect.poll(() => job.locator('.job-type').textContent(), POLL).toBe('Security breach');
    expect(await job.locator('.job-where').textContent()).toBe('Hall, Ground');
    await expect.poll(() => job.locator('.job-cause').textContent(), POLL).toMatch(/^Security breach: .*forced/i);
    // on the mall's clock: by the phone's own clock the 2-minute accept time would be 8 minutes past
    expect(await job.locator('.job-sla').textContent()).toMatch(/^Accept in [0-2]:\d\d$/);
    await expect.poll(() => phone.evaluate(() => document.body.dataset.jobAlerts), POLL).toBe('1');
    expect(await phone.evaluate(() => (window as unknown as { vibrations: unknown[] }).vibrations.length)).toBe(1);

    // the message names the place and the mall's local time (Melbourne), not ids or the phone's UTC
    const o = await order();
    const stored = (await api<Array<{ message: string }>>('/api/v1/notifications?to=guard-1'))[0]!.message;
    await expect.poll(() => phone.locator('#messages li').allTextContents(), POLL).toEqual([expect.stringContaining(stored)]);
    expect(stored).toMatch(/^Security breach \(priority 1\) at Hall, Ground: assigned to you, please accept by \d\d:\d\d\.$/);
    expect(stored).not.toContain(o!.id);
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: miniSite.timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const acceptBy = (await api<{ assignedAt: number; targets: { acceptS: number } }>(`/api/v1/work-orders/${o!.id}`));
    expect(stored).toContain(local.format(acceptBy.assignedAt + acceptBy.targets.acceptS * 1000));
    expect(await seriousA11yViolations(phone)).toEqual([]);
  });

  it('accepted online; arrived and resolved without a connection are kept, then sent once, in order, on reconnect', async () => {
    const job = phone.locator('#jobs li.job').first();
    await job.getByRole('button', { name: /^Accept/ }).click();
    await expect.poll(() => job.locator('.job-status').textContent(), POLL).toBe('Accepted: on your way');
    await expect.poll(actions, POLL).toEqual(['created', 'assign', 'accept']);

    await context.setOffline(true);
    await job.getByRole('button', { name: /^Arrived/ }).click();
    // the phone moves on to the next step and says what it still has to send
    await expect.poll(() => job.locator('.job-status').textContent(), POLL).toBe('On site: resolve it when done');
    await expect.poll(() => job.locator('.job-pending').textContent(), POLL).toMatch(/^Not sent yet \(no connection\): arrived\./);
    await job.getByRole('button', { name: /^Resolved/ }).click();
    await job.getByLabel('Note for the control room (optional)').fill('Door closed and checked, nobody there');
    await job.getByRole('button', { name: 'Mark resolved' }).click();
    await expect.poll(() => phone.locator('#jobs li.job').count(), POLL).toBe(0);
    await expect.poll(() => text('#outbox'), POLL).toBe('2 actions saved on this phone, waiting for a connection to be sent.');
    expect(await actions()).toEqual(['created', 'assign', 'accept']); // nothing reached the cloud
    expect(await seriousA11yViolations(phone)).toEqual([]);
    await phone.screenshot({ path: '/tmp/atrium-staff-app-offline.png', fullPage: true });

    await context.setOffline(false);
    await expect.poll(actions, POLL).toEqual(['created', 'assign', 'accept', 'arrive', 'resolve']);
    expect((await order())!.history.at(-1)).toMatchObject({ by: 'guard-1', reason: 'Door closed and checked, nobody there' });
    await expect.poll(() => phone.locator('#outbox').isVisible(), POLL).toBe(false);
    // finished, and listed under Done with the note
    const done = phone.locator('#history li').first();
    await expect.poll(() => done.textContent(), POLL).toContain('Security breach, Hall, Ground');
    expect(await done.locator('.done-note').textContent()).toBe('Note: Door closed and checked, nobody there');
    // when, on the mall's clock and in its time zone (the phone is set to UTC)
    const resolvedAt = (await api<{ resolvedAt: number }>(`/api/v1/work-orders/${(await order())!.id}`)).resolvedAt;
    const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: miniSite.timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(resolvedAt);
    expect(await done.locator('time').textContent()).toContain(hhmm);
    expect(await done.locator('time').getAttribute('datetime')).toBe(new Date(resolvedAt).toISOString());
    expect(await phone.evaluate(() => localStorage.getItem('atrium.staff.outbox.gita'))).toBe('[]');
  });

  it('an answer lost on the way back: the phone sends the same action again and the cloud applies it once', async () => {
    // the supervisor signs the first one off, so a second forced door is a new job rather than a reopened one
    const first = await order();
    expect((await fetch(`${base}/api/v1/work-orders/${first!.id}/verify`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: '{}' })).status).toBe(200);
    await phone.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.unregister())); // page routes see every request
    await phone.reload();
    await expect.poll(() => text('#conn-text'), POLL).toBe('Live');
    await sendGatewayEvent({ mqttUrl, gatewaySecret: SECRET, siteId: miniSite.id, event: { deviceId: 'gate-staff', floorId: 'g', zoneId: 'hall', family: 'gate', type: 'forced_open', ts: siteNow() } });
    const job = phone.locator('#jobs li.job').first();
    await expect.poll(() => job.locator('.job-status').textContent(), POLL).toBe('New job for you: accept or decline');
    const id = await job.getAttribute('data-order-id');

    const keys: string[] = [];
    await phone.route(`**/api/v1/work-orders/${id}/accept`, async (route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (keys.length === 1) {
        await route.fetch(); // the cloud gets it and applies it …
        return route.abort('connectionreset'); // … and the answer never reaches the phone
      }
      return route.continue();
    });
    await job.getByRole('button', { name: /^Accept/ }).click();
    await expect.poll(() => job.locator('.job-status').textContent(), POLL).toBe('Accepted: on your way');
    await expect.poll(() => keys.length, POLL).toBeGreaterThanOrEqual(2);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    const o = await api<Order>(`/api/v1/work-orders/${id}`);
    expect(o.history.filter((h) => h.action === 'accept')).toHaveLength(1);
    await expect.poll(() => phone.locator('#outbox').isVisible(), POLL).toBe(false);
    expect(pageErrors).toEqual([]);
  });
});
