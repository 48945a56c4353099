import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { io, type Socket } from 'socket.io-client';
import { LIVE_EVENTS } from '@atrium/shared';
import { createCloud, parseCloudConfig, type Cloud } from '../src/index.ts';
import { miniSite } from '../../tests/support/mini-site.ts';
import { apiClient, seedPeople } from './support/api-client.ts';

/**
 * The REST and live adapters under a hostile client, on a real cloud on loopback: revoked keys,
 * property names as ids, who may log a cleaning round, request floods, and the security headers.
 * The limits are lowered here so a flood is short; production defaults are ten times higher.
 */
const ADMIN = 'atr_admin-key-for-the-hostile-api-test';
const ANON_LIMIT = 100;
const USER_LIMIT = 1500;

describe('hostile REST and live clients', () => {
  let cloud: Cloud;
  let base: string;
  let keys: Record<string, string> = {};
  const sockets: Socket[] = [];
  const call = apiClient(() => base);
  const connect = async (key: string) => {
    const socket = io(base, { auth: { key }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once(LIVE_EVENTS.hello, () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  };
  const disconnected = (socket: Socket) => new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));

  beforeAll(async () => {
    const config = parseCloudConfig({
      ATRIUM_CLOUD_HTTP_PORT: '0',
      ATRIUM_CLOUD_MQTT_PORT: '0',
      ATRIUM_DATA_DIR: 'memory://',
      ATRIUM_GATEWAY_SECRET: 'gateway-secret-for-tests-01',
      ATRIUM_ADMIN_KEY: ADMIN,
      ATRIUM_HTTP_RATE_LIMIT_ANONYMOUS: String(ANON_LIMIT),
      ATRIUM_HTTP_RATE_LIMIT_USER: String(USER_LIMIT),
    });
    cloud = await createCloud(config, { site: miniSite, logger: pino({ level: 'silent' }) });
    const ports = await cloud.start();
    base = `http://127.0.0.1:${ports.httpPort}`;
    keys = await seedPeople(call, ADMIN, {
      zoneId: 'hall',
      staff: [['guard-1', ['security']], ['clean-1', ['cleaner']], ['sup-1', ['supervisor']]],
      users: [
        { userId: 'ops', role: 'operator' },
        { userId: 'ops-rotated', role: 'operator' },
        { userId: 'ops-disabled', role: 'operator' },
        { userId: 'guard-1', role: 'staff', staffId: 'guard-1' },
        { userId: 'clean-1', role: 'staff', staffId: 'clean-1' },
        { userId: 'sup-1', role: 'supervisor', staffId: 'sup-1' },
        { userId: 'flood', role: 'operator' },
      ],
    });
  }, 60_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    await cloud?.stop();
  });

  it('a rotated or disabled user loses their live feed at once; others keep theirs', async () => {
    const bystander = await connect(keys.ops!);
    const rotated = await connect(keys['ops-rotated']!);
    const disabled = await connect(keys['ops-disabled']!);
    const rotatedGone = disconnected(rotated);
    const disabledGone = disconnected(disabled);

    expect((await call(ADMIN, 'POST', '/api/v1/users/ops-rotated/rotate-key', {})).status).toBe(200);
    expect(await rotatedGone).toBe('io server disconnect');
    expect((await call(ADMIN, 'POST', '/api/v1/users/ops-disabled/disable', {})).status).toBe(200);
    expect(await disabledGone).toBe('io server disconnect');
    expect(bystander.connected).toBe(true);
    // The old key cannot come back either.
    await expect(connect(keys['ops-rotated']!)).rejects.toThrow(/ATRIUM_UNAUTHENTICATED/);
  });

  it('every built-in property name, as every id in every route, is never a server error', async () => {
    const names = Object.getOwnPropertyNames(Object.prototype);
    expect(names).toContain('__proto__');
    const doc = (await call(ADMIN, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const templated = Object.entries(doc.paths).filter(([path]) => path.includes('{'));
    expect(templated.length).toBeGreaterThan(10);
    const failures: string[] = [];
    let tried = 0;
    for (const [template, methods] of templated) {
      for (const method of Object.keys(methods)) {
        for (const name of names) {
          const path = template.replace(/\{[^}]+\}/g, encodeURIComponent(name));
          const r = await call(ADMIN, method.toUpperCase(), path, method === 'get' || method === 'delete' ? undefined : {});
          tried++;
          if (r.status >= 500) failures.push(`${method.toUpperCase()} ${path} → ${r.status} ${String(r.body.code)}`);
        }
      }
    }
    expect(tried).toBeGreaterThan(100);
    expect(failures).toEqual([]);
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      for (const action of ['clear', 'acknowledge']) {
        const r = await call(ADMIN, 'POST', `/api/v1/alarms/${name}/${action}`, {});
        expect(r.status, `${action} ${name}`).toBe(404);
        expect(r.body.code).toBe('ATRIUM_ALARM_NOT_FOUND');
      }
      expect((await call(ADMIN, 'GET', `/api/v1/alarms/${name}`)).status).toBe(404);
      const patch = await call(ADMIN, 'PATCH', `/api/v1/staff/${name}`, { available: false });
      // Staff ids are lower case and start with a letter or digit: the others are refused by the schema first.
      expect(patch.status, `${name}: ${JSON.stringify(patch.body)}`).toBe(/^[a-z0-9][a-z0-9_-]*$/.test(name) ? 404 : 400);
    }
  }, 120_000);

  it('a staff member named like a property is an ordinary one, and __proto__ is refused', async () => {
    const staff = { name: 'x', roles: ['cleaner'], shifts: [], zoneId: 'hall', available: true };
    const proto = await call(ADMIN, 'PUT', '/api/v1/staff/__proto__', staff);
    expect(proto.status).toBe(400);
    expect((await call(ADMIN, 'PUT', '/api/v1/staff/constructor', staff)).status).toBe(200);
    expect((await call(ADMIN, 'GET', '/api/v1/staff/constructor')).body.name).toBe('x');
    const roster = (await call(ADMIN, 'GET', '/api/v1/staff')).body as unknown as Array<{ id: string }>;
    expect(roster.map((m) => m.id).sort()).toEqual(['clean-1', 'constructor', 'guard-1', 'sup-1']);
  });

  it('only cleaners, supervisors and the control room log a cleaning round', async () => {
    const guard = await call(keys['guard-1']!, 'POST', '/api/v1/zones/wc/cleaned', {});
    expect(guard.status).toBe(403);
    expect(guard.body.code).toBe('ATRIUM_FORBIDDEN');
    for (const who of ['clean-1', 'sup-1', 'ops']) expect((await call(keys[who]!, 'POST', '/api/v1/zones/wc/cleaned', {})).status, who).toBe(200);
    expect((await call(ADMIN, 'POST', '/api/v1/zones/wc/cleaned', {})).status).toBe(200);
  });

  it('pages and API answers carry the security headers, with no inline script allowed', async () => {
    for (const [key, path] of [[null, '/'], [null, '/staff.html'], [null, '/app.js'], [ADMIN, '/api/v1/site'], [null, '/api/v1/site'], [ADMIN, '/api/v1/nope']] as const) {
      const r = await call(key, 'GET', path);
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp, path).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('a footfall or environment query over every subject is refused past 10,000 points (buckets × subjects), naming the field that narrows it', async () => {
    const from = Date.UTC(2024, 0, 1);
    const hours = (n: number) => `from=${from}&to=${from + n * 3_600_000}&every=1h`;
    // 10,000 hourly buckets of one zone is the most one answer holds; of both zones it is twice that.
    expect((await call(ADMIN, 'GET', `/api/v1/series/footfall?subjectKind=zone&subjectId=hall&${hours(10_000)}`)).status).toBe(200);
    const wide = await call(ADMIN, 'GET', `/api/v1/series/footfall?subjectKind=zone&${hours(10_000)}`);
    expect(wide.status).toBe(400);
    expect(wide.body.code).toBe('ATRIUM_INVALID_REQUEST');
    expect(wide.body.message).toMatch(/^invalid request: subjectId: .*all 2 zones × 10000 buckets = 20000 points; at most 10000 .*pass subjectId, widen "every" or narrow from\/to/);
    expect((await call(ADMIN, 'GET', `/api/v1/series/footfall?subjectKind=zone&${hours(5000)}`)).status).toBe(200);
    const env = await call(ADMIN, 'GET', `/api/v1/series/env?metric=co2&${hours(6000)}`);
    expect(env.status).toBe(400);
    expect(env.body.message).toMatch(/zoneId: .*at most 10000/);
    // A merchant's own shop is one subject.
    expect((await call(ADMIN, 'GET', `/api/v1/series/footfall?subjectKind=shop&${hours(10_000)}`)).status).toBe(200);
  });

  it('/metrics answers an admin (or Prometheus\' token), not anonymous callers or other roles', async () => {
    const anonymous = await call(null, 'GET', '/metrics');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.message).toContain('ATRIUM_METRICS_TOKEN');
    expect((await call(keys.ops!, 'GET', '/metrics')).status).toBe(403);
    expect((await call('atr_not-a-key-and-not-the-token-00', 'GET', '/metrics')).status).toBe(401);
    const admin = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(admin.status).toBe(200);
    expect(await admin.text()).toContain('atrium_cloud_uplinks_total');
    expect((await call(null, 'GET', '/health')).status).toBe(200);
  });

  it('a flood from one user is limited per user with Retry-After; other users are not', async () => {
    const statuses = await burst(USER_LIMIT + 200, () => call(keys.flood!, 'GET', '/api/v1/me'));
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(USER_LIMIT);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(200);
    const limited = await call(keys.flood!, 'GET', '/api/v1/me');
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('ATRIUM_RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call(keys.ops!, 'GET', '/api/v1/me')).status).toBe(200);
  }, 60_000);

  it('2,000 requests with made-up keys: the first ones 401, then 429 per address; valid keys still served', async () => {
    let n = 0;
    const statuses = await burst(2000, () => call(`atr_guessed-key-${n++}-abcdefghijklmnop`, 'GET', '/api/v1/site'));
    const unauthenticated = statuses.filter((s) => s === 401).length;
    const limited = statuses.filter((s) => s === 429).length;
    expect(unauthenticated).toBeLessThanOrEqual(ANON_LIMIT);
    expect(unauthenticated + limited).toBe(2000);
    const anon = await call(null, 'GET', '/api/v1/site');
    expect(anon.status).toBe(429);
    expect(Number(anon.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call(keys.ops!, 'GET', '/api/v1/site')).status).toBe(200);
  }, 60_000);
});

/** `count` calls, 50 at a time, their statuses in order. */
async function burst(count: number, one: () => Promise<{ status: number }>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i += 50) out.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, async () => (await one()).status))));
  return out;
}
