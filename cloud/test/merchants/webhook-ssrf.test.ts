import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookDelivery } from '@atrium/shared';
import { createSqlOpsStore } from '../../src/ops/sql-ops-store.ts';
import { createUsers } from '../../src/ops/users.ts';
import { pino } from 'pino';
import { ConfigError } from '@atrium/shared';
import { parseCloudConfig } from '../../src/config.ts';
import { systemClock } from '../../src/forecast/scheduler.ts';
import type { WebhookOptions } from '../../src/forecasting.ts';
import type { RetryPolicy } from '../../src/merchants/retry-policy.ts';
import { createAddressPolicy } from '../../src/merchants/webhook-address.ts';
import { createSubscriptionStore } from '../../src/merchants/subscription-store.ts';
import { createWebhookDispatcher } from '../../src/merchants/webhook-dispatcher.ts';
import type { Resolve } from '../../src/merchants/webhook-http.ts';
import { fcSite, forecastApp, openHarness, storeShopForecast, until, type FcHarness } from '../support/forecast-fixtures.ts';
import { closedPort, receiver, type Receiver } from './receivers.ts';
import { webhookSetting } from './webhook-setting.ts';

// Merchant webhooks must not reach loopback, private, link-local or metadata addresses, in any
// spelling, at save time or at delivery; the loopback receivers below stand in for internal
// services (InfluxDB, PostgreSQL, Node-RED) and tests that deliver to them allow 127.0.0.1
// through ATRIUM_WEBHOOK_ALLOW_PRIVATE, as an operator would.

const NOW = Date.UTC(2025, 2, 16, 22);
const SECRET = 'a-secret-of-sixteen-chars';
const input = (url: string) => ({ threshold: { kind: 'visitors' as const, perHour: 200 }, leadTimesH: [72], quietHours: null, webhook: { url, secret: SECRET }, enabled: true });
/** Saves URLs the way an older build (or a looser setting) could have: what the delivery-time check must still catch. */
const storeWithoutCheck = (h: FcHarness) => createSubscriptionStore(h.sql, fcSite.id, { addresses: { allowed: [], refusal: () => null } });
/** Subscriptions saved under a setting, as forecasting wires them. */
const storeUnder = (h: FcHarness, webhooks: WebhookOptions) => createSubscriptionStore(h.sql, fcSite.id, { addresses: createAddressPolicy(webhooks.allowPrivate) });

/**
 * A dispatcher on the harness's queue under another setting, wired as forecasting wires its own
 * (one database for every case in this file: opening one costs seconds on a busy machine).
 */
const dispatcherUnder = (h: FcHarness, webhooks: WebhookOptions, retry: Partial<RetryPolicy> = {}) =>
  createWebhookDispatcher({
    store: h.forecasting.webhooks,
    secretOf: (id) => h.forecasting.subscriptions.secretOf(id),
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    policy: { baseDelayMs: 50, maxDelayMs: 400, timeoutMs: 2000, maxAttempts: 1, ...retry },
    addresses: createAddressPolicy(webhooks.allowPrivate),
    ...(webhooks.resolve ? { resolve: webhooks.resolve } : {}),
  });

let h: FcHarness;
let api: Awaited<ReturnType<typeof merchantApi>>;
beforeAll(async () => {
  h = await openHarness({ webhooks: webhookSetting() }); // ATRIUM_WEBHOOK_ALLOW_PRIVATE unset
  api = await merchantApi(h);
});
afterAll(async () => {
  await api?.app.close();
  await h?.close();
});

/** Deliveries of the given subscriptions (by their order), once each has an outcome. */
async function outcomes(shopId: string, subIds: number[]): Promise<WebhookDelivery[]> {
  return until(async () => {
    const all = await h.forecasting.webhooks.listForShop(shopId, 200);
    const mine = subIds.map((id) => all.find((d) => d.subscriptionId === id));
    return mine.every((d) => d && d.status !== 'pending') ? (mine as WebhookDelivery[]) : null;
  });
}

/** Queues one delivery per URL (saved without the check) and runs them through a dispatcher under `webhooks`. */
async function deliver(shopId: 'coffee' | 'coffee-2', urls: string[], webhooks: WebhookOptions, retry: Partial<RetryPolicy> = {}) {
  const store = storeWithoutCheck(h);
  const subs = [];
  for (const url of urls) subs.push(await store.create({ shopId, merchantId: 'brewco', input: input(url), now: NOW }));
  await storeShopForecast(h.forecasting, NOW, { [shopId]: { base: 100, peaks: { 28: 320 } } });
  await h.forecasting.alerts.run(NOW);
  await dispatcherUnder(h, webhooks, retry).runDue();
  return outcomes(shopId, subs.map((s) => s.id));
}


async function merchantApi(h: FcHarness) {
  const users = createUsers(await createSqlOpsStore(h.sql, { siteId: fcSite.id, ownsClient: false }), fcSite);
  const key = (await users.create({ userId: 'brew-manager', role: 'merchant', merchantId: 'brewco' }, NOW)).key;
  const app = await forecastApp(h, users.principalByKeyHash);
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload ? { payload } : {}) });
  return { app, call };
}

/** Every blocked spelling of an internal address, with the reason a merchant is told. */
function blockedUrls(port: number): [string, RegExp][] {
  const loopback = /^refused: the address is a loopback address/;
  return [
    [`http://127.0.0.1:${port}/query?q=CREATE+DATABASE+x`, loopback],
    [`http://127.1:${port}/`, loopback],
    [`http://2130706433:${port}/`, loopback],
    [`http://0x7f000001:${port}/`, loopback],
    [`http://0177.0.0.1:${port}/`, loopback],
    [`http://[::1]:${port}/`, loopback],
    [`http://[0:0:0:0:0:0:0:1]:${port}/`, loopback],
    [`http://[::ffff:127.0.0.1]:${port}/`, loopback],
    [`http://localhost:${port}/`, loopback],
    [`http://api.localhost:${port}/`, loopback],
    ['http://10.1.2.3/', /^refused: the address is in a private range$/],
    ['http://172.16.5.4:8086/', /^refused: the address is in a private range$/],
    ['https://192.168.1.10/', /^refused: the address is in a private range$/],
    ['http://100.64.0.1/', /^refused: the address is in a private range \(shared address space/],
    ['http://[fc00::1]/', /^refused: the address is in a private range \(IPv6 unique-local/],
    ['http://[fd12:3456::1]/', /^refused: the address is in a private range \(IPv6 unique-local/],
    ['http://169.254.169.254/latest/meta-data/', /^refused: the address is a cloud metadata endpoint$/],
    ['http://[fd00:ec2::254]/', /^refused: the address is a cloud metadata endpoint$/],
    ['http://169.254.10.10/', /^refused: the address is link-local$/],
    ['http://[fe80::1]/', /^refused: the address is link-local$/],
    ['http://224.0.0.1/', /^refused: the address is a multicast address$/],
    ['http://[ff02::1]/', /^refused: the address is a multicast address$/],
    ['http://0.0.0.0/', /^refused: the address is unspecified/],
    ['http://[::]/', /^refused: the address is unspecified/],
    ['http://255.255.255.255/', /^refused: the address is the broadcast address$/],
    ['http://[64:ff9b::a00:1]/', /^refused: the address translates to an IPv4 address/],
    ['http://192.0.2.1/', /^refused: the address is in a reserved range$/],
  ];
}

describe('webhook URLs are checked when saved', () => {
  it('refuses every blocked spelling with the field and the reason, on create and on update', async () => {
    const own = await api.call('POST', '/api/v1/shops/coffee/subscriptions', input('https://hooks.brew.example/atrium'));
    expect(own.statusCode).toBe(201);
    const id = (own.json() as { id: number }).id;
    for (const [url, reason] of blockedUrls(8086)) {
      for (const [method, path] of [['POST', '/api/v1/shops/coffee/subscriptions'], ['PUT', `/api/v1/shops/coffee/subscriptions/${id}`]] as const) {
        const res = await api.call(method, path, input(url));
        const { code, message } = res.json() as { code: string; message: string };
        expect({ url, method, status: res.statusCode, code }).toEqual({ url, method, status: 400, code: 'ATRIUM_INVALID_REQUEST' });
        expect(message.replace(/^invalid request: webhook\.url: /, '')).toMatch(reason);
      }
    }
    // The form of the URL is the schema's: scheme and credentials, with the field named.
    for (const [url, reason] of [
      ['ftp://hooks.brew.example/', 'webhook.url: must be an http:// or https:// URL'],
      ['https://user:password@hooks.brew.example/', 'webhook.url: must not carry credentials'],
      ['https://:token@hooks.brew.example/', 'webhook.url: must not carry credentials'],
    ]) {
      const res = await api.call('POST', '/api/v1/shops/coffee/subscriptions', input(url!));
      expect({ url, status: res.statusCode }).toEqual({ url, status: 400 });
      expect(res.json().message).toContain(reason);
    }
    // Nothing refused was stored; the one good subscription kept its URL.
    expect((await h.forecasting.subscriptions.listForShop('coffee')).map((s) => s.webhook?.url)).toEqual(['https://hooks.brew.example/atrium']);
    await h.forecasting.subscriptions.remove({ id, shopId: 'coffee' });
  });

  it('saves loopback and private URLs only in the ranges the operator allowed, never a metadata endpoint', async () => {
    const store = storeUnder(h, webhookSetting('127.0.0.1,10.20.0.0/16,169.254.0.0/16'));
    const save = (url: string) => store.create({ shopId: 'coffee', merchantId: 'brewco', input: input(url), now: NOW });
    const saved = [];
    for (const url of ['http://127.0.0.1:9/', 'http://127.1:9/', 'http://2130706433:9/', 'http://[::ffff:127.0.0.1]:9/', 'http://10.20.3.4/', 'http://169.254.10.10/']) {
      const s = await save(url);
      expect(s.webhook?.url).toBe(url);
      saved.push(s.id);
    }
    for (const [url, reason] of [
      ['http://127.0.0.2/', 'is a loopback address (this machine)'],
      ['http://[::1]/', 'is a loopback address (this machine)'],
      ['http://10.21.0.1/', 'is in a private range'],
      ['http://169.254.169.254/', 'is a cloud metadata endpoint'],
      ['http://0.0.0.0/', 'is unspecified (0.0.0.0 or ::)'],
    ]) {
      await expect(save(url!), url).rejects.toThrow(`webhook.url: refused: the address ${reason}`);
    }
    for (const id of saved) await store.remove({ id, shopId: 'coffee' });
  });
});

describe('webhook addresses are checked at every delivery attempt', () => {
  let internal: Receiver;
  let internal6: Receiver;
  beforeAll(async () => {
    internal = await receiver('127.0.0.1');
    internal6 = await receiver('::1');
  });
  afterAll(async () => {
    await internal?.close();
    await internal6?.close();
  });

  it('refuses every blocked spelling without connecting (setting unset)', async () => {
    const cases = [...blockedUrls(internal.port), [`http://[::1]:${internal6.port}/`, /^refused: the address is a loopback address/] as [string, RegExp]];
    const deliveries = await deliver('coffee', cases.map(([u]) => u), webhookSetting());
    for (const [i, [url, reason]] of cases.entries()) {
      const d = deliveries[i]!;
      expect({ url, status: d.status, outcome: d.attempts[0]?.outcome, statusCode: d.attempts[0]?.statusCode }).toEqual({ url, status: 'failed', outcome: 'rejected', statusCode: null });
      expect(d.lastError, url).toMatch(reason);
      expect(d.attempts[0]!.error).toBe(d.lastError);
    }
    expect(internal.seen).toEqual([]);
    expect(internal6.seen).toEqual([]);
  });

  it('checks every address a name resolves to, and connects to the one it checked (no rebinding)', async () => {
    // Injected resolver: these names must resolve to addresses this test chooses, which real DNS
    // cannot be made to do here (.test names resolve nowhere). localhost is resolved for real below.
    const internal2 = await receiver('127.0.0.2');
    const calls: string[] = [];
    let rebinding = 0;
    const resolve: Resolve = async (host) => {
      calls.push(host);
      if (host === 'mixed.test') return [{ address: '1.1.1.1', family: 4 }, { address: '10.0.0.7', family: 4 }];
      if (host === 'metadata.test') return [{ address: '169.254.169.254', family: 4 }];
      if (host === 'v6-loopback.test') return [{ address: '::1', family: 6 }];
      // First answer allowed, every later one internal: a client that looked the name up again would go to 127.0.0.2.
      if (host === 'rebind.test') return [{ address: rebinding++ === 0 ? '127.0.0.1' : '127.0.0.2', family: 4 }];
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    };
    const urls = [
      `http://mixed.test:${internal.port}/`,
      `http://metadata.test/`,
      `http://v6-loopback.test:${internal6.port}/`,
      `http://rebind.test:${internal.port}/hook`,
      `http://nowhere.test/`,
    ];
    try {
      const deliveries = await deliver('coffee', urls, { ...webhookSetting('127.0.0.1'), resolve });
      expect(deliveries.map((d) => [d.status, d.lastError])).toEqual([
        ['failed', 'refused: the address is in a private range'],
        ['failed', 'refused: the address is a cloud metadata endpoint'],
        ['failed', 'refused: the address is a loopback address (this machine)'],
        ['delivered', null],
        ['failed', 'could not resolve the host name'],
      ]);
      // The allowed one went to the address that was checked, under its own name, after one lookup.
      expect(internal.seen.map((s) => [s.path, s.headers.host])).toEqual([['/hook', `rebind.test:${internal.port}`]]);
      expect(internal2.seen).toEqual([]);
      expect(calls.filter((c) => c === 'rebind.test')).toHaveLength(1);
    } finally {
      await internal2.close();
      internal.seen.length = 0;
    }

    // The system resolver: localhost is loopback whatever the URL says, refused while the setting is unset.
    const [real] = await deliver('coffee', [`http://localhost:${internal.port}/`], webhookSetting());
    expect(real).toMatchObject({ status: 'failed', lastError: 'refused: the address is a loopback address (this machine)' });
    expect(internal.seen).toEqual([]);
  });

  it('does not follow a redirect to an internal address', async () => {
    const secretService = await receiver('127.0.0.2', (_q, res) => res.end('internal'));
    const redirecting = await receiver('127.0.0.1', (_q, res) => {
      res.writeHead(302, { location: `${secretService.origin}/admin?q=DROP` });
      res.end();
    });
    try {
      // Even with the whole loopback range allowed the redirect is not followed: it is the receiver's answer.
      const [d] = await deliver('coffee', [`${redirecting.origin}/hook`], webhookSetting('127.0.0.0/8'));
      expect(d).toMatchObject({ status: 'failed', lastError: 'answered 302 (redirects are not followed)', attempts: [{ outcome: 'rejected', statusCode: 302 }] });
      expect(redirecting.seen).toHaveLength(1);
      expect(secretService.seen).toEqual([]);
    } finally {
      await redirecting.close();
      await secretService.close();
    }
  });
});

describe('the delivery log shows merchants an outcome, never what a host answered', () => {
  it('reports status, timeout, refusal and connection failures in fixed words through the API', async () => {
    const leaky = await receiver('127.0.0.1', (_q, res) => {
      res.writeHead(500, { 'x-internal': 'influx-1.8' });
      res.end('INTERNAL-SECRET: error parsing query: database "atrium" exists');
    });
    const hangs = await receiver('127.0.0.1', () => undefined);
    const resets = await receiver('127.0.0.1', (req) => req.socket.destroy());
    const closed = await closedPort();
    try {
      const urls = [`${leaky.origin}/hook`, `${hangs.origin}/hook`, `${resets.origin}/hook`, `http://127.0.0.1:${closed}/hook`, 'http://10.0.0.5:6379/'];
      const ds = await deliver('coffee-2', urls, webhookSetting('127.0.0.1'), { timeoutMs: 500 });
      expect(ds.map((d) => d.lastError)).toEqual([
        'answered 500',
        'timed out after 0.5 s',
        'the connection closed before an answer',
        'could not connect',
        'refused: the address is in a private range',
      ]);
      expect(ds[0]!.attempts[0]).toMatchObject({ statusCode: 500, outcome: 'gave_up', error: 'answered 500' });
      expect(leaky.seen).toHaveLength(1);
      // What the merchant reads: nothing of what the internal host said, nor of the sockets' errors.
      const res = await api.call('GET', '/api/v1/shops/coffee-2/webhook-deliveries');
      expect(res.statusCode).toBe(200);
      for (const leak of ['INTERNAL-SECRET', 'influx', 'ECONNREFUSED', 'ECONNRESET', 'socket hang up', 'fetch failed']) expect(res.body).not.toContain(leak);
      const errors = JSON.stringify((res.json() as WebhookDelivery[]).map((d) => [d.lastError, d.attempts.map((a) => a.error)]));
      expect(errors).not.toMatch(/127\.0\.0\.1|10\.0\.0\.5|:\d{2,5}\b/);

      // A row written by an older build (raw socket error) is shown as an outcome too.
      const id = ds[3]!.id;
      await h.sql.query(`update webhook_attempts set error = 'fetch failed: connect ECONNREFUSED 10.0.0.5:6379' where delivery_id = $1`, [id]);
      await h.sql.query(`update webhook_deliveries set last_error = 'HTTP 502' where id = $1`, [id]);
      const old = (await api.call('GET', `/api/v1/shops/coffee-2/webhook-deliveries/${id}`)).json() as WebhookDelivery;
      expect([old.attempts[0]!.error, old.lastError]).toEqual(['could not deliver', 'answered 502']);
    } finally {
      await Promise.all([leaky.close(), hangs.close(), resets.close()]);
    }
  });
});

describe('ATRIUM_WEBHOOK_ALLOW_PRIVATE', () => {
  const env = (v: string) => ({ ATRIUM_GATEWAY_SECRET: 'test-gateway-secret-0123456789abcdef', ATRIUM_WEBHOOK_ALLOW_PRIVATE: v });
  it('reads ranges and single addresses into canonical CIDRs; unset or empty allows none', () => {
    expect(parseCloudConfig(env(' 10.20.0.0/16, 127.1 ,fd00::/8,::ffff:192.168.0.0/112')).webhooks.allowPrivate).toEqual(['10.20.0.0/16', '127.0.0.1/32', 'fd00::/8', '192.168.0.0/16']);
    expect(parseCloudConfig(env('')).webhooks.allowPrivate).toEqual([]);
    expect(webhookSetting().allowPrivate).toEqual([]);
  });
  it('refuses a value that is not a range, naming the variable', () => {
    for (const bad of ['10.0.0.0/33', 'intranet', '10.0.0.0/8;rm']) {
      expect(() => parseCloudConfig(env(bad))).toThrow(ConfigError);
      expect(() => parseCloudConfig(env(bad))).toThrow(/ATRIUM_WEBHOOK_ALLOW_PRIVATE/);
    }
  });
});
