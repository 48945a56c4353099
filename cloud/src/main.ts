#!/usr/bin/env -S npx tsx
import { pino } from 'pino';
import { configOrExit, loadSiteFile, stopOnSignals } from '@atrium/shared';
import { createCloud } from './cloud.ts';
import { parseCloudConfig } from './config.ts';

// The only place the cloud reads the environment or installs signal handlers.
const config = configOrExit(() => parseCloudConfig(process.env));
const logger = pino({ level: config.LOG_LEVEL, name: 'atrium-cloud' });
const cloud = await createCloud(config, { site: loadSiteFile(config.ATRIUM_SITE_FILE), logger });
await cloud.start();
stopOnSignals(logger, () => cloud.stop());
