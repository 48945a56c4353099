#!/usr/bin/env -S npx tsx
import { pino } from 'pino';
import { configOrExit, loadSiteFile, stopOnSignals } from '@atrium/shared';
import { parseEdgeConfig } from './config.ts';
import { createGateway } from './gateway.ts';

// The only place the edge reads the environment or installs signal handlers.
const config = configOrExit(() => parseEdgeConfig(process.env));
const logger = pino({ level: config.logLevel, name: 'atrium-edge' });
const gateway = createGateway(config, { site: loadSiteFile(config.siteFile), logger });
await gateway.start();
stopOnSignals(logger, () => gateway.stop());
