import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cloud } from '../src/index.ts';
import { apiClient, forcedDoorOrder, seedPeople } from './support/api-client.ts';
import { startTestCloud } from './support/test-cloud.ts';

/**
 * The staff phone sends an action it queued offline again when it cannot know whether the
 * first try arrived. With the same Idempotency-Key the cloud applies it once and answers the
 * replay with the first result; the same key on another request is refused, naming the key.
 * A real cloud with a real uplink: a forced staff door gives guard-1 a security order.
 */
const SECRET = 'gateway-secret-for-tests-01';
const ADMIN = 'atr_admin-key-for-the-idempotency-test';

interface Order { id: string; status: string; assignee: string | null; history: Array<{ action: string; by: string; reason: string | null }> }
interface Answer { status: number; replayed: string | null; body: Record<string, unknown> & Order }

describe('work-order actions with an Idempotency-Key', () => {
  let cloud: Cloud;
  let base: string;
  let mqttUrl: string;
  let keys: Record<string, string> = {};
  let order: Order;

  const post = async (key: string, path: string, body: unknown, idempotencyKey?: string): Promise<Answer> => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(idempotencyKey !== undefined && { 'idempotency-key': idempotencyKey }) },
      body: JSON.stringify(body),
    });
    return { status: res.status, replayed: res.headers.get('idempotent-replayed'), body: (await res.json()) as Answer['body'] };
  };
  const get = async (path: string) => (await (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as unknown;
  const call = apiClient(() => base);

  beforeAll(async () => {
    ({ cloud, base, mqttUrl } = await startTestCloud({ ATRIUM_GATEWAY_SECRET: SECRET, ATRIUM_ADMIN_KEY: ADMIN, ATRIUM_DISPATCH_TICK_MS: '100' }));
    keys = await seedPeople(call, ADMIN, {
      zoneId: 'hall',
      staff: [['guard-1', ['security']]],
      users: [
        { userId: 'guard-1', role: 'staff', staffId: 'guard-1' },
        { userId: 'ops', role: 'operator' },
      ],
    });
    order = (await forcedDoorOrder(call, ADMIN, { mqttUrl, gatewaySecret: SECRET })) as unknown as Order;
  }, 60_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  it('the same key twice applies the action once and answers the replay with the first result', async () => {
    const path = `/api/v1/work-orders/${order.id}/accept`;
    const first = await post(keys['guard-1']!, path, {}, 'phone-1:accept:1');
    expect(first.status).toBe(200);
    expect(first.replayed).toBeNull();
    expect(first.body.status).toBe('accepted');

    const again = await post(keys['guard-1']!, path, {}, 'phone-1:accept:1');
    expect(again.status).toBe(200);
    expect(again.replayed).toBe('true');
    expect(again.body).toEqual(first.body);

    // without a key the same accept is a second, refused action: the replay above did not reach the engine
    expect((await post(keys['guard-1']!, path, {})).body.code).toBe('ATRIUM_WORK_ORDER_INVALID_TRANSITION');
    const stored = (await get(`/api/v1/work-orders/${order.id}`)) as Order;
    expect(stored.history.filter((h) => h.action === 'accept')).toHaveLength(1);
  });

  it('the same key with a different body is refused (409) naming the key, and nothing is applied', async () => {
    const path = `/api/v1/work-orders/${order.id}/arrive`;
    const first = await post(keys['guard-1']!, path, {}, 'phone-1:arrive:1');
    expect(first.body.status).toBe('on_site');

    const resolve = `/api/v1/work-orders/${order.id}/resolve`;
    const other = await post(keys['guard-1']!, resolve, { note: 'Door shut' }, 'phone-1:arrive:1');
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('ATRIUM_IDEMPOTENCY_KEY_REUSED');
    expect(other.body.message).toContain('"phone-1:arrive:1"');
    expect(other.body.message).toContain(`POST /api/v1/work-orders/${order.id}/arrive`);

    const note1 = await post(keys['guard-1']!, resolve, { note: 'Door shut' }, 'phone-1:resolve:1');
    expect(note1.body.status).toBe('resolved');
    const note2 = await post(keys['guard-1']!, resolve, { note: 'Door shut, checked twice' }, 'phone-1:resolve:1');
    expect(note2.status).toBe(409);
    expect(note2.body.message).toMatch(/^Idempotency-Key "phone-1:resolve:1" was already used for a different request/);

    const stored = (await get(`/api/v1/work-orders/${order.id}`)) as Order;
    expect(stored.history.map((h) => h.action)).toEqual(['created', 'assign', 'accept', 'arrive', 'resolve']);
    expect(stored.history.at(-1)).toMatchObject({ by: 'guard-1', reason: 'Door shut' });
  });

  it('a refusal is kept too: the replay of a refused action gets the same refusal, not a second try', async () => {
    const path = `/api/v1/work-orders/${order.id}/accept`;
    const refused = await post(keys['guard-1']!, path, {}, 'phone-1:accept:late');
    expect(refused.status).toBe(409);
    const replay = await post(keys['guard-1']!, path, {}, 'phone-1:accept:late');
    expect(replay).toMatchObject({ status: 409, replayed: 'true', body: refused.body });
  });

  it('keys are per user, and a key that is too long or not plain text is refused naming the header', async () => {
    // the operator using guard-1's key for its own request is a different key: no mismatch
    const ops = await post(keys.ops!, `/api/v1/work-orders/${order.id}/verify`, {}, 'phone-1:accept:1');
    expect(ops.status).toBe(200);
    expect(ops.replayed).toBeNull();
    expect(ops.body.status).toBe('verified');

    const long = await post(keys['guard-1']!, `/api/v1/work-orders/${order.id}/accept`, {}, 'k'.repeat(129));
    expect(long.status).toBe(400);
    expect(long.body.message).toMatch(/idempotency-key: .*128/);
    const spaced = await post(keys['guard-1']!, `/api/v1/work-orders/${order.id}/accept`, {}, 'two words');
    expect(spaced.status).toBe(400);
    expect(spaced.body.message).toMatch(/idempotency-key: must be visible ASCII characters/);
  });

  it('says what raised a job in words, to the guard it is for', async () => {
    const res = await fetch(`${base}/api/v1/work-orders/${order.id}/cause`, { headers: { authorization: `Bearer ${keys['guard-1']!}` } });
    expect(res.status).toBe(200);
    const cause = (await res.json()) as { alarms: Array<{ what: string; rule: string; reading: string | null; severity: string }> };
    expect(cause.alarms).toEqual([expect.objectContaining({ what: 'Security breach', severity: 'critical', reading: null, rule: expect.stringMatching(/\S/) })]);
  });
});
