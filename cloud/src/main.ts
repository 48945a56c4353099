#!/usr/bin/env -S npx tsx
import { pino } from 'pino';
import { loadSiteFile } from '@atrium/shared';
import { createCloud } from './cloud.ts';
import { parseCloudConfig } from './config.ts';

// The only place the cloud reads the environment or installs signal handlers.
const config = (() => {
  try {
    return parseCloudConfig(process.env);
  } catch (err) {
    console.error(`${(err as Error).message}\nSet the variables named above (see README, "Configuration") and start again.`);
    process.exit(2);
  }
})();
const logger = pino({ level: config.LOG_LEVEL, name: 'atrium-cloud' });
const cloud = await createCloud(config, { site: loadSiteFile(config.ATRIUM_SITE_FILE), logger });
await cloud.start();
const shutdown = async (signal: string) => {
  logger.info({ signal }, 'shutting down');
  await cloud.stop();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
