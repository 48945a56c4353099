import { parseArgs } from 'node:util';
import { z } from 'zod';
import { pino } from 'pino';
import { describeIssues, loadSiteFile, stopOnSignals } from '@atrium/shared';
import { createSimulator } from '@atrium/firmware-sim';
import { startStack } from './stack.ts';

/**
 * `npm start`: the whole system in one process on embedded defaults — cloud, one edge
 * gateway and the simulated mall — with fresh random secrets for this run.
 */
const Args = z.object({
  speed: z.coerce.number().positive().max(10_000).default(60),
  seed: z.coerce.number().int().default(1),
  port: z.coerce.number().int().min(0).max(65_535).default(8080),
  'edge-port': z.coerce.number().int().min(0).max(65_535).default(1883),
  'data-dir': z.string().min(1).default('.data'),
  site: z.string().min(1).optional(),
  'no-sim': z.boolean().default(false),
  'log-level': z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default(process.env.LOG_LEVEL === undefined ? 'info' : (process.env.LOG_LEVEL as 'info')),
});

const parsed = (() => {
  try {
    const { values } = parseArgs({
      options: {
        speed: { type: 'string' }, seed: { type: 'string' }, port: { type: 'string' }, 'edge-port': { type: 'string' },
        'data-dir': { type: 'string' }, site: { type: 'string' }, 'no-sim': { type: 'boolean' }, 'log-level': { type: 'string' },
      },
    });
    const result = Args.safeParse(values);
    if (!result.success) throw new Error(describeIssues(result.error));
    return result.data;
  } catch (err) {
    console.error(`npm start: ${(err as Error).message}\nusage: npm start -- [--speed 60] [--seed 1] [--port 8080] [--edge-port 1883] [--data-dir .data] [--site FILE] [--no-sim]`);
    process.exit(2);
  }
})();

const logger = pino({ level: parsed['log-level'], name: 'atrium' }, process.stdout.isTTY ? pino.transport({ target: 'pino-pretty', options: { colorize: true } }) : undefined);
// Components are quiet during start-up so the addresses are the first thing printed.
const quiet = logger.child({}, { level: 'warn' });
const site = loadSiteFile(parsed.site);
const stack = await startStack({
  site,
  logger: quiet,
  dataDir: `${parsed['data-dir']}/cloud`,
  edgeDataDir: `${parsed['data-dir']}/edge`,
  cloudHttpPort: parsed.port,
  cloudMqttPort: 0,
  edgeMqttPort: parsed['edge-port'],
  edgeHttpPort: 0,
  // Simulated devices report `speed` times faster than real ones; their budget scales with them.
  edgeEnv: { ATRIUM_MAX_PUBLISH_RATE: String(50 * Math.max(1, parsed.speed / 60)), ATRIUM_MAX_PUBLISH_BURST: String(Math.round(500 * Math.max(1, parsed.speed / 60))) },
}).catch((err: Error & { code?: string }) => {
  console.error(`npm start: could not start: ${err.message}${err.code === 'EADDRINUSE' ? '\nA port is taken: pass --port and --edge-port to use others.' : ''}`);
  process.exit(1);
});

console.log(`\n  Atrium control room: ${stack.urls.page}\n  Edge gateway (devices): ${stack.urls.edgeMqtt}\n  Edge health/metrics: ${stack.urls.edgeHttp}/health  ${stack.urls.edgeHttp}/metrics\n  API: ${stack.urls.page}openapi.json\n\n  Simulating ${site.name} (${site.devices.length} devices) at ${parsed.speed}× speed. Ctrl-C stops.\n`);

const sim = parsed['no-sim']
  ? undefined
  : createSimulator({ site, brokerUrl: stack.urls.edgeMqtt, secret: stack.secrets.device, speed: parsed.speed, seed: parsed.seed, start: Date.now(), logger: logger.child({ component: 'sim' }) });
await sim?.start();

stopOnSignals(logger, async () => {
  await sim?.stop();
  await stack.stop(); // the edge flushes open minutes to the cloud before it closes
  logger.info({}, 'stopped cleanly');
});
