import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { MqttClient } from 'mqtt';
import { createCloud, parseCloudConfig, type Cloud } from '@atrium/cloud';
import type { FootfallMinute } from '@atrium/shared';
import { connectDevice, eventually, publish, runDevicesCli, topicOf } from '../support/device.ts';
import { connectGateway, provisionGateways, runGatewaysCli, sendUplink, twoGatewaySite, uplinkOf } from '../support/gateway.ts';
import { metricValue, scrapeMetrics } from '../support/hostile.ts';
import { freePort, startEntryPoint, stopChild, waitForHttp } from '../support/processes.ts';

/**
 * Each edge gateway has its own credential at the cloud, and speaks only for its own devices.
 * The cloud and the edge run as their own processes, provisioned with the CLIs an operator
 * uses; the site has two gateways: gw-a serves the hall, gw-b the restroom. The edge here is
 * gw-a, misconfigured to also accept gw-b's restroom devices: what it forwards of them is
 * refused and counted, while the hall's readings arrive exactly.
 */
const site = twoGatewaySite();
const MINUTE = 60_000;
const REFUSED = /Bad username or password|Not authorized/;

describe('gateway credentials and device ownership at the cloud (real processes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-gw-creds-'));
  const siteFile = join(dir, 'site.json');
  writeFileSync(siteFile, JSON.stringify(site));
  const deviceSecret = 'device-secret-for-tests-0001';
  const adminKey = `atr_${'k'.repeat(43)}`;
  const ports = { cloudHttp: 0, cloudMqtt: 0, edgeMqtt: 0, edgeHttp: 0 };
  const cloudEnv = () => ({
    ATRIUM_SITE_FILE: siteFile, ATRIUM_DATA_DIR: join(dir, 'cloud'), ATRIUM_ADMIN_KEY: adminKey, LOG_LEVEL: 'warn',
    ATRIUM_CLOUD_HTTP_PORT: String(ports.cloudHttp), ATRIUM_CLOUD_MQTT_PORT: String(ports.cloudMqtt),
  });
  let passwords: Record<string, string> = {};
  let cloud: ReturnType<typeof startEntryPoint> | undefined;
  let edge: ReturnType<typeof startEntryPoint> | undefined;
  const devices: MqttClient[] = [];
  const cloudUrl = () => `mqtt://127.0.0.1:${ports.cloudMqtt}`;
  // The admin's key reads the cloud's metrics (a failed scrape throws instead of reading as zeros).
  const cloudMetric = async (name: string, labels: Record<string, string> = {}) => metricValue(await scrapeMetrics(`http://127.0.0.1:${ports.cloudHttp}/metrics`, adminKey), name, labels);
  const zoneTotals = async (): Promise<Record<string, number>> => {
    const res = await fetch(`http://127.0.0.1:${ports.cloudHttp}/api/v1/series/footfall/totals?subjectKind=zone`, { headers: { Authorization: `Bearer ${adminKey}` } });
    expect(res.status).toBe(200);
    return Object.fromEntries(((await res.json()) as Array<{ subjectId: string; in: number }>).map((t) => [t.subjectId, t.in]));
  };
  const minuteOf = (deviceId: string, zoneId: string, n: number, minute: number): FootfallMinute => ({
    deviceId, floorId: 'g', zoneId, minute, subjectKind: 'zone', subjectId: zoneId, in: n, out: 0, samples: 1, occupancySum: 0, occupancyCount: 0, occupancyMax: 0,
  });

  beforeAll(async () => {
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    // As an operator would: credentials first (the embedded database, while the cloud is stopped), then the services.
    passwords = await provisionGateways(cloudEnv(), ['gw-a', 'gw-b']);
    cloud = startEntryPoint('cloud/src/main.ts', cloudEnv());
    await waitForHttp(`http://127.0.0.1:${ports.cloudHttp}/health`, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}; the cloud said:\n${cloud?.output()}`);
    });
    // Every device of the site on this edge, the other gateway's included: the misconfiguration under test.
    const provisioned = await runDevicesCli(['add', '--site', '--factory-key-env', 'ATRIUM_DEVICE_SECRET', '--json'], { ATRIUM_EDGE_DATA_DIR: join(dir, 'edge'), ATRIUM_SITE_FILE: siteFile, ATRIUM_DEVICE_SECRET: deviceSecret });
    expect(provisioned.code, provisioned.stderr).toBe(0);
    edge = startEntryPoint('edge/src/main.ts', {
      ATRIUM_SITE_FILE: siteFile, ATRIUM_EDGE_DATA_DIR: join(dir, 'edge'), ATRIUM_JOURNAL_DURABILITY: 'normal',
      ATRIUM_GATEWAY_ID: 'gw-a', ATRIUM_GATEWAY_PASSWORD: passwords['gw-a']!, ATRIUM_PRIVACY_KEY: 'privacy-key-for-tests-00001',
      ATRIUM_EDGE_MQTT_PORT: String(ports.edgeMqtt), ATRIUM_EDGE_HTTP_PORT: String(ports.edgeHttp), ATRIUM_CLOUD_MQTT_URL: cloudUrl(),
      ATRIUM_AGGREGATE_LATENESS_MS: '500', ATRIUM_AGGREGATE_IDLE_MS: '500', ATRIUM_FLUSH_EVERY_MS: '100', LOG_LEVEL: 'warn',
    });
    await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${ports.edgeHttp}/health`).catch(() => undefined);
      return res?.ok && ((await res.json()) as { uplinkConnected: boolean }).uplinkConnected ? true : undefined;
    }, 60_000, `the edge logged in to the cloud as gw-a; it said:\n${edge.output()}`);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(devices.map((d) => d.endAsync()));
    if (edge) await stopChild(edge);
    if (cloud) await stopChild(cloud);
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses at CONNECT another gateway's password, a wrong one, the old shared-secret kind, and an id the site does not have", async () => {
    const before = await cloudMetric('atrium_cloud_gateway_auth_failures_total', { reason: 'wrong_password' });
    await expect(connectGateway(cloudUrl(), { gatewayId: 'gw-a', password: passwords['gw-b']! }, 'probe-1')).rejects.toThrow(REFUSED);
    await expect(connectGateway(cloudUrl(), { gatewayId: 'gw-a', password: `atg_${'x'.repeat(43)}` }, 'probe-2')).rejects.toThrow(REFUSED);
    // This cloud has no shared secret any more: a password derived from one opens nothing.
    await expect(connectGateway(cloudUrl(), { gatewayId: 'gw-b', gatewaySecret: 'old-shared-gateway-secret-01' }, 'probe-3')).rejects.toThrow(REFUSED);
    await expect(connectGateway(cloudUrl(), { gatewayId: 'gw-z', password: passwords['gw-a']! }, 'probe-4')).rejects.toThrow(REFUSED);
    expect(await cloudMetric('atrium_cloud_gateway_auth_failures_total', { reason: 'wrong_password' })).toBe(before + 3);
    expect(await cloudMetric('atrium_cloud_gateway_auth_failures_total', { reason: 'unknown_gateway' })).toBe(1);
    // Its own password still opens gw-b.
    const b = await connectGateway(cloudUrl(), { gatewayId: 'gw-b', password: passwords['gw-b']! }, 'probe-5');
    await b.endAsync();
    expect(await cloudMetric('atrium_cloud_gateway_logins_total', { credential: 'derived' })).toBe(0);

    // The embedded database belongs to the running cloud: the CLI says so instead of writing under it.
    const busy = await runGatewaysCli(['list', '--json'], cloudEnv());
    expect(busy.code).toBe(1);
    expect(JSON.parse(busy.stderr)).toMatchObject({ error: { code: 'ATRIUM_DATABASE_IN_USE' } });
  });

  it("stores gw-a's own devices exactly and never gw-b's, counting what it refused; gw-b's own data still arrives", async () => {
    const hall = await connectDevice(`mqtt://127.0.0.1:${ports.edgeMqtt}`, deviceSecret, 'radar-hall-1');
    const wc = await connectDevice(`mqtt://127.0.0.1:${ports.edgeMqtt}`, deviceSecret, 'radar-wc');
    devices.push(hall, wc);
    let sentHall = 0;
    for (let seq = 1; seq <= 5; seq++) {
      await publish(hall, topicOf(site.id, 'radar-hall-1', 'count'), { ts: Date.now(), seq, periodS: 30, in: seq, out: 0 });
      await publish(wc, topicOf(site.id, 'radar-wc', 'count'), { ts: Date.now(), seq, periodS: 30, in: 2, out: 0 });
      sentHall += seq;
    }
    // Through the real edge: the hall's readings arrive to the count; the restroom's are refused at the cloud.
    await eventually(async () => ((await zoneTotals()).hall === sentHall && (await cloudMetric('atrium_cloud_uplink_records_refused_total', { reason: 'foreign_device' })) > 0 ? true : undefined), 60_000, 'the hall stored and the restroom refused');
    expect((await zoneTotals()).wc ?? 0).toBe(0);

    // Counted exactly: an uplink of gw-a carrying one own record and two of gw-b's devices.
    const refusedBefore = await cloudMetric('atrium_cloud_uplink_records_refused_total', { reason: 'foreign_device' });
    const minute = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;
    const a = await connectGateway(cloudUrl(), { gatewayId: 'gw-a', password: passwords['gw-a']! }, 'gw-a-probe');
    await sendUplink(a, uplinkOf(site.id, 'gw-a', 'minute', {
      footfall: [minuteOf('radar-hall-2', 'hall', 4, minute), minuteOf('radar-wc', 'wc', 6, minute)],
      env: [{ deviceId: 'env-wc', floorId: 'g', zoneId: 'wc', minute, metrics: { nh3: { sum: 30, count: 1, min: 30, max: 30 } } }],
    }));
    expect(await cloudMetric('atrium_cloud_uplink_records_refused_total', { reason: 'foreign_device' })).toBe(refusedBefore + 2);
    expect(await zoneTotals()).toMatchObject({ hall: sentHall + 4 });
    // An uplink naming the other gateway, sent on its own topic by gw-a: refused whole.
    await sendUplink(a, uplinkOf(site.id, 'gw-b', 'minute', { footfall: [minuteOf('radar-wc', 'wc', 9, minute)], env: [] }), 'gw-a');
    expect(await cloudMetric('atrium_cloud_uplink_records_refused_total', { reason: 'gateway_mismatch' })).toBe(1);
    await a.endAsync();

    // gw-b's own restroom data, from gw-b, is stored.
    const b = await connectGateway(cloudUrl(), { gatewayId: 'gw-b', password: passwords['gw-b']! }, 'gw-b-probe');
    await sendUplink(b, uplinkOf(site.id, 'gw-b', 'minute', { footfall: [minuteOf('radar-wc', 'wc', 5, minute)], env: [] }));
    await b.endAsync();
    expect(await zoneTotals()).toMatchObject({ hall: sentHall + 4, wc: 5 });
    expect(await cloudMetric('atrium_cloud_uplink_records_refused_total', { reason: 'foreign_device' })).toBe(refusedBefore + 2);

    // Logged once for the burst, not once per refused uplink.
    const lines = cloud!.output().split('\n').filter((l) => l.includes('records refused') && l.includes('"gatewayId":"gw-a"') && l.includes('"reason":"foreign_device"'));
    expect(lines).toHaveLength(1);
  }, 120_000);
});

describe('an installation still on the shared ATRIUM_GATEWAY_SECRET keeps working while it moves', () => {
  let cloud: Cloud | undefined;
  let url = '';
  const secret = 'old-shared-gateway-secret-01';
  beforeAll(async () => {
    cloud = await createCloud(parseCloudConfig({ ATRIUM_CLOUD_HTTP_PORT: '0', ATRIUM_CLOUD_MQTT_PORT: '0', ATRIUM_DATA_DIR: 'memory://', ATRIUM_GATEWAY_SECRET: secret }), { site: twoGatewaySite(), logger: pino({ level: 'silent' }) });
    url = `mqtt://127.0.0.1:${(await cloud.start()).mqttPort}`;
  }, 120_000);
  afterAll(async () => {
    await cloud?.stop();
  });

  it('admits a gateway without a stored credential by the derived password (counted as such); a provisioned one only by its own', async () => {
    const own = await cloud!.gateways.add('gw-a');
    const b = await connectGateway(url, { gatewayId: 'gw-b', gatewaySecret: secret });
    await b.endAsync();
    await expect(connectGateway(url, { gatewayId: 'gw-a', gatewaySecret: secret }, 'gw-a-old')).rejects.toThrow(REFUSED);
    const a = await connectGateway(url, { gatewayId: 'gw-a', password: own });
    await a.endAsync();
    const logins = await cloud!.metrics.gatewayLogins.get();
    expect(Object.fromEntries(logins.values.map((v) => [v.labels.credential, v.value]))).toEqual({ derived: 1, stored: 1 });
  });

  it('ends a live session once its gateway is disabled, or once a gateway on the shared secret is given its own credential', async () => {
    const own = await cloud!.gateways.rotate('gw-a');
    const a = await connectGateway(url, { gatewayId: 'gw-a', password: own }, 'gw-a-live');
    const b = await connectGateway(url, { gatewayId: 'gw-b', gatewaySecret: secret }, 'gw-b-live');
    const closed = (c: MqttClient) => new Promise<void>((resolve) => (c.disconnected || !c.connected ? resolve() : c.once('close', () => resolve())));
    await cloud!.gateways.setDisabled('gw-a', true);
    await cloud!.gateways.add('gw-b');
    await Promise.all([closed(a), closed(b)]); // within one recheck (10 s), not at their next reconnect
    const ended = await cloud!.metrics.gatewaySessionsEnded.get();
    expect(Object.fromEntries(ended.values.map((v) => [v.labels.reason, v.value]))).toEqual({ gateway_disabled: 1, provisioned: 1 });
    await Promise.all([a.endAsync(true), b.endAsync(true)]);
  }, 60_000);
});
