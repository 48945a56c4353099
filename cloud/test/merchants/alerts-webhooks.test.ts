import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEvent } from '@atrium/shared';
import { H, openHarness, storeShopForecast, until, type FcHarness } from '../support/forecast-fixtures.ts';
import { LOOPBACK_RECEIVERS, webhookSetting } from './webhook-setting.ts';

// Monday 2025-03-17 09:00 in Melbourne; hour 28 after it is Tuesday 13:00.
const NOW = Date.UTC(2025, 2, 16, 22);
const SECRET = 'brewco-webhook-secret-0123456789';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A merchant's endpoint: answers each request with the next scripted status (then 200). */
async function receiver(script: { status: number; headers?: Record<string, string> }[] = []) {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      const next = script.shift() ?? { status: 200 };
      res.writeHead(next.status, next.headers ?? {});
      res.end(next.status === 200 ? 'ok' : 'not now');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    got,
    script,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/atrium`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** What a merchant's server does: recompute HMAC-SHA256 over "<timestamp>.<raw body>" and compare in constant time. */
function merchantVerifies(r: Received, secret: string): boolean {
  const ts = r.headers['x-atrium-timestamp'];
  const sig = r.headers['x-atrium-signature'];
  if (typeof ts !== 'string' || typeof sig !== 'string' || !sig.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', secret).update(`${ts}.${r.body}`).digest();
  const given = Buffer.from(sig.slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const subscribe = (h: FcHarness, shopId: string, url: string, extra: Partial<{ leadTimesH: number[] }> = {}) =>
  h.forecasting.subscriptions.create({
    shopId,
    merchantId: shopId.startsWith('coffee') ? 'brewco' : 'teahouse',
    input: { threshold: { kind: 'visitors', perHour: 200 }, leadTimesH: extra.leadTimesH ?? [72, 24, 2], quietHours: null, webhook: { url, secret: SECRET }, enabled: true },
    now: NOW,
  });

describe('merchant peak alerts: in-app hook and signed, retried webhooks', () => {
  let h: FcHarness;
  let hook: Awaited<ReturnType<typeof receiver>>;
  const heard: AlertEvent[] = [];
  beforeAll(async () => {
    h = await openHarness({ retry: { maxAttempts: 4 }, webhooks: webhookSetting(LOOPBACK_RECEIVERS) });
    h.forecasting.onAlert((e) => heard.push(e));
    hook = await receiver([{ status: 503 }, { status: 429, headers: { 'retry-after': '1' } }]);
  });
  afterAll(async () => {
    await h?.close();
    await hook?.close();
  });

  it('alerts once per peak, retries the webhook through 503 and 429 (honouring Retry-After) and logs every attempt', async () => {
    const sub = await subscribe(h, 'coffee', hook.url);
    await storeShopForecast(h.forecasting, NOW, { coffee: { base: 100, peaks: { 28: 320, 29: 260 } }, tea: { base: 100 } });
    const first = await h.forecasting.alerts.run(NOW);
    expect(first.events.map((e) => e.event)).toEqual(['alert.created']);
    expect(heard).toHaveLength(1);
    expect(AlertEvent.parse(heard[0])).toMatchObject({ alert: { shopId: 'coffee', merchantId: 'brewco', leadTimeH: 72, version: 1, when: { busiest: 'Tue 2025-03-18 13:00' } } });
    // The same forecast an hour later: nothing new (one alert per peak and lead time).
    expect((await h.forecasting.alerts.run(NOW + 60_000)).events).toEqual([]);

    h.forecasting.dispatcher.start();
    const delivery = await until(async () => (await h.forecasting.webhooks.listForShop('coffee', 10)).find((d) => d.status === 'delivered'));
    expect(hook.got).toHaveLength(3);
    for (const r of hook.got) {
      expect(merchantVerifies(r, SECRET)).toBe(true);
      expect(merchantVerifies(r, 'some-other-merchants-secret!!')).toBe(false);
      expect(r.headers['idempotency-key']).toBe(`atrium-alert-${first.events[0]!.alert.id}-v1`);
      expect(r.headers['x-atrium-event']).toBe('alert.created');
      expect(AlertEvent.parse(JSON.parse(r.body)).alert.subscriptionId).toBe(sub.id);
    }
    // A body altered in transit no longer verifies.
    expect(merchantVerifies({ ...hook.got[2]!, body: hook.got[2]!.body.replace('"version":1', '"version":2') }, SECRET)).toBe(false);
    expect(delivery.attempts.map((a) => [a.outcome, a.statusCode])).toEqual([['retry', 503], ['retry', 429], ['delivered', 200]]);
    expect(delivery.attempts.every((a) => a.durationMs >= 0)).toBe(true);
    expect(delivery.attempts.map((a) => a.error)).toEqual(['answered 503', 'answered 429', null]);
    // Retry-After: 1 was honoured: the third attempt was at least a second after the second.
    expect(delivery.attempts[2]!.at - delivery.attempts[1]!.at).toBeGreaterThanOrEqual(1000);
  });

  it('updates the same alert when the forecast moves materially: a new version, a new idempotency key, delivered once', async () => {
    await storeShopForecast(h.forecasting, NOW + H, { coffee: { base: 100, peaks: { 27: 430, 28: 260 } } });
    const run = await h.forecasting.alerts.run(NOW + H);
    expect(run.events.map((e) => [e.event, e.alert.version])).toEqual([['alert.updated', 2]]);
    const id = run.events[0]!.alert.id;
    expect(run.events[0]!.alert.expected.visitorsPerHour).toBe(430);
    await until(async () => (await h.forecasting.webhooks.listForShop('coffee', 10)).find((d) => d.alertVersion === 2 && d.status === 'delivered'));
    expect(hook.got.at(-1)!.headers['idempotency-key']).toBe(`atrium-alert-${id}-v2`);
    expect(hook.got.at(-1)!.headers['x-atrium-event']).toBe('alert.updated');
    const alerts = await h.forecasting.alertStore.listForShop('coffee', { limit: 10 });
    expect(alerts.map((a) => [a.id, a.version])).toEqual([[id, 2]]);
  });

  it('gives up after the configured attempts on a dead endpoint, and does not retry a 4xx refusal', async () => {
    // Nothing listens on the closed receiver's port: connection refused, every time.
    const dead = await receiver();
    const deadUrl = dead.url;
    await dead.close();
    const refuses = await receiver([{ status: 400 }]);
    await subscribe(h, 'tea', deadUrl);
    await subscribe(h, 'coffee-2', refuses.url);
    await storeShopForecast(h.forecasting, NOW + 2 * H, { tea: { base: 100, peaks: { 26: 300 } }, 'coffee-2': { base: 100, peaks: { 26: 300 } } });
    await h.forecasting.alerts.run(NOW + 2 * H);
    const gaveUp = await until(async () => (await h.forecasting.webhooks.listForShop('tea', 10)).find((d) => d.status === 'failed'));
    expect(gaveUp.attempts.map((a) => a.outcome)).toEqual(['retry', 'retry', 'retry', 'gave_up']);
    expect(gaveUp.attempts[0]!.statusCode).toBeNull();
    // An outcome, not the socket error (no ECONNREFUSED, no address and port).
    expect(gaveUp.attempts.map((a) => a.error)).toEqual(Array(4).fill('could not connect'));
    const refused = await until(async () => (await h.forecasting.webhooks.listForShop('coffee-2', 10)).find((d) => d.status === 'failed'));
    expect(refused.attempts.map((a) => [a.outcome, a.statusCode, a.error])).toEqual([['rejected', 400, 'answered 400']]);
    await refuses.close();
  });
});

describe('webhook retries survive a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-webhooks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a delivery that failed before the restart is sent after it, with the same idempotency key', async () => {
    const hook = await receiver([{ status: 503 }]);
    const before = await openHarness({ dataDir: dir, webhooks: webhookSetting(LOOPBACK_RECEIVERS) });
    await subscribe(before, 'coffee', hook.url);
    await storeShopForecast(before.forecasting, NOW, { coffee: { base: 100, peaks: { 28: 320 } } });
    await before.forecasting.alerts.run(NOW);
    expect(await before.forecasting.dispatcher.runDue()).toBe(1);
    expect((await before.forecasting.webhooks.listForShop('coffee', 10))[0]).toMatchObject({ status: 'pending', lastError: 'answered 503' });
    await before.close();

    const after = await openHarness({ dataDir: dir, webhooks: webhookSetting(LOOPBACK_RECEIVERS) });
    after.forecasting.dispatcher.start();
    const d = await until(async () => (await after.forecasting.webhooks.listForShop('coffee', 10)).find((x) => x.status === 'delivered'));
    expect(d.attempts.map((a) => a.outcome)).toEqual(['retry', 'delivered']);
    expect(hook.got).toHaveLength(2);
    expect(hook.got[0]!.headers['idempotency-key']).toBe(hook.got[1]!.headers['idempotency-key']);
    await after.close();
    await hook.close();
  });
});
