import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cloud } from '../src/index.ts';
import { apiClient, forcedDoorOrder, seedPeople } from './support/api-client.ts';
import { startTestCloud } from './support/test-cloud.ts';

/**
 * Photos staff take on a job: the assignee uploads the image as it is, the control room lists
 * them and gets the same bytes back; a file that only claims to be an image, one too large, an
 * eleventh photo and another member of staff are refused. A real cloud on the embedded store:
 * a forced staff door gives guard-1 a security order.
 */
const SECRET = 'gateway-secret-for-photo-tests-1';
const ADMIN = 'atr_admin-key-for-the-photos-test-0001';
/** A real 1x1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const JPEG_START = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);

interface Order { id: string; status: string }
interface PhotoRecord { id: number; orderId: string; takenBy: string; at: number; type: string; size: number }

describe('photos on a work order', () => {
  let cloud: Cloud;
  let base: string;
  let keys: Record<string, string> = {};
  let order: Order;

  const call = apiClient(() => base);
  const upload = async (key: string, bytes: Buffer, type: string) => {
    const res = await fetch(`${base}/api/v1/work-orders/${order.id}/photos`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': type }, body: new Uint8Array(bytes) });
    return { status: res.status, body: (await res.json()) as PhotoRecord & { code?: string; message?: string } };
  };
  const list = async (key: string) => {
    const res = await fetch(`${base}/api/v1/work-orders/${order.id}/photos`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as PhotoRecord[] };
  };

  beforeAll(async () => {
    let mqttUrl: string;
    ({ cloud, base, mqttUrl } = await startTestCloud({ ATRIUM_GATEWAY_SECRET: SECRET, ATRIUM_ADMIN_KEY: ADMIN, ATRIUM_DISPATCH_TICK_MS: '100' }));
    keys = await seedPeople(call, ADMIN, {
      zoneId: 'hall',
      staff: [['guard-1', ['security']], ['cleaner-1', ['cleaner']]],
      users: [
        { userId: 'guard-1', role: 'staff', staffId: 'guard-1' },
        { userId: 'cleaner-1', role: 'staff', staffId: 'cleaner-1' },
        { userId: 'ops', role: 'operator' },
      ],
    });
    order = await forcedDoorOrder(call, ADMIN, { mqttUrl, gatewaySecret: SECRET });
  }, 60_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  it('the assignee adds a photo once the job is accepted, and everyone who may read the order gets the same bytes back', async () => {
    const early = await upload(keys['guard-1']!, PNG, 'image/png');
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'ATRIUM_PHOTO_NOT_NOW', message: expect.stringContaining('is assigned') });

    expect((await call(keys['guard-1']!, 'POST', `/api/v1/work-orders/${order.id}/accept`, {})).status).toBe(200);
    const added = await upload(keys['guard-1']!, PNG, 'image/png');
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ orderId: order.id, takenBy: 'guard-1', type: 'image/png', size: PNG.length });
    expect(added.body.at).toBeGreaterThan(0);

    for (const reader of ['guard-1', 'ops']) {
      const listed = await list(keys[reader]!);
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual([added.body]);
    }
    const image = await fetch(`${base}/api/v1/photos/${added.body.id}`, { headers: { authorization: `Bearer ${keys['ops']!}` } });
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('x-content-type-options')).toBe('nosniff');
    expect(image.headers.get('cache-control')).toMatch(/^private/);
    expect(Buffer.from(await image.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('refuses a file whose bytes are not the image type it claims, or a type that is no photo, naming the field', async () => {
    const lying = await upload(keys['guard-1']!, JPEG_START, 'image/png');
    expect(lying.status).toBe(400);
    expect(lying.body).toMatchObject({ code: 'ATRIUM_PHOTO_INVALID', message: expect.stringMatching(/^body: is not image\/png as its content-type says \(its bytes are image\/jpeg\)/) });
    const script = await upload(keys['guard-1']!, Buffer.from('<svg onload="alert(1)"/>'), 'image/jpeg');
    expect(script.status).toBe(400);
    expect(script.body.message).toMatch(/^body: .*no JPEG, PNG or WebP image/);
    const svg = await upload(keys['guard-1']!, Buffer.from('<svg/>'), 'image/svg+xml');
    expect(svg.status).toBe(415);
    expect(svg.body).toMatchObject({ code: 'ATRIUM_PHOTO_UNSUPPORTED_TYPE', message: expect.stringMatching(/^content-type: "image\/svg\+xml" is not a photo/) });
    expect((await list(keys['ops']!)).body).toHaveLength(1);
  });

  it('refuses a photo over 5 MB with 413, naming the body', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]);
    const refused = await upload(keys['guard-1']!, big, 'image/png');
    expect(refused.status).toBe(413);
    expect(refused.body).toMatchObject({ code: 'ATRIUM_PHOTO_TOO_LARGE', message: expect.stringMatching(/^body: /) });
  });

  it('another member of staff may neither add, list nor see the photos of an order that is not theirs', async () => {
    const [first] = (await list(keys['ops']!)).body;
    expect((await upload(keys['cleaner-1']!, PNG, 'image/png')).status).toBe(403);
    expect((await list(keys['cleaner-1']!)).status).toBe(403);
    const image = await fetch(`${base}/api/v1/photos/${first!.id}`, { headers: { authorization: `Bearer ${keys['cleaner-1']!}` } });
    expect(image.status).toBe(403);
    expect((await fetch(`${base}/api/v1/photos/999999`, { headers: { authorization: `Bearer ${keys['ops']!}` } })).status).toBe(404);
  });

  it('takes ten photos per order and refuses the eleventh', async () => {
    for (let n = (await list(keys['ops']!)).body.length; n < 10; n++) expect((await upload(keys['ops']!, PNG, 'image/png')).status).toBe(201);
    const eleventh = await upload(keys['guard-1']!, PNG, 'image/png');
    expect(eleventh.status).toBe(409);
    expect(eleventh.body).toMatchObject({ code: 'ATRIUM_PHOTO_LIMIT_REACHED', message: expect.stringContaining('10 photos already') });
    const listed = (await list(keys['guard-1']!)).body;
    expect(listed).toHaveLength(10);
    expect(listed.filter((p) => p.takenBy === 'ops')).toHaveLength(9);
  });
});
