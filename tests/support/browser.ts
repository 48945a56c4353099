import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Pages under test run in Debian's Chromium (CI: apt-get install -y chromium; override with
 * ATRIUM_CHROMIUM). People sign in the way the pages do: a password, a session cookie.
 */
export const CHROMIUM = process.env.ATRIUM_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  // Fail loudly rather than skip: a silently skipped browser test would hide a broken CI image.
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium, or set ATRIUM_CHROMIUM to its path`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

const withSlash = (base: string) => (base.endsWith('/') ? base : `${base}/`);

/** Gives `userId` a password the way an admin does: a reset link, used by the person. */
export async function givePassword(base: string, adminKey: string, userId: string, password: string): Promise<void> {
  const reset = await fetch(`${withSlash(base)}api/v1/users/${userId}/password-reset`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: '{}' });
  if (reset.status !== 200) throw new Error(`password reset for ${userId}: ${reset.status} ${await reset.text()}`);
  const { token } = (await reset.json()) as { token: string };
  const set = await fetch(`${withSlash(base)}api/v1/password-reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, newPassword: password }) });
  if (set.status !== 200) throw new Error(`setting ${userId}'s password: ${set.status} ${await set.text()}`);
}

/** Signs a browser context in (its pages share the session cookie), without going through the form. */
export async function signIn(context: BrowserContext, base: string, userId: string, password: string): Promise<void> {
  const r = await context.request.post(`${withSlash(base)}api/v1/session`, { data: { userId, password } });
  if (r.status() !== 200) throw new Error(`sign-in as ${userId}: ${r.status()} ${await r.text()}`);
}

/** Signs in through the sign-in page, as a person would; the page then moves to the role's home (or `next`). */
export async function signInWithForm(page: Page, userId: string, password: string): Promise<void> {
  await page.getByLabel('User name').fill(userId);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical violations on the page as it is now, one line each
 * ("rule: help — selectors"). Evaluated through the debugging protocol, so the page's
 * content security policy (no inline script) stays on.
 */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // half a megabyte of script: only once per loaded page
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.targets.join(', ')}`);
}
