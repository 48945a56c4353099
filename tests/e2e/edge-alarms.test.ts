import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { MqttClient } from 'mqtt';
import { derivePassword, loadSiteFile, type SiteModel, type SubjectKind } from '@atrium/shared';
import { createSimulator, type SimStats } from '@atrium/firmware-sim';
import { createCloud, parseCloudConfig, type Cloud } from '@atrium/cloud';
import { createGateway, parseEdgeConfig, provisionFleet, type Gateway } from '@atrium/edge';
import { connectDevice, eventually, publish, readOutbox, topicOf } from '../support/device.ts';
import { freePort } from '../support/processes.ts';
import { miniSite } from '../support/mini-site.ts';

/**
 * Alarms the gateway raises while the cloud is away, kept in its outbox as uplink records
 * and forwarded when the cloud returns. The outbox bound: the outbox fills past a tiny
 * bound, minute telemetry is merged into hour records and, when even that cannot make room,
 * new telemetry is held unacknowledged; whatever the devices were told was taken must still
 * reach the cloud. Device health: presence from the connection, battery from status.
 */
const secrets = { device: 'device-secret-for-tests-0001', gateway: 'gateway-secret-for-tests-01', privacy: 'privacy-key-for-tests-00001' };
const quiet = pino({ level: 'silent' });

async function startEdge(site: SiteModel, dataDir: string, cloudMqttPort: number, env: Record<string, string>): Promise<{ edge: Gateway; url: string }> {
  const edge = createGateway(parseEdgeConfig({
    ATRIUM_EDGE_MQTT_PORT: '0', ATRIUM_EDGE_HTTP_PORT: '0', ATRIUM_CLOUD_MQTT_URL: `mqtt://127.0.0.1:${cloudMqttPort}`, ATRIUM_EDGE_DATA_DIR: dataDir,
    ATRIUM_GATEWAY_SECRET: secrets.gateway, ATRIUM_PRIVACY_KEY: secrets.privacy, ATRIUM_JOURNAL_DURABILITY: 'normal',
    ATRIUM_AGGREGATE_LATENESS_MS: '0', ATRIUM_AGGREGATE_IDLE_MS: '200', ATRIUM_FLUSH_EVERY_MS: '50',
    ATRIUM_MAX_PUBLISH_RATE: '100000', ATRIUM_MAX_PUBLISH_BURST: '100000', ...env,
  }), { site, logger: quiet });
  await provisionFleet(edge.devices, site.devices, secrets.device);
  const { mqttPort } = await edge.start();
  return { edge, url: `mqtt://127.0.0.1:${mqttPort}` };
}
const startCloud = async (site: SiteModel, mqttPort: number) => {
  const cloud = await createCloud(parseCloudConfig({ ATRIUM_CLOUD_HTTP_PORT: '0', ATRIUM_CLOUD_MQTT_PORT: String(mqttPort), ATRIUM_DATA_DIR: 'memory://', ATRIUM_GATEWAY_SECRET: secrets.gateway }), { site, logger: quiet });
  await cloud.start();
  return cloud;
};
const counter = async (edge: Gateway, name: string, labels: Record<string, string>) =>
  (await edge.metrics.registry.getSingleMetric(name)?.get())?.values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((n, v) => n + v.value, 0) ?? 0;
const cloudUplinks = async (cloud: Cloud, outcome: string) =>
  (await cloud.metrics.registry.getSingleMetric('atrium_cloud_uplinks_total')?.get())?.values.filter((v) => v.labels.kind === 'status' && v.labels.outcome === outcome).reduce((n, v) => n + v.value, 0) ?? 0;

describe('outbox bound: a demo mall hour with the cloud away and a 2 MB outbox', () => {
  const site = loadSiteFile();
  const dir = mkdtempSync(join(tmpdir(), 'atrium-bound-'));
  const MAX = 2 * 1024 * 1024;
  let edge: Gateway;
  let cloud: Cloud | undefined;
  let stats: SimStats;
  let duringOutage: ReturnType<Gateway['health']>;
  let outboxDuringOutage: ReturnType<typeof readOutbox>;

  beforeAll(async () => {
    const cloudPort = await freePort();
    const started = await startEdge(site, join(dir, 'edge'), cloudPort, { ATRIUM_OUTBOX_MAX_BYTES: String(MAX) });
    edge = started.edge;
    const sim = createSimulator({ site, brokerUrl: started.url, secret: secrets.device, speed: 'max', seed: 5, start: Date.UTC(2026, 10, 21, 1, 0, 0), durationMs: 3_600_000 });
    await sim.start();
    // The devices finish their hour, unless the outbox fills so far that the edge holds their telemetry: then the cloud must come back first.
    await Promise.race([sim.done, eventually(() => (edge.health().outbox.telemetryPaused ? true : undefined), 120_000, 'telemetry held')]);
    await eventually(() => (edge.health().pendingReadings === 0 ? true : undefined), 10_000, 'open minutes closed');
    duringOutage = edge.health();
    outboxDuringOutage = readOutbox(join(dir, 'edge'));
    cloud = await startCloud(site, cloudPort);
    await sim.done;
    stats = sim.stats();
    await sim.stop();
  }, 240_000);

  afterAll(async () => {
    await edge?.stop();
    await cloud?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('raised the near-full alarm and compacted minute telemetry into hour records while the cloud was away', async () => {
    expect(duringOutage.status).toBe('degraded');
    expect(duringOutage.problems).toContain('uplink_down');
    // health shows the backlog: depth, age of the oldest entry, how full it is
    expect(duringOutage.outbox).toMatchObject({ maxBytes: MAX, outboxRows: expect.any(Number), outboxRecords: expect.any(Number) });
    expect(duringOutage.outbox.oldestAgeSeconds).toBeGreaterThan(0);
    expect(duringOutage.outbox.fill).toBeCloseTo(duringOutage.outbox.outboxBytes / MAX);
    expect(await counter(edge, 'atrium_edge_alarms_total', { type: 'outbox_high', state: 'raised' })).toBeGreaterThan(0);
    expect(await counter(edge, 'atrium_edge_outbox_compactions_total', {})).toBeGreaterThan(0);
    const alarms = outboxDuringOutage.flatMap((u) => (u.kind === 'status' ? (u.alarms ?? []) : []));
    expect(alarms.map((a) => `${a.type}:${a.state}`)).toEqual(expect.arrayContaining(['outbox_high:raised', 'outbox_compacted:raised']));
    const spans = new Set(outboxDuringOutage.flatMap((u) => (u.kind === 'minute' ? u.footfall.map((f) => f.spanMinutes ?? 1) : [])));
    expect(spans.has(60)).toBe(true);
  });

  it('after the cloud returns, stores exactly what the devices had acknowledged, every event included, and the alarms', async () => {
    expect(stats.finished).toBe(true);
    expect(stats.messages.failed).toBe(0);
    const emitted = (kind: SubjectKind) =>
      Object.fromEntries(Object.values(stats.subjects).filter((s) => s.kind === kind && s.readings > 0).map((s) => [s.id, { in: s.in, out: s.out }]));
    const stored = async (kind: SubjectKind) =>
      Object.fromEntries((await cloud!.store.footfallTotals({ siteId: site.id, subjectKind: kind })).map((t) => [t.subjectId, { in: t.in, out: t.out }]));
    const want = {
      zone: emitted('zone'), shop: emitted('shop'), entrance: emitted('entrance'),
      events: Object.values(stats.devices).filter((d) => d.kind === 'locker' || d.kind === 'gate').reduce((s, d) => s + d.readingsAcked, 0),
    };
    const have = async () => ({ zone: await stored('zone'), shop: await stored('shop'), entrance: await stored('entrance'), events: (await cloud!.store.counts(site.id)).events });
    const canonical = (o: object): string => JSON.stringify(o, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
    await eventually(async () => (edge.health().outbox.outboxRows === 0 && canonical(await have()) === canonical(want) ? true : undefined), 60_000, 'outbox drained and totals reconciled').catch(() => undefined);
    expect(await have()).toEqual(want);
    expect(edge.health().outbox.outboxRows).toBe(0);
    // the alarms travelled in status uplinks, which the cloud stored rather than refused
    expect(await cloudUplinks(cloud!, 'rejected')).toBe(0);
    expect(await cloudUplinks(cloud!, 'stored')).toBeGreaterThan(0);
  }, 90_000);
});

describe('outbox bound: nothing left to compact', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-full-'));
  const T0 = Date.UTC(2026, 10, 21, 3, 0, 0);
  let edge: Gateway;
  let cloud: Cloud | undefined;
  const clients: MqttClient[] = [];
  afterAll(async () => {
    clients.forEach((c) => c.end(true));
    await edge?.stop();
    await cloud?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds new telemetry unacknowledged (the device keeps it) while events still get through, and takes it once the cloud made room', async () => {
    const cloudPort = await freePort();
    const started = await startEdge(miniSite, join(dir, 'edge'), cloudPort, { ATRIUM_OUTBOX_MAX_BYTES: '4096' });
    edge = started.edge;
    const gate = await connectDevice(started.url, secrets.device, 'gate-staff');
    const radar = await connectDevice(started.url, secrets.device, 'radar-wc');
    clients.push(gate, radar);
    // Events are never compacted: enough of them fill the outbox past its bound.
    let events = 0;
    while (!edge.health().outbox.telemetryPaused && events < 500) {
      await publish(gate, topicOf('mini', 'gate-staff', 'event'), { ts: T0 + events, seq: events, event: 'entry', badge: `B-${events}` });
      events++;
      if (events % 10 === 0) await eventually(() => (edge.health().pendingReadings === 0 ? true : undefined), 5000, 'events folded');
    }
    expect(edge.health().outbox.telemetryPaused).toBe(true);
    let cloudBack = false;
    let ackedAfterCloudBack: boolean | undefined;
    const held = publish(radar, topicOf('mini', 'radar-wc', 'count'), { ts: T0, seq: 1, periodS: 30, in: 7, out: 3 }).then(() => (ackedAfterCloudBack = cloudBack));
    await eventually(async () => ((await counter(edge, 'atrium_edge_telemetry_held_total', {})) === 1 ? true : undefined), 5000, 'telemetry held');
    // an event is still taken while telemetry waits
    await publish(gate, topicOf('mini', 'gate-staff', 'event'), { ts: T0 + events, seq: events, event: 'exit' });
    events++;
    expect(edge.health().problems).toContain('outbox_full');

    cloudBack = true;
    cloud = await startCloud(miniSite, cloudPort);
    await held;
    expect(ackedAfterCloudBack).toBe(true);
    await eventually(async () => {
      const wc = (await cloud!.store.footfallTotals({ siteId: 'mini', subjectKind: 'zone' })).find((t) => t.subjectId === 'wc');
      return wc?.in === 7 && (await cloud!.store.counts('mini')).events === events ? true : undefined;
    }, 20_000, 'held reading and every event stored');
    expect(await counter(edge, 'atrium_edge_alarms_total', { type: 'outbox_full', state: 'raised' })).toBe(1);
    await eventually(async () => ((await counter(edge, 'atrium_edge_alarms_total', { type: 'outbox_full', state: 'cleared' })) === 1 ? true : undefined), 10_000, 'outbox_full cleared');
  }, 60_000);
});

/** A device that connects and then goes silent without closing: only its keepalive tells. */
async function silentDevice(url: string, deviceId: string, password: string, keepaliveS: number) {
  const str = (v: string) => {
    const b = Buffer.from(v);
    return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
  };
  // MQTT 3.1.1 CONNECT: clean session, username and password flags
  const body = Buffer.concat([str('MQTT'), Buffer.from([4, 0xc2, keepaliveS >> 8, keepaliveS & 0xff]), str(deviceId), str(deviceId), str(password)]);
  const length: number[] = [];
  for (let n = body.length; ; ) {
    const byte = n % 128;
    n = Math.floor(n / 128);
    length.push(n > 0 ? byte | 0x80 : byte);
    if (n === 0) break;
  }
  const { hostname, port } = new URL(url);
  const socket = tcpConnect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => socket.write(Buffer.concat([Buffer.from([0x10, ...length]), body])));
    socket.once('data', (d: Buffer) => (d[0] === 0x20 && d[3] === 0 ? resolve() : reject(new Error(`CONNACK ${d.toString('hex')}`))));
    socket.once('error', reject);
  });
  return socket;
}

describe('device health: presence, battery and signal, and their alarms', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-health-'));
  let edge: Gateway;
  let cloud: Cloud | undefined;
  afterAll(async () => {
    await edge?.stop();
    await cloud?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tracks online/offline from the connection, last will and keepalive, battery and signal from status; alarms wait in the outbox for the cloud', async () => {
    const cloudPort = await freePort();
    const started = await startEdge(miniSite, join(dir, 'edge'), cloudPort, { ATRIUM_DEVICE_OFFLINE_ALARM_MS: '0', ATRIUM_LOW_BATTERY_PERCENT: '20' });
    edge = started.edge;
    const T0 = Date.UTC(2026, 10, 21, 3, 0, 0);
    const status = topicOf('mini', 'env-hall', 'status');
    const env = await connectDevice(started.url, secrets.device, 'env-hall', { will: { topic: status, payload: Buffer.from(JSON.stringify({ ts: T0 + 1, state: 'offline' })), qos: 1, retain: true } });
    await publish(env, status, { ts: T0, state: 'online', battery: 12, rssi: -71, fw: 'env-1.9.0' });
    expect(edge.health().devices).toMatchObject({ online: 1, lowBattery: 1, unknown: miniSite.devices.length - 1 });
    const metrics = await edge.metrics.registry.metrics();
    expect(metrics).toContain('atrium_edge_device_battery_percent{device="env-hall"} 12');
    expect(metrics).toContain('atrium_edge_device_rssi_dbm{device="env-hall"} -71');

    // the network drops under the device: no DISCONNECT, so its last will is published
    env.stream.destroy();
    await eventually(() => (edge.health().devices.offline === 1 ? true : undefined), 5000, 'env-hall offline');
    // a device that just goes silent is found out by its keepalive
    const silent = await silentDevice(started.url, 'radar-wc', derivePassword(secrets.device, 'radar-wc'), 1);
    await eventually(() => (edge.health().devices.offline === 2 ? true : undefined), 10_000, 'radar-wc offline by keepalive');
    silent.destroy();
    await eventually(async () => ((await counter(edge, 'atrium_edge_alarms_total', { type: 'device_offline', state: 'raised' })) === 2 ? true : undefined), 5000, 'offline alarms');
    const metricsNow = await edge.metrics.registry.metrics();
    expect(metricsNow).toContain('atrium_edge_devices{presence="offline"} 2');
    expect(metricsNow).toContain('atrium_edge_devices_low_battery 1');

    const outbox = readOutbox(join(dir, 'edge'));
    const alarms = outbox.flatMap((u) => (u.kind === 'status' ? (u.alarms ?? []) : [])).map((a) => `${a.type}:${a.state}:${a.device?.deviceId}:${a.data.reason ?? a.data.battery}`);
    expect(alarms).toEqual(expect.arrayContaining(['device_low_battery:raised:env-hall:12', 'device_offline:raised:env-hall:disconnected', 'device_offline:raised:radar-wc:keepalive_lost']));
    const wills = outbox.flatMap((u) => (u.kind === 'status' ? u.devices : [])).filter((d) => d.deviceId === 'env-hall' && d.state === 'offline');
    expect(wills).toHaveLength(1);

    // back online: the offline alarm clears; the cloud, once reachable, takes every alarm without refusing one
    (await connectDevice(started.url, secrets.device, 'env-hall')).end();
    await eventually(async () => ((await counter(edge, 'atrium_edge_alarms_total', { type: 'device_offline', state: 'cleared' })) === 1 ? true : undefined), 5000, 'offline alarm cleared');
    cloud = await startCloud(miniSite, cloudPort);
    await eventually(() => (edge.health().outbox.outboxRows === 0 ? true : undefined), 20_000, 'outbox delivered');
    expect(await cloudUplinks(cloud, 'rejected')).toBe(0);
    expect(await cloudUplinks(cloud, 'stored')).toBeGreaterThan(0);
  }, 60_000);
});
