import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { deviceTopic, loadSiteFile, type SiteModel } from '@atrium/shared';
import { startStack } from '../scripts/stack.ts';
import { connectAll, progress, publishMany } from './support.ts';

/**
 * Device messages per second through the whole edge path (authenticate, authorise topic,
 * validate, dedupe, aggregate, forward, stored by the cloud) next to a plain aedes broker
 * relaying the same messages to one subscriber, in the same process and run.
 */
export async function benchEdgeThroughput(opts: { devices: number; perDevice: number; window: number }) {
  const site: SiteModel = loadSiteFile();
  const radars = site.devices.filter((d) => d.kind === 'radar').slice(0, opts.devices).map((d) => d.id);
  const total = radars.length * opts.perDevice;
  const T0 = Date.UTC(2026, 10, 21, 0, 0, 0);
  // Each reading is one second of device time apart, so aggregation closes minutes as it goes.
  const payload = (_c: number, n: number) => JSON.stringify({ ts: T0 + n * 1000, seq: n, periodS: 1, in: 1, out: 1, occupancy: 10 });

  // Baseline: plain aedes, no auth, one subscriber receiving everything.
  progress(`baseline: plain aedes relaying ${total} messages from ${radars.length} devices`);
  const plain = await Aedes.createBroker();
  const server = createServer(plain.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const plainUrl = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sub = mqtt.connect(plainUrl, { clientId: 'bench-sub' });
  await new Promise<void>((r) => sub.once('connect', () => r()));
  await new Promise<void>((r) => sub.subscribe('atrium/#', { qos: 1 }, () => r()));
  let received = 0;
  const allReceived = new Promise<void>((resolve) => sub.on('message', () => ++received === total && resolve()));
  const plainClients = await connectAll(plainUrl, 'unused-secret-unused', radars);
  let t = performance.now();
  await publishMany(plainClients, opts.perDevice, opts.window, (i) => deviceTopic(site.id, radars[i]!, 'count'), payload);
  await allReceived;
  const plainSeconds = (performance.now() - t) / 1000;
  plainClients.forEach((c) => c.end(true));
  sub.end(true);
  await new Promise<void>((r) => server.close(() => r()));
  await new Promise<void>((r) => plain.close(() => r()));

  progress(`atrium edge: the same ${total} messages, stored by the cloud`);
  const stack = await startStack({ site, logger: pino({ level: 'warn' }), edge: { lateness: 0, idle: 500, flushEvery: 100 } });
  const clients = await connectAll(stack.urls.edgeMqtt, stack.secrets.device, radars);
  t = performance.now();
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

  const result = {
    messages: total,
    devices: radars.length,
    plainAedesRelayPerSecond: Math.round(total / plainSeconds),
    edgeAcceptedPerSecond: Math.round(total / ackedSeconds),
    edgeStoredPerSecond: Math.round(total / storedSeconds),
  };
  return { ...result, ratioAcceptedToPlain: +(result.edgeAcceptedPerSecond / result.plainAedesRelayPerSecond).toFixed(2), ratioStoredToPlain: +(result.edgeStoredPerSecond / result.plainAedesRelayPerSecond).toFixed(2) };
}
