import { describe, expect, it } from 'vitest';
import type { SqlClient } from '../../src/db/sql-client.ts';
import { createAlertStore } from '../../src/merchants/alert-store.ts';
import type { PlannedAction } from '../../src/merchants/planner.ts';
import type { PeakSnapshot, Subscription, SubscriptionInput } from '@atrium/shared';
import { createSubscriptionStore } from '../../src/merchants/subscription-store.ts';
import { createWebhookStore } from '../../src/merchants/webhook-store.ts';
import type { StoreDbFixture } from './fixture.ts';

const H = 3_600_000;
/** Monday 2025-03-17 09:00 in Melbourne. */
const NOW = Date.UTC(2025, 2, 16, 22);
const SITE = 'fc-mall';
const BREW_SECRET = 'brewco-webhook-secret-0123456789';
const TEA_SECRET = 'teahouse-secret-abcdefghijklmnop';

const input = (over: Partial<SubscriptionInput> = {}): SubscriptionInput => ({
  threshold: { kind: 'visitors', perHour: 200 },
  leadTimesH: [72, 24],
  quietHours: null,
  webhook: { url: 'https://brew.example/hooks/atrium', secret: BREW_SECRET },
  enabled: true,
  ...over,
});

/** A peak whose busiest hour is `hoursAhead` after NOW. */
const peak = (hoursAhead: number, expected = 320): PeakSnapshot => {
  const at = NOW + hoursAhead * H;
  return { from: at - H, to: at + 2 * H, at, expected, lo80: expected * 0.8, hi80: expected * 1.25, lo95: expected * 0.65, hi95: expected * 1.5, usual: 100, threshold: 200 };
};
const create = (peakId: string, hoursAhead: number, leadH = 72): PlannedAction => ({ kind: 'create', peakId, leadH, peak: peak(hoursAhead) });
const update = (alertId: number, hoursAhead: number, status: 'active' | 'cancelled' = 'active'): PlannedAction => ({
  kind: 'update', alertId, status, peak: peak(hoursAhead, status === 'cancelled' ? 150 : 430), why: 'moved',
});

function stores(db: SqlClient, siteId = SITE) {
  const subscriptions = createSubscriptionStore(db, siteId);
  const alerts = createAlertStore(db, siteId);
  const webhooks = createWebhookStore(db, siteId);
  const apply = (subscription: Subscription, actions: PlannedAction[], now = NOW) =>
    alerts.apply({ subscription, actions, shopName: subscription.shopId === 'tea' ? 'Tea House' : 'Brew Co Hall', timezone: 'Australia/Melbourne', forecastMadeAt: now - 60_000, now });
  const brew = () => subscriptions.create({ shopId: 'coffee', merchantId: 'brewco', input: input(), now: NOW });
  const tea = () => subscriptions.create({ shopId: 'tea', merchantId: 'teahouse', input: input({ webhook: { url: 'https://tea.example/hook', secret: TEA_SECRET } }), now: NOW });
  return { subscriptions, alerts, webhooks, apply, brew, tea };
}

const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as Error & { code?: string });

/** Merchant subscriptions, alerts and webhook deliveries (merchants/*-store.ts) as the alert service, the dispatcher and the API rely on them. */
export function merchantStoresContract(name: string, fixture: StoreDbFixture) {
  const open = async () => stores((await fixture.fresh()).db);

  describe(`merchant subscription store contract: ${name}`, () => {
    it('keeps a webhook secret write-only: never in what the store returns, there to sign its own deliveries', async () => {
      const s = await open();
      const brew = await s.brew();
      const tea = await s.tea();
      expect(brew).toMatchObject({ shopId: 'coffee', merchantId: 'brewco', webhook: { url: 'https://brew.example/hooks/atrium', hasSecret: true }, leadTimesH: [72, 24], createdAt: NOW });
      const shown = [brew, await s.subscriptions.get({ id: brew.id, shopId: 'coffee' }), await s.subscriptions.listForShop('coffee'), await s.subscriptions.listEnabled()];
      expect(JSON.stringify(shown)).not.toContain(BREW_SECRET);
      expect(JSON.stringify(shown)).not.toContain(TEA_SECRET);
      expect(await s.subscriptions.secretOf(brew.id)).toBe(BREW_SECRET);
      expect(await s.subscriptions.secretOf(tea.id)).toBe(TEA_SECRET);
      expect(await s.subscriptions.secretOf(9999)).toBeNull();
    });

    it('on update keeps the secret when none is given, takes a new one, and forgets it with the webhook', async () => {
      const s = await open();
      const brew = await s.brew();
      const hook2 = { url: 'https://brew.example/hook2' };
      expect(await s.subscriptions.update({ id: brew.id, shopId: 'coffee', input: input({ webhook: hook2 }), now: NOW + 1 })).toMatchObject({ webhook: { ...hook2, hasSecret: true }, updatedAt: NOW + 1, createdAt: NOW });
      expect(await s.subscriptions.secretOf(brew.id)).toBe(BREW_SECRET);
      await s.subscriptions.update({ id: brew.id, shopId: 'coffee', input: input({ webhook: { ...hook2, secret: 'a-brand-new-secret-value' } }), now: NOW + 2 });
      expect(await s.subscriptions.secretOf(brew.id)).toBe('a-brand-new-secret-value');
      expect((await s.subscriptions.update({ id: brew.id, shopId: 'coffee', input: input({ webhook: null }), now: NOW + 3 }))?.webhook).toBeNull();
      expect(await s.subscriptions.secretOf(brew.id)).toBeNull();
      // Without a stored secret, a webhook must bring one.
      expect(await failure(s.subscriptions.update({ id: brew.id, shopId: 'coffee', input: input({ webhook: hook2 }), now: NOW + 4 }))).toMatchObject({ code: 'ATRIUM_INVALID_REQUEST' });
      expect(await failure(s.subscriptions.create({ shopId: 'tea', merchantId: 'teahouse', input: input({ webhook: hook2 }), now: NOW }))).toMatchObject({ code: 'ATRIUM_INVALID_REQUEST' });
      expect(await s.subscriptions.listForShop('tea')).toEqual([]);
    });

    it("reaches a subscription only through its own shop: another merchant's shop finds, changes and removes nothing", async () => {
      const s = await open();
      const brew = await s.brew();
      await s.tea();
      expect(await s.subscriptions.get({ id: brew.id, shopId: 'tea' })).toBeNull();
      expect(await s.subscriptions.update({ id: brew.id, shopId: 'tea', input: input({ enabled: false, webhook: null }), now: NOW + 1 })).toBeNull();
      expect(await s.subscriptions.remove({ id: brew.id, shopId: 'tea' })).toBe(false);
      expect(await s.subscriptions.get({ id: brew.id, shopId: 'coffee' })).toEqual(brew);
      expect((await s.subscriptions.listForShop('tea')).map((x) => x.merchantId)).toEqual(['teahouse']);
      expect(await s.subscriptions.remove({ id: brew.id, shopId: 'coffee' })).toBe(true);
      expect(await s.subscriptions.get({ id: brew.id, shopId: 'coffee' })).toBeNull();
    });

    it('lists only enabled subscriptions, in the order they were made; another site sees none of them', async () => {
      const { db } = await fixture.fresh();
      const s = stores(db);
      const brew = await s.brew();
      const tea = await s.tea();
      await s.subscriptions.update({ id: brew.id, shopId: 'coffee', input: input({ enabled: false }), now: NOW + 1 });
      const third = await s.subscriptions.create({ shopId: 'coffee-2', merchantId: 'brewco', input: input({ webhook: null }), now: NOW });
      expect((await s.subscriptions.listEnabled()).map((x) => x.id)).toEqual([tea.id, third.id]);
      const elsewhere = stores(db, 'other-mall');
      expect(await elsewhere.subscriptions.listEnabled()).toEqual([]);
      expect(await elsewhere.subscriptions.get({ id: tea.id, shopId: 'tea' })).toBeNull();
      expect(await elsewhere.subscriptions.secretOf(tea.id)).toBeNull();
    });
  });

  describe(`merchant alert store contract: ${name}`, () => {
    it('records a new alert as version 1 with its webhook delivery queued, and matches it to its peak later', async () => {
      const s = await open();
      const brew = await s.brew();
      const [e] = await s.apply(brew, [create('p1', 28)]);
      expect(e).toMatchObject({ event: 'alert.created', alert: { version: 1, status: 'active', subscriptionId: brew.id, merchantId: 'brewco', shopId: 'coffee', leadTimeH: 72, createdAt: NOW } });
      expect(await s.alerts.listForShop('coffee', { limit: 10 })).toEqual([e!.alert]);
      expect(await s.alerts.sentFor(brew.id, NOW)).toEqual([{ id: e!.alert.id, peakId: 'p1', leadH: 72, version: 1, status: 'active', peak: peak(28) }]);
      const [d] = await s.webhooks.listForShop('coffee', 10);
      expect(d).toMatchObject({ alertId: e!.alert.id, alertVersion: 1, event: 'alert.created', status: 'pending', attempts: [], nextAttemptAt: NOW, idempotencyKey: `atrium-alert-${e!.alert.id}-v1` });
      expect(JSON.parse((await s.webhooks.claimDue(NOW, NOW + 60_000, 10))[0]!.body)).toEqual(e);
    });

    it('updates and cancels the same alert: same id, a new version each time, and an unsent older delivery superseded', async () => {
      const s = await open();
      const brew = await s.brew();
      const [created] = await s.apply(brew, [create('p1', 28)]);
      const id = created!.alert.id;
      const [updated] = await s.apply(brew, [update(id, 27)], NOW + H);
      expect(updated).toMatchObject({ event: 'alert.updated', alert: { id, version: 2, createdAt: NOW, updatedAt: NOW + H, expected: { visitorsPerHour: 430 } } });
      const [cancelled] = await s.apply(brew, [update(id, 27, 'cancelled')], NOW + 2 * H);
      expect(cancelled).toMatchObject({ event: 'alert.cancelled', alert: { id, version: 3, status: 'cancelled' } });
      expect((await s.alerts.listForShop('coffee', { limit: 10 })).map((a) => [a.id, a.version, a.status])).toEqual([[id, 3, 'cancelled']]);
      expect((await s.alerts.sentFor(brew.id, NOW)).map((a) => [a.version, a.status])).toEqual([[3, 'cancelled']]);
      const deliveries = await s.webhooks.listForShop('coffee', 10);
      expect(deliveries.map((d) => [d.alertVersion, d.event, d.status])).toEqual([[3, 'alert.cancelled', 'pending'], [2, 'alert.updated', 'superseded'], [1, 'alert.created', 'superseded']]);
      expect(await s.webhooks.nextDueAt()).toBe(NOW + 2 * H);
    });

    it('records all of a step or none of it: no alert without its delivery', async () => {
      const s = await open();
      const brew = await s.brew();
      // The second action repeats the first peak and lead time: refused, and the first goes with it.
      expect(await failure(s.apply(brew, [create('p1', 28), create('p2', 40), create('p1', 28)]))).not.toBeNull();
      expect(await s.alerts.listForShop('coffee', { limit: 10 })).toEqual([]);
      expect(await s.webhooks.listForShop('coffee', 10)).toEqual([]);
      expect(await s.apply(brew, [create('p1', 28), create('p1', 28, 24)])).toHaveLength(2);
    });

    it('sends no delivery for a subscription without a webhook; "since" and the limit pick the newest alerts', async () => {
      const s = await open();
      const quiet = await s.subscriptions.create({ shopId: 'coffee', merchantId: 'brewco', input: input({ webhook: null }), now: NOW });
      await s.apply(quiet, [create('p1', 28)], NOW);
      await s.apply(quiet, [create('p2', 50)], NOW + H);
      await s.apply(quiet, [create('p3', 70)], NOW + 2 * H);
      expect(await s.webhooks.listForShop('coffee', 10)).toEqual([]);
      expect((await s.alerts.listForShop('coffee', { limit: 2 })).map((a) => a.peak.at)).toEqual([peak(70).at, peak(50).at]);
      expect((await s.alerts.listForMerchant('brewco', { limit: 10, since: NOW + H })).map((a) => a.updatedAt)).toEqual([NOW + 2 * H, NOW + H]);
      expect((await s.alerts.sentFor(quiet.id, NOW + 40 * H)).map((a) => a.peakId)).toEqual(['p2', 'p3']);
    });

    it("never shows one merchant's alerts or deliveries to another, nor one site's to another", async () => {
      const { db } = await fixture.fresh();
      const s = stores(db);
      const brew = await s.brew();
      const tea = await s.tea();
      await s.apply(brew, [create('p1', 28)]);
      await s.apply(tea, [create('p1', 28)]);
      expect((await s.alerts.listForMerchant('brewco', { limit: 10 })).map((a) => a.shopId)).toEqual(['coffee']);
      expect((await s.alerts.listForMerchant('teahouse', { limit: 10 })).map((a) => a.shopId)).toEqual(['tea']);
      expect(await s.alerts.sentFor(tea.id, 0)).toHaveLength(1);
      const [brewDelivery] = await s.webhooks.listForShop('coffee', 10);
      expect((await s.webhooks.listForShop('tea', 10)).map((d) => d.subscriptionId)).toEqual([tea.id]);
      expect(await s.webhooks.get({ id: brewDelivery!.id, shopId: 'tea' })).toBeNull();
      expect(await s.webhooks.get({ id: brewDelivery!.id, shopId: 'coffee' })).toEqual(brewDelivery);

      const elsewhere = stores(db, 'other-mall');
      expect(await elsewhere.alerts.listForMerchant('brewco', { limit: 10 })).toEqual([]);
      expect(await elsewhere.alerts.sentFor(brew.id, 0)).toEqual([]);
      expect(await elsewhere.webhooks.claimDue(NOW, NOW + 60_000, 10)).toEqual([]);
      expect(await elsewhere.webhooks.nextDueAt()).toBeNull();
    });

    it('removing a subscription removes its alerts', async () => {
      const s = await open();
      const brew = await s.brew();
      await s.apply(brew, [create('p1', 28)]);
      await s.subscriptions.remove({ id: brew.id, shopId: 'coffee' });
      expect(await s.alerts.listForShop('coffee', { limit: 10 })).toEqual([]);
      expect(await s.alerts.sentFor(brew.id, 0)).toEqual([]);
    });
  });

  describe(`webhook delivery store contract: ${name}`, () => {
    const attempt = (n: number, at: number, outcome: 'retry' | 'delivered' | 'rejected' | 'gave_up', statusCode: number | null) => ({
      attempt: n, at, durationMs: 12.6, statusCode, outcome, error: outcome === 'delivered' ? null : statusCode === null ? 'fetch failed' : `HTTP ${statusCode}`,
    });

    it("keeps a delivery's attempts in order, as the merchant reads them back, and finishes it when delivered", async () => {
      const s = await open();
      await s.apply(await s.brew(), [create('p1', 28)]);
      const [due] = await s.webhooks.claimDue(NOW, NOW + 60_000, 10);
      expect(due).toMatchObject({ attempts: 0, event: 'alert.created' });
      await s.webhooks.recordAttempt(due!.id, attempt(1, NOW, 'retry', 503), { status: 'pending', nextAttemptAt: NOW + 1_000, lastError: 'HTTP 503' });
      expect(await s.webhooks.claimDue(NOW + 999, NOW + 60_000, 10)).toEqual([]);
      const [again] = await s.webhooks.claimDue(NOW + 1_000, NOW + 60_000, 10);
      expect(again).toMatchObject({ id: due!.id, attempts: 1, idempotencyKey: due!.idempotencyKey });
      await s.webhooks.recordAttempt(due!.id, attempt(2, NOW + 1_000, 'retry', 429), { status: 'pending', nextAttemptAt: NOW + 3_000, lastError: 'HTTP 429' });
      expect(await s.webhooks.nextDueAt()).toBe(NOW + 3_000);
      await s.webhooks.claimDue(NOW + 3_000, NOW + 60_000, 10);
      await s.webhooks.recordAttempt(due!.id, attempt(3, NOW + 3_000, 'delivered', 200), { status: 'delivered', nextAttemptAt: null, lastError: null });
      const d = await s.webhooks.get({ id: due!.id, shopId: 'coffee' });
      expect(d?.attempts.map((a) => [a.attempt, a.at, a.outcome, a.statusCode, a.error])).toEqual([
        [1, NOW, 'retry', 503, 'HTTP 503'], [2, NOW + 1_000, 'retry', 429, 'HTTP 429'], [3, NOW + 3_000, 'delivered', 200, null],
      ]);
      expect(d).toMatchObject({ status: 'delivered', nextAttemptAt: null, lastError: null, updatedAt: NOW + 3_000 });
      expect(d?.attempts[0]?.durationMs).toBe(13);
      expect(await s.webhooks.nextDueAt()).toBeNull();
      expect(await s.webhooks.claimDue(NOW + H, NOW + 2 * H, 10)).toEqual([]);
    });

    it('records an attempt once when its write is repeated', async () => {
      const s = await open();
      await s.apply(await s.brew(), [create('p1', 28)]);
      const [due] = await s.webhooks.claimDue(NOW, NOW + 60_000, 10);
      for (let i = 0; i < 2; i++) await s.webhooks.recordAttempt(due!.id, attempt(1, NOW, 'retry', null), { status: 'pending', nextAttemptAt: NOW + 1_000, lastError: 'fetch failed' });
      expect((await s.webhooks.get({ id: due!.id, shopId: 'coffee' }))?.attempts).toHaveLength(1);
    });

    it('leases what it hands out: claimed again only once the lease has run out, oldest first', async () => {
      const s = await open();
      await s.apply(await s.brew(), [create('p1', 28), create('p2', 50)]);
      const [older, newer] = (await s.webhooks.listForShop('coffee', 10)).map((d) => d.id).sort((x, y) => x - y);
      expect((await s.webhooks.claimDue(NOW, NOW + 30_000, 1)).map((d) => d.id)).toEqual([older]);
      expect((await s.webhooks.claimDue(NOW + 1, NOW + 30_000, 10)).map((d) => d.id)).toEqual([newer]);
      expect(await s.webhooks.claimDue(NOW + 29_999, NOW + 60_000, 10)).toEqual([]);
      expect((await s.webhooks.claimDue(NOW + 30_000, NOW + 90_000, 10)).map((d) => d.id)).toEqual([older, newer]);
    });

    it('hands each due delivery to only one of two dispatchers claiming at the same moment', async () => {
      const { db, other } = await fixture.fresh();
      const a = stores(db);
      const sub = await a.brew();
      await a.apply(sub, Array.from({ length: 20 }, (_, i) => create(`p${i}`, 10 + 3 * i)));
      const [x, y] = await Promise.all([a.webhooks.claimDue(NOW, NOW + 60_000, 15), stores(other).webhooks.claimDue(NOW, NOW + 60_000, 15)]);
      const ids = [...x!, ...y!].map((d) => d.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(20);
    });

    it('leaves a delivery superseded while its attempt was in flight superseded', async () => {
      const s = await open();
      const brew = await s.brew();
      const [e] = await s.apply(brew, [create('p1', 28)]);
      const [inFlight] = await s.webhooks.claimDue(NOW, NOW + 60_000, 10);
      await s.apply(brew, [update(e!.alert.id, 27)], NOW + 10);
      await s.webhooks.recordAttempt(inFlight!.id, attempt(1, NOW + 20, 'retry', 503), { status: 'pending', nextAttemptAt: NOW + 1_000, lastError: 'HTTP 503' });
      expect(await s.webhooks.get({ id: inFlight!.id, shopId: 'coffee' })).toMatchObject({ status: 'superseded', nextAttemptAt: null, attempts: [{ outcome: 'retry' }] });
      expect((await s.webhooks.claimDue(NOW + H, NOW + 2 * H, 10)).map((d) => d.idempotencyKey)).toEqual([`atrium-alert-${e!.alert.id}-v2`]);
    });

    it('keeps a pending delivery and its attempts across a restart, to be sent with the same idempotency key', async () => {
      const { db, reopen } = await fixture.durable();
      const before = stores(db);
      await before.apply(await before.brew(), [create('p1', 28)]);
      const [due] = await before.webhooks.claimDue(NOW, NOW + 60_000, 10);
      await before.webhooks.recordAttempt(due!.id, attempt(1, NOW, 'retry', 503), { status: 'pending', nextAttemptAt: NOW + 1_000, lastError: 'HTTP 503' });
      await db.close();

      const restarted = await reopen();
      try {
        const after = stores(restarted);
        expect(await after.webhooks.nextDueAt()).toBe(NOW + 1_000);
        const [again] = await after.webhooks.claimDue(NOW + 1_000, NOW + 60_000, 10);
        expect(again).toMatchObject({ id: due!.id, attempts: 1, idempotencyKey: due!.idempotencyKey, body: due!.body });
        expect(await after.subscriptions.secretOf(again!.subscriptionId)).toBe(BREW_SECRET);
      } finally {
        await restarted.close();
      }
    });
  });
}
