import { pino } from 'pino';
import { io } from 'socket.io-client';
import { LIVE_EVENTS, deviceTopic, loadSiteFile, type ZoneLive } from '@atrium/shared';
import { startStack } from '../scripts/stack.ts';
import { connectDevice, publish } from '../tests/support/device.ts';
import { percentile, progress } from './support.ts';

/**
 * Delay from a radar's publish to the socket.io update a page receives, measured with a
 * real socket.io client standing in for the page (the browser adds only its own rendering).
 */
export async function benchLiveLatency(opts: { samples: number; gapMs: number }) {
  const site = loadSiteFile();
  const radar = site.devices.find((d) => d.kind === 'radar' && d.subject?.kind === 'zone');
  if (!radar) throw new Error('the demo mall has no zone radar');
  const stack = await startStack({ site, logger: pino({ level: 'warn' }) });
  const page = io(stack.urls.page, { transports: ['websocket'], auth: { key: stack.adminKey } });
  const waiting = new Map<number, (t: number) => void>();
  page.on(LIVE_EVENTS.zones, (zones: ZoneLive[]) => {
    const now = performance.now();
    for (const z of zones) if (z.zoneId === radar.zoneId && z.occupancy !== null) waiting.get(z.occupancy)?.(now);
  });
  await new Promise<void>((r) => page.once('connect', () => r()));
  const device = await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, radar.id);
  const others = site.devices.filter((d) => d.kind === 'radar' && d.zoneId === radar.zoneId && d.subject?.kind === 'zone').length;
  progress(`live latency: ${opts.samples} publishes on ${radar.id} (zone ${radar.zoneId}, ${others} radar(s))`);
  const delays: number[] = [];
  const T0 = Date.now();
  for (let i = 0; i < opts.samples; i++) {
    const occupancy = 1000 + i; // unique, so each update is matched to its publish
    const seen = new Promise<number>((resolve) => waiting.set(occupancy, resolve));
    const t = performance.now();
    await publish(device, deviceTopic(site.id, radar.id, 'count'), { ts: T0 + i * 1000, seq: i, periodS: 1, in: 0, out: 0, occupancy });
    const at = await Promise.race([seen, new Promise<number>((r) => setTimeout(() => r(NaN), 5000))]);
    waiting.delete(occupancy);
    if (!Number.isNaN(at)) delays.push(at - t);
    // A random pause keeps publishes from locking onto the gateway's send cadence.
    await new Promise((r) => setTimeout(r, Math.random() * opts.gapMs));
  }
  device.end(true);
  page.close();
  await stack.stop();
  delays.sort((a, b) => a - b);
  return { samples: opts.samples, received: delays.length, p50Ms: +percentile(delays, 50).toFixed(1), p99Ms: +percentile(delays, 99).toFixed(1), maxMs: +(delays.at(-1) ?? NaN).toFixed(1) };
}
