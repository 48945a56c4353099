import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createCloud, parseCloudConfig, type Cloud } from '@atrium/cloud';
import { miniSite } from '../support/mini-site.ts';
import { givePassword, launchChromium, seriousA11yViolations, signIn, signInWithForm } from '../support/browser.ts';
import { apiClient } from '../../cloud/test/support/api-client.ts';

/**
 * The admin pages in real Chromium against a real cloud (in-process, in-memory store): the
 * admin signs in through the form, makes a merchant user and a staff member with a shift and
 * their user, hands over a reset link the person really uses, disables a signed-in user, rotates
 * a key, and enters a shift on the site's clock across a daylight-saving change. The browser is
 * set to another time zone than the site's, so site time cannot come from the screen's clock.
 */
const ADMIN_KEY = 'atr_admin-key-for-the-admin-pages-test';
const ADMIN_PASSWORD = 'admin pages test passphrase';
const SITE_TZ = miniSite.timezone; // Australia/Melbourne
const BROWSER_TZ = 'America/New_York';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const POLL = { timeout: 10_000, interval: 50 };

/** "Sat 5 Dec 2026, 17:09" on the site's clock, written here independently of the page's code. */
function siteClock(ms: number): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: SITE_TZ, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute}`;
}

describe('admin pages (real Chromium, real cloud)', { timeout: 60_000 }, () => {
  let cloud: Cloud;
  let base: string;
  let browser: Browser;
  let adminContext: BrowserContext;
  let admin: Page;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const call = apiClient(() => base);
  let merchantKey = '';
  let resetLink = '';
  let cleoPage: Page;

  const newContext = async (viewport = DESKTOP) => {
    const c = await browser.newContext({ viewport, timezoneId: BROWSER_TZ, locale: 'en-US' });
    c.setDefaultTimeout(POLL.timeout);
    contexts.push(c);
    return c;
  };
  const watch = (p: Page) => {
    p.on('pageerror', (err) => pageErrors.push(err.message));
    // refusals the pages handle (400 named on a field, 401 to sign-in) are expected; a 5xx or a script error is not
    p.on('console', (msg) => {
      if (msg.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())) pageErrors.push(msg.text());
    });
    p.on('response', (r) => {
      if (r.status() >= 500) pageErrors.push(`${r.status()} ${r.url()}`);
    });
    return p;
  };
  const section = (name: string) => admin.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name });
  const secret = () => admin.locator('#secret-value').inputValue();
  const userRow = (userId: string) => admin.locator(`#users-rows tr[data-user-id="${userId}"]`);
  const path = (p: Page) => new URL(p.url()).pathname;

  beforeAll(async () => {
    const config = parseCloudConfig({
      ATRIUM_CLOUD_HTTP_PORT: '0',
      ATRIUM_CLOUD_MQTT_PORT: '0',
      ATRIUM_DATA_DIR: 'memory://',
      ATRIUM_GATEWAY_SECRET: 'gateway-secret-for-tests-01',
      ATRIUM_ADMIN_KEY: ADMIN_KEY,
      ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
    [cloud, browser] = await Promise.all([createCloud(config, { site: miniSite, logger: pino({ level: 'silent' }) }), launchChromium()]);
    base = `http://127.0.0.1:${(await cloud.start()).httpPort}`;
    adminContext = await newContext();
    admin = watch(await adminContext.newPage());
  }, 180_000); // the embedded database starts in seconds, but a loaded CI box can take a minute

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await cloud?.stop();
  });

  it('signs the admin in through the form and lands on the admin home', async () => {
    await admin.goto(`${base}/signin.html`);
    await signInWithForm(admin, 'admin', ADMIN_PASSWORD);
    await admin.waitForURL(`${base}/admin.html`);
    await expect.poll(() => userRow('admin').locator('th').textContent(), POLL).toBe('admin (you)');
    expect(await section('Users and keys').getAttribute('aria-current')).toBe('page');
    expect(await admin.getByRole('link', { name: /Control room/ }).getAttribute('href')).toBe('/');
    // the admin cannot disable themselves from here
    expect(await userRow('admin').getByRole('button', { name: 'Disable admin' }).count()).toBe(0);
    // the sections are reached from the keyboard, which lands on the section's heading
    await section('Merchants and shops').focus();
    await admin.keyboard.press('Enter');
    await expect.poll(() => admin.evaluate(() => document.activeElement?.id), POLL).toBe('merchants-title');
    expect(await admin.locator('#users-section').isHidden()).toBe(true);
    await admin.goBack();
    await expect.poll(() => admin.locator('#users-section').isVisible(), POLL).toBe(true);
  });

  it('adds a staff member with a shift on the site clock across the night the clocks go back', async () => {
    await section('Staff and shifts').click();
    await expect.poll(() => admin.locator('#staff-section').isVisible(), POLL).toBe(true);
    expect(await admin.locator('#tz-note').textContent()).toContain(`site's local time, ${SITE_TZ}`);
    await admin.getByRole('button', { name: 'Add a staff member' }).click();
    await admin.getByLabel('Staff id').fill('cleaner-1');
    await admin.getByLabel('Name', { exact: true }).fill('Cleo Cleaner');
    // forgetting the roles is named on the field, in words
    await admin.getByRole('button', { name: 'Save' }).click();
    expect(await admin.locator('#staff-roles-error').textContent()).toBe('Roles: choose at least one');
    expect(await admin.locator('#staff-form-error').textContent()).toContain('Roles: choose at least one');
    await admin.getByLabel('Cleaner').check();

    await admin.getByRole('button', { name: 'Add a shift' }).click();
    const shift = admin.locator('#shift-rows li').first();
    expect(await shift.locator('legend').textContent()).toBe('Shift 1');
    // Melbourne, 7 Apr 2030: 03:00 AEDT becomes 02:00 AEST, so 22:00–06:00 lasts nine hours
    await shift.getByLabel('Start date').fill('2030-04-06');
    await shift.getByLabel('Start time').fill('22:00');
    await shift.getByLabel('End date').fill('2030-04-07');
    await shift.getByLabel('End time').fill('05:00');
    await shift.getByLabel('End date').fill('2030-04-06');
    await admin.getByRole('button', { name: 'Save' }).click();
    expect(await shift.locator('.field-error').textContent()).toBe('Shift 1: The shift must end after it starts.');
    expect(await shift.getByLabel('End time').getAttribute('aria-invalid')).toBe('true');
    await shift.getByLabel('End date').fill('2030-04-07');
    await shift.getByLabel('End time').fill('06:00');
    expect(await shift.locator('.shift-note').textContent()).toBe('Lasts 9 h. The clocks change during this shift: it lasts 9 h, not 8 h.');
    await admin.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => admin.locator('#staff-said').textContent(), POLL).toBe('Saved Cleo Cleaner with 1 shift.');

    const roster = await call(ADMIN_KEY, 'GET', '/api/v1/staff');
    expect(roster.body).toEqual([
      expect.objectContaining({ id: 'cleaner-1', name: 'Cleo Cleaner', roles: ['cleaner'], available: true, zoneId: null, shifts: [{ from: Date.parse('2030-04-06T11:00:00Z'), to: Date.parse('2030-04-06T20:00:00Z') }] }),
    ]);
    const row = admin.locator('#staff-rows tr[data-staff-id="cleaner-1"]');
    expect(await row.locator('td[data-label="Shifts"]').textContent()).toContain('Next: Sat 6 Apr 2030, 22:00 – Sun 7 Apr 2030, 06:00 (9 h)');
    // editing shows the same site-local inputs back, not the browser's New York times
    await row.getByRole('button', { name: 'Edit Cleo Cleaner' }).click();
    const again = admin.locator('#shift-rows li').first();
    expect([await again.getByLabel('Start date').inputValue(), await again.getByLabel('Start time').inputValue(), await again.getByLabel('End time').inputValue()]).toEqual(['2030-04-06', '22:00', '06:00']);
    expect(await admin.getByLabel('Staff id').getAttribute('readonly')).toBe('');
    await admin.getByRole('button', { name: 'Cancel' }).click();
  });

  it('creates a merchant user from the merchant’s card, and its key works once shown', async () => {
    await section('Merchants and shops').click();
    const card = admin.locator('#merchant-m-1');
    expect(await card.locator('h2').textContent()).toBe('Coffee Co · m-1');
    expect(await card.textContent()).toContain('Coffee · food · Hall, Ground · 60 m²');
    expect(await card.textContent()).toContain('Nobody signs in for this merchant yet.');
    await card.getByRole('link', { name: 'Create a user for Coffee Co' }).click();
    await expect.poll(() => admin.locator('#users-section').isVisible(), POLL).toBe(true);
    expect(await admin.getByLabel('Role').inputValue()).toBe('merchant');
    expect(await admin.getByLabel('Merchant', { exact: true }).inputValue()).toBe('m-1');
    expect(await admin.locator('#new-user-staff-field').isHidden()).toBe(true);

    // an id the cloud refuses: its 400 names the field, and the page puts it there
    await admin.getByLabel('User name').fill('system');
    await admin.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => admin.locator('#new-user-id-error').textContent(), POLL).toMatch(/^User name: is reserved for the system/);
    expect(await admin.getByLabel('User name').getAttribute('aria-invalid')).toBe('true');

    await admin.getByLabel('User name').fill('coffee-owner');
    await admin.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => admin.locator('#secret-title').textContent(), POLL).toBe('API key for coffee-owner');
    expect(await admin.locator('#secret').textContent()).toContain('Shown only this once.');
    merchantKey = await secret();
    expect(merchantKey).toMatch(/^atr_/);
    const me = await call(merchantKey, 'GET', '/api/v1/me');
    expect(me.body).toMatchObject({ userId: 'coffee-owner', role: 'merchant', merchantId: 'm-1' });
    expect(await userRow('coffee-owner').locator('td[data-label="Linked to"]').textContent()).toBe('Merchant: Coffee Co');
    await admin.getByRole('button', { name: 'Done, hide it' }).click();
    expect(await admin.locator('#secret-value').inputValue()).toBe('');
  });

  it('creates a staff user and hands over a reset link the person uses to sign in', async () => {
    // a name that is taken is said on the field
    await admin.getByLabel('User name').fill('coffee-owner');
    await admin.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => admin.locator('#new-user-id-error').textContent(), POLL).toBe('User name: is taken: there is a user “coffee-owner” already');
    await admin.getByLabel('User name').fill('cleo');
    await admin.getByLabel('Role').selectOption('staff');
    expect(await admin.locator('#new-user-merchant-field').isHidden()).toBe(true);
    await admin.getByLabel('Staff member', { exact: true }).selectOption('cleaner-1');
    await admin.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => admin.locator('#secret-title').textContent(), POLL).toBe('API key for cleo');
    const before = Date.now();
    await admin.getByRole('button', { name: 'Make a password-reset link for cleo' }).click();
    await expect.poll(() => admin.locator('#secret-title').textContent(), POLL).toBe('Password reset link for cleo');
    const after = Date.now();
    resetLink = await secret();
    expect(resetLink).toMatch(new RegExp(`^${base}/signin\\.html#reset=[\\w-]+$`));
    // valid for 72 h (the default), said on the site's clock with its offset
    const detail = (await admin.locator('#secret-detail').textContent()) ?? '';
    const expected = [before, after].map((t) => siteClock(t + 72 * 3_600_000));
    expect(expected.some((e) => detail.startsWith(`Valid until ${e} (GMT+1`))).toBe(true);
    expect(detail).toContain(`site time (${SITE_TZ})`);
    expect(await userRow('cleo').locator('td[data-label="Linked to"]').textContent()).toBe('Staff member: Cleo Cleaner (cleaner-1)');

    const phone = await newContext(PHONE);
    cleoPage = watch(await phone.newPage());
    await cleoPage.goto(resetLink);
    await cleoPage.getByLabel('New password', { exact: true }).fill('cleo chooses a long password');
    await cleoPage.getByLabel('New password again').fill('cleo chooses a long password');
    await cleoPage.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => cleoPage.locator('#notice').textContent(), POLL).toBe('Your password is set. Sign in with it now.');
    expect(await cleoPage.getByLabel('User name').inputValue()).toBe('cleo');
    await signInWithForm(cleoPage, 'cleo', 'cleo chooses a long password');
    await cleoPage.waitForURL(`${base}/staff.html`);
    expect((await cleoPage.context().request.get(`${base}/api/v1/session`)).status()).toBe(200);
    // the link worked once
    const reuse = await call(null, 'POST', '/api/v1/password-reset', { token: resetLink.split('#reset=')[1], newPassword: 'someone else tries this' });
    expect(reuse.status).toBe(400);
  });

  it('disables a signed-in user: their open session ends', async () => {
    await userRow('cleo').getByRole('button', { name: 'Disable cleo' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Disable cleo?' });
    expect(await dialog.isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Disable cleo' }).click();
    await expect.poll(() => userRow('cleo').locator('td[data-label="Status"]').textContent(), POLL).toBe('⊘ Disabled');
    expect(await admin.locator('#users-said').textContent()).toContain('cleo is disabled');
    expect((await cleoPage.context().request.get(`${base}/api/v1/session`)).status()).toBe(401);
    // The open page leaves for sign-in: by itself when its live connection is cut, else at its
    // next load. A reload racing the page's own navigation is refused by Chromium, so reload only
    // while it has not gone, and try again.
    await expect
      .poll(async () => {
        if (new URL(cleoPage.url()).pathname !== '/signin.html') await cleoPage.reload().catch(() => undefined);
        return new URL(cleoPage.url()).pathname;
      }, { timeout: 20_000, interval: 1_000 })
      .toBe('/signin.html');
    // enabling again does not bring the ended session back
    await userRow('cleo').getByRole('button', { name: 'Enable cleo' }).click();
    await expect.poll(() => userRow('cleo').locator('td[data-label="Status"]').textContent(), POLL).toBe('● Active');
    expect((await cleoPage.context().request.get(`${base}/api/v1/session`)).status()).toBe(401);
  });

  it('rotates a key: the old one is refused, the new one accepted', async () => {
    expect((await call(merchantKey, 'GET', '/api/v1/me')).status).toBe(200);
    await userRow('coffee-owner').getByRole('button', { name: 'New API key for coffee-owner' }).click();
    // cancelling changes nothing
    await admin.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect((await call(merchantKey, 'GET', '/api/v1/me')).status).toBe(200);
    await userRow('coffee-owner').getByRole('button', { name: 'New API key for coffee-owner' }).click();
    await admin.getByRole('dialog').getByRole('button', { name: 'Make a new key' }).click();
    await expect.poll(() => admin.locator('#secret-title').textContent(), POLL).toBe('New API key for coffee-owner');
    const fresh = await secret();
    expect(fresh).not.toBe(merchantKey);
    expect((await call(merchantKey, 'GET', '/api/v1/me')).status).toBe(401);
    expect((await call(fresh, 'GET', '/api/v1/me')).body).toMatchObject({ userId: 'coffee-owner' });
    // the copy button puts the key on the clipboard
    await adminContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await admin.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => admin.locator('#secret-copied').textContent(), POLL).toBe('Copied to the clipboard.');
    expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(fresh);
  });

  it('sends an operator who opens the admin page to the control room', async () => {
    expect((await call(ADMIN_KEY, 'POST', '/api/v1/users', { userId: 'ops', role: 'operator' })).status).toBe(201);
    await givePassword(base, ADMIN_KEY, 'ops', 'ops has a long password');
    const ctx = await newContext();
    await signIn(ctx, base, 'ops', 'ops has a long password');
    const page = await ctx.newPage();
    await page.goto(`${base}/admin.html`);
    await page.waitForURL(`${base}/`);
    expect(path(page)).toBe('/');
    await ctx.close();
  });

  it('has no serious or critical accessibility violation in any section, at a desk and on a phone', async () => {
    const found: string[] = [];
    const check = async (where: string) => {
      for (const v of await seriousA11yViolations(admin)) found.push(`${where}: ${v}`);
    };
    for (const viewport of [DESKTOP, PHONE]) {
      await admin.setViewportSize(viewport);
      for (const [name, link] of [['users', 'Users and keys'], ['merchants', 'Merchants and shops'], ['staff', 'Staff and shifts']] as const) {
        await section(link).click();
        await expect.poll(() => admin.locator(`#${name}-section`).isVisible(), POLL).toBe(true);
        await check(`${viewport.width}px #${name}`);
      }
    }
    // on the phone, the open editor, the one-time panel and the confirmation too
    await admin.getByRole('button', { name: 'Edit Cleo Cleaner' }).click();
    await check('390px staff editor');
    await section('Users and keys').click();
    await userRow('cleo').getByRole('button', { name: 'Reset password for cleo' }).click();
    await expect.poll(() => admin.locator('#secret-title').textContent(), POLL).toBe('Password reset link for cleo');
    await check('390px reset link');
    await userRow('cleo').getByRole('button', { name: 'Disable cleo' }).click();
    await check('390px confirmation');
    await admin.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    // nothing on the phone is wider than the phone
    expect(await admin.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(found).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
