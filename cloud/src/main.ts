#!/usr/bin/env -S npx tsx
import { pino } from 'pino';
import { configOrExit, exitOnConfigError, loadSiteFile, stopOnSignals } from '@atrium/shared';
import { createCloud } from './cloud.ts';
import { parseCloudConfig } from './config.ts';

// The only place the cloud reads the environment or installs signal handlers.
const config = configOrExit(() => parseCloudConfig(process.env));
const logger = pino({ level: config.logLevel, name: 'atrium-cloud' });
// Store checks at start-up (e.g. an InfluxDB database that does not exist) are configuration errors too.
const cloud = await createCloud(config, { site: loadSiteFile(config.siteFile), logger }).catch(exitOnConfigError);
await cloud.start();
stopOnSignals(logger, () => cloud.stop());
