#!/usr/bin/env -S npx tsx
import { pino } from 'pino';
import { loadSiteFile } from '@atrium/shared';
import { parseEdgeConfig } from './config.ts';
import { createGateway } from './gateway.ts';

// The only place the edge reads the environment or installs signal handlers.
const config = (() => {
  try {
    return parseEdgeConfig(process.env);
  } catch (err) {
    console.error(`${(err as Error).message}\nSet the variables named above (see README, "Configuration") and start again.`);
    process.exit(2);
  }
})();
const logger = pino({ level: config.LOG_LEVEL, name: 'atrium-edge' });
const gateway = createGateway(config, { site: loadSiteFile(config.ATRIUM_SITE_FILE), logger });
await gateway.start();
const shutdown = async (signal: string) => {
  logger.info({ signal }, 'shutting down');
  await gateway.stop();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
