import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSiteFile, type SubjectKind } from '@atrium/shared';
import { createGateway, parseEdgeConfig, provisionFleet, type Gateway } from '@atrium/edge';
import { createSimulator, type SimStats } from '@atrium/firmware-sim';
import type { CloudHealth } from '@atrium/shared';
import { createInfluxClient, literal, seriesRows, timeLiteral } from '../../cloud/src/series/influx-http.ts';
import { startInfluxd, type TestInfluxd } from '../../cloud/test/support/influxd.ts';
import { eventually } from '../support/device.ts';
import { freePort, startEntryPoint, waitForHttp } from '../support/processes.ts';

/**
 * The series store in a real InfluxDB under faults: the simulated mall publishes to the edge,
 * the edge forwards to the cloud (its own process, ATRIUM_SERIES_STORE=influxdb, so a SIGKILL
 * really ends it), the cloud writes to influxd (Debian's 1.x, its own process, started by the
 * test). Mid-run influxd is SIGKILLed; while points wait in the cloud's disk buffer the
 * cloud is SIGKILLed too and restarted; then influxd returns. Afterwards what InfluxDB holds,
 * read back with InfluxQL, must equal what the devices had acknowledged, exactly once.
 * Needs /usr/bin/influxd (apt-get install -y influxdb): without it the suite fails and says so.
 */
const site = loadSiteFile();
const START = Date.UTC(2026, 10, 21, 1, 0, 0); // Saturday noon in Melbourne
const SIM_HOURS = 1.5;
const SPEED = 500; // 1.5 simulated hours in about 11 s
const DB = 'atrium';
// Radars, lockers and gates: what is reconciled below. Environment sensors would add most of the
// points (seven metrics a minute each) and CPU without adding to what is proven.
const fleet = site.devices.filter((d) => d.kind !== 'env');

type Exits = ChildProcess & { output: () => string };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const killHard = async (p: Exits) => {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGKILL');
  await exited;
};

describe('InfluxDB outage: influxd killed -9 and restarted, the cloud killed -9 and restarted while points wait on its disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-influx-outage-'));
  const secrets = { device: 'device-secret-for-tests-0001', gateway: 'gateway-secret-for-tests-01', privacy: 'privacy-key-for-tests-00001' };
  const adminKey = 'atr_admin-key-for-the-influx-outage-test';
  // The cloud comes back on the same ports (the edge's uplink URL); the edge is never restarted, so it takes any.
  const ports = { cloudHttp: 0, cloudMqtt: 0 };
  let influx: TestInfluxd | undefined;
  let cloud: Exits | undefined;
  let edge: Gateway | undefined;
  let stats: SimStats;
  const seen = { bufferedBeforeCloudKill: 0, afterRestart: undefined as CloudHealth['store'] | undefined, lastErrorWhileDown: '' };

  const startCloud = () =>
    startEntryPoint('cloud/src/main.ts', {
      ATRIUM_CLOUD_HTTP_PORT: String(ports.cloudHttp), ATRIUM_CLOUD_MQTT_PORT: String(ports.cloudMqtt),
      ATRIUM_DATA_DIR: join(dir, 'cloud'), ATRIUM_GATEWAY_SECRET: secrets.gateway, ATRIUM_ADMIN_KEY: adminKey, LOG_LEVEL: 'warn',
      ATRIUM_SERIES_STORE: 'influxdb', ATRIUM_INFLUX_URL: influx!.url, ATRIUM_INFLUX_USERNAME: influx!.username, ATRIUM_INFLUX_PASSWORD: influx!.password,
      ATRIUM_INFLUX_DATABASE: DB,
    });
  const startEdge = async () => {
    const gw = createGateway(
      parseEdgeConfig({
        ATRIUM_EDGE_MQTT_PORT: '0', ATRIUM_EDGE_HTTP_PORT: '0', ATRIUM_CLOUD_MQTT_URL: `mqtt://127.0.0.1:${ports.cloudMqtt}`, ATRIUM_EDGE_DATA_DIR: join(dir, 'edge'),
        ATRIUM_GATEWAY_SECRET: secrets.gateway, ATRIUM_PRIVACY_KEY: secrets.privacy,
        // A few simulated minutes per uplink: the cloud stores one gateway's uplinks one after another.
        ATRIUM_AGGREGATE_LATENESS_MS: '2000', ATRIUM_AGGREGATE_IDLE_MS: '1000', ATRIUM_FLUSH_EVERY_MS: '500',
        // Devices run 500x faster than real ones: scale their publish budget with them.
        ATRIUM_MAX_PUBLISH_RATE: '100000', ATRIUM_MAX_PUBLISH_BURST: '100000',
      }),
      { site, logger: pino({ level: 'error' }) },
    );
    await provisionFleet(gw.devices, fleet, secrets.device); // each simulated device's own credentials
    edge = gw;
    return gw.start();
  };
  /**
   * Waits for a service's HTTP side (a bound, not a timing assertion: a cloud creating its
   * embedded database on a busy 2-core machine can take half a minute); on failure the error
   * carries the process's own output.
   */
  const up = async (p: Exits, url: string) => {
    await waitForHttp(url, 90_000).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n--- process output ---\n${p.output()}`);
    });
  };
  const cloudHealth = async () => (await (await fetch(`http://127.0.0.1:${ports.cloudHttp}/health`)).json()) as CloudHealth;

  beforeAll(async () => {
    influx = await startInfluxd(); // throws with how to install influxd when the binary is missing
    await influx.admin(`CREATE DATABASE "${DB}"`);
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    cloud = startCloud();
    await up(cloud, `http://127.0.0.1:${ports.cloudHttp}/health`);
    const edgePorts = await startEdge();
    const sim = createSimulator({
      site, brokerUrl: `mqtt://127.0.0.1:${edgePorts.mqttPort}`, secret: secrets.device, speed: SPEED, seed: 23, start: START,
      durationMs: SIM_HOURS * 3_600_000, faults: { duplicateRate: 0.01 },
      deviceIds: fleet.map((d) => d.id),
    });
    await sim.start();
    await sleep(1500);

    // 1. InfluxDB dies mid-run; the cloud keeps acknowledging uplinks into its disk buffer.
    await influx.kill();
    const down = await eventually(async () => {
      const h = await cloudHealth();
      return h.store.influx?.writing === false && (h.store.buffer?.points ?? 0) > 0 ? h : undefined;
    }, 20_000, 'the cloud to buffer points while InfluxDB is down');
    seen.lastErrorWhileDown = down.store.influx?.lastError ?? '';
    await sleep(500);
    seen.bufferedBeforeCloudKill = (await cloudHealth()).store.buffer?.points ?? 0;

    // 2. The cloud is killed with points on its disk, and restarted while InfluxDB is still away.
    await killHard(cloud);
    cloud = startCloud();
    await up(cloud, `http://127.0.0.1:${ports.cloudHttp}/health`);
    seen.afterRestart = (await cloudHealth()).store;

    // 3. InfluxDB returns (same port, same data directory); the devices are still publishing or just done.
    await influx.start();
    await sim.done;
    stats = sim.stats();
    await sim.stop();
  }, 300_000);

  afterAll(async () => {
    await edge?.stop();
    if (cloud) await killHard(cloud);
    await influx?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('buffered on disk while InfluxDB was down, and the restarted cloud started from that buffer', () => {
    expect(stats.finished).toBe(true);
    expect(stats.messages.failed).toBe(0);
    expect(seen.lastErrorWhileDown).toMatch(/^(unreachable|timeout): /);
    expect(seen.bufferedBeforeCloudKill).toBeGreaterThan(0);
    // Nothing was written while InfluxDB was away, so the restart found at least what was buffered before the kill.
    expect(seen.afterRestart).toMatchObject({ kind: 'influxdb', accepting: true, influx: { writing: false } });
    expect(seen.afterRestart?.buffer?.points).toBeGreaterThanOrEqual(seen.bufferedBeforeCloudKill);
  });

  it('holds in InfluxDB, per zone, shop and entrance, exactly the footfall the devices had acknowledged, and every event once', async () => {
    const client = createInfluxClient({ url: influx!.url, username: influx!.username, password: influx!.password, timeoutMs: 5000 });
    // Read straight from the server, not through the cloud: this is what InfluxDB holds.
    const range = `"site" = ${literal(site.id)} AND time >= ${timeLiteral(START - 86_400_000)} AND time < ${timeLiteral(START + 86_400_000)}`;
    const inInflux = async (kind: SubjectKind) => {
      const series = await client.query(DB, `SELECT sum("in") AS "in", sum("out") AS "out" FROM "footfall_minute" WHERE ${range} AND "subject_kind" = ${literal(kind)} GROUP BY "subject_id"`);
      return Object.fromEntries(series.map((s) => [s.tags?.subject_id ?? '', { in: Number(seriesRows(s)[0]?.in), out: Number(seriesRows(s)[0]?.out) }]));
    };
    const eventsInInflux = async () => {
      const [series] = await client.query(DB, `SELECT count("seq") AS "n" FROM "device_event" WHERE ${range}`);
      return series ? Number(seriesRows(series)[0]?.n ?? 0) : 0;
    };
    const acknowledged = (kind: SubjectKind) =>
      Object.fromEntries(Object.values(stats.subjects).filter((s) => s.kind === kind && s.readings > 0).map((s) => [s.id, { in: s.in, out: s.out }]));
    const eventDevices = Object.values(stats.devices).filter((d) => d.kind === 'locker' || d.kind === 'gate');
    const want = { zone: acknowledged('zone'), shop: acknowledged('shop'), entrance: acknowledged('entrance'), events: eventDevices.reduce((n, d) => n + d.readingsAcked, 0) };
    expect(Object.keys(want.zone)).toHaveLength(site.zones.length);
    expect(want.events).toBeGreaterThan(0);
    const have = async () => ({ zone: await inInflux('zone'), shop: await inInflux('shop'), entrance: await inInflux('entrance'), events: await eventsInInflux() });

    // The edge's outbox and the cloud's disk buffer empty over several seconds (the writer backs
    // off while InfluxDB is away): wait for the buffer to empty and the totals to settle, then
    // compare everything. Every stored copy of a minute uplink is a point of its own (see
    // cloud/src/series/influx-lines.ts), so a sum equal to the ledger also proves nothing was stored twice.
    const canonical = (o: object) => JSON.stringify(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
    await eventually(async () => {
      const h = await cloudHealth();
      if (edge!.health().outbox.outboxRows > 0 || (h.store.buffer?.points ?? 1) > 0) return undefined;
      const got = await have();
      return canonical(got.zone) === canonical(want.zone) && canonical(got.shop) === canonical(want.shop) && canonical(got.entrance) === canonical(want.entrance) && got.events === want.events ? true : undefined;
    }, 120_000, 'InfluxDB to hold what the devices acknowledged').catch(() => undefined);
    // On a mismatch, say where the rest is: still on the edge's disk, in the cloud's buffer, or gone.
    const where = JSON.stringify({ edge: edge!.health().outbox, cloud: (await cloudHealth()).store, cloudOutput: cloud!.output().slice(-3000) });
    expect(await have(), where).toEqual(want);

    // The cloud answers the same through its API, and reports the buffer empty and nothing refused.
    const base = `http://127.0.0.1:${ports.cloudHttp}`;
    const res = await fetch(`${base}/api/v1/series/footfall/totals?subjectKind=zone`, { headers: { Authorization: `Bearer ${adminKey}` } });
    expect(res.status).toBe(200);
    const api = (await res.json()) as Array<{ subjectId: string; in: number; out: number }>;
    expect(Object.fromEntries(api.map((t) => [t.subjectId, { in: t.in, out: t.out }]))).toEqual(want.zone);
    expect((await cloudHealth()).store).toMatchObject({ accepting: true, influx: { writing: true }, buffer: { points: 0, uplinks: 0 }, deadLetter: { uplinks: 0, points: 0 } });
  }, 180_000); // bounds for a busy 2-core machine, not timing assertions
});
