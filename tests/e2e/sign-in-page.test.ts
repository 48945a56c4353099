import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { createCloud, parseCloudConfig, type Cloud } from '@atrium/cloud';
import { miniSite } from '../support/mini-site.ts';
import { givePassword, launchChromium, seriousA11yViolations, signInWithForm } from '../support/browser.ts';

/**
 * The sign-in page in real Chromium against a real cloud: each role lands on its own page and
 * is sent back there from pages it may not see; guessing slows down in words; a reset link sets
 * a password; a session that runs out returns the page to sign-in; `next` cannot send anyone
 * to another site.
 */
const ADMIN_KEY = 'atr_admin-key-for-the-sign-in-page-test';
const POLL = { timeout: 15_000, interval: 50 };
const PASSWORD = (userId: string) => `${userId} signs in here`;

async function startCloud(env: Record<string, string> = {}): Promise<{ cloud: Cloud; base: string }> {
  const config = parseCloudConfig({
    ATRIUM_CLOUD_HTTP_PORT: '0',
    ATRIUM_CLOUD_MQTT_PORT: '0',
    ATRIUM_DATA_DIR: 'memory://',
    ATRIUM_GATEWAY_SECRET: 'gateway-secret-for-tests-01',
    ATRIUM_ADMIN_KEY: ADMIN_KEY,
    ...env,
  });
  const cloud = await createCloud(config, { site: miniSite, logger: pino({ level: 'silent' }) });
  return { cloud, base: `http://127.0.0.1:${(await cloud.start()).httpPort}/` };
}

async function addUser(base: string, body: Record<string, unknown>) {
  const r = await fetch(`${base}api/v1/users`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status !== 201) throw new Error(`create ${String(body.userId)}: ${r.status} ${await r.text()}`);
}

describe('sign-in page (real Chromium, real cloud)', () => {
  let browser: Browser;
  let main: { cloud: Cloud; base: string };
  let short: { cloud: Cloud; base: string };

  beforeAll(async () => {
    [browser, main, short] = await Promise.all([launchChromium(), startCloud(), startCloud({ ATRIUM_SESSION_MAX_HOURS: String(6 / 3600) })]);
    const shift = { from: Date.now() - 3_600_000, to: Date.now() + 86_400_000 };
    const put = await fetch(`${main.base}api/v1/staff/clean-1`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Cleo', roles: ['cleaner'], shifts: [shift], zoneId: 'hall', available: true }) });
    expect(put.status).toBe(200);
    await addUser(main.base, { userId: 'cleo', role: 'staff', staffId: 'clean-1' });
    await addUser(main.base, { userId: 'ops', role: 'operator' });
    await addUser(short.base, { userId: 'ops', role: 'operator' });
    for (const u of ['cleo', 'ops']) await givePassword(main.base, ADMIN_KEY, u, PASSWORD(u));
    await givePassword(short.base, ADMIN_KEY, 'ops', PASSWORD('ops'));
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all([main?.cloud.stop(), short?.cloud.stop()]);
  });

  it('is labelled and has no serious accessibility violation, on a desk and on a phone', async () => {
    for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      await page.goto(`${main.base}signin.html`);
      await expect.poll(() => page.evaluate(() => document.activeElement?.id), POLL).toBe('user-id');
      expect(await seriousA11yViolations(page)).toEqual([]);
      await context.close();
    }
  });

  it('sends each person to their own page, and back there from a page their role may not see', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(main.base); // the control room, not signed in
    await page.waitForURL(/\/signin\.html\?next=%2F$/, POLL);
    await signInWithForm(page, 'cleo', PASSWORD('cleo'));
    // `next` was the control room, which a cleaner may not see: their own jobs instead, no error screen
    await page.waitForURL(`${main.base}staff.html`, POLL);
    await expect.poll(() => page.locator('#me-name').textContent(), POLL).toBe('Cleo'); // the roster's name for clean-1, not the id
    await page.goto(main.base);
    await page.waitForURL(`${main.base}staff.html`, POLL);
    expect(await page.locator('#problem').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin\.html\?why=signed-out$/, POLL);
    expect(await page.locator('#notice').textContent()).toBe('You are signed out.');
    await page.goto(`${main.base}staff.html`);
    await page.waitForURL(/\/signin\.html\?next=%2Fstaff\.html$/, POLL);
    await context.close();
  });

  it('never follows `next` to another site', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${main.base}signin.html?next=${encodeURIComponent('//attacker.example/phish')}`);
    await signInWithForm(page, 'ops', PASSWORD('ops'));
    await page.waitForURL(main.base, POLL);
    await context.close();
  });

  it('says how long to wait after repeated wrong passwords, and keeps the button off meanwhile', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${main.base}signin.html`);
    // Five wrong guesses are answered as wrong; after that the waits begin (1 s, doubling), so
    // within a few more guesses the page must be telling the person to wait.
    let said = '';
    for (let i = 0; i < 10 && !said.startsWith('Too many'); i++) {
      await page.locator('#signin-error').evaluate((el) => (el.textContent = ''));
      await signInWithForm(page, 'cleo', `wrong guess ${i}`);
      await expect.poll(() => page.locator('#signin-error').textContent(), POLL).toMatch(/not right|Too many/);
      said = (await page.locator('#signin-error').textContent()) ?? '';
      if (i < 5) expect(said).toMatch(/not right/);
    }
    expect(said).toMatch(/^Too many wrong passwords\. Wait \d+ s before the next try/);
    expect(await page.locator('#signin-submit').isDisabled()).toBe(true);
    await context.close();
  });

  it('lets a person choose their password from an admin’s reset link, then sign in with it', async () => {
    await addUser(main.base, { userId: 'newcomer', role: 'operator' });
    const reset = await fetch(`${main.base}api/v1/users/newcomer/password-reset`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: '{}' });
    const { link } = (await reset.json()) as { link: string };
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(new URL(link, main.base).href);
    await expect.poll(() => page.locator('#title').textContent(), POLL).toBe('Choose your password');
    expect(page.url()).not.toContain('reset='); // out of the address bar, history and screenshots
    await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
    await page.getByLabel('New password again').fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => page.locator('#notice').textContent(), POLL).toBe('Your password is set. Sign in with it now.');
    expect(await page.getByLabel('User name').inputValue()).toBe('newcomer');
    await page.getByLabel('Password', { exact: true }).fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(main.base, POLL);
    await context.close();
  });

  it('returns an open page to sign-in when its session runs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${short.base}signin.html`);
    await signInWithForm(page, 'ops', PASSWORD('ops'));
    await page.waitForURL(short.base, POLL);
    // the session lives six seconds: the page notices by itself, with nobody touching it
    await page.waitForURL(/\/signin\.html\?next=%2F&why=expired$/, { timeout: 30_000 });
    expect(await page.locator('#notice').textContent()).toBe('Your session ended. Sign in again to carry on.');
    await context.close();
  });
});
