#!/usr/bin/env -S npx tsx
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DeviceId, Secret, configOrExit, describeIssues, loadSiteFile, parseConfig } from '@atrium/shared';
import { EdgeEnv, deepFreeze } from '../config.ts';
import { credentialsPath, openDeviceCredentials } from '../devices/credentials.ts';
import { EdgeError } from '../core/errors.ts';
import { COMMANDS, runDevicesCommand, type DevicesResult } from './devices-command.ts';

const USAGE = `usage: npm run devices -- <command> [deviceId ...] [--json]
  add <deviceId ...>            provision devices; prints each new password once
  add --site [--factory-key-env VAR]
                                provision every site device that has none yet (passwords minted
                                from the key in VAR instead of at random: a factory-flashed fleet)
  list [deviceId ...]           credentials state of the site's devices
  disable <deviceId ...>        refuse at CONNECT; a connected device is disconnected
  enable <deviceId ...>
  rotate <deviceId ...>         a new password; the old one stops working (live sessions end)
  export <deviceId ...>         connection settings: URL, client id/username, topics, last will
options: --json (machine-readable), --mqtt-url URL (what devices connect to; default from the edge config)
reads the edge's ATRIUM_EDGE_DATA_DIR, ATRIUM_SITE_FILE, ATRIUM_EDGE_HOST, ATRIUM_EDGE_MQTT_PORT, ATRIUM_EDGE_MQTTS_PORT`;

// Only what provisioning needs: the gateway's secrets are not required to manage devices.
const shape = EdgeEnv.shape;
const CliEnv = z.object({
  ATRIUM_EDGE_DATA_DIR: shape.ATRIUM_EDGE_DATA_DIR.refine((d) => d !== ':memory:', 'must be a directory: an in-memory store is gone when the gateway stops'),
  ATRIUM_SITE_FILE: shape.ATRIUM_SITE_FILE,
  ATRIUM_EDGE_HOST: shape.ATRIUM_EDGE_HOST,
  ATRIUM_EDGE_MQTT_PORT: shape.ATRIUM_EDGE_MQTT_PORT,
  ATRIUM_EDGE_MQTTS_PORT: shape.ATRIUM_EDGE_MQTTS_PORT,
});
const Args = z.object({
  command: z.enum(COMMANDS),
  deviceIds: z.array(DeviceId),
  json: z.boolean(),
  site: z.boolean(),
  'mqtt-url': z.string().regex(/^mqtts?:\/\//, 'must be an mqtt:// or mqtts:// URL').optional(),
  'factory-key-env': z.string().min(1).optional(),
});

const usage = (message: string): never => {
  console.error(`devices: ${message}\n${USAGE}`);
  process.exit(2);
};

const args = (() => {
  try {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, site: { type: 'boolean', default: false }, 'mqtt-url': { type: 'string' }, 'factory-key-env': { type: 'string' }, help: { type: 'boolean' } },
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    const [command, ...deviceIds] = positionals;
    const parsed = Args.safeParse({ ...values, command, deviceIds });
    return parsed.success ? parsed.data : usage(describeIssues(parsed.error));
  } catch (err) {
    return usage((err as Error).message);
  }
})();
const config = configOrExit(() => {
  const e = parseConfig(CliEnv, process.env, 'edge');
  return deepFreeze({ dataDir: e.ATRIUM_EDGE_DATA_DIR, siteFile: e.ATRIUM_SITE_FILE, edge: { host: e.ATRIUM_EDGE_HOST, mqttPort: e.ATRIUM_EDGE_MQTT_PORT, mqttsPort: e.ATRIUM_EDGE_MQTTS_PORT } });
});
let factoryKey: string | undefined;
if (args['factory-key-env'] !== undefined) {
  const key = Secret.safeParse(process.env[args['factory-key-env']]);
  factoryKey = key.success ? key.data : usage(`--factory-key-env: ${args['factory-key-env']} ${process.env[args['factory-key-env']] === undefined ? 'is not set' : describeIssues(key.error)}`);
}

const host = config.edge.host === '0.0.0.0' || config.edge.host === '::' ? hostname() : config.edge.host;
const endpoints = {
  mqttUrl: args['mqtt-url'] ?? `mqtt://${host}:${config.edge.mqttPort}`,
  ...(config.edge.mqttsPort !== undefined && { mqttsUrl: `mqtts://${host}:${config.edge.mqttsPort}` }),
};
const store = openDeviceCredentials(credentialsPath(config.dataDir));
try {
  const result = await runDevicesCommand({ command: args.command, deviceIds: args.deviceIds, site: args.site, ...(factoryKey !== undefined && { factoryKey }) }, { site: loadSiteFile(config.siteFile), store, endpoints });
  console.log(args.json ? JSON.stringify(result, null, 2) : render(result));
} catch (err) {
  if (!(err instanceof EdgeError)) throw err;
  console.error(args.json ? JSON.stringify({ error: { code: err.code, message: err.message } }) : `devices: ${err.code}: ${err.message}`);
  process.exitCode = 1;
} finally {
  store.close();
}

function render(result: DevicesResult): string {
  switch (result.command) {
    case 'list':
      return result.devices.map((d) => `${d.deviceId.padEnd(32)} ${d.kind.padEnd(7)} ${d.state}${d.rotations > 0 ? ` (rotated ${d.rotations}×)` : ''}`).join('\n');
    case 'disable':
    case 'enable':
      return result.devices.map((d) => `${d.deviceId}: ${d.disabled ? 'disabled (refused at CONNECT; a live session is ended)' : 'enabled'}`).join('\n');
    default:
      if (result.devices.length === 0) return 'nothing to do: every device is provisioned already';
      return result.devices
        .map((d) =>
          [
            `${d.deviceId}${d.disabled ? ' (disabled)' : ''}`,
            `  url:       ${d.mqttUrl}${d.mqttsUrl ? `  or ${d.mqttsUrl}` : ''}`,
            `  client id: ${d.clientId}   username: ${d.username}`,
            ...(d.password !== undefined ? [`  password:  ${d.password}   (shown once: it is stored only as a hash)`] : []),
            `  publish:   ${d.publish.join(', ')}`,
            `  subscribe: ${d.subscribe.join(', ')}`,
            `  last will: ${d.lastWill.topic} ${d.lastWill.payload} (QoS 1, retained)`,
          ].join('\n'),
        )
        .join('\n\n');
  }
}
