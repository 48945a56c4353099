/**
 * Look at the control-room page with a busy mall, without the firmware simulator: starts the
 * stack in-process (in-memory store) with a site file (default: the demo mall), then moves each
 * zone's occupancy on a random walk through one of its zone radars and sends air readings.
 *
 *   npx tsx dashboards/test/preview.ts [--site FILE] [--port 8080]
 *   npx tsx dashboards/test/preview.ts --screenshot /tmp/page.png [--width 1280 --height 800]
 *
 * Without --screenshot it prints the page URL and runs until Ctrl-C. With it, it takes a
 * picture in headless Chromium (/usr/bin/chromium, or ATRIUM_CHROMIUM) after a few seconds
 * of traffic and exits.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { MqttClient } from 'mqtt';
import { DEMO_SITE_PATH, loadSiteFile, type SiteModel, type Zone } from '@atrium/shared';
import { startStack } from '../../scripts/stack.ts';
import { connectDevice, publish, topicOf } from '../../tests/support/device.ts';

const { values: args } = parseArgs({
  options: {
    site: { type: 'string', default: DEMO_SITE_PATH },
    port: { type: 'string', default: '0' },
    screenshot: { type: 'string' },
    width: { type: 'string', default: '1280' },
    height: { type: 'string', default: '800' },
    seconds: { type: 'string', default: '4' },
  },
});

/** Typical busy-afternoon density (people/m²) per zone kind; the walk wanders around it. */
const TYPICAL: Record<Zone['kind'], number> = {
  concourse: 0.35,
  atrium: 0.5,
  foodcourt: 0.7,
  restroom: 0.6,
  entrance: 0.4,
  carpark: 0.03,
  service: 0.05,
  lockers: 0.15,
};

interface Walker {
  zone: Zone;
  radar: MqttClient;
  radarId: string;
  env?: { client: MqttClient; id: string };
  occupancy: number;
  target: number;
  seq: number;
}

export async function startPreview(site: SiteModel, port = 0) {
  const stack = await startStack({ site, logger: pino({ level: 'warn' }), cloudHttpPort: port, edge: { lateness: 0, idle: 1000, flushEvery: 200 } });
  const rnd = (a: number, b: number) => a + Math.random() * (b - a);
  const walkers: Walker[] = [];
  for (const zone of site.zones) {
    const radar = site.devices.find((d) => d.kind === 'radar' && d.zoneId === zone.id && d.subject?.kind === 'zone');
    if (!radar) continue;
    const envDevice = site.devices.find((d) => d.kind === 'env' && d.zoneId === zone.id);
    const target = zone.areaM2 * TYPICAL[zone.kind] * rnd(0.3, 2.2);
    walkers.push({
      zone,
      radarId: radar.id,
      radar: await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, radar.id),
      ...(envDevice && { env: { id: envDevice.id, client: await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, envDevice.id) } }),
      occupancy: Math.round(target * rnd(0.6, 1.1)),
      target,
      seq: 0,
    });
  }
  const count = (w: Walker, ts: number, inn: number, out: number) =>
    publish(w.radar, topicOf(site.id, w.radarId, 'count'), { ts, seq: ++w.seq, periodS: 30, in: inn, out, occupancy: Math.max(0, Math.round(w.occupancy)) });
  const air = (w: Walker, ts: number) => {
    if (!w.env) return;
    const crowd = w.occupancy / w.zone.areaM2;
    return publish(w.env.client, topicOf(site.id, w.env.id, 'env'), {
      ts,
      seq: ++w.seq,
      tempC: +rnd(21, 24).toFixed(1),
      rh: +rnd(40, 55).toFixed(0),
      co2: Math.round(Math.min(9000, 420 + crowd * rnd(600, 1100))),
      pm25: +rnd(4, 18).toFixed(1),
      tvoc: Math.round(rnd(80, 400)),
      noiseDb: +rnd(48, 72).toFixed(0),
      ...(w.zone.kind === 'restroom' && { nh3: +rnd(0.5, 6).toFixed(1) }),
    });
  };
  // A first minute already over, so footfall and air show up at once, not after a minute.
  const before = Date.now() - 60_000;
  await Promise.all(walkers.map(async (w) => (await count(w, before, Math.round(w.occupancy / 10), Math.round(w.occupancy / 12)), await air(w, before))));
  await Promise.all(walkers.map((w) => count(w, Date.now(), 0, 0)));

  let stopped = false;
  const tick = async () => {
    while (!stopped) {
      await new Promise((r) => setTimeout(r, 400));
      const now = Date.now();
      // a few zones change per tick, like a real afternoon
      for (const w of walkers) {
        if (Math.random() > 0.25) continue;
        const step = (w.target - w.occupancy) * 0.2 + rnd(-0.08, 0.08) * Math.max(5, w.target);
        const next = Math.max(0, w.occupancy + step);
        const delta = Math.round(next) - Math.round(w.occupancy);
        w.occupancy = next;
        if (Math.random() < 0.05) w.target = w.zone.areaM2 * TYPICAL[w.zone.kind] * rnd(0.3, 2.4);
        await count(w, now, Math.max(0, delta) + Math.round(rnd(0, 3)), Math.max(0, -delta) + Math.round(rnd(0, 3))).catch(() => undefined);
        if (Math.random() < 0.1) await air(w, now)?.catch(() => undefined);
      }
    }
  };
  const running = tick();
  return {
    url: stack.urls.page,
    async stop() {
      stopped = true;
      await running;
      for (const w of walkers) {
        w.radar.end(true);
        w.env?.client.end(true);
      }
      await stack.stop();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const site = loadSiteFile(args.site);
  const preview = await startPreview(site, Number(args.port));
  if (!args.screenshot) {
    console.log(`\n  ${site.name}: ${preview.url}  (Ctrl-C stops)\n`);
    process.once('SIGINT', () => void preview.stop().then(() => process.exit(0)));
  } else {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: process.env.ATRIUM_CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    const page = await browser.newPage({ viewport: { width: Number(args.width), height: Number(args.height) } });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(preview.url);
    await page.waitForTimeout(Number(args.seconds) * 1000);
    await page.screenshot({ path: args.screenshot, fullPage: process.env.ATRIUM_FULL_PAGE === '1' });
    console.log(`screenshot: ${args.screenshot}`);
    await browser.close();
    await preview.stop();
  }
}
