import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { apiClient } from '../../cloud/test/support/api-client.ts';
import { givePassword, launchChromium, signIn } from '../support/browser.ts';
import { nextCountdown } from '../support/countdown.ts';
import { miniSite } from '../support/mini-site.ts';
import { startRestartableCloud, type RestartableCloud } from '../support/restartable-cloud.ts';

/**
 * One job from the control room to a cleaner's phone and back, every role in its own
 * Chromium, on a real cloud whose site clock runs 60 times the wall clock (as the demo does):
 * the operator raises a restroom cleaning by hand; the cleaner sees it on the phone, with the same
 * countdown the control room shows and the cloud's SLA clock keeps; accepts, loses the
 * connection, marks arrived and resolved with a note, and reconnects; the cloud applies each
 * action once, in order; the control room follows every step without a reload; the supervisor
 * verifies; History finds the job by a word of the note; and the control room rides out a
 * restart of the cloud (same address, same data) without a reload or a doubled row.
 */
const ADMIN = 'atr_admin-key-for-the-control-room-journey';
const PASSWORD = { olive: 'olive operates the control room', carla: 'carla cleans the restrooms', sam: 'sam signs the jobs off' };
const NOTE = 'Mopped the smoothie by the basins, wet-floor sign left out';
const SHOTS = resolve('test-results/screenshots');
const POLL = { timeout: 20_000, interval: 100 };
const HOUR = 3600_000;

/**
 * The site clock: 60 site seconds to each real one, integer ms, from the wall clock (so a time
 * the browser takes maps onto it), starting two hours behind it so that a page counting on the
 * browser's clock could not pass for right.
 */
const SPEED = 60;
const W0 = Date.now();
const SITE_START = W0 - 2 * 3600_000;
const siteAt = (wall: number) => Math.floor(SITE_START + (wall - W0) * SPEED);
const siteNow = () => siteAt(Date.now());
/**
 * Site-time SLAs long enough for a person to act in real seconds at 60× (four site hours =
 * four real minutes to accept); a job raised by hand takes its type's SLA from the rules.
 */
const CLEANING_SLA = { acceptS: 4 * 3600, arriveS: 8 * 3600, resolveS: 12 * 3600 };

/** The statuses an order goes through on the board, in order. */
const FORWARD = ['Waiting for someone', 'Assigned', 'Accepted', 'On site', 'Resolved, to verify'];

interface Order { id: string; status: string; assignee: string | null; due: { acceptBy: number; arriveBy: number; resolveBy: number }; history: Array<{ action: string; by: string; reason: string | null }> }

describe('a job from the control room to the phone and back (real Chromium, real cloud at 60×)', () => {
  let site: RestartableCloud;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let ops: Page;
  let phone: Page;
  let phoneContext: BrowserContext;
  let jobId = '';
  const loads = { ops: 0 };
  const errors: string[] = [];
  const json = apiClient(() => site.base);
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await json(ADMIN, method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as unknown as T;
  };
  const order = (id: string) => api<Order>('GET', `/api/v1/work-orders/${id}`);
  const actions = async (id: string) => (await order(id)).history.map((h) => h.action);
  const shot = async (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/journey-${name}.png` });
  const opsRow = (id: string) => ops.locator(`#orders-list li[data-order-id="${id}"]`);
  const wall = () => ops.evaluate(() => (window as unknown as { journey: { statuses: Record<string, string[]>; mostRowsOfOneOrder: number; connection: string[] } }).journey);
  const phoneJob = (id: string) => phone.locator(`#jobs li.job[data-order-id="${id}"]`);
  const newContext = async (userId: keyof typeof PASSWORD, opts: Parameters<Browser['newContext']>[0]) => {
    const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'UTC', ...opts });
    contexts.push(context);
    await signIn(context, site.base, userId, PASSWORD[userId]);
    const page = await context.newPage();
    page.on('pageerror', (err) => errors.push(`${userId}: ${err.message}`));
    return { context, page };
  };

  /**
   * The countdown a page shows against the cloud's SLA clock (due − site now), taken the
   * moment the page writes it, three ticks in a row. "Within a second" is a second of real
   * time: at 60× that is the step the countdown moves by each second, while a page on the
   * browser's clock is hours out and one counting at the wrong rate drifts a minute per tick.
   * (Measured: under a site second when idle; a few site seconds under load, from the socket's
   * clock reading arriving late, until the next reading.)
   */
  const expectCountdownOnSlaClock = async (where: string, el: Locator, dueAt: number) => {
    const diffs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const shown = await nextCountdown(el);
      diffs.push(shown.seconds - (dueAt - siteAt(shown.at)) / 1000);
    }
    console.log(`${where}: countdown minus SLA clock, in site seconds at ${SPEED}×: ${diffs.map((d) => d.toFixed(2)).join(', ')}`);
    for (const d of diffs) expect(Math.abs(d), where).toBeLessThanOrEqual(SPEED);
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    console.log(`journey screenshots: ${SHOTS}`);
    [site, browser] = await Promise.all([
      startRestartableCloud({
        name: 'atrium-journey',
        env: { ATRIUM_ADMIN_KEY: ADMIN, ATRIUM_DISPATCH_TICK_MS: '100' },
        site: miniSite,
        clock: siteNow,
        dispatch: { restroom_cleaning: { sla: CLEANING_SLA, verify: { by: 'sensors', clearForS: 600, withinS: 24 * 3600 } } },
      }),
      launchChromium(),
    ]);
    // Shifts are on the site's clock, which runs ahead of the wall.
    const shifts = [{ from: siteNow() - HOUR, to: siteNow() + 100 * HOUR }];
    await api('PUT', '/api/v1/staff/cleaner-1', { name: 'Carla Clean', roles: ['cleaner'], shifts, zoneId: 'wc', available: true });
    await api('PUT', '/api/v1/staff/sup-1', { name: 'Sam Super', roles: ['supervisor'], shifts, zoneId: 'hall', available: true });
    for (const u of [{ userId: 'olive', role: 'operator' }, { userId: 'carla', role: 'staff', staffId: 'cleaner-1' }, { userId: 'sam', role: 'supervisor', staffId: 'sup-1' }]) await api('POST', '/api/v1/users', u);
    for (const [userId, password] of Object.entries(PASSWORD)) await givePassword(site.base, ADMIN, userId, password);

    ({ page: ops } = await newContext('olive', { viewport: { width: 1920, height: 1080 } }));
    ops.on('load', () => loads.ops++);
    ({ context: phoneContext, page: phone } = await newContext('carla', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }));
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await site?.dispose();
  });

  it('the operator raises a restroom cleaning by hand and it goes to the cleaner on shift', async () => {
    await phone.goto(`${site.base}/staff.html`);
    await ops.goto(`${site.base}/`);
    await expect.poll(() => phone.locator('#conn-text').textContent(), POLL).toBe('Live');
    await expect.poll(() => phone.locator('#me-name').textContent(), POLL).toBe('Carla Clean');
    await expect.poll(() => ops.locator('#conn').getAttribute('data-state'), POLL).toBe('live');
    // What the wall shows over the whole journey: every status of each order in the order
    // shown, the most rows one order ever had at once, and the connection states it went through.
    await ops.evaluate(() => {
      const watch = { statuses: {} as Record<string, string[]>, mostRowsOfOneOrder: 0, connection: [] as string[] };
      (window as unknown as { journey: typeof watch }).journey = watch;
      const list = document.getElementById('orders-list')!;
      new MutationObserver(() => {
        const rows = new Map<string, number>();
        for (const li of Array.from(list.querySelectorAll<HTMLElement>('li[data-order-id]'))) {
          const id = li.dataset.orderId!;
          rows.set(id, (rows.get(id) ?? 0) + 1);
          const text = li.querySelector('.order-status')?.textContent ?? '';
          const past = (watch.statuses[id] ??= []);
          if (text && past.at(-1) !== text) past.push(text);
        }
        watch.mostRowsOfOneOrder = Math.max(watch.mostRowsOfOneOrder, ...rows.values());
      }).observe(list, { childList: true, subtree: true, characterData: true });
      const conn = document.getElementById('conn')!;
      new MutationObserver(() => void watch.connection.push(conn.dataset.state ?? '')).observe(conn, { attributes: true, attributeFilter: ['data-state'] });
    });
    await ops.getByRole('button', { name: 'Raise a work order…' }).click();
    await ops.getByLabel('Zone', { exact: true }).selectOption('wc');
    await ops.getByLabel('Kind of job').fill('restroom_cleaning');
    await ops.getByLabel('Who goes').selectOption('cleaner');
    await ops.getByLabel('What do we know? (optional)').fill('A shopper dropped a smoothie by the basins');
    await ops.getByRole('button', { name: 'Raise the work order' }).click();
    await expect.poll(() => ops.locator('#raise-status').textContent(), POLL).toMatch(/raised: Restroom cleaning in Restroom/);
    const row = ops.locator('#orders-list li', { hasText: 'Restroom cleaning' });
    jobId = (await row.getAttribute('data-order-id', { timeout: POLL.timeout }))!;
    await expect.poll(() => row.locator('.order-assignee').textContent(), POLL).toBe('Carla Clean');
    expect(await row.locator('.order-status').textContent()).toBe('Assigned');
    await shot(ops, '1-raised');
  }, 60_000);

  it('the cleaner sees it on the phone, and both pages count down to the same deadline as the cloud', async () => {
    const job = phoneJob(jobId);
    await expect.poll(() => job.locator('.job-type').textContent(), POLL).toBe('Restroom cleaning');
    expect(await job.locator('.job-where').textContent()).toBe('Restroom, Ground');
    expect(await job.locator('.job-cause').textContent()).toMatch(/smoothie by the basins/);
    await expect.poll(() => job.locator('.job-sla').textContent(), POLL).toMatch(/^Accept in \d:\d\d:\d\d$/);

    // The clock has had a few real seconds: the cloud's measured rate is 60, not its first guess of 1.
    await expect.poll(async () => (await api<{ rate: number }>('GET', '/api/v1/clock')).rate, POLL).toBe(SPEED);
    const { due } = await order(jobId);
    await expectCountdownOnSlaClock('phone', job.locator('.job-sla'), due.acceptBy);
    await expectCountdownOnSlaClock('control room', opsRow(jobId).locator('.order-sla'), due.acceptBy);
    await shot(phone, '2-phone-new-job');
  }, 60_000);

  it('accepted online; arrived and resolved offline are sent on reconnect, each applied once and in order, and the control room follows live', async () => {
    const job = phoneJob(jobId);
    const row = opsRow(jobId);
    await job.getByRole('button', { name: /^Accept/ }).click();
    await expect.poll(() => job.locator('.job-status').textContent(), POLL).toBe('Accepted: on your way');
    await expect.poll(() => row.locator('.order-status').textContent(), POLL).toBe('Accepted');
    // The operator keeps the order's detail open: its audit trail grows as the job moves.
    await row.getByRole('button', { name: /^Details of/ }).click();
    const trail = ops.locator('#detail .timeline .tl-what');
    await expect.poll(() => trail.allTextContents(), POLL).toEqual(['Created', 'Assigned to Carla Clean', 'Accepted']);

    await phoneContext.setOffline(true);
    await job.getByRole('button', { name: /^Arrived/ }).click();
    await expect.poll(() => job.locator('.job-pending').textContent(), POLL).toMatch(/^Not sent yet \(no connection\): arrived\./);
    await job.getByRole('button', { name: /^Resolved/ }).click();
    await job.getByLabel('Note for the control room (optional)').fill(NOTE);
    await job.getByRole('button', { name: 'Mark resolved' }).click();
    await expect.poll(() => phone.locator('#outbox').textContent(), POLL).toBe('2 actions saved on this phone, waiting for a connection to be sent.');
    await shot(phone, '3-phone-offline');
    // The phone still greets the person by their whole name beside the longer connection state.
    expect(await phone.locator('#me-name').evaluate((h) => h.scrollWidth <= h.clientWidth)).toBe(true);
    // Nothing has reached the cloud, and the control room says only what the cloud knows.
    expect(await actions(jobId)).toEqual(['created', 'assign', 'accept']);
    expect(await row.locator('.order-status').textContent()).toBe('Accepted');

    await phoneContext.setOffline(false);
    await expect.poll(() => actions(jobId), POLL).toEqual(['created', 'assign', 'accept', 'arrive', 'resolve']);
    await expect.poll(() => row.locator('.order-status').textContent(), POLL).toBe('Resolved, to verify');
    await expect.poll(() => trail.allTextContents(), POLL).toEqual(['Created', 'Assigned to Carla Clean', 'Accepted', 'Arrived on site', 'Resolved']);
    expect(await ops.locator('#detail .drawer-note').textContent()).toContain(NOTE);
    await expect.poll(() => phone.locator('#outbox').isVisible(), POLL).toBe(false);
    const o = await order(jobId);
    expect(o.history.at(-1)).toMatchObject({ action: 'resolve', by: 'cleaner-1', reason: NOTE });
    // The board moved forward through the steps and never back. A step can share a frame with
    // the next (the order is raised and assigned at once; arrived and resolved land together).
    const seen = (await wall()).statuses[jobId]!;
    expect(seen).toEqual(FORWARD.filter((s) => seen.includes(s)));
    expect(seen).toEqual(expect.arrayContaining(['Assigned', 'Accepted', 'Resolved, to verify']));
    expect(loads.ops).toBe(1);
    await shot(ops, '3-control-room-resolved');
  }, 60_000);

  it('the supervisor verifies it from the control room and the operator sees it leave the board', async () => {
    const { page: sup } = await newContext('sam', { viewport: { width: 1440, height: 900 } });
    await sup.goto(`${site.base}/`);
    const row = sup.locator(`#orders-list li[data-order-id="${jobId}"]`);
    await expect.poll(() => row.locator('.order-status').textContent(), POLL).toBe('Resolved, to verify');
    await row.getByRole('button', { name: /^Verify/ }).click();
    await expect.poll(() => actions(jobId), POLL).toEqual(['created', 'assign', 'accept', 'arrive', 'resolve', 'verify']);
    // The operator's open drawer says so, and the row leaves the live board.
    await expect.poll(() => ops.locator('#detail .timeline .tl-what').allTextContents(), POLL).toEqual(['Created', 'Assigned to Carla Clean', 'Accepted', 'Arrived on site', 'Resolved', 'Verified']);
    expect(await ops.locator('#detail .timeline li').last().locator('.tl-by').textContent()).toBe('by Sam Super');
    await expect.poll(() => opsRow(jobId).count(), POLL).toBe(0);
    await shot(ops, '4-control-room-verified');
    await ops.keyboard.press('Escape');
    expect(loads.ops).toBe(1);
  }, 60_000);

  it('History finds the job afterwards by a word of the cleaner\'s note', async () => {
    const history = await ops.context().newPage();
    await history.goto(`${site.base}/history.html`);
    await history.getByLabel('Text', { exact: true }).fill('smoothie');
    await history.getByRole('button', { name: 'Search' }).click();
    const rows = history.locator('#results-body tr');
    await expect.poll(() => rows.count(), POLL).toBe(1);
    expect(await rows.first().textContent()).toMatch(/Restroom cleaning.*Restroom.*Carla Clean.*Verified/);
    await rows.first().getByRole('button', { name: /^Details of/ }).click();
    await expect.poll(() => history.locator('#detail .drawer-note').textContent(), POLL).toContain(NOTE);
    await shot(history, '5-history');
    await history.close();
  }, 60_000);

  it('the control room rides out a cloud restart: no reload, no doubled rows, live again, countdowns still on the SLA clock', async () => {
    // A second job in hand, so the board has a countdown running through the restart.
    const second = await api<Order>('POST', '/api/v1/work-orders', { zoneId: 'wc', type: 'restroom_cleaning', role: 'cleaner', note: 'Paper towels all over the floor by the hand dryers' });
    const row = opsRow(second.id);
    await expect.poll(() => row.locator('.order-status').textContent(), POLL).toBe('Assigned');
    const rowIds = () => ops.locator('#orders-list li').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.orderId).sort());
    const idsBefore = await rowIds();

    const t = performance.now();
    await site.restart();
    console.log(`cloud restarted on the same port and data in ${Math.round(performance.now() - t)} ms (its start: ${Math.round(site.lastStartMs())} ms)`);
    // The wall saw the cloud go and come back, by itself.
    await expect.poll(async () => (await wall()).connection.at(-1), POLL).toBe('live');
    expect((await wall()).connection.slice(-2, -1)).toEqual(['reconnecting']);
    await expect.poll(() => phone.locator('#conn-text').textContent(), POLL).toBe('Live');
    expect(await rowIds()).toEqual(idsBefore);

    // Live again: the cleaner accepts on the phone and the wall follows.
    await phoneJob(second.id).getByRole('button', { name: /^Accept/ }).click();
    await expect.poll(() => row.locator('.order-status').textContent(), POLL).toBe('Accepted');
    expect(await rowIds()).toEqual(idsBefore);
    // Never two rows for one order, at any moment of the journey.
    expect((await wall()).mostRowsOfOneOrder).toBe(1);
    // And the countdown still runs on the cloud's clock, at its rate.
    const { due } = await order(second.id);
    await expectCountdownOnSlaClock('control room after the restart', row.locator('.order-sla'), due.arriveBy);
    await expectCountdownOnSlaClock('phone after the restart', phoneJob(second.id).locator('.job-sla'), due.arriveBy);
    expect(loads.ops).toBe(1);
    await shot(ops, '6-after-restart');
    expect(errors).toEqual([]);
  }, 90_000);
});
