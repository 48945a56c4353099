import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Cloud } from '../../cloud/src/index.ts';
import { startTestCloud } from '../../cloud/test/support/test-cloud.ts';
import { apiClient, seedPeople } from '../../cloud/test/support/api-client.ts';
import { miniSite } from '../support/mini-site.ts';
import { givePassword, launchChromium, seriousA11yViolations, signIn } from '../support/browser.ts';

/**
 * Photos on a job, in real Chromium against a real cloud: a cleaner on a 390 px phone accepts a
 * spill an operator raised by hand, adds a photo from the job card and is told it was sent and
 * how many the job has; the operator opens the order in the control room and sees the
 * thumbnail, described by who took it and when (on the mall's clock), linking to the image.
 * axe-core checks the phone page and the open drawer.
 */
const ADMIN = 'atr_admin-key-for-the-photo-pages-test';
const STAFF_PASSWORD = 'carla cleans the restroom';
const OPS_PASSWORD = 'olive operates the control room';
const POLL = { timeout: 20_000, interval: 100 };
/** A real 1x1 PNG, as a phone's picker would hand it over. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

interface Order { id: string; status: string; assignee: string | null }
interface PhotoRecord { id: number; takenBy: string; at: number; type: string }

describe('photos on a job: the staff phone adds one, the control room sees it (real Chromium, real cloud)', () => {
  let cloud: Cloud;
  let base = '';
  let keys: Record<string, string> = {};
  let browser: Browser;
  let phoneContext: BrowserContext;
  let roomContext: BrowserContext;
  let phone: Page;
  let room: Page;
  let order: Order;
  const pageErrors: string[] = [];
  const json = apiClient(() => base);
  const api = async <T>(key: string, method: string, path: string, body?: unknown) => {
    const r = await json(key, method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as unknown as T;
  };
  const watchErrors = (p: Page, who: string) => {
    p.on('pageerror', (err) => pageErrors.push(`${who}: ${err.message}`));
    p.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`${who}: ${msg.text()}`);
    });
  };

  beforeAll(async () => {
    [{ cloud, base }, browser] = await Promise.all([startTestCloud({ ATRIUM_ADMIN_KEY: ADMIN, ATRIUM_DISPATCH_TICK_MS: '100' }), launchChromium()]);
    keys = await seedPeople(json, ADMIN, {
      zoneId: 'wc',
      staff: [['cleaner-1', ['cleaner']]],
      users: [
        { userId: 'carla', role: 'staff', staffId: 'cleaner-1' },
        { userId: 'olive', role: 'operator' },
      ],
    });
    const shifts = [{ from: Date.now() - 3600_000, to: Date.now() + 86_400_000 }];
    await api(ADMIN, 'PUT', '/api/v1/staff/cleaner-1', { name: 'Carla Clean', roles: ['cleaner'], shifts, zoneId: 'wc', available: true });
    await givePassword(base, ADMIN, 'carla', STAFF_PASSWORD);
    await givePassword(base, ADMIN, 'olive', OPS_PASSWORD);
    // A shopper rang the control room: the operator raises the job by hand, and it is dispatched at once.
    order = await api<Order>(keys.olive!, 'POST', '/api/v1/work-orders', { zoneId: 'wc', type: 'spill', role: 'cleaner', note: 'coffee spilt by the sinks' });
    expect(order).toMatchObject({ status: 'assigned', assignee: 'cleaner-1' });

    // Both screens in UTC, the mall in Melbourne: times must be the mall's.
    phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'en-GB', timezoneId: 'UTC' });
    roomContext = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'en-GB', timezoneId: 'UTC' });
    await Promise.all([signIn(phoneContext, base, 'carla', STAFF_PASSWORD), signIn(roomContext, base, 'olive', OPS_PASSWORD)]);
    phone = await phoneContext.newPage();
    room = await roomContext.newPage();
    watchErrors(phone, 'staff page');
    watchErrors(room, 'control room');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cloud?.stop();
  });

  it('the cleaner accepts the job on a phone, adds a photo from the card and is told it was sent and how many there are', async () => {
    await phone.goto(`${base}/staff.html`);
    await expect.poll(() => phone.locator('#conn-text').textContent(), POLL).toBe('Live');
    const job = phone.locator(`#jobs li.job[data-order-id="${order.id}"]`);
    await expect.poll(() => job.locator('.job-status').textContent(), POLL).toBe('New job for you: accept or decline');
    // Nothing to photograph before the job is taken on.
    expect(await job.getByText('Add photo', { exact: true }).count()).toBe(0);

    await job.getByRole('button', { name: /^Accept/ }).click();
    await expect.poll(() => job.locator('.job-status').textContent(), POLL).toBe('Accepted: on your way');
    const visibleText = job.getByText('Add photo', { exact: true });
    await expect.poll(() => visibleText.isVisible(), POLL).toBe(true);
    const picker = job.getByLabel('Add photo: Spill, Restroom', { exact: false });
    expect(await picker.count()).toBe(1);
    expect(await picker.getAttribute('accept')).toBe('image/*');
    const said = job.locator('.job-photo-said');
    await expect.poll(() => said.textContent(), POLL).toBe('No photos yet');
    // The control is usable with a thumb on a 390 px screen, and the card does not scroll sideways.
    const box = await picker.boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousA11yViolations(phone)).toEqual([]);

    await picker.setInputFiles({ name: 'spill.png', mimeType: 'image/png', buffer: PNG });
    await expect.poll(() => said.textContent(), POLL).toBe('Photo added. 1 photo.');
    expect(await picker.isEnabled()).toBe(true);
    const photos = await api<PhotoRecord[]>(keys.olive!, 'GET', `/api/v1/work-orders/${order.id}/photos`);
    expect(photos).toEqual([expect.objectContaining({ takenBy: 'cleaner-1', type: 'image/png' })]);
    expect(await seriousA11yViolations(phone)).toEqual([]);
    await phone.screenshot({ path: '/tmp/atrium-staff-photo.png', fullPage: true });

    // Without a connection the card says plainly that the photo was not sent; nothing reaches the cloud.
    await phoneContext.setOffline(true);
    await picker.setInputFiles({ name: 'again.png', mimeType: 'image/png', buffer: PNG });
    await expect.poll(() => said.textContent(), POLL).toMatch(/^No connection: photos are sent only while online\./);
    await phoneContext.setOffline(false);
    expect(await api<PhotoRecord[]>(keys.olive!, 'GET', `/api/v1/work-orders/${order.id}/photos`)).toHaveLength(1);
  }, 90_000);

  it("the operator opens the order in the control room and sees the photo, described by who took it and when, linking to the image", async () => {
    const [photo] = await api<PhotoRecord[]>(keys.olive!, 'GET', `/api/v1/work-orders/${order.id}/photos`);
    await room.goto(`${base}/`);
    await expect.poll(() => room.locator('#conn-text').first().textContent(), POLL).toBe('Live');
    const row = room.locator('#orders-list li', { hasText: 'Spill' });
    await expect.poll(() => row.textContent(), POLL).toMatch(/Carla Clean/);
    await row.getByRole('button', { name: /^Details of/ }).click();
    const drawer = room.locator('#detail');
    await expect.poll(() => drawer.locator('h3').allTextContents(), POLL).toContain('Photos from staff');
    const img = drawer.locator('.drawer-photos img');
    await expect.poll(() => img.count(), POLL).toBe(1);

    // Described on the mall's clock (Melbourne), not the screen's (UTC).
    const hms = new Intl.DateTimeFormat('en-GB', { timeZone: miniSite.timezone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(photo!.at);
    const alt = await img.getAttribute('alt');
    expect(alt).toMatch(/^Photo by Carla Clean at \d\d:\d\d:\d\d\b/);
    expect(alt).toContain(hms);
    // The thumbnail really is the picture (the page's policy let it load), shown at thumbnail size.
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth), POLL).toBe(1);
    const shown = await img.boundingBox();
    expect(shown).toMatchObject({ width: 96, height: 96 });

    // Its link opens the full image for a signed-in operator, as a PNG.
    const link = drawer.getByRole('link', { name: alt! });
    const href = await link.getAttribute('href');
    expect(href).toBe(`/api/v1/photos/${photo!.id}`);
    const full = await roomContext.request.get(new URL(href!, base).toString());
    expect(full.status()).toBe(200);
    expect(full.headers()['content-type']).toMatch(/^image\/png/);
    expect(Buffer.from(await full.body()).equals(PNG)).toBe(true);

    expect(await seriousA11yViolations(room)).toEqual([]);
    await room.screenshot({ path: '/tmp/atrium-drawer-photo.png' });
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
