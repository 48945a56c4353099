import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_EVENTS, type Principal } from '@atrium/shared';
import { hashApiKey } from '../../src/auth/api-keys.ts';
import { roomsFor } from '../../src/live/socket.ts';
import { emitMerchantAlert } from '../../src/merchants/live.ts';
import type { AlertEvent } from '@atrium/shared';
import type { ApiApp } from '../../src/http/app.ts';
import { createSqlOpsStore } from '../../src/ops/sql-ops-store.ts';
import { createUsers, type Users } from '../../src/ops/users.ts';
import { H, fcSite, forecastApp, openHarness, pattern, storeShopForecast, until, writeHourly, type FcHarness } from '../support/forecast-fixtures.ts';
import { LOOPBACK_RECEIVERS, webhookSetting } from './webhook-setting.ts';

// API keys resolve through the real operational store (ops/sql-ops-store.ts + ops/users.ts) on the same database.
const NOW = Date.UTC(2025, 2, 16, 22);

describe('merchant isolation', () => {
  let h: FcHarness;
  let users: Users;
  let app: ApiApp;
  const keys: Record<'admin' | 'brewco' | 'teahouse', string> = { admin: '', brewco: '', teahouse: '' };
  /** ids belonging to Brew Co (shop coffee) that Tea House must not reach */
  const brew = { subscription: 0, delivery: 0, alert: 0 };
  const tea = { subscription: 0, delivery: 0 };

  beforeAll(async () => {
    h = await openHarness({ webhooks: webhookSetting(LOOPBACK_RECEIVERS) });
    users = createUsers(await createSqlOpsStore(h.sql, { siteId: fcSite.id, ownsClient: false }), fcSite);
    keys.admin = (await users.create({ userId: 'ops', role: 'operator', }, NOW)).key;
    keys.brewco = (await users.create({ userId: 'brew-manager', role: 'merchant', merchantId: 'brewco' }, NOW)).key;
    keys.teahouse = (await users.create({ userId: 'tea-manager', role: 'merchant', merchantId: 'teahouse' }, NOW)).key;

    await writeHourly(h.store, 'r-coffee', NOW - 7 * 24 * H, NOW, pattern(50));
    await writeHourly(h.store, 'r-tea', NOW - 7 * 24 * H, NOW, pattern(40));
    await writeHourly(h.store, 'r-hall', NOW - 7 * 24 * H, NOW, pattern(400));
    await h.forecasting.refresh.run(NOW - 30 * 60_000);
    await storeShopForecast(h.forecasting, NOW, { coffee: { base: 100, peaks: { 28: 320 } }, tea: { base: 100, peaks: { 28: 320 } } });
    const hook = { url: 'http://127.0.0.1:9/unused', secret: 'a-secret-of-sixteen-chars' };
    const input = { threshold: { kind: 'visitors' as const, perHour: 200 }, leadTimesH: [72], quietHours: null, webhook: hook, enabled: true };
    brew.subscription = (await h.forecasting.subscriptions.create({ shopId: 'coffee', merchantId: 'brewco', input, now: NOW })).id;
    tea.subscription = (await h.forecasting.subscriptions.create({ shopId: 'tea', merchantId: 'teahouse', input, now: NOW })).id;
    const { events } = await h.forecasting.alerts.run(NOW);
    brew.alert = events.find((e) => e.alert.shopId === 'coffee')!.alert.id;
    brew.delivery = (await h.forecasting.webhooks.listForShop('coffee', 1))[0]!.id;
    tea.delivery = (await h.forecasting.webhooks.listForShop('tea', 1))[0]!.id;

    app = await forecastApp(h, users.principalByKeyHash);
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  const call = (who: keyof typeof keys | null, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, ...(who ? { headers: { authorization: `Bearer ${keys[who]}` } } : {}), ...(payload ? { payload } : {}) });

  const body = { threshold: { kind: 'visitors', perHour: 1 }, leadTimesH: [2], quietHours: null, webhook: null, enabled: true };
  const range = `from=${NOW - 24 * H}&to=${NOW}`;

  it("refuses every route of another merchant's shop (forecast, traffic, subscriptions, alerts, webhook log) with 403", async () => {
    const routes: [Parameters<typeof call>[1], string, object?][] = [
      ['GET', '/api/v1/forecasts/shop/coffee'],
      ['GET', '/api/v1/forecasts/shop/coffee/vs-actual'],
      ['GET', `/api/v1/shops/coffee/traffic?${range}`],
      ['GET', '/api/v1/shops/coffee/subscriptions'],
      ['POST', '/api/v1/shops/coffee/subscriptions', body],
      ['GET', `/api/v1/shops/coffee/subscriptions/${brew.subscription}`],
      ['PUT', `/api/v1/shops/coffee/subscriptions/${brew.subscription}`, body],
      ['DELETE', `/api/v1/shops/coffee/subscriptions/${brew.subscription}`],
      ['GET', '/api/v1/shops/coffee/alerts'],
      ['GET', '/api/v1/shops/coffee/webhook-deliveries'],
      ['GET', `/api/v1/shops/coffee/webhook-deliveries/${brew.delivery}`],
      ['GET', '/api/v1/merchant/alerts?merchantId=brewco'],
    ];
    for (const [method, url, payload] of routes) {
      const res = await call('teahouse', method, url, payload);
      expect({ url, method, status: res.statusCode, code: res.json().code }).toEqual({ url, method, status: 403, code: 'ATRIUM_FORBIDDEN' });
    }
    // And the other way round, for the other merchant's shop.
    for (const url of ['/api/v1/forecasts/shop/tea', `/api/v1/shops/tea/traffic?${range}`, '/api/v1/shops/tea/alerts', '/api/v1/shops/tea/webhook-deliveries']) {
      expect((await call('brewco', 'GET', url)).statusCode).toBe(403);
    }
    // Nothing of Brew Co's changed.
    expect((await h.forecasting.subscriptions.get({ id: brew.subscription, shopId: 'coffee' }))?.threshold).toEqual({ kind: 'visitors', perHour: 200 });
  });

  it("does not find another merchant's subscription or delivery through the merchant's own shop (404)", async () => {
    for (const [method, payload] of [['GET'], ['PUT', body], ['DELETE']] as const) {
      const res = await call('teahouse', method, `/api/v1/shops/tea/subscriptions/${brew.subscription}`, payload);
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('ATRIUM_SUBSCRIPTION_NOT_FOUND');
    }
    const res = await call('teahouse', 'GET', `/api/v1/shops/tea/webhook-deliveries/${brew.delivery}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('ATRIUM_DELIVERY_NOT_FOUND');
    expect(await h.forecasting.subscriptions.get({ id: brew.subscription, shopId: 'coffee' })).not.toBeNull();
  });

  it('keeps merchants out of zones, entrances, site-wide accuracy, the staffing plan and calendar edits', async () => {
    const routes: [Parameters<typeof call>[1], string, object?][] = [
      ['GET', '/api/v1/forecasts/zone/hall'],
      ['GET', '/api/v1/forecasts/zone/hall/vs-actual'],
      ['GET', '/api/v1/forecasts/entrance/main'],
      ['GET', '/api/v1/forecasts/accuracy?subjectKind=shop'],
      ['GET', '/api/v1/forecasts/status'],
      ['GET', '/api/v1/staffing/plan'],
      ['POST', '/api/v1/calendar', { date: '2025-04-01', name: 'Sale', kind: 'event', factor: 2 }],
    ];
    for (const [method, url, payload] of routes) expect({ url, status: (await call('brewco', method, url, payload)).statusCode }).toEqual({ url, status: 403 });
  });

  it("lists only the merchant's own shops and alerts; the merchant reaches their own data; strangers get 401", async () => {
    expect((await call('brewco', 'GET', '/api/v1/merchant/shops')).json().map((s: { id: string }) => s.id)).toEqual(['coffee', 'coffee-2']);
    expect((await call('teahouse', 'GET', '/api/v1/merchant/shops')).json().map((s: { id: string }) => s.id)).toEqual(['tea']);
    const teaAlerts = (await call('teahouse', 'GET', '/api/v1/merchant/alerts')).json() as { shopId: string }[];
    expect(teaAlerts.length).toBeGreaterThan(0);
    expect(teaAlerts.every((a) => a.shopId === 'tea')).toBe(true);
    const own = await call('brewco', 'GET', '/api/v1/forecasts/shop/coffee');
    expect(own.statusCode).toBe(200);
    expect(own.json().hours).toHaveLength(72);
    expect((await call('brewco', 'GET', `/api/v1/shops/coffee/traffic?${range}`)).json().length).toBeGreaterThan(0);
    expect((await call('brewco', 'GET', `/api/v1/shops/coffee/alerts`)).json().map((a: { id: number }) => a.id)).toEqual([brew.alert]);
    expect((await call('teahouse', 'GET', `/api/v1/shops/tea/webhook-deliveries/${tea.delivery}`)).statusCode).toBe(200);
    // The webhook secret is write-only.
    expect(JSON.stringify((await call('brewco', 'GET', '/api/v1/shops/coffee/subscriptions')).json())).not.toContain('a-secret-of-sixteen-chars');
    expect((await call(null, 'GET', '/api/v1/forecasts/shop/coffee')).statusCode).toBe(401);
    expect((await call('admin', 'GET', '/api/v1/forecasts/shop/nowhere')).statusCode).toBe(404);
    expect((await call('admin', 'GET', '/api/v1/forecasts/zone/hall')).statusCode).toBe(200);
  });

  it('delivers in-app alerts to the owning merchant\'s socket.io room only', async () => {
    const http = createHttpServer();
    const io = new Server(http);
    io.use((socket, next) => {
      const key = (socket.handshake.auth as { key?: string }).key ?? '';
      users.principalByKeyHash(hashApiKey(key)).then((p) => {
        if (!p) return next(new Error('unknown key'));
        socket.data.principal = p;
        next();
      }, next);
    });
    io.on('connection', (socket) => void socket.join(roomsFor(socket.data.principal as Principal)));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const clients: ClientSocket[] = [];
    const heard: Record<keyof typeof keys, AlertEvent[]> = { admin: [], brewco: [], teahouse: [] };
    try {
      for (const who of ['admin', 'brewco', 'teahouse'] as const) {
        const c = connect(url, { auth: { key: keys[who] }, transports: ['websocket'] });
        c.on(LIVE_EVENTS.merchantAlert, (e: AlertEvent) => heard[who].push(e));
        await new Promise<void>((resolve, reject) => {
          c.on('connect', () => resolve());
          c.on('connect_error', reject);
        });
        clients.push(c);
      }
      const [coffeeAlert] = await h.forecasting.alertStore.listForShop('coffee', { limit: 1 });
      const [teaAlert] = await h.forecasting.alertStore.listForShop('tea', { limit: 1 });
      // Each alert twice, alternating: a socket's messages arrive in order, so once a merchant
      // has its own second one, a misrouted copy of the other's would already be there.
      for (let i = 0; i < 2; i++) {
        emitMerchantAlert(io, { event: 'alert.created', alert: coffeeAlert! });
        emitMerchantAlert(io, { event: 'alert.created', alert: teaAlert! });
      }
      await until(async () => heard.admin.length === 4 && heard.brewco.length >= 2 && heard.teahouse.length >= 2);
      expect(heard.brewco.map((e) => e.alert.shopId)).toEqual(['coffee', 'coffee']);
      expect(heard.teahouse.map((e) => e.alert.shopId)).toEqual(['tea', 'tea']);
      expect(heard.admin.map((e) => e.alert.shopId).sort()).toEqual(['coffee', 'coffee', 'tea', 'tea']);
      expect(roomsFor({ siteId: fcSite.id, userId: 'x', role: 'merchant', staffId: null, merchantId: 'teahouse' })).toEqual(['merchant:teahouse']);
    } finally {
      for (const c of clients) c.close();
      await new Promise<void>((r) => io.close(() => r()));
    }
  });
});
