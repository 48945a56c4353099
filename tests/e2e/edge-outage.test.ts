import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadSiteFile, type SubjectKind } from '@atrium/shared';
import { createSimulator, type SimStats, type Simulator } from '@atrium/firmware-sim';
import { createCloud, parseCloudConfig, type Cloud } from '@atrium/cloud';
import { eventually, runDevicesCli } from '../support/device.ts';
import { scrapeMetrics, TEST_METRICS_TOKEN } from '../support/hostile.ts';
import { exited, freePort, startEntryPoint, stopChild, waitForHttp } from '../support/processes.ts';

/**
 * Store-and-forward under faults: the cloud goes away for a stretch, the edge gateway (its
 * own process) is killed with SIGKILL in the middle of the outage and restarted, then the
 * cloud comes back. Every reading the devices had acknowledged must be stored exactly once.
 * Each phase waits for what it needs to see (uplinks stored, the uplink down and the outbox
 * growing, the devices acknowledged again by the restarted edge), never for a span of time.
 */
const site = loadSiteFile();
const START = Date.UTC(2026, 10, 21, 1, 0, 0); // Saturday noon in Melbourne
const SIM_HOURS = 1.5;
const SPEED = 500; // 1.5 simulated hours in about 11 s

describe('edge outage: cloud down, edge killed -9 and restarted, cloud back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-outage-'));
  const secrets = { device: 'device-secret-for-tests-0001', gateway: 'gateway-secret-for-tests-01', privacy: 'privacy-key-for-tests-00001' };
  let cloud: Cloud | undefined;
  // Whatever runs now, so afterAll stops it however far beforeAll got.
  let edge: ReturnType<typeof startEntryPoint> | undefined;
  let sim: Simulator | undefined;
  let simStopped = false;
  let stats: SimStats;
  const outbox = { beforeKill: 0, afterRestart: 0 };
  const ports = { cloudHttp: 0, cloudMqtt: 0, edgeMqtt: 0, edgeHttp: 0 };

  const startCloud = async () => {
    const config = parseCloudConfig({
      ATRIUM_CLOUD_HTTP_PORT: String(ports.cloudHttp), ATRIUM_CLOUD_MQTT_PORT: String(ports.cloudMqtt),
      ATRIUM_DATA_DIR: join(dir, 'cloud'), ATRIUM_GATEWAY_SECRET: secrets.gateway,
    });
    const c = await createCloud(config, { site, logger: pino({ level: 'error' }) });
    await c.start();
    return c;
  };
  const startEdge = () =>
    startEntryPoint('edge/src/main.ts', {
      ATRIUM_EDGE_MQTT_PORT: String(ports.edgeMqtt), ATRIUM_EDGE_HTTP_PORT: String(ports.edgeHttp),
      ATRIUM_CLOUD_MQTT_URL: `mqtt://127.0.0.1:${ports.cloudMqtt}`, ATRIUM_EDGE_DATA_DIR: join(dir, 'edge'),
      ATRIUM_GATEWAY_SECRET: secrets.gateway, ATRIUM_PRIVACY_KEY: secrets.privacy, ATRIUM_METRICS_TOKEN: TEST_METRICS_TOKEN,
      ATRIUM_AGGREGATE_LATENESS_MS: '2000', ATRIUM_AGGREGATE_IDLE_MS: '1000', ATRIUM_FLUSH_EVERY_MS: '100', LOG_LEVEL: 'warn',
      // Devices run 500x faster than real ones: scale their publish budget with them.
      ATRIUM_MAX_PUBLISH_RATE: '100000', ATRIUM_MAX_PUBLISH_BURST: '100000',
    });
  const edgeHealth = async () => (await fetch(`http://127.0.0.1:${ports.edgeHttp}/health`, { signal: AbortSignal.timeout(2_000) })).json() as Promise<{ uplinkConnected: boolean; outbox: { outboxRows: number; pendingReadings: number } }>;
  const acked = () => sim!.stats().messages.acked;
  const edgeUp = () =>
    waitForHttp(`http://127.0.0.1:${ports.edgeHttp}/health`, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}; the edge said:\n${edge?.output()}`);
    });

  beforeAll(async () => {
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    cloud = await startCloud();
    // The site's devices get credentials with the provisioning CLI, their passwords minted from the fleet's factory key.
    const provisioned = await runDevicesCli(['add', '--site', '--factory-key-env', 'ATRIUM_DEVICE_SECRET', '--json'], { ATRIUM_EDGE_DATA_DIR: join(dir, 'edge'), ATRIUM_DEVICE_SECRET: secrets.device });
    expect(provisioned.code, provisioned.stderr).toBe(0);
    edge = startEdge();
    await edgeUp();
    sim = createSimulator({
      site, brokerUrl: `mqtt://127.0.0.1:${ports.edgeMqtt}`, secret: secrets.device, speed: SPEED, seed: 11, start: START,
      durationMs: SIM_HOURS * 3_600_000, faults: { duplicateRate: 0.01 },
    });
    await sim.start();
    // Before the outage the whole path works: the cloud has stored uplinks from this edge.
    const up = cloud;
    await eventually(async () => ((await up.store.counts(site.id)).uplinks > 0 ? true : undefined), 30_000, 'the first uplinks stored by the cloud');
    await cloud.stop(); // the uplink goes dark
    cloud = undefined;
    // The edge notices and keeps closed minutes on disk: the uplink reported down, the outbox growing.
    const first = await eventually(async () => {
      const h = await edgeHealth();
      return !h.uplinkConnected && h.outbox.outboxRows > 0 ? h.outbox.outboxRows : undefined;
    }, 30_000, 'the edge to report the uplink down with uplinks in its outbox');
    outbox.beforeKill = await eventually(async () => {
      const rows = (await edgeHealth()).outbox.outboxRows;
      return rows > first ? rows : undefined;
    }, 30_000, 'the outbox to grow during the outage');
    edge.kill('SIGKILL'); // mid-outage, with an outbox on disk and readings in open minutes
    await exited(edge);
    const ackedAtKill = acked(); // the dead edge acknowledges nothing more
    edge = startEdge();
    await edgeUp();
    // The restarted edge found the outbox on disk, and the devices are back: it acknowledges them again, the cloud still away.
    outbox.afterRestart = await eventually(async () => {
      const h = await edgeHealth();
      return !h.uplinkConnected && acked() > ackedAtKill ? h.outbox.outboxRows : undefined;
    }, 30_000, 'the devices acknowledged by the restarted edge while the cloud is down');
    cloud = await startCloud();
    await sim.done;
    stats = sim.stats();
    await sim.stop();
    simStopped = true;
  }, 180_000);

  afterAll(async () => {
    // Everything this file started stops here, however far beforeAll got or whatever failed.
    // A simulator stopped mid-run waits for its devices' messages to be acknowledged, which a
    // dead edge never does: it is let go (it lives in this worker, which ends with the file).
    if (sim && !simStopped) void sim.stop().catch(() => undefined);
    if (edge) await stopChild(edge);
    await cloud?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const stored = async (kind: SubjectKind) =>
    Object.fromEntries((await cloud!.store.footfallTotals({ siteId: site.id, subjectKind: kind })).map((t) => [t.subjectId, { in: t.in, out: t.out }]));
  const emitted = (kind: SubjectKind) =>
    Object.fromEntries(Object.values(stats.subjects).filter((s) => s.kind === kind && s.readings > 0).map((s) => [s.id, { in: s.in, out: s.out }]).sort(([a], [b]) => String(a).localeCompare(String(b))));

  it('kept the outage on the gateway disk across the kill', () => {
    expect(outbox.beforeKill).toBeGreaterThan(0);
    expect(outbox.afterRestart).toBeGreaterThanOrEqual(outbox.beforeKill);
    expect(stats.finished).toBe(true);
    expect(stats.messages.failed).toBe(0);
  });

  it('stores every acknowledged reading exactly once after the cloud returns', async () => {
    const metrics = await scrapeMetrics(`http://127.0.0.1:${ports.edgeHttp}/metrics`);
    expect(metrics).not.toMatch(/atrium_edge_messages_rejected_total\{reason="rate_limited"\} [1-9]/);
    const eventDevices = Object.values(stats.devices).filter((d) => d.kind === 'locker' || d.kind === 'gate');
    const want = {
      zone: emitted('zone'), shop: emitted('shop'), entrance: emitted('entrance'),
      events: eventDevices.reduce((s, d) => s + d.readingsAcked, 0),
    };
    const have = async () => ({
      zone: await stored('zone'), shop: await stored('shop'), entrance: await stored('entrance'),
      events: (await cloud!.store.counts(site.id)).events,
    });
    // Uplinks arrive in order but over several seconds; wait for all of it, then compare everything.
    const canonical = (o: object) => JSON.stringify(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
    const sameAs = (a: object, b: object) => canonical(a) === canonical(b);
    await eventually(async () => {
      const h = await have();
      return sameAs(h.zone, want.zone) && sameAs(h.shop, want.shop) && sameAs(h.entrance, want.entrance) && h.events === want.events ? true : undefined;
    }, 45_000, 'stored totals to reconcile').catch(() => undefined);
    expect(await have()).toEqual(want);
  }, 60_000);
});
