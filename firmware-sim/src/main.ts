#!/usr/bin/env -S npx tsx
/**
 * atrium-sim: runs the simulated device fleet against an edge gateway (or any MQTT broker).
 *   tsx firmware-sim/src/main.ts --edge mqtt://127.0.0.1:1883 --secret S --speed 60 --seed 42 [--duration 3h]
 * The only place that reads the environment (ATRIUM_DEVICE_SECRET) and the real clock.
 */
import { loadSiteFile, stopOnSignals, type SiteModel } from '@atrium/shared';
import { pino } from 'pino';
import { parseCli, USAGE } from './cli/args.ts';
import { createSimulator } from './simulator.ts';

const sites = new Map<string, SiteModel>();
const siteAt = (path: string | undefined): SiteModel => {
  const key = path ?? '';
  let site = sites.get(key);
  if (!site) sites.set(key, (site = loadSiteFile(path)));
  return site;
};

const parsed = parseCli(process.argv.slice(2), process.env, Date.now(), (path) => siteAt(path).timezone);
if (!parsed.ok) {
  if (parsed.error === 'help') {
    console.log(USAGE);
    process.exit(0);
  }
  console.error(`atrium-sim: ${parsed.error}\n${USAGE}`);
  process.exit(2);
}
const args = parsed.args;
const logger = pino({ name: 'atrium-sim', level: args['log-level'] });
const site = siteAt(args.site);

const sim = createSimulator({
  site,
  brokerUrl: args.edge,
  secret: args.secret,
  speed: args.speed,
  seed: args.seed,
  start: args.start,
  durationMs: args.duration,
  deviceIds: args.devices,
  faults: {
    duplicateRate: args['duplicate-rate'],
    outOfOrderRate: args['out-of-order-rate'],
    malformedRate: args['malformed-rate'],
    dropoutRate: args['dropout-rate'],
    clockDriftMs: args['clock-drift'],
  },
  footfall: args.visitors !== undefined ? { visitorsPerOpenHour: args.visitors } : undefined,
  logger,
});

logger.info({ site: site.id, devices: args.devices?.length ?? site.devices.length, speed: args.speed, seed: args.seed, start: new Date(args.start).toISOString() }, 'starting');
const summary = () => {
  const s = sim.stats();
  logger.info(
    {
      simTime: s.simTime,
      sent: s.messages.sent,
      acked: s.messages.acked,
      failed: s.messages.failed,
      duplicatesSent: s.messages.duplicatesSent,
      malformedSent: s.messages.malformedSent,
      dropouts: s.connections.dropouts,
      realS: Math.round(s.realElapsedMs / 100) / 10,
    },
    s.finished ? 'done' : 'stopped',
  );
};

let stopRequested = false;
stopOnSignals(logger, async () => {
  stopRequested = true;
  await sim.stop();
  summary();
});

try {
  await sim.start();
} catch (err) {
  // A signal while connecting abandons the connections; the signal handler exits.
  if (!stopRequested) {
    logger.error({ err: (err as Error).message }, 'could not connect the fleet');
    process.exit(1);
  }
}

sim.done.then(
  async () => {
    if (!sim.stats().finished) return; // stopped by a signal: that path exits
    await sim.stop();
    summary();
    process.exit(0);
  },
  async (err: unknown) => {
    logger.error({ err }, 'simulation failed');
    await sim.stop().catch(() => undefined);
    process.exit(1);
  },
);
