import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quotaRefusal } from '../../src/merchants/webhook-store.ts';
import { openHarness, storeShopForecast, until, type FcHarness } from '../support/forecast-fixtures.ts';
import { receiver, type Receiver } from './receivers.ts';
import { LOOPBACK_RECEIVERS, webhookSetting } from './webhook-setting.ts';

// One merchant's slow receivers must not delay another merchant's alert: before per-merchant
// limits, 40 hanging receivers of one merchant held back another's delivery until they timed
// out (21 s at the default 10 s timeout in this same set-up; about 65 s in the run).

const NOW = Date.UTC(2025, 2, 16, 22);
const SECRET = 'a-secret-of-sixteen-chars';
const input = (url: string) => ({ threshold: { kind: 'visitors' as const, perHour: 200 }, leadTimesH: [72], quietHours: null, webhook: { url, secret: SECRET }, enabled: true });
const PEAKS = { coffee: { base: 100, peaks: { 28: 320 } }, tea: { base: 100, peaks: { 28: 320 } } };

describe("one merchant's slow receivers and another merchant's alert", () => {
  const TIMEOUT_MS = 1000;
  const PER_MERCHANT = 4;
  let h: FcHarness;
  const slow: Receiver[] = [];
  /** Brew Co's requests held open right now, across all its receivers, and the most at once */
  const brew = { open: 0, max: 0 };
  let fast: Receiver;
  let fastAt = 0;
  beforeAll(async () => {
    h = await openHarness({ webhooks: { ...webhookSetting(LOOPBACK_RECEIVERS), limits: { perMerchant: PER_MERCHANT, concurrency: 32 } }, retry: { timeoutMs: TIMEOUT_MS, maxAttempts: 1 } });
    // 40 receivers of Brew Co that never answer: each attempt lasts until the timeout.
    for (let i = 0; i < 40; i++) {
      slow.push(
        await receiver('127.0.0.1', (_q, res) => {
          brew.max = Math.max(brew.max, ++brew.open);
          res.on('close', () => brew.open--);
        }),
      );
    }
    fast = await receiver('127.0.0.1', (_q, res) => {
      fastAt = performance.now();
      res.end('ok');
    });
    // Brew Co's subscriptions first, so their deliveries are queued ahead of Tea House's.
    for (const r of slow) await h.forecasting.subscriptions.create({ shopId: 'coffee', merchantId: 'brewco', input: input(`${r.origin}/hook`), now: NOW });
    await h.forecasting.subscriptions.create({ shopId: 'tea', merchantId: 'teahouse', input: input(`${fast.origin}/hook`), now: NOW });
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([...slow, fast].map((r) => r?.close()));
  });

  it("delivers merchant B's alert at once while merchant A's 40 receivers hang, and A holds at most its own slots", async () => {
    await storeShopForecast(h.forecasting, NOW, PEAKS);
    await h.forecasting.alerts.run(NOW);
    const queued = await h.forecasting.webhooks.listForShop('coffee', 100);
    const [teaDelivery] = await h.forecasting.webhooks.listForShop('tea', 10);
    expect(queued).toHaveLength(40);
    expect(queued.every((d) => d.id < teaDelivery!.id)).toBe(true);

    const t0 = performance.now();
    h.forecasting.dispatcher.start();
    await until(async () => fastAt > 0);
    const bDelay = fastAt - t0;
    const done = await until(async () => {
      const ds = await h.forecasting.webhooks.listForShop('coffee', 100);
      return ds.every((d) => d.status === 'failed') ? ds : null;
    }, 60_000);
    const aTotal = performance.now() - t0;
    console.info(`merchant B delivered after ${Math.round(bDelay)} ms; merchant A's 40 hanging receivers took ${Math.round(aTotal)} ms`);

    // A's attempts ran PER_MERCHANT at a time, each to its timeout: about ten rounds of a second.
    expect(brew.max).toBe(PER_MERCHANT);
    expect(slow.every((r) => r.seen.length === 1)).toBe(true);
    expect(done.every((d) => d.lastError === `timed out after ${TIMEOUT_MS / 1000} s`)).toBe(true);
    expect(aTotal).toBeGreaterThanOrEqual((40 / PER_MERCHANT) * TIMEOUT_MS * 0.9);
    // B waited for none of them.
    expect((await h.forecasting.webhooks.listForShop('tea', 10))[0]).toMatchObject({ status: 'delivered' });
    expect(bDelay).toBeLessThan(TIMEOUT_MS);
    expect(bDelay * 10).toBeLessThan(aTotal);
  });
});

describe('per-merchant quota and shutdown', () => {
  let h: FcHarness;
  let hangs: Receiver;
  beforeAll(async () => {
    hangs = await receiver('127.0.0.1', () => undefined);
    h = await openHarness({ webhooks: { ...webhookSetting(LOOPBACK_RECEIVERS), maxPendingPerMerchant: 5 }, retry: { timeoutMs: 10_000 } });
  });
  afterAll(async () => {
    await h?.close();
    await hangs?.close();
  });

  it("logs deliveries beyond a merchant's quota of waiting ones as not sent, and leaves other merchants' alone", async () => {
    const subs = [];
    for (let i = 0; i < 8; i++) subs.push(await h.forecasting.subscriptions.create({ shopId: 'coffee', merchantId: 'brewco', input: input(`${hangs.origin}/hook-${i}`), now: NOW }));
    await h.forecasting.subscriptions.create({ shopId: 'tea', merchantId: 'teahouse', input: input(`${hangs.origin}/tea`), now: NOW });
    await storeShopForecast(h.forecasting, NOW, PEAKS);
    await h.forecasting.alerts.run(NOW);
    const brewDs = await h.forecasting.webhooks.listForShop('coffee', 100);
    expect(brewDs.filter((d) => d.status === 'pending')).toHaveLength(5);
    const over = brewDs.filter((d) => d.status === 'failed');
    expect(over).toHaveLength(3);
    expect(over.every((d) => d.lastError === quotaRefusal(5) && d.attempts.length === 0 && d.nextAttemptAt === null)).toBe(true);
    expect((await h.forecasting.webhooks.listForShop('tea', 10)).map((d) => d.status)).toEqual(['pending']);
  });

  it('stops without waiting for a receiver that hangs; the cut attempt is due again at once', async () => {
    h.forecasting.dispatcher.start();
    await until(async () => hangs.seen.length >= 5);
    const t0 = performance.now();
    await h.forecasting.dispatcher.stop();
    expect(performance.now() - t0).toBeLessThan(5_000); // the receivers would hold it for the 10 s timeout
    const cut = (await h.forecasting.webhooks.listForShop('coffee', 100)).filter((d) => d.attempts.length > 0);
    expect(cut.length).toBeGreaterThan(0);
    for (const d of cut) {
      expect(d).toMatchObject({ status: 'pending', lastError: 'interrupted: the cloud stopped during the attempt', attempts: [{ outcome: 'retry', statusCode: null }] });
      expect(d.nextAttemptAt).toBeLessThanOrEqual(Date.now());
    }
  });
});
