import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { LIVE_EVENTS } from '@atrium/shared';
import type { Cloud } from '../src/index.ts';
import { miniSite } from '../../tests/support/mini-site.ts';
import { apiClient, seedPeople } from './support/api-client.ts';
import { sessionClient } from './support/session-client.ts';
import { startTestCloud } from './support/test-cloud.ts';

/**
 * People sign in with a password and hold a session cookie, on a real cloud on loopback:
 * reset links, the cookie's flags, CSRF on changes, slowing down guessers without locking the
 * owner out, sessions ending on password change, disable and idle time, and live updates
 * through the same session.
 */
const ADMIN = 'atr_admin-key-for-the-sign-in-test';
const ADMIN_PASSWORD = 'correct horse battery staple';
const IDLE_S = 3;

describe('sign-in for people', () => {
  let cloud: Cloud;
  let base: string;
  const call = apiClient(() => base);
  const client = (address?: string) => sessionClient(() => base, address);

  /** An admin-made reset link, used by the person to choose their password. */
  async function givePassword(userId: string, password: string) {
    const reset = await call(ADMIN, 'POST', `/api/v1/users/${userId}/password-reset`, {});
    expect(reset.status).toBe(200);
    expect(reset.body.link).toBe(`/signin.html#reset=${reset.body.token as string}`);
    const done = await client().call('POST', '/api/v1/password-reset', { token: reset.body.token, newPassword: password }, { csrf: null });
    expect(done.status).toBe(200);
    return reset.body.token as string;
  }

  async function until<T>(probe: () => Promise<T | false>, ms = 15_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v !== false) return v;
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    ({ cloud, base } = await startTestCloud({ ATRIUM_ADMIN_KEY: ADMIN, ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD, ATRIUM_SESSION_IDLE_MINUTES: String(IDLE_S / 60) }));
    await seedPeople(call, ADMIN, {
      zoneId: 'hall',
      staff: [['guard-1', ['security']]],
      users: [
        { userId: 'shop-owner', role: 'merchant', merchantId: miniSite.merchants[0]!.id },
        { userId: 'guard-1', role: 'staff', staffId: 'guard-1' },
        { userId: 'ops', role: 'operator' },
        { userId: 'leaver', role: 'operator' },
      ],
    });
    for (const u of ['shop-owner', 'guard-1', 'ops', 'leaver']) await givePassword(u, `${u} has a long password`);
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  it('signs a person in with a session cookie that scripts cannot read and other sites cannot send', async () => {
    const c = client();
    const r = await c.signIn('shop-owner', 'shop-owner has a long password');
    expect(r.status).toBe(200);
    const setCookie = String(r.headers['set-cookie']);
    expect(setCookie).toMatch(/^atrium_session=[\w-]{43};/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(r.body).toMatchObject({ principal: { userId: 'shop-owner', role: 'merchant' }, home: '/merchant.html' });
    const me = await c.call('GET', '/api/v1/session');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ principal: { userId: 'shop-owner' }, home: '/merchant.html' });
    // the merchant's own data answers to the session; the control room's does not
    const shopId = miniSite.shops.find((s) => s.merchantId === miniSite.merchants[0]!.id)!.id;
    expect((await c.call('GET', `/api/v1/shops/${shopId}/subscriptions`)).status).toBe(200);
    const alarms = await c.call('GET', '/api/v1/alarms');
    expect(alarms.status).toBe(403);
    expect(alarms.body.message).toMatch(/home is \/merchant\.html/);
  });

  it('answers the admin with the admin home, and the sign-in page is served', async () => {
    const c = client();
    expect((await c.signIn('admin', ADMIN_PASSWORD)).body.home).toBe('/admin.html');
    const page = await fetch(`${base}/signin.html`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<form/);
  });

  it('refuses a wrong password and an unknown user with the same answer', async () => {
    const wrong = await client('127.0.0.3').signIn('ops', 'not the password');
    const unknown = await client('127.0.0.3').signIn('nobody-here', 'not the password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.code).toBe('ATRIUM_SIGN_IN_FAILED');
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a change made with the session but without its CSRF token', async () => {
    const c = client();
    await c.signIn('ops', 'ops has a long password');
    const forged = await c.call('POST', '/api/v1/session/password', { currentPassword: 'ops has a long password', newPassword: 'ops has a new long password' }, { csrf: null });
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('ATRIUM_CSRF_TOKEN_INVALID');
    const wrongToken = await c.call('DELETE', '/api/v1/session', undefined, { csrf: 'x'.repeat(40) });
    expect(wrongToken.status).toBe(403);
    // a sign-in started from another site is refused (login CSRF)
    const cross = await client().call('POST', '/api/v1/session', { userId: 'ops', password: 'ops has a long password' }, { csrf: null, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(cross.status).toBe(403);
    // still signed in: nothing above changed anything
    expect((await c.call('GET', '/api/v1/session')).status).toBe(200);
  });

  it('slows down repeated wrong passwords, but not the owner signing in from elsewhere', async () => {
    const attacker = client('127.0.0.4');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await attacker.signIn('guard-1', `guess ${i}`)).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toContain(429);
    const slowed = await attacker.signIn('guard-1', 'guard-1 has a long password');
    expect(slowed.status).toBe(429); // even the right password waits: the check is not even made
    expect(Number(slowed.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(slowed.body.code).toBe('ATRIUM_SIGN_IN_THROTTLED');
    // the guard, at their own phone's address, is not locked out by the attacker
    const owner = await client('127.0.0.5').signIn('guard-1', 'guard-1 has a long password');
    expect(owner.status).toBe(200);
  });

  it('ends the other sessions when a password changes, and every session when a user is disabled', async () => {
    const phone = client();
    const desk = client();
    await phone.signIn('leaver', 'leaver has a long password');
    await desk.signIn('leaver', 'leaver has a long password');
    const changed = await desk.call('POST', '/api/v1/session/password', { currentPassword: 'leaver has a long password', newPassword: 'leaver chose another password' });
    expect(changed.status).toBe(200);
    expect(changed.body.signedOutSessions).toBe(1);
    expect((await phone.call('GET', '/api/v1/session')).status).toBe(401);
    expect((await desk.call('GET', '/api/v1/session')).status).toBe(200);
    expect((await client().signIn('leaver', 'leaver has a long password')).status).toBe(401);
    expect((await call(ADMIN, 'POST', '/api/v1/users/leaver/disable', {})).status).toBe(200);
    expect((await desk.call('GET', '/api/v1/session')).status).toBe(401);
    expect((await client().signIn('leaver', 'leaver chose another password')).status).toBe(401);
  });

  it('uses a reset link once', async () => {
    const reset = await call(ADMIN, 'POST', '/api/v1/users/ops/password-reset', {});
    const first = await client().call('POST', '/api/v1/password-reset', { token: reset.body.token, newPassword: 'ops has a long password' }, { csrf: null });
    expect(first.status).toBe(200);
    const again = await client().call('POST', '/api/v1/password-reset', { token: reset.body.token, newPassword: 'someone else took it over' }, { csrf: null });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('ATRIUM_RESET_TOKEN_INVALID');
    const tooShort = await client().call('POST', '/api/v1/password-reset', { token: 'x', newPassword: 'short' }, { csrf: null });
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.message).toMatch(/newPassword: must be at least 10 characters/);
  });

  it('signs out, and ends a session left unused for the idle time', async () => {
    const c = client();
    await c.signIn('ops', 'ops has a long password');
    const cookie = c.cookie;
    expect((await c.call('DELETE', '/api/v1/session')).status).toBe(204);
    expect(c.cookie).toBeNull();
    const replayed = await fetch(`${base}/api/v1/session`, { headers: { cookie: cookie! } });
    expect(replayed.status).toBe(401);

    const idle = client();
    await idle.signIn('ops', 'ops has a long password');
    const kept = idle.cookie!;
    await until(async () => (await fetch(`${base}/api/v1/session`, { headers: { cookie: kept } })).status === 401);
  });

  it('carries the session into live updates, and refuses a socket without one', async () => {
    const c = client();
    await c.signIn('ops', 'ops has a long password');
    const socket = io(base, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie: c.cookie! } });
    try {
      const hello = await new Promise<{ principal: { userId: string } }>((resolve, reject) => {
        socket.once(LIVE_EVENTS.hello, resolve);
        socket.once('connect_error', reject);
      });
      expect(hello.principal.userId).toBe('ops');
    } finally {
      socket.close();
    }
    const anonymous = io(base, { transports: ['websocket'], reconnection: false });
    try {
      const err = await new Promise<Error>((resolve) => anonymous.once('connect_error', resolve));
      expect(err.message).toMatch(/ATRIUM_UNAUTHENTICATED: sign in again/);
    } finally {
      anonymous.close();
    }
  });
});
