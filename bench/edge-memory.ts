import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { SiteModel, deviceTopic, loadSiteFile } from '@atrium/shared';
import { openDeviceCredentials, provisionFleet } from '@atrium/edge';
import { connectDevice, publish } from '../tests/support/device.ts';
import { scrapeMetrics, TEST_METRICS_TOKEN } from '../tests/support/hostile.ts';
import { freePort, startEntryPoint, waitForHttp } from '../tests/support/processes.ts';
import { progress } from './support.ts';

/**
 * The edge gateway's memory (its own process, as deployed) with `devices` connected devices,
 * each having said hello on its status channel, next to the same gateway idle (baseline):
 * resident set and V8 heap in use, from the gateway's own Prometheus metrics.
 */
export async function benchEdgeMemory(opts: { devices: number; settleMs: number }) {
  const demo = loadSiteFile();
  const dir = mkdtempSync(join(tmpdir(), 'atrium-bench-memory-'));
  // The demo mall's floors and zones with `devices` radars spread over them.
  const zones = demo.zones;
  const site = SiteModel.parse({
    ...demo,
    devices: Array.from({ length: opts.devices }, (_, i) => {
      const zone = zones[i % zones.length]!;
      return { id: `mem-radar-${i}`, kind: 'radar', zoneId: zone.id, subject: { kind: 'zone', id: zone.id }, reportIntervalS: 60 };
    }),
  });
  const siteFile = join(dir, 'site.json');
  writeFileSync(siteFile, JSON.stringify(site));
  const key = 'bench-fleet-factory-key-000000';
  progress(`edge memory: provisioning ${opts.devices} devices`);
  const store = openDeviceCredentials(join(dir, 'edge', 'devices.sqlite'));
  await provisionFleet(store, site.devices, key);
  store.close();

  const ports = { mqtt: await freePort(), http: await freePort(), cloud: await freePort() };
  const edge = startEntryPoint('edge/src/main.ts', {
    ATRIUM_SITE_FILE: siteFile, ATRIUM_EDGE_DATA_DIR: join(dir, 'edge'), ATRIUM_EDGE_MQTT_PORT: String(ports.mqtt), ATRIUM_EDGE_HTTP_PORT: String(ports.http),
    // no cloud: memory is about the device side; uplinks wait in the outbox
    ATRIUM_CLOUD_MQTT_URL: `mqtt://127.0.0.1:${ports.cloud}`, ATRIUM_GATEWAY_SECRET: 'bench-gateway-secret-000000', ATRIUM_PRIVACY_KEY: 'bench-privacy-key-0000000', ATRIUM_METRICS_TOKEN: TEST_METRICS_TOKEN, LOG_LEVEL: 'error',
  });
  const clients: MqttClient[] = [];
  try {
    const base = `http://127.0.0.1:${ports.http}`;
    await waitForHttp(`${base}/health`);
    const sample = async () => {
      await new Promise((r) => setTimeout(r, opts.settleMs));
      const text = await scrapeMetrics(`${base}/metrics`);
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
      return { rssMb: +(value('atrium_edge_process_resident_memory_bytes') / 2 ** 20).toFixed(1), heapUsedMb: +(value('atrium_edge_nodejs_heap_size_used_bytes') / 2 ** 20).toFixed(1) };
    };
    const idle = await sample();
    progress(`edge memory: idle ${JSON.stringify(idle)}; connecting ${opts.devices} devices`);
    const url = `mqtt://127.0.0.1:${ports.mqtt}`;
    let next = 0;
    const T0 = Date.now();
    const worker = async () => {
      while (next < site.devices.length) {
        const id = site.devices[next++]!.id;
        const c = await connectDevice(url, key, id);
        clients.push(c);
        await publish(c, deviceTopic(site.id, id, 'status'), { ts: T0, state: 'online', rssi: -60 });
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    const health = (await (await fetch(`${base}/health`)).json()) as { devicesConnected: number };
    if (health.devicesConnected !== opts.devices) throw new Error(`edge memory bench: ${health.devicesConnected} of ${opts.devices} devices connected`);
    const connected = await sample();
    progress(`edge memory: ${opts.devices} connected ${JSON.stringify(connected)}`);
    return {
      devices: opts.devices,
      idle,
      connected,
      rssPerDeviceKb: +(((connected.rssMb - idle.rssMb) * 1024) / opts.devices).toFixed(1),
      heapPerDeviceKb: +(((connected.heapUsedMb - idle.heapUsedMb) * 1024) / opts.devices).toFixed(1),
    };
  } finally {
    clients.forEach((c) => c.end(true));
    edge.kill('SIGTERM');
    await new Promise((r) => edge.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

export const edgeMemoryRows = (r: Awaited<ReturnType<typeof benchEdgeMemory>>): string[] => [
  `| edge gateway idle, RSS / heap used (baseline) | ${r.idle.rssMb} MB / ${r.idle.heapUsedMb} MB |`,
  `| edge gateway with ${r.devices} connected devices, RSS / heap used | ${r.connected.rssMb} MB / ${r.connected.heapUsedMb} MB (+${r.rssPerDeviceKb} KB / +${r.heapPerDeviceKb} KB per device) |`,
];
