import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { io, type Socket } from 'socket.io-client';
import { LIVE_EVENTS } from '@atrium/shared';
import { createCloud, parseCloudConfig, type Cloud } from '../src/index.ts';
import { eventually } from '../../tests/support/device.ts';
import { sendGatewayEvent } from '../../tests/support/gateway.ts';
import { miniSite } from '../../tests/support/mini-site.ts';
import { apiClient, seedPeople } from './support/api-client.ts';

/**
 * Who may do what through the REST API and socket.io, on a real cloud with a real uplink: a
 * forced staff door raises a security order for guard-1; each role then tries what it may
 * and what it may not.
 */
const SECRET = 'gateway-secret-for-tests-01';
const ADMIN = 'atr_admin-key-for-the-dispatch-api-test';

interface Order { id: string; status: string; assignee: string | null; alarmIds: string[]; history: Array<{ action: string; by: string }> }

describe('dispatch API: roles and refusals', () => {
  let cloud: Cloud;
  let base: string;
  let mqttUrl: string;
  let keys: Record<string, string> = {};
  let order: Order;
  const sockets: Socket[] = [];
  const json = apiClient(() => base);
  const call = async (key: string | null, method: string, path: string, body?: unknown) => {
    const r = await json(key, method, path, body);
    return { status: r.status, body: r.body as Record<string, unknown> & Order };
  };
  const listen = async (key: string) => {
    const socket = io(base, { auth: { key }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    const got: string[] = [];
    socket.on(LIVE_EVENTS.workOrder, (m: { change: string; order: { id: string } }) => got.push(`${m.order.id}:${m.change}`));
    socket.on(LIVE_EVENTS.alarm, (m: { change: string; alarm: { id: string } }) => got.push(`${m.alarm.id}:alarm-${m.change}`));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return got;
  };

  beforeAll(async () => {
    const config = parseCloudConfig({ ATRIUM_CLOUD_HTTP_PORT: '0', ATRIUM_CLOUD_MQTT_PORT: '0', ATRIUM_DATA_DIR: 'memory://', ATRIUM_GATEWAY_SECRET: SECRET, ATRIUM_ADMIN_KEY: ADMIN, ATRIUM_DISPATCH_TICK_MS: '100' });
    cloud = await createCloud(config, { site: miniSite, logger: pino({ level: 'silent' }) });
    const ports = await cloud.start();
    base = `http://127.0.0.1:${ports.httpPort}`;
    mqttUrl = `mqtt://127.0.0.1:${ports.mqttPort}`;
    keys = await seedPeople(json, ADMIN, {
      zoneId: 'hall',
      staff: [['guard-1', ['security']], ['guard-2', ['security']], ['sup-1', ['supervisor']]],
      users: [
        { userId: 'ops', role: 'operator' },
        { userId: 'guard-1', role: 'staff', staffId: 'guard-1' },
        { userId: 'guard-2', role: 'staff', staffId: 'guard-2' },
        { userId: 'sup-1', role: 'supervisor', staffId: 'sup-1' },
        { userId: 'bean-co', role: 'merchant', merchantId: miniSite.merchants[0]!.id },
      ],
    });
  }, 60_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    await cloud?.stop();
  });

  it('a forced door reaches the control room and the assigned guard, and nobody else', async () => {
    const control = await listen(keys.ops!);
    const guard1 = await listen(keys['guard-1']!);
    const guard2 = await listen(keys['guard-2']!);
    await sendGatewayEvent({ mqttUrl, gatewaySecret: SECRET, siteId: miniSite.id, event: { deviceId: 'gate-staff', floorId: 'g', zoneId: 'hall', family: 'gate', type: 'forced_open' } });
    order = await eventually(async () => {
      const r = await call(keys.ops!, 'GET', '/api/v1/work-orders?type=security_breach');
      const [o] = r.body as unknown as Order[];
      return o?.status === 'assigned' ? o : undefined;
    }, 10_000, 'the security order');
    expect(order.assignee).toBe('guard-1');
    await eventually(() => (guard1.includes(`${order.id}:assign`) ? true : undefined), 5000, 'guard-1 to hear of it');
    expect(control).toEqual(expect.arrayContaining([`${order.alarmIds[0]}:alarm-raised`, `${order.id}:created`, `${order.id}:assign`]));
    expect(guard1.some((e) => e.includes('alarm-'))).toBe(false); // alarms are the control room's
    expect(guard2).toEqual([]);
  });

  it('refuses a socket.io client without a valid key', async () => {
    const socket = io(base, { auth: { key: 'atr_nobody-has-this-key-at-all' }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    const err = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    expect(err.message).toMatch(/ATRIUM_UNAUTHENTICATED/);
  });

  it('lets staff see and act on their own orders only', async () => {
    expect((await call(keys['guard-2']!, 'GET', `/api/v1/work-orders/${order.id}`)).status).toBe(403);
    const list = await call(keys['guard-2']!, 'GET', '/api/v1/work-orders');
    expect(list.body).toEqual([]);
    const stolen = await call(keys['guard-2']!, 'POST', `/api/v1/work-orders/${order.id}/accept`, {});
    expect(stolen.status).toBe(403);
    expect(stolen.body.code).toBe('ATRIUM_WORK_ORDER_NOT_ASSIGNEE');
    expect((await call(keys['guard-1']!, 'POST', `/api/v1/alarms/${order.alarmIds[0]}/acknowledge`, {})).status).toBe(403);
    expect((await call(keys['guard-1']!, 'POST', `/api/v1/work-orders/${order.id}/cancel`, { reason: 'not me' })).status).toBe(403);
    expect((await call(keys['guard-1']!, 'GET', '/api/v1/staff/guard-1')).body).toMatchObject({ id: 'guard-1', available: true });
    expect((await call(keys['guard-1']!, 'GET', '/api/v1/staff/guard-2')).status).toBe(403);
    const accepted = await call(keys['guard-1']!, 'POST', `/api/v1/work-orders/${order.id}/accept`, {});
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'accepted', assignee: 'guard-1' });
  });

  it('names the field and the reason when an action lacks what it needs, and refuses an impossible step', async () => {
    const noReason = await call(keys['guard-1']!, 'POST', `/api/v1/work-orders/${order.id}/decline`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.message).toMatch(/reason/);
    const twice = await call(keys['guard-1']!, 'POST', `/api/v1/work-orders/${order.id}/accept`, {});
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('ATRIUM_WORK_ORDER_INVALID_TRANSITION');
  });

  it('keeps merchants and anonymous callers out of operations entirely', async () => {
    for (const path of ['/api/v1/alarms', '/api/v1/work-orders', '/api/v1/staff', '/api/v1/rules', '/api/v1/zones/live', `/api/v1/reports/sla?from=0&to=${Date.now()}`]) {
      expect((await call(keys['bean-co']!, 'GET', path)).status, path).toBe(403);
      expect((await call(null, 'GET', path)).status, path).toBe(401);
    }
    expect((await call(keys.ops!, 'POST', '/api/v1/users', { userId: 'x', role: 'admin' })).status).toBe(403);
  });

  it('lets the control room reassign and cancel, naming the operator in the audit trail', async () => {
    const moved = await call(keys.ops!, 'POST', `/api/v1/work-orders/${order.id}/assign`, { staffId: 'guard-2', reason: 'guard-1 went on break' });
    expect(moved.status).toBe(200);
    expect(moved.body.assignee).toBe('guard-2');
    const cancelled = await call(keys['sup-1']!, 'POST', `/api/v1/work-orders/${order.id}/cancel`, { reason: 'false alarm, door tested' });
    expect(cancelled.body.status).toBe('cancelled');
    const actors = cancelled.body.history.map((h) => `${h.action}:${h.by}`);
    expect(actors).toEqual(expect.arrayContaining(['accept:guard-1', 'assign:ops', 'cancel:sup-1']));
  });

  it('a disabled user is refused at once', async () => {
    expect((await call(ADMIN, 'POST', '/api/v1/users/guard-1/disable')).status).toBe(200);
    expect((await call(keys['guard-1']!, 'GET', '/api/v1/work-orders')).status).toBe(401);
    const rotated = await call(ADMIN, 'POST', '/api/v1/users/guard-2/rotate-key');
    expect((await call(keys['guard-2']!, 'GET', '/api/v1/work-orders')).status).toBe(401);
    expect((await call(rotated.body.key as unknown as string, 'GET', '/api/v1/work-orders')).status).toBe(200);
  });

  it('refuses an invalid rules file with the field, the reason and the line, and keeps the running rules', async () => {
    const before = await fetch(`${base}/api/v1/rules`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const version = before.headers.get('x-atrium-rules-version');
    const bad = JSON.stringify({ version: 1, rules: [{ id: 'co2', kind: 'threshold', metric: 'co2', subjects: {}, raise: { above: 1000, forS: -5 }, clear: { below: 900, forS: 60 } }] }, null, 2);
    const res = await fetch(`${base}/api/v1/rules`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: bad });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; issues: Array<{ path: string; message: string; line: number | null }> };
    expect(body.code).toBe('ATRIUM_RULES_INVALID');
    expect(body.issues).toEqual([{ path: 'rules.0.raise.forS', message: 'Too small: expected number to be >=0', line: 11 }]);
    const after = await fetch(`${base}/api/v1/rules`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(after.headers.get('x-atrium-rules-version')).toBe(version);
    expect((await call(keys.ops!, 'PUT', '/api/v1/rules', {})).status).toBe(403);
  });
});
