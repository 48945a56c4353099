import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { loadSiteFile, stopOnSignals } from '@atrium/shared';
import { createCrew, createSimulator } from '@atrium/firmware-sim';
import type { TimerClock } from '@atrium/cloud';
import { newGatewayPassword } from '@atrium/cloud';
import { demoStart, markKeeper, plannedStart } from './demo-clock.ts';
import { historyToWrite, seedDemoHistory } from './demo-history.ts';
import { ensureDemoPeople } from './demo-people.ts';
import type { StartOptions } from './start-options.ts';
import { startStack } from './stack.ts';

/**
 * `npm start` after its options are read (scripts/start.ts): the whole system in one process
 * on embedded defaults — cloud, one edge gateway and the simulated mall. The admin key, the
 * demo fleet's factory key and the gateway's password are made once and kept in the data
 * directory; the other secrets are fresh for each run.
 */
export async function runDemo(parsed: StartOptions): Promise<void> {
  const logger = pino({ level: parsed['log-level'], name: 'atrium' }, process.stdout.isTTY ? pino.transport({ target: 'pino-pretty', options: { colorize: true } }) : undefined);
  // Components are quiet during start-up so the addresses are the first thing printed.
  const quiet = logger.child({}, { level: 'warn' });
  const site = loadSiteFile(parsed.site);
  // Rules and SLA clocks run on the simulated mall's time, so a 10-minute SLA means 10 simulated minutes.
  // Until the simulator runs, that clock stands still where it will start (never behind it, never back).
  const planned = parsed['no-sim'] ? undefined : plannedStart({ dataDir: parsed['data-dir'], site, wallNow: Date.now() });
  let siteStart = planned?.at ?? Date.now();
  let clock: () => number = parsed['no-sim'] ? Date.now : () => siteStart;
  let rate: () => number = () => (parsed['no-sim'] ? 1 : parsed.speed);
  const metricsToken = keyIn(parsed['data-dir'], 'metrics-token', () => randomBytes(24).toString('base64url'));
  const stack = await startStack({
    site,
    logger: quiet,
    adminKey: adminKeyIn(parsed['data-dir']),
    adminPassword: keyIn(parsed['data-dir'], 'admin-password', () => randomBytes(12).toString('base64url')),
    // Kept with the data, like the devices' own flash: the edge's stored hashes must keep matching across runs.
    secrets: {
      device: keyIn(parsed['data-dir'], 'demo-fleet-key', () => randomBytes(32).toString('base64url')),
      // The demo gateway's own password at the cloud, which keeps its hash in the same data directory.
      gateway: keyIn(parsed['data-dir'], 'gateway-password', newGatewayPassword),
    },
    clock: () => clock(),
    // The hourly forecast runs every simulated hour.
    timers: simulatedTimers(() => clock(), () => rate()),
    clockRate: () => rate(),
    dataDir: `${parsed['data-dir']}/cloud`,
    edgeDataDir: `${parsed['data-dir']}/edge`,
    cloudHttpPort: parsed.port,
    cloudMqttPort: 0,
    edgeMqttPort: parsed['edge-port'],
    edgeHttpPort: parsed['edge-http-port'],
    // Prometheus' token for both /metrics, kept with the data so a scrape config keeps working.
    cloudEnv: { ATRIUM_METRICS_TOKEN: metricsToken },
    // Simulated devices report `speed` times faster than real ones; their budget scales with them.
    edgeEnv: {
      ATRIUM_METRICS_TOKEN: metricsToken,
      ATRIUM_MAX_PUBLISH_RATE: String(50 * Math.max(1, parsed.speed / 60)),
      ATRIUM_MAX_PUBLISH_BURST: String(Math.round(500 * Math.max(1, parsed.speed / 60))),
      // Local flows on the gateway (the CO2 → ventilation example ships enabled); login admin / .data/node-red-password.
      ATRIUM_RED_ENABLED: 'true',
      ATRIUM_RED_ADMIN_PASSWORD: keyIn(parsed['data-dir'], 'node-red-password', () => randomBytes(18).toString('base64url')),
      ATRIUM_RED_CREDENTIAL_SECRET: keyIn(parsed['data-dir'], 'node-red-credential-secret', () => randomBytes(32).toString('base64url')),
    },
  }).catch((err: Error & { code?: string }) => {
    console.error(`npm start: could not start: ${err.message}${err.code === 'EADDRINUSE' ? '\nA port is taken: pass --port, --edge-port and --edge-http-port to use others (npm start -- --help).' : ''}`);
    process.exit(1);
  });

  // Where the simulated mall takes up: after everything an earlier run in this directory wrote, or at opening.
  const begin = planned && (await demoStart(planned, { site, cloud: stack.cloud }));
  if (begin) siteStart = begin.at;
  const demoPassword = keyIn(parsed['data-dir'], 'demo-password', () => randomBytes(12).toString('base64url'));
  const people = await ensureDemoPeople(stack.cloud, site, demoPassword, { now: Date.now(), siteNow: clock() });
  console.log(
    [
      '',
      `  Atrium: ${stack.urls.page}  (sign in)`,
      `    admin · password ${stack.adminPassword}  (kept in ${parsed['data-dir']}/admin-password)`,
      ...people.map((p) => `    ${p.userId} · password ${demoPassword}  → ${p.home}`),
      `  Edge gateway (devices): ${stack.urls.edgeMqtt}  (gateways deliver to the cloud at ${stack.urls.cloudMqtt})`,
      `  Edge health/metrics: ${stack.urls.edgeHttp}/health  ${stack.urls.edgeHttp}/metrics  (metrics on both: Authorization: Bearer <${parsed['data-dir']}/metrics-token>)`,
      `  Edge local flows (Node-RED): ${stack.urls.edgeHttp}/red  (user admin, password in ${parsed['data-dir']}/node-red-password)`,
      `  API: ${stack.urls.page}openapi.json  (scripts: Authorization: Bearer <key>; the admin's key is in ${parsed['data-dir']}/admin-key)`,
      '',
      parsed['no-sim'] ? '  No simulation (--no-sim): the site clock is the wall clock. Ctrl-C stops.' : `  Simulating ${site.name} (${site.devices.length} devices) from ${siteTime(siteStart, site.timezone)} ${site.timezone} (${begin?.why === 'fresh' ? 'a new demo' : 'where the last run ended'}), ${parsed.speed}× while it trades, ${parsed['closed-speed']}× while it is closed. Ctrl-C stops.`,
      '',
    ].join('\n'),
  );

  const history = begin ? historyToWrite(parsed['data-dir'], begin.why === 'fresh' ? { end: siteStart, weeks: 6 } : null) : null;
  const sim = parsed['no-sim']
    ? undefined
    : createSimulator({
        site, brokerUrl: stack.urls.edgeMqtt, secret: stack.secrets.device, speed: parsed.speed, closedSpeed: parsed['closed-speed'], seed: parsed.seed, start: siteStart, logger: logger.child({ component: 'sim' }),
        // A restart begins after the last hour this run reserves; the clock slows rather than races when the machine cannot keep up.
        reserve: markKeeper(parsed['data-dir'], siteStart),
        maxLeadMs: 5 * 60_000,
        // Devices an operator disabled or rotated (npm run devices) stay off the air.
        ...(stack.fleet.left.length > 0 && { deviceIds: stack.fleet.ready }),
      });
  if (stack.fleet.left.length > 0) logger.warn({ devices: stack.fleet.left }, 'not simulating devices whose factory password no longer opens the edge');
  if (sim) {
    clock = () => sim.now();
    rate = () => sim.rate();
  }
  await sim?.start();
  // The staff play on the same clock: jobs are accepted, walked to, worked and resolved in simulated time.
  const crew = sim
    ? createCrew({ site, apiUrl: stack.urls.page, adminKey: stack.adminKey, now: () => sim.now(), speed: parsed.speed, rate: () => sim.rate(), seed: parsed.seed, onCleaned: (zoneId) => sim.clean(zoneId), logger: logger.child({ component: 'crew' }) })
    : undefined;
  await crew?.start();
  // Forecasts need weeks of past footfall: a fresh demo gets them written in the background.
  if (history) void seedDemoHistory(stack.cloud, site, { dataDir: parsed['data-dir'], ...history, now: () => clock(), logger: logger.child({ component: 'history' }) }).catch((err: Error) => logger.error({ err }, 'demo history failed; forecasts wait for real history'));

  stopOnSignals(logger, async () => {
    // Every wait below is bounded; whatever is cut short is logged with its reason.
    logger.info({}, 'stopping: the devices get 5 s to deliver what they hold, the edge 5 s to hand its outbox to the cloud (Ctrl-C again quits at once)');
    await crew?.stop();
    await sim?.stop();
    await stack.stop(); // the edge flushes open minutes to the cloud before it closes
    logger.info({}, 'stopped cleanly');
  });
}

/**
 * Timers on the simulated clock: `ms` of simulated time, however fast that clock really runs.
 * Dividing by the speed alone is not enough: before the fleet is connected the clock is the
 * wall clock, and a simulator falling behind moves slower than `speed`; a timer that fired
 * early would run the hourly forecast again and again for the same hour (at 1440× that kept
 * the event loop busy for seconds at a time and the fleet never finished connecting). So a
 * timer that wakes before its simulated deadline sleeps again for what is left.
 */
function simulatedTimers(now: () => number, rate: () => number): TimerClock {
  type Handle = { timer: NodeJS.Timeout };
  return {
    now,
    setTimeout(fn, ms) {
      const due = now() + ms;
      const handle: Handle = { timer: setTimeout(function wake() {
        const left = due - now();
        if (left > 0) handle.timer = setTimeout(wake, Math.max(10, left / Math.max(0.001, rate())));
        else fn();
      }, ms / Math.max(0.001, rate())) };
      return handle;
    },
    clearTimeout: (h) => clearTimeout((h as Handle).timer),
  };
}

/** A site-clock instant as the site's people read it. */
function siteTime(t: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-AU', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(t);
}

/** The admin key for this data directory, so links keep working. */
function adminKeyIn(dataDir: string): string {
  return keyIn(dataDir, 'admin-key', () => `atr_${randomBytes(32).toString('base64url')}`);
}

/** A secret for this data directory: made once, kept beside the data (mode 0600). */
function keyIn(dataDir: string, name: string, make: () => string): string {
  const path = `${dataDir}/${name}`;
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = make();
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  return key;
}
