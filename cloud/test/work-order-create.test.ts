import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cloud } from '../src/index.ts';
import { eventually } from '../../tests/support/device.ts';
import { sendGatewayEvent } from '../../tests/support/gateway.ts';
import { miniSite } from '../../tests/support/mini-site.ts';
import { apiClient, seedPeople } from './support/api-client.ts';
import { startTestCloud } from './support/test-cloud.ts';

/**
 * Raising a work order by hand (POST /api/v1/work-orders) on a real cloud: who may, what a bad
 * body is told, what the order looks like and that it is dispatched and survives a restart
 * of the engine's journal; and the history search over closed alarms and orders (q, staff, paging).
 */
const ADMIN = 'atr_admin-key-for-the-raise-order-test';
const SECRET = 'gateway-secret-for-tests-01';

interface Order {
  id: string;
  type: string;
  status: string;
  zoneId: string;
  role: string;
  priority: number;
  assignee: string | null;
  alarmIds: string[];
  verify: { by: string };
  history: Array<{ action: string; by: string; reason: string | null }>;
}

describe('raising a work order by hand, and searching the history', () => {
  let cloud: Cloud;
  let base = '';
  let mqttUrl = '';
  let keys: Record<string, string> = {};
  const json = apiClient(() => base);
  const call = async (key: string | null, method: string, path: string, body?: unknown) => {
    const r = await json(key, method, path, body);
    return { status: r.status, body: r.body as Record<string, unknown> & Order };
  };
  const list = async <T>(key: string, path: string) => (await json(key, 'GET', path)).body as unknown as T[];

  beforeAll(async () => {
    ({ cloud, base, mqttUrl } = await startTestCloud({ ATRIUM_ADMIN_KEY: ADMIN, ATRIUM_DISPATCH_TICK_MS: '100' }));
    keys = await seedPeople(json, ADMIN, {
      zoneId: 'hall',
      staff: [['cleaner-1', ['cleaner']], ['guard-1', ['security']], ['sup-1', ['supervisor']]],
      users: [
        { userId: 'ops', role: 'operator' },
        { userId: 'sup-1', role: 'supervisor', staffId: 'sup-1' },
        { userId: 'cleaner-1', role: 'staff', staffId: 'cleaner-1' },
        { userId: 'bean-co', role: 'merchant', merchantId: miniSite.merchants[0]!.id },
      ],
    });
    // A name to search by: the roster entry's name, not its id.
    expect((await call(ADMIN, 'PUT', '/api/v1/staff/cleaner-1', { name: 'Carla Clean', roles: ['cleaner'], shifts: [{ from: Date.now() - 3600_000, to: Date.now() + 86_400_000 }], zoneId: 'hall', available: true })).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  it('an operator raises an order: it is about the zone, names them first in its trail, and goes to someone with the role', async () => {
    const r = await call(keys.ops!, 'POST', '/api/v1/work-orders', { zoneId: 'wc', type: 'spill', role: 'cleaner', note: 'caller says coffee spilt by the sinks' });
    expect(r.status).toBe(201);
    const o = r.body;
    expect(o).toMatchObject({ type: 'spill', zoneId: 'wc', role: 'cleaner', priority: 2, alarmIds: [], verify: { by: 'supervisor' } });
    expect(o.history[0]).toMatchObject({ action: 'created', by: 'ops', reason: 'caller says coffee spilt by the sinks' });
    // Dispatched in the same step: the only cleaner on shift has it.
    expect(o.status).toBe('assigned');
    expect(o.assignee).toBe('cleaner-1');
    const again = await call(keys.ops!, 'GET', `/api/v1/work-orders/${o.id}`);
    expect(again.body.history.map((h) => h.action)).toEqual(['created', 'assign']);
  });

  it('supervisors and admins may raise orders; staff, merchants and strangers may not', async () => {
    const body = { zoneId: 'hall', type: 'security_check', role: 'security', priority: 1 };
    expect((await call(keys['sup-1']!, 'POST', '/api/v1/work-orders', body)).status).toBe(201);
    expect((await call(ADMIN, 'POST', '/api/v1/work-orders', body)).status).toBe(201);
    const staff = await call(keys['cleaner-1']!, 'POST', '/api/v1/work-orders', body);
    expect(staff.status).toBe(403);
    expect(staff.body.code).toBe('ATRIUM_FORBIDDEN');
    expect((await call(keys['bean-co']!, 'POST', '/api/v1/work-orders', body)).status).toBe(403);
    expect((await call(null, 'POST', '/api/v1/work-orders', body)).status).toBe(401);
  });

  it('a bad body is refused with the field and the reason, and nothing is created', async () => {
    const before = (await list<Order>(ADMIN, '/api/v1/work-orders?limit=1000')).length;
    const cases: Array<[unknown, RegExp]> = [
      [{ type: 'spill', role: 'cleaner' }, /zoneId/],
      [{ zoneId: 'wc', type: 'Spill on aisle 3!', role: 'cleaner' }, /type: must be 1-64 chars/],
      [{ zoneId: 'wc', type: 'spill', role: 'astronaut' }, /role/],
      [{ zoneId: 'wc', type: 'spill', role: 'cleaner', priority: 9 }, /priority/],
      [{ zoneId: 'wc', type: 'spill', role: 'cleaner', note: 'x'.repeat(2001) }, /note/],
      [{ zoneId: 'wc', type: 'spill', role: 'cleaner', assignee: 'cleaner-1' }, /assignee|unrecognized/i],
    ];
    for (const [body, field] of cases) {
      const r = await call(keys.ops!, 'POST', '/api/v1/work-orders', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('ATRIUM_INVALID_REQUEST');
      expect(String(r.body.message)).toMatch(field);
    }
    const unknownZone = await call(keys.ops!, 'POST', '/api/v1/work-orders', { zoneId: 'atlantis', type: 'spill', role: 'cleaner' });
    expect(unknownZone.status).toBe(400);
    expect(unknownZone.body).toMatchObject({ code: 'ATRIUM_WORK_ORDER_ZONE_UNKNOWN', message: 'zoneId: no zone "atlantis" on this site' });
    expect((await list<Order>(ADMIN, '/api/v1/work-orders?limit=1000')).length).toBe(before);
  });

  it('the history finds a closed order by text, by a person\'s name and by staff, page by page', async () => {
    // The cleaner's hands are full with the spill: the caller rang back, it was mopped already.
    for (const o of await list<Order>(ADMIN, '/api/v1/work-orders?assignee=cleaner-1&status=assigned,accepted,on_site')) {
      expect((await call(keys.ops!, 'POST', `/api/v1/work-orders/${o.id}/cancel`, { reason: 'mopped before anyone came' })).status).toBe(200);
    }
    const raised = (await call(keys.ops!, 'POST', '/api/v1/work-orders', { zoneId: 'hall', type: 'repair', role: 'cleaner', note: 'wobbly bench near the fountain' })).body;
    await eventually(async () => ((await call(ADMIN, 'GET', `/api/v1/work-orders/${raised.id}`)).body.assignee === 'cleaner-1' ? true : undefined), 10_000, 'the repair assigned');
    for (const step of ['accept', 'arrive'] as const) expect((await call(keys['cleaner-1']!, 'POST', `/api/v1/work-orders/${raised.id}/${step}`, {})).status).toBe(200);
    expect((await call(keys['cleaner-1']!, 'POST', `/api/v1/work-orders/${raised.id}/resolve`, { note: 'tightened the left leg' })).status).toBe(200);
    expect((await call(keys['sup-1']!, 'POST', `/api/v1/work-orders/${raised.id}/verify`, {})).status).toBe(200);

    const closed = 'status=verified,cancelled';
    const ids = async (query: string) => (await list<Order>(keys.ops!, `/api/v1/work-orders?${closed}&${query}`)).map((o) => o.id);
    expect(await ids('q=LEFT%20LEG')).toEqual([raised.id]); // the resolve note, any case
    expect(await ids('q=fountain')).toEqual([raised.id]); // the note it was raised with
    expect(await ids('q=carla')).toContain(raised.id); // who worked it, by name
    expect(await ids('q=no%20such%20words')).toEqual([]);
    expect(await ids('q=100%25')).toEqual([]); // a wildcard character is text, not a pattern
    expect(await ids('staff=cleaner-1')).toContain(raised.id);
    expect(await ids('staff=guard-1')).not.toContain(raised.id);

    const all = await list<Order>(ADMIN, '/api/v1/work-orders?limit=1000');
    const page1 = await list<Order>(ADMIN, '/api/v1/work-orders?limit=2');
    const page2 = await list<Order>(ADMIN, '/api/v1/work-orders?limit=2&offset=2');
    expect([...page1, ...page2].map((o) => o.id)).toEqual(all.slice(0, 4).map((o) => o.id));

    const bad = await call(keys.ops!, 'GET', `/api/v1/work-orders?q=${'x'.repeat(101)}`);
    expect(bad.status).toBe(400);
    expect(String(bad.body.message)).toMatch(/q: /);
    expect((await call(keys.ops!, 'GET', '/api/v1/work-orders?limit=5000')).status).toBe(400);
    expect((await call(keys.ops!, 'GET', '/api/v1/work-orders?offset=-1')).status).toBe(400);
  });

  it('the history finds a cleared alarm by who cleared it and by their note', async () => {
    await sendGatewayEvent({ mqttUrl, gatewaySecret: SECRET, siteId: miniSite.id, event: { deviceId: 'gate-staff', floorId: 'g', zoneId: 'hall', family: 'gate', type: 'forced_open' } });
    const alarm = await eventually(async () => (await list<{ id: string; status: string }>(ADMIN, '/api/v1/alarms?type=door_forced'))[0] ?? (await list<{ id: string; status: string }>(ADMIN, '/api/v1/alarms'))[0], 10_000, 'the alarm');
    expect((await call(keys.ops!, 'POST', `/api/v1/alarms/${alarm.id}/clear`, { note: 'false alarm, door sensor knocked' })).status).toBe(200);
    const found = async (query: string) => (await list<{ id: string }>(keys.ops!, `/api/v1/alarms?status=cleared&${query}`)).map((a) => a.id);
    expect(await found('q=sensor%20knocked')).toEqual([alarm.id]);
    expect(await found('staff=ops')).toEqual([alarm.id]);
    expect(await found('staff=sup-1')).toEqual([]);
    // The alarm's detail finds the order it raised (cancelled now: its alarm was cleared by hand).
    const orders = await list<Order>(keys.ops!, `/api/v1/work-orders?alarmId=${alarm.id}`);
    expect(orders.map((o) => [o.type, o.alarmIds])).toEqual([['security_breach', [alarm.id]]]);
  });
});
