import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { uplinkTopic, type ControlSummary, type DeviceHealth, type DeviceHealthReport, type EnvironmentReport, type LiveUplink } from '@atrium/shared';
import type { Cloud } from '../src/index.ts';
import { connectGateway, sendUplink, uplinkOf } from '../../tests/support/gateway.ts';
import { statusOf, twoGatewaySite as site } from '../../tests/support/two-gateway-site.ts';
import { apiClient, seedPeople } from './support/api-client.ts';
import { startTestCloud } from './support/test-cloud.ts';

/**
 * The control room's overview routes on a real cloud (embedded store, real MQTT uplinks from
 * two gateways) with the site clock in the test's hand: the header's figures, device health
 * (offline vs unknown behind a quiet gateway) and the environment against the rules file.
 */
const ADMIN = 'atr_admin-key-for-the-control-api-test';
const GATEWAY_SECRET = 'gateway-secret-for-tests-01';
/** 14:00 in Melbourne */
const T0 = Date.parse('2026-03-10T03:00:00Z');
const POLL = { timeout: 15_000, interval: 100 };

describe('control-room overview API', () => {
  let cloud: Cloud;
  let base: string;
  let mqttUrl: string;
  let now = T0;
  let keys: Record<string, string>;
  let hall: MqttClient;
  let wc: MqttClient;
  const call = apiClient(() => base);
  const get = async <T>(path: string, key = ADMIN) => {
    const r = await call(key, 'GET', path);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as unknown as T;
  };
  const device = (r: DeviceHealthReport, id: string): DeviceHealth => r.gateways.flatMap((g) => g.devices).find((d) => d.deviceId === id)!;
  /** live occupancy travels at QoS 0 and is never stored */
  const sendLive = (client: MqttClient, live: LiveUplink) => client.publishAsync(uplinkTopic(live.siteId, live.gatewayId, 'live'), JSON.stringify(live), { qos: 0 });
  const hallStatus = () => sendUplink(hall, uplinkOf(site.id, 'gw-hall', 'status', { devices: [statusOf('env-hall', now, 'online', 87), statusOf('radar-hall-1', now, 'online')] }));

  beforeAll(async () => {
    ({ cloud, base, mqttUrl } = await startTestCloud({ ATRIUM_ADMIN_KEY: ADMIN, ATRIUM_DISPATCH_TICK_MS: '100' }, site, { clock: () => now }));
    keys = await seedPeople(call, ADMIN, { zoneId: 'hall', staff: [], users: [{ userId: 'ops', role: 'operator' }, { userId: 'shop-owner', role: 'merchant', merchantId: site.merchants[0]!.id }] });
    [hall, wc] = await Promise.all([connectGateway(mqttUrl, { gatewayId: 'gw-hall', gatewaySecret: GATEWAY_SECRET }), connectGateway(mqttUrl, { gatewayId: 'gw-wc', gatewaySecret: GATEWAY_SECRET })]);
  });
  afterAll(async () => {
    await Promise.all([hall?.endAsync(), wc?.endAsync()]);
    await cloud?.stop();
  });

  it('the header counts people on site, entries today, open orders and their SLA as the clock runs', async () => {
    const minute = Math.floor(now / 60_000) * 60_000 - 60_000;
    await sendLive(hall, { v: 1, siteId: site.id, gatewayId: 'gw-hall', sentAt: now, kind: 'live', zones: [{ zoneId: 'hall', occupancy: 30, ts: now, receivedAt: now }] });
    await sendLive(wc, { v: 1, siteId: site.id, gatewayId: 'gw-wc', sentAt: now, kind: 'live', zones: [{ zoneId: 'wc', occupancy: 4, ts: now, receivedAt: now }] });
    const radar = { deviceId: 'radar-main', floorId: 'g', zoneId: 'hall', minute, subjectKind: 'entrance' as const, subjectId: 'main', in: 25, out: 3, samples: 2, occupancySum: 0, occupancyCount: 0, occupancyMax: 0 };
    await sendUplink(hall, uplinkOf(site.id, 'gw-hall', 'minute', { footfall: [radar], env: [] }));
    // a forced door: a P1 security order with 120 s to accept and nobody on the roster to take it
    await sendUplink(hall, uplinkOf(site.id, 'gw-hall', 'events', { events: [{ deviceId: 'gate-staff', floorId: 'g', zoneId: 'hall', family: 'gate', type: 'forced_open', ts: now, seq: 1, data: {} }] }));

    await expect.poll(() => get<ControlSummary>('/api/v1/control/summary'), POLL).toMatchObject({
      asOf: now,
      timeZone: 'Australia/Melbourne',
      peopleOnSite: 34,
      footfallToday: { day: '2026-03-10', counted: 25, forecastSoFar: null, vsForecast: null },
      orders: { open: 1, slaAtRisk: 0, slaBreached: 0 },
    });
    now += 95_000; // 25 s of the 120 s left: at risk
    expect((await get<ControlSummary>('/api/v1/control/summary', keys.ops)).orders).toEqual({ open: 1, slaAtRisk: 1, slaBreached: 0 });
    now += 40_000; // past the accept deadline
    expect((await get<ControlSummary>('/api/v1/control/summary')).orders).toEqual({ open: 1, slaAtRisk: 0, slaBreached: 1 });
  });

  it('device health: battery and last will as reported, silent devices offline, devices behind a quiet gateway unknown', async () => {
    await hallStatus();
    await sendUplink(hall, uplinkOf(site.id, 'gw-hall', 'status', { devices: [statusOf('gate-staff', now, 'offline')] }));
    await sendUplink(wc, uplinkOf(site.id, 'gw-wc', 'status', { devices: [statusOf('env-wc', now, 'online', 12), statusOf('radar-wc', now, 'online')] }));
    const heardAt = now;
    await expect
      .poll(async () => {
        const r = await get<DeviceHealthReport>('/api/v1/control/devices');
        return [device(r, 'env-hall'), device(r, 'gate-staff'), device(r, 'env-wc'), device(r, 'radar-hall-2')].map((d) => `${d.deviceId} ${d.status} ${d.reason} ${d.battery}`);
      }, POLL)
      .toEqual(['env-hall online heard 87', 'gate-staff offline reported_offline null', 'env-wc online heard 12', 'radar-hall-2 unknown never_heard null']);

    // gw-wc falls silent while gw-hall keeps delivering for 200 s (past gatewayQuietS 120 and the silence rule's 180 s)
    for (let i = 0; i < 2; i++) {
      now += 100_000;
      await hallStatus();
    }
    await expect
      .poll(async () => {
        const r = await get<DeviceHealthReport>('/api/v1/control/devices');
        return { gateways: r.gateways.map((g) => `${g.gatewayId} ${g.status}`), devices: ['env-hall', 'radar-hall-2', 'env-wc', 'radar-wc'].map((id) => `${id} ${device(r, id).status} ${device(r, id).reason}`) };
      }, POLL)
      .toEqual({
        gateways: ['gw-hall online', 'gw-wc offline'],
        devices: ['env-hall online heard', 'radar-hall-2 offline silent', 'env-wc unknown gateway_quiet', 'radar-wc unknown gateway_quiet'],
      });
    const r = await get<DeviceHealthReport>('/api/v1/control/devices?gatewayId=gw-wc&status=unknown');
    expect(r.gatewayQuietS).toBe(120);
    expect(r.gateways).toHaveLength(1);
    expect(r.gateways[0]).toMatchObject({ gatewayId: 'gw-wc', name: 'Restroom gateway', lastSeen: heardAt, counts: { online: 0, offline: 0, unknown: 2 } });
    expect(r.gateways[0]!.devices.map((d) => [d.deviceId, d.lastSeen, d.battery])).toEqual([
      ['radar-wc', heardAt, null],
      ['env-wc', heardAt, 12],
    ]);
  });

  it('the environment shows each zone\'s latest readings against the rules file\'s thresholds', async () => {
    const minute = Math.floor(now / 60_000) * 60_000 - 60_000;
    const stats = (v: number) => ({ sum: v, count: 1, min: v, max: v });
    await sendUplink(hall, uplinkOf(site.id, 'gw-hall', 'minute', { footfall: [], env: [{ deviceId: 'env-hall', floorId: 'g', zoneId: 'hall', minute, metrics: { co2: stats(1200), tempC: stats(22.5) } }] }));
    await expect.poll(async () => (await get<EnvironmentReport>('/api/v1/control/environment')).zones.find((z) => z.zoneId === 'hall')?.readings.find((m) => m.metric === 'co2')?.value, POLL).toBe(1200);
    const report = await get<EnvironmentReport>('/api/v1/control/environment?floorId=g', keys.ops);
    expect(report.metrics).toEqual(['co2', 'tempC', 'rh', 'pm25', 'noiseDb']);
    const hallZone = report.zones.find((z) => z.zoneId === 'hall')!;
    expect(hallZone.readings.find((m) => m.metric === 'co2')).toEqual({ metric: 'co2', value: 1200, state: 'over', thresholds: [{ ruleId: 'co2-high', above: 1000, below: null, forS: 600, severity: 'minor' }] });
    expect(hallZone.readings.find((m) => m.metric === 'tempC')).toEqual({ metric: 'tempC', value: 22.5, state: 'none', thresholds: [] });
    expect(hallZone.readings.find((m) => m.metric === 'rh')).toMatchObject({ value: null, state: 'none' });
  });

  it('refuses bad queries naming the field, and answers the control room only', async () => {
    const refusal = async (path: string) => {
      const r = await call(ADMIN, 'GET', path);
      expect(r.status, path).toBe(400);
      expect(r.body.code).toBe('ATRIUM_INVALID_REQUEST');
      return r.body.message as string;
    };
    expect(await refusal('/api/v1/control/devices?status=sleeping')).toMatch(/status/);
    expect(await refusal('/api/v1/control/devices?gatewayId=gw-roof')).toMatch(/^invalid request: gatewayId: no gateway "gw-roof" on this site \(it has: gw-hall, gw-wc\)/);
    expect(await refusal('/api/v1/control/devices?gatewayId=Not%20A%20Slug')).toMatch(/gatewayId/);
    expect(await refusal('/api/v1/control/environment?floorId=roof')).toMatch(/floorId: no floor "roof"/);
    expect(await refusal('/api/v1/control/environment?zone=hall')).toMatch(/zone/);
    for (const path of ['/api/v1/control/summary', '/api/v1/control/devices', '/api/v1/control/environment']) {
      expect((await call(null, 'GET', path)).status, path).toBe(401);
      expect((await call(keys['shop-owner']!, 'GET', path)).status, path).toBe(403);
      expect((await call(keys.ops!, 'GET', path)).status, path).toBe(200);
    }
  });
});
