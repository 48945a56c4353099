import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { deviceTopic, loadSiteFile, type SiteModel } from '@atrium/shared';
import { startStack } from '../scripts/stack.ts';
import { freePort, stopChild, superviseServer } from '../tests/support/processes.ts';
import { connectAll, progress, publishMany } from './support.ts';

export const MOSQUITTO_BIN = process.env.ATRIUM_BENCH_MOSQUITTO ?? '/usr/sbin/mosquitto';

/**
 * Device messages per second through the whole edge path (authenticate, authorise topic,
 * validate, dedupe, aggregate, forward, stored by the cloud) next to two plain brokers
 * relaying the same messages to one subscriber, in the same run: aedes in this process (the
 * broker the edge is built on) and Debian's mosquitto (a C broker in its own process: the
 * harder baseline). Without the mosquitto binary its row is left out, with a message saying so.
 */
export async function benchEdgeThroughput(opts: { devices: number; perDevice: number; window: number }) {
  const site: SiteModel = loadSiteFile();
  const radars = site.devices.filter((d) => d.kind === 'radar').slice(0, opts.devices).map((d) => d.id);
  const total = radars.length * opts.perDevice;
  const T0 = Date.UTC(2026, 10, 21, 0, 0, 0);
  // Each reading is one second of device time apart, so aggregation closes minutes as it goes.
  const payload = (_c: number, n: number) => JSON.stringify({ ts: T0 + n * 1000, seq: n, periodS: 1, in: 1, out: 1, occupancy: 10 });

  const relay = (url: string) => measureRelay(url, radars, opts, (i) => deviceTopic(site.id, radars[i]!, 'count'), payload);

  // Baseline: plain aedes, no auth, one subscriber receiving everything.
  progress(`baseline: plain aedes relaying ${total} messages from ${radars.length} devices`);
  const plain = await Aedes.createBroker();
  const server = createServer(plain.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const plainSeconds = await relay(`mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`);
  await new Promise<void>((r) => server.close(() => r()));
  await new Promise<void>((r) => plain.close(() => r()));

  let mosquittoSeconds: number | undefined;
  if (mosquittoInstalled()) {
    progress(`baseline: mosquitto relaying the same ${total} messages`);
    const broker = await startMosquitto();
    try {
      mosquittoSeconds = await relay(broker.url);
    } finally {
      await broker.stop();
    }
  } else {
    progress(`mosquitto: skipped, ${MOSQUITTO_BIN} is missing (apt-get install mosquitto); only the aedes baseline is measured`);
  }

  progress(`atrium edge: the same ${total} messages, stored by the cloud`);
  const stack = await startStack({ site, logger: pino({ level: 'warn' }), edge: { lateness: 0, idle: 500, flushEvery: 100 } });
  const clients = await connectAll(stack.urls.edgeMqtt, stack.secrets.device, radars);
  const t = performance.now();
  await publishMany(clients, opts.perDevice, opts.window, (i) => deviceTopic(site.id, radars[i]!, 'count'), payload);
  const ackedSeconds = (performance.now() - t) / 1000;
  // Forwarded and stored: every reading's `in` has reached the store.
  for (;;) {
    const stored = (await stack.cloud.store.footfallTotals({ siteId: site.id, subjectKind: 'zone' })).reduce((s, x) => s + x.in, 0)
      + (await stack.cloud.store.footfallTotals({ siteId: site.id, subjectKind: 'entrance' })).reduce((s, x) => s + x.in, 0)
      + (await stack.cloud.store.footfallTotals({ siteId: site.id, subjectKind: 'shop' })).reduce((s, x) => s + x.in, 0);
    if (stored >= total) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const storedSeconds = (performance.now() - t) / 1000;
  clients.forEach((c) => c.end(true));
  await stack.stop();

  const perSecond = (seconds: number) => Math.round(total / seconds);
  const ratio = (edgeSeconds: number, baselineSeconds: number) => +(baselineSeconds / edgeSeconds).toFixed(2);
  return {
    messages: total,
    devices: radars.length,
    plainAedesRelayPerSecond: perSecond(plainSeconds),
    mosquittoRelayPerSecond: mosquittoSeconds === undefined ? null : perSecond(mosquittoSeconds),
    edgeAcceptedPerSecond: perSecond(ackedSeconds),
    edgeStoredPerSecond: perSecond(storedSeconds),
    ratioAcceptedToPlain: ratio(ackedSeconds, plainSeconds),
    ratioStoredToPlain: ratio(storedSeconds, plainSeconds),
    ratioAcceptedToMosquitto: mosquittoSeconds === undefined ? null : ratio(ackedSeconds, mosquittoSeconds),
    ratioStoredToMosquitto: mosquittoSeconds === undefined ? null : ratio(storedSeconds, mosquittoSeconds),
  };
}

/** Seconds until one subscriber on `url` has received every message the devices published (QoS 1 both ways). */
async function measureRelay(url: string, devices: string[], opts: { perDevice: number; window: number }, topicOf: (i: number) => string, payload: (c: number, n: number) => string): Promise<number> {
  const total = devices.length * opts.perDevice;
  const sub = mqtt.connect(url, { clientId: 'bench-sub' });
  await new Promise<void>((r) => sub.once('connect', () => r()));
  await new Promise<void>((r) => sub.subscribe('atrium/#', { qos: 1 }, () => r()));
  let received = 0;
  const allReceived = new Promise<void>((resolve) => sub.on('message', () => ++received === total && resolve()));
  // Plain brokers check no credentials: whatever the device helper sends is accepted.
  const clients = await connectAll(url, 'unused-secret-unused', devices);
  const t = performance.now();
  await publishMany(clients, opts.perDevice, opts.window, topicOf, payload);
  await allReceived;
  const seconds = (performance.now() - t) / 1000;
  clients.forEach((c) => c.end(true));
  sub.end(true);
  return seconds;
}

function mosquittoInstalled(): boolean {
  try {
    accessSync(MOSQUITTO_BIN, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * mosquitto on a free loopback port, anonymous, nothing persisted. Its per-client limits are
 * lifted to match aedes, which has none: by default mosquitto keeps only 20 QoS 1 messages in
 * flight to the subscriber and drops what exceeds a queue of 1,000, so it would either pace
 * the stream differently or lose part of it.
 */
async function startMosquitto(): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-bench-mosquitto-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'max_inflight_messages 0', 'max_queued_messages 0', 'log_dest stderr', 'log_type error', ''].join('\n'));
  const proc = spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const { output } = superviseServer(proc);
  const url = `mqtt://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(proc);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const probe = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 1000 });
      probe.once('connect', () => (probe.end(true), resolve(true)));
      probe.once('error', () => (probe.end(true), resolve(false)));
      probe.once('close', () => resolve(false));
    });
    if (up) return { url, stop };
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`mosquitto did not accept connections on ${url}: ${output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
