import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/device.ts';
import { sendGatewayEvent } from '../support/gateway.ts';
import { miniSite } from '../support/mini-site.ts';
import { freePort, REPO, startEntryPoint, waitForHttp } from '../support/processes.ts';

/**
 * A cloud killed with SIGKILL mid-shift loses no alarm or work order, and the SLA clock of an
 * assigned order keeps running from its stored deadline: after the restart the order still
 * moves to the next guard when the first does not accept in time. The cloud runs as its own
 * process, on the real clock, with a rules file whose accept SLA is 4 s.
 */
const GATEWAY_SECRET = 'gateway-secret-for-tests-01';
const ADMIN_KEY = 'atr_admin-key-for-the-restart-test';
const ACCEPT_S = 4;

interface Order { id: string; status: string; assignee: string | null; due: { acceptBy: number }; alarmIds: string[]; history: Array<{ action: string; staffId: string | null }> }
interface Alarm { id: string; type: string; status: string }

describe('dispatch survives a cloud killed with SIGKILL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-dispatch-restart-'));
  const ports = { http: 0, mqtt: 0 };
  let cloud: ReturnType<typeof startEntryPoint> | undefined;
  let before: { order: Order; alarm: Alarm };
  let after: { order: Order; alarm: Alarm };

  const base = () => `http://127.0.0.1:${ports.http}`;
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base()}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const startCloud = async () => {
    cloud = startEntryPoint('cloud/src/main.ts', {
      ATRIUM_CLOUD_HTTP_PORT: String(ports.http), ATRIUM_CLOUD_MQTT_PORT: String(ports.mqtt), ATRIUM_DATA_DIR: join(dir, 'cloud'),
      ATRIUM_GATEWAY_SECRET: GATEWAY_SECRET, ATRIUM_ADMIN_KEY: ADMIN_KEY, ATRIUM_SITE_FILE: join(dir, 'site.json'), ATRIUM_RULES_FILE: join(dir, 'rules.json'),
      ATRIUM_DISPATCH_TICK_MS: '100', LOG_LEVEL: 'warn',
    });
    // PGlite creating its files on a busy machine can take a while.
    await waitForHttp(`${base()}/health`, 120_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${cloud?.output()}`);
    });
  };
  const sendEvent = (deviceId: string, family: 'gate' | 'locker', type: string) =>
    sendGatewayEvent({ mqttUrl: `mqtt://127.0.0.1:${ports.mqtt}`, gatewaySecret: GATEWAY_SECRET, siteId: miniSite.id, event: { deviceId, floorId: 'g', zoneId: 'hall', family, type } });
  const orderOfType = async (type: string) => (await call<Order[]>('GET', `/api/v1/work-orders?type=${type}`))[0];

  beforeAll(async () => {
    ports.http = await freePort();
    ports.mqtt = await freePort();
    writeFileSync(join(dir, 'site.json'), JSON.stringify(miniSite));
    const rules = JSON.parse(readFileSync(join(REPO, 'cloud/rules/default.json'), 'utf8'));
    rules.dispatch.security_breach.sla = { acceptS: ACCEPT_S, arriveS: 600, resolveS: 1800 };
    writeFileSync(join(dir, 'rules.json'), JSON.stringify(rules, null, 2));
    await startCloud();
    const shift = [{ from: Date.now() - 3600_000, to: Date.now() + 86_400_000 }];
    for (const id of ['guard-1', 'guard-2']) await call('PUT', `/api/v1/staff/${id}`, { name: id, roles: ['security'], shifts: shift, zoneId: id === 'guard-1' ? 'hall' : 'wc', available: true });

    await sendEvent('gate-staff', 'gate', 'forced_open');
    const order = await eventually(() => orderOfType('security_breach'), 10_000, 'a security order');
    before = { order, alarm: await call<Alarm>('GET', `/api/v1/alarms/${order.alarmIds[0]}`) };
    cloud!.kill('SIGKILL');
    await new Promise((r) => cloud!.once('exit', r));
    await startCloud();
    after = { order: (await call<Order>('GET', `/api/v1/work-orders/${before.order.id}`)), alarm: await call<Alarm>('GET', `/api/v1/alarms/${before.alarm.id}`) };
  }, 300_000);

  afterAll(async () => {
    if (cloud && cloud.exitCode === null) {
      cloud.kill('SIGTERM');
      await new Promise((r) => cloud!.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('was killed with the order assigned and not yet accepted', () => {
    expect(before.order).toMatchObject({ status: 'assigned', assignee: 'guard-1' });
    expect(before.alarm.status).toBe('raised');
  });

  it('comes back with the same alarm and order, deadlines unchanged', () => {
    expect(after.alarm).toEqual(before.alarm);
    expect(after.order.id).toBe(before.order.id);
    expect(after.order.due).toEqual(before.order.due);
    expect(after.order.history.length).toBeGreaterThanOrEqual(before.order.history.length);
  });

  it('keeps the SLA clock running: the order moves to the next guard once the stored accept deadline passes', async () => {
    const moved = await eventually(async () => {
      const o = await call<Order>('GET', `/api/v1/work-orders/${before.order.id}`);
      return o.assignee === 'guard-2' ? o : undefined;
    }, 20_000, 'the order to be reassigned');
    const unassigned = moved.history.find((h) => h.action === 'unassign');
    expect(unassigned?.staffId).toBe('guard-1');
    expect(Date.now()).toBeGreaterThanOrEqual(before.order.due.acceptBy);
  });

  it('numbers new alarms and orders after the stored ones, with nothing lost or doubled', async () => {
    await sendEvent('locker-1', 'locker', 'tamper');
    const tamper = await eventually(() => orderOfType('locker_tamper'), 10_000, 'a locker order');
    expect(tamper.id).not.toBe(before.order.id);
    const alarms = await call<Alarm[]>('GET', '/api/v1/alarms?status=raised,acknowledged');
    const ids = alarms.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(alarms.map((a) => a.type).sort()).toEqual(expect.arrayContaining(['locker_tamper', 'security_breach']));
    const orders = await call<Order[]>('GET', '/api/v1/work-orders?status=open,assigned');
    expect(orders.filter((o) => o.id === before.order.id)).toHaveLength(1);
  });
});
