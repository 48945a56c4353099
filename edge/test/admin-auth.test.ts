import { afterEach, describe, expect, it } from 'vitest';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createAdminAuth, type AdminAuth } from '../src/node-red/admin-auth.ts';
import { createLoginLimiter, sourceOf } from '../src/node-red/login-limiter.ts';

const USER = 'operator';
const PASSWORD = 'correct horse battery staple';
let auth: AdminAuth | undefined;
afterEach(() => auth?.close());

describe('login limiter', () => {
  it('reserves a slot before the check: one per source, two overall', () => {
    const limiter = createLoginLimiter(() => 0);
    const a = limiter.reserve('10.0.0.1');
    expect(a.ok).toBe(true);
    expect(limiter.reserve('10.0.0.1')).toMatchObject({ ok: false, error: { code: 'ATRIUM_RED_TOO_MANY_LOGINS' } });
    expect(limiter.reserve('10.0.0.2').ok).toBe(true);
    expect(limiter.reserve('10.0.0.3').ok).toBe(false);
    expect(limiter.inFlight).toBe(2);
  });

  it('backs off the failing source only, and forgets it after a success', () => {
    let t = 0;
    const limiter = createLoginLimiter(() => t);
    const fail = (source: string) => {
      const slot = limiter.reserve(source);
      if (!slot.ok) return slot;
      slot.release(false);
      return slot;
    };
    for (let i = 0; i < 4; i++) expect(fail('10.0.0.1').ok).toBe(true);
    const refused = limiter.reserve('10.0.0.1');
    expect(refused).toMatchObject({ ok: false, retryAfterS: 1 });
    expect(limiter.reserve('10.0.0.2').ok).toBe(true);
    t += 1000;
    expect(fail('10.0.0.1').ok).toBe(true);
    // The fifth failure doubles the wait.
    t += 1000;
    expect(limiter.reserve('10.0.0.1')).toMatchObject({ ok: false, retryAfterS: 1 });
    t += 1000;
    const ok = limiter.reserve('10.0.0.1');
    expect(ok.ok).toBe(true);
    if (ok.ok) ok.release(true);
    expect(fail('10.0.0.1').ok).toBe(true);
    expect(limiter.reserve('10.0.0.1').ok).toBe(true);
  });

  it('treats an IPv4-mapped address as the IPv4 address', () => {
    expect(sourceOf('::ffff:127.0.0.2')).toBe('127.0.0.2');
    expect(sourceOf('::1')).toBe('::1');
  });
});

describe('admin auth', () => {
  it('200 concurrent wrong logins from one address cost a handful of checks, off the main thread', async () => {
    auth = await createAdminAuth({ user: USER, password: PASSWORD });
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const results = await Promise.all(Array.from({ length: 200 }, () => auth!.login(USER, 'not the password', '10.0.0.9')));
    delay.disable();
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(auth.passwordChecks).toBeLessThanOrEqual(4);
    expect(delay.max / 1e6).toBeLessThan(500);
    // The owner, from elsewhere, still gets in.
    expect(await auth.login(USER, PASSWORD, '10.0.0.10')).toMatchObject({ ok: true });
  });

  it('remembers checked basic credentials, so a busy HTTP-in flow costs one check', async () => {
    auth = await createAdminAuth({ user: USER, password: PASSWORD });
    const header = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    for (let i = 0; i < 5; i++) expect(await auth.verifyBasic(header, '10.0.0.1')).toEqual({ ok: true });
    expect(auth.passwordChecks).toBe(1);
    expect(await auth.verifyBasic(`Basic ${Buffer.from(`${USER}:wrong`).toString('base64')}`, '10.0.0.1')).toMatchObject({ ok: false, error: { code: 'ATRIUM_RED_UNAUTHENTICATED' } });
  });
});
