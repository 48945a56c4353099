import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { io, type Socket } from 'socket.io-client';
import { LIVE_EVENTS } from '@atrium/shared';
import { createCrew, type Crew } from '@atrium/firmware-sim';
import { startStack, type Stack } from '../../scripts/stack.ts';
import { connectDevice, eventually, publish, topicOf } from '../support/device.ts';
import { miniSite } from '../support/mini-site.ts';

/**
 * The loop from sensor to done, with nothing mocked: real devices publish restroom traffic,
 * odour and a forced door to the edge; the cloud's rules raise alarms and dispatch work
 * orders; the simulated crew takes them on its phones (REST + socket.io with their own keys).
 * Time runs 60× faster on one clock shared by devices, rules, SLA timers and the crew.
 */
const SPEED = 60;
const T0 = Date.now();
const clock = () => T0 + (Date.now() - T0) * SPEED;

interface Order {
  id: string;
  type: string;
  status: string;
  assignee: string | null;
  history: Array<{ action: string; by: string; staffId: string | null; reason: string | null }>;
}

describe('dispatch end to end: sensors → alarm → work order → simulated staff → verified', () => {
  let stack: Stack;
  let crew: Crew;
  let room: Socket;
  const devices: MqttClient[] = [];
  const seen: Array<{ event: string; type?: string }> = [];
  const cleaned: string[] = [];
  let odourPpm = 6;
  let visitorsPerPeriod = 6;
  let seq = 0;
  let feeder: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();
  const send = (client: MqttClient, topic: string, payload: object) => {
    const p = publish(client, topic, payload).finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${stack.urls.page}${path.replace(/^\//, '')}`, { headers: { authorization: `Bearer ${stack.adminKey}` } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const ordersOf = (type: string) => api<Order[]>(`/api/v1/work-orders?type=${type}`);

  beforeAll(async () => {
    stack = await startStack({
      site: miniSite,
      logger: pino({ level: 'warn' }),
      clock,
      edge: { lateness: 0, idle: 300, flushEvery: 50 },
      edgeEnv: { ATRIUM_MAX_PUBLISH_RATE: '1000', ATRIUM_MAX_PUBLISH_BURST: '1000' },
      cloudEnv: { ATRIUM_DISPATCH_TICK_MS: '100' },
    });
    room = io(stack.urls.page, { auth: { key: stack.adminKey }, transports: ['websocket'] });
    room.on(LIVE_EVENTS.alarm, (m: { change: string; alarm: { type: string } }) => seen.push({ event: `alarm:${m.change}`, type: m.alarm.type }));
    room.on(LIVE_EVENTS.workOrder, (m: { change: string; order: { type: string } }) => seen.push({ event: `order:${m.change}`, type: m.order.type }));
    crew = createCrew({
      site: miniSite,
      apiUrl: stack.urls.page,
      adminKey: stack.adminKey,
      now: clock,
      speed: SPEED,
      seed: 3,
      habits: { missRate: 0, declineRate: 0 },
      // The nearest guard never looks at the phone: the accept SLA must move the job on.
      habitsFor: (id) => (id === 'guard-1' ? { missRate: 1 } : {}),
      onCleaned: (zoneId) => {
        cleaned.push(zoneId);
        odourPpm = 1;
        visitorsPerPeriod = 1;
      },
    });
    await crew.start();
    const [radar, env, gate] = await Promise.all(['radar-wc', 'env-wc', 'gate-staff'].map((id) => connectDevice(stack.urls.edgeMqtt, stack.secrets.device, id)));
    devices.push(radar!, env!, gate!);
    // Every 250 ms of real time (15 simulated seconds): restroom visitors and its odour sensor.
    feeder = setInterval(() => {
      const ts = clock();
      send(radar!, topicOf(miniSite.id, 'radar-wc', 'count'), { ts, seq: ++seq, periodS: 15, in: visitorsPerPeriod, out: visitorsPerPeriod });
      send(env!, topicOf(miniSite.id, 'env-wc', 'env'), { ts, seq: ++seq, tempC: 22, rh: 45, co2: 600, pm25: 5, tvoc: 100, noiseDb: 50, nh3: odourPpm });
    }, 250);
    await publish(gate!, topicOf(miniSite.id, 'gate-staff', 'event'), { ts: clock(), seq: ++seq, event: 'forced_open' });
  }, 60_000);

  afterAll(async () => {
    clearInterval(feeder);
    await Promise.allSettled(inFlight);
    for (const d of devices) d.end(true);
    room?.close();
    await crew?.stop();
    await stack?.stop();
  });

  it('a busy, smelly restroom gets a cleaning order that a cleaner accepts, resolves, and the sensors verify', async () => {
    const order = await eventually(async () => {
      const [o] = await ordersOf('restroom_cleaning');
      return o?.status === 'verified' ? o : undefined;
    }, 90_000, 'the cleaning order to be verified');
    expect(order.history.map((h) => h.action)).toEqual(['created', 'assign', 'accept', 'arrive', 'resolve', 'verify']);
    expect(order.history.find((h) => h.action === 'assign')?.staffId).toBe('cleaner-1');
    expect(order.history.at(-1)).toMatchObject({ by: 'system', reason: 'sensors' });
    expect(cleaned).toEqual(['wc']);
    const alarms = await api<Array<{ type: string; status: string; zoneId: string }>>('/api/v1/alarms?type=restroom_cleaning');
    expect(alarms).toEqual([expect.objectContaining({ status: 'cleared', zoneId: 'wc' })]);
  }, 100_000);

  it('a forced door gets a security order that moves to the next guard when the first does not accept, and the supervisor hears of it', async () => {
    const order = await eventually(async () => {
      const [o] = await ordersOf('security_breach');
      return o?.status === 'verified' ? o : undefined;
    }, 60_000, 'the security order to be verified');
    const assigned = order.history.filter((h) => h.action === 'assign').map((h) => h.staffId);
    expect(assigned).toEqual(['guard-1', 'guard-2']);
    const unassign = order.history.find((h) => h.action === 'unassign');
    expect(unassign).toMatchObject({ by: 'system', staffId: 'guard-1' });
    expect(order.history.filter((h) => h.action === 'accept').map((h) => h.by)).toEqual(['guard-2']);
    // Verified by a person: the supervisor signed it off.
    expect(order.history.at(-1)).toMatchObject({ action: 'verify', by: 'supervisor-1', reason: 'supervisor' });
    const notes = await api<Array<{ reason: string; orderId: string }>>('/api/v1/notifications?to=supervisor-1');
    expect(notes.filter((n) => n.orderId === order.id).map((n) => n.reason)).toContain('not_accepted');
    const [alarm] = await api<Array<{ status: string }>>('/api/v1/alarms?type=security_breach');
    expect(alarm?.status).toBe('cleared');
  }, 70_000);

  it('told the control room of every step as it happened', () => {
    expect(seen).toEqual(expect.arrayContaining([
      { event: 'alarm:raised', type: 'security_breach' },
      { event: 'alarm:raised', type: 'restroom_cleaning' },
      { event: 'order:assign', type: 'restroom_cleaning' },
      { event: 'order:verify', type: 'restroom_cleaning' },
      { event: 'order:unassign', type: 'security_breach' },
      { event: 'order:verify', type: 'security_breach' },
    ]));
  });

  it('reports SLA compliance per type as CSV', async () => {
    const res = await fetch(`${stack.urls.page}api/v1/reports/sla?from=${T0 - 3600_000}&to=${clock() + 3600_000}&format=csv`, { headers: { authorization: `Bearer ${stack.adminKey}` } });
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const csv = await res.text();
    expect(csv.split('\n')[0]).toMatch(/^type,day,orders/);
    expect(csv).toMatch(/restroom_cleaning/);
    expect(csv).toMatch(/security_breach/);
  });
});
