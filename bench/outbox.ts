import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { derivePassword, gatewayPrincipal, indexSite, loadSiteFile, minuteOf, uplinkTopic, type DeviceEventRecord, type SiteIndex } from '@atrium/shared';
import { createCloud, parseCloudConfig, type Cloud } from '@atrium/cloud';
import { createGateway, parseEdgeConfig } from '@atrium/edge';
import { createAggregator } from '../edge/src/readings/aggregator.ts';
import { openJournal, type NewUplink } from '../edge/src/outbox/journal.ts';
import { placementOf } from '../edge/src/readings/placement.ts';
import { progress } from './support.ts';

/**
 * The edge outbox, next to baselines measured in the same run:
 *  - write: device readings journaled (group commit, fsync), folded into minute records and
 *    stored as outbox uplinks, vs the same readings inserted into a bare SQLite table with
 *    the same durability and batching;
 *  - replay: a backlog of the demo mall (every radar and sensor, events) drained from a
 *    gateway's outbox into the real cloud after an outage, vs the same uplinks published
 *    straight into a fresh cloud by a plain MQTT client with the same window (the cloud's
 *    own pace); and the time to drain a 10-minute backlog, gateway start to empty outbox.
 */
const T0 = Date.UTC(2026, 10, 21, 1, 0, 0);
const BATCH = 500; // readings per group commit: a busy flush tick
const quiet = pino({ level: process.env.BENCH_LOG ?? 'silent' });
const rand = (n: number) => Math.floor(Math.random() * n);

interface Message { deviceId: string; channel: 'count' | 'env'; ts: number; seq: number; body: string }

/** What the demo mall's radars and sensors send in `minutes`, in time order. */
function mallReadings(site: SiteIndex, minutes: number): Message[] {
  const out: Message[] = [];
  for (const d of site.site.devices) {
    if (d.kind !== 'radar' && d.kind !== 'env') continue;
    for (let t = 0, seq = 0; t < minutes * 60_000; t += d.reportIntervalS * 1000, seq++) {
      const ts = T0 + t;
      const body = d.kind === 'radar'
        ? { ts, seq, periodS: d.reportIntervalS, in: rand(20), out: rand(20), occupancy: rand(80) }
        : { ts, seq, tempC: 21 + rand(4), rh: 40 + rand(10), co2: 500 + rand(600), pm25: rand(20), tvoc: rand(400), noiseDb: 40 + rand(30) };
      out.push({ deviceId: d.id, channel: d.kind === 'radar' ? 'count' : 'env', ts, seq, body: JSON.stringify(body) });
    }
  }
  return out.sort((a, b) => a.ts - b.ts);
}

const envelope = (siteId: string, body: object): string => JSON.stringify({ v: 1, id: randomUUID(), siteId, gatewayId: 'gw-1', sentAt: T0, ...body });

async function benchWrite(site: SiteIndex, minutes: number, dir: string) {
  const messages = mallReadings(site, minutes);
  // Baseline: the same bodies into a bare table, one transaction (and fsync) per batch.
  const plain = new Database(join(dir, 'plain.sqlite'));
  plain.pragma('journal_mode = WAL');
  plain.pragma('synchronous = FULL');
  plain.exec('create table t (id integer primary key, device_id text, body text)');
  const insert = plain.prepare('insert into t (device_id, body) values (?, ?)');
  const insertAll = plain.transaction((ms: Message[]) => ms.forEach((m) => insert.run(m.deviceId, m.body)));
  let t = performance.now();
  for (let i = 0; i < messages.length; i += BATCH) insertAll(messages.slice(i, i + BATCH));
  const plainSeconds = (performance.now() - t) / 1000;
  plain.close();

  // The edge's path, without the broker: journal append (group commit), aggregate, fold into the outbox.
  const journal = openJournal({ path: join(dir, 'write.sqlite'), durability: 'full' });
  const aggregator = createAggregator({ lateness_ms: 0, idle_ms: 60_000 });
  let uplinks = 0;
  t = performance.now();
  for (let i = 0; i < messages.length; i += BATCH) {
    const batch = messages.slice(i, i + BATCH);
    const ids = await Promise.all(batch.map((m) => journal.append(m.deviceId, m.channel, m.seq, m.ts, m.body, T0)));
    batch.forEach((m, k) => {
      const device = site.device.get(m.deviceId)!;
      const value = JSON.parse(m.body);
      if (m.channel === 'count') aggregator.addCount(placementOf(site, device), device.subject ?? { kind: 'zone', id: device.zoneId }, value, T0, ids[k]!);
      else aggregator.addEnv(placementOf(site, device), value, T0, ids[k]!);
    });
    const closed = aggregator.takeClosed(T0);
    if (closed.readingIds.length === 0) continue;
    const body = envelope(site.site.id, { kind: 'minute', footfall: closed.footfall, env: closed.env });
    journal.fold([{ kind: 'minute', body, records: closed.footfall.length + closed.env.length }], closed.readingIds, T0);
    uplinks++;
  }
  const edgeSeconds = (performance.now() - t) / 1000;
  journal.close();
  return {
    messages: messages.length,
    uplinks,
    plainSqliteInsertPerSecond: Math.round(messages.length / plainSeconds),
    outboxWritePerSecond: Math.round(messages.length / edgeSeconds),
    ratioToPlain: +(plainSeconds / edgeSeconds).toFixed(2),
  };
}

/** The demo mall's 10 minutes as the gateway would have queued them: minute uplinks and event uplinks. */
function mallBacklog(site: SiteIndex, minutes: number): NewUplink[] {
  const uplinks: NewUplink[] = [];
  const radars = site.site.devices.filter((d) => d.kind === 'radar');
  const envs = site.site.devices.filter((d) => d.kind === 'env');
  const eventDevices = site.site.devices.filter((d) => d.kind === 'gate' || d.kind === 'locker');
  for (let m = 0; m < minutes; m++) {
    const minute = minuteOf(T0 + m * 60_000);
    const footfall = radars.map((d) => ({ ...placementOf(site, d), minute, subjectKind: d.subject!.kind, subjectId: d.subject!.id, in: rand(40), out: rand(40), samples: 2, occupancySum: rand(160), occupancyCount: 2, occupancyMax: rand(80) }));
    const env = envs.map((d) => ({ ...placementOf(site, d), minute, metrics: { co2: { sum: 1200, count: 2, min: 580, max: 620 }, tempC: { sum: 44, count: 2, min: 21.9, max: 22.1 } } }));
    uplinks.push({ kind: 'minute', records: footfall.length + env.length, body: envelope(site.site.id, { kind: 'minute', footfall, env }) });
    const events = eventDevices.map((d, i): DeviceEventRecord => {
      const data: DeviceEventRecord['data'] = d.kind === 'gate' ? {} : { compartment: 1 + (i % 20) };
      return { ...placementOf(site, d), ts: minute + i, seq: m, family: d.kind === 'gate' ? 'gate' : 'locker', type: d.kind === 'gate' ? 'entry' : 'deposit', data };
    });
    uplinks.push({ kind: 'events', records: events.length, body: envelope(site.site.id, { kind: 'events', events }) });
  }
  return uplinks;
}

async function benchReplay(site: SiteIndex, minutes: number, dir: string) {
  const backlog = mallBacklog(site, minutes);
  const records = backlog.reduce((n, u) => n + u.records, 0);
  const secret = 'bench-gateway-secret-000000';
  const footfall = site.site.devices.filter((d) => d.kind === 'radar').length * minutes;
  const startCloud = async () => {
    const cloud = await createCloud(parseCloudConfig({ ATRIUM_CLOUD_HTTP_PORT: '0', ATRIUM_CLOUD_MQTT_PORT: '0', ATRIUM_DATA_DIR: 'memory://', ATRIUM_GATEWAY_SECRET: secret }), { site: site.site, logger: quiet });
    return { cloud, ...(await cloud.start()) };
  };
  const checkStored = async (cloud: Cloud, what: string) => {
    const stored = await cloud.store.counts(site.site.id);
    if (stored.footfallRecords !== footfall) throw new Error(`replay bench (${what}): the cloud stored ${stored.footfallRecords} footfall records, not ${footfall}`);
  };

  // Baseline: the same uplinks straight into a fresh cloud from a plain MQTT client with the gateway's credentials, QoS 1, 32 in flight.
  const a = await startCloud();
  const client = mqtt.connect(`mqtt://127.0.0.1:${a.mqttPort}`, { clientId: 'bench-plain-gateway', username: 'gw-1', password: derivePassword(secret, gatewayPrincipal('gw-1')) });
  await new Promise<void>((r) => client.once('connect', () => r()));
  let t = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < backlog.length) {
      const u = backlog[next++]!;
      await new Promise<void>((resolve, reject) => client.publish(uplinkTopic(site.site.id, 'gw-1', u.kind as 'minute'), u.body, { qos: 1 }, (err) => (err ? reject(err) : resolve())));
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  const plainSeconds = (performance.now() - t) / 1000;
  client.end(true);
  await checkStored(a.cloud, 'baseline');
  await a.cloud.stop();

  // The edge: the backlog waits on disk as after an outage; the gateway starts and drains it into a fresh cloud.
  const dataDir = join(dir, 'edge');
  const journal = openJournal({ path: join(dataDir, 'journal.sqlite'), durability: 'full' });
  for (const u of backlog) journal.fold([u], [], T0);
  journal.close();
  const b = await startCloud();
  const edge = createGateway(parseEdgeConfig({
    ATRIUM_EDGE_MQTT_PORT: '0', ATRIUM_EDGE_HTTP_PORT: '0', ATRIUM_CLOUD_MQTT_URL: `mqtt://127.0.0.1:${b.mqttPort}`, ATRIUM_EDGE_DATA_DIR: dataDir,
    ATRIUM_GATEWAY_SECRET: secret, ATRIUM_PRIVACY_KEY: 'bench-privacy-key-0000000',
  }), { site: site.site, logger: quiet });
  t = performance.now();
  await edge.start();
  while (edge.health().outbox.outboxRows > 0) await new Promise((r) => setTimeout(r, 10));
  const drainSeconds = (performance.now() - t) / 1000;
  await edge.stop();
  await checkStored(b.cloud, 'edge');
  await b.cloud.stop();
  return {
    backlogMinutes: minutes,
    uplinks: backlog.length,
    records,
    directToCloudRecordsPerSecond: Math.round(records / plainSeconds),
    directToCloudSeconds: +plainSeconds.toFixed(2),
    replayUplinksPerSecond: Math.round(backlog.length / drainSeconds),
    replayRecordsPerSecond: Math.round(records / drainSeconds),
    drainSeconds: +drainSeconds.toFixed(2),
    ratioToDirect: +(plainSeconds / drainSeconds).toFixed(2),
    /** how much faster than the outage itself the backlog drains */
    speedupOverRealTime: Math.round((minutes * 60) / drainSeconds),
  };
}

export async function benchOutbox(opts: { writeMinutes: number; replayMinutes: number }) {
  const site = indexSite(loadSiteFile());
  const dir = mkdtempSync(join(tmpdir(), 'atrium-bench-outbox-'));
  try {
    progress(`outbox write: ${opts.writeMinutes} minutes of demo mall readings, and the same into plain SQLite`);
    const write = await benchWrite(site, opts.writeMinutes, dir);
    progress(`outbox replay: ${opts.replayMinutes}-minute and 10-minute demo mall backlogs drained into the cloud, and published straight into it`);
    const replay = await benchReplay(site, opts.replayMinutes, join(dir, 'replay'));
    const drain10 = await benchReplay(site, 10, join(dir, 'drain'));
    return { devices: site.site.devices.length, write, replay, drain10 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const outboxRows = (r: Awaited<ReturnType<typeof benchOutbox>>): string[] => [
  `| plain SQLite insert, same readings, batches of ${BATCH}, fsync (baseline) | ${r.write.plainSqliteInsertPerSecond} msg/s |`,
  `| outbox write: journal, aggregate, fold into uplinks (demo mall, ${r.write.messages} readings) | ${r.write.outboxWritePerSecond} msg/s (×${r.write.ratioToPlain} of baseline) |`,
  `| same uplinks published straight into the cloud by a plain client, QoS 1, 32 in flight (baseline) | ${r.replay.directToCloudRecordsPerSecond} records/s |`,
  `| outbox replay into the cloud, stored (${r.replay.backlogMinutes}-minute backlog, ${r.replay.uplinks} uplinks) | ${r.replay.replayRecordsPerSecond} records/s (${r.replay.replayUplinksPerSecond} uplinks/s, ×${r.replay.ratioToDirect} of baseline) |`,
  `| drain a 10-minute demo mall backlog (${r.devices} devices, ${r.drain10.records} records), gateway start to empty | ${r.drain10.drainSeconds} s (${r.drain10.speedupOverRealTime}× faster than real time; baseline ${r.drain10.directToCloudSeconds} s) |`,
];
