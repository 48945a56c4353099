import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { SiteModel } from '@atrium/shared';
import { createCloud, ensureGatewayCredential, parseCloudConfig, type Cloud, type TimerClock } from '@atrium/cloud';
import { createGateway, parseEdgeConfig, provisionFleet, type FleetProvisioning, type Gateway } from '@atrium/edge';

export interface StackOptions {
  site: SiteModel;
  logger: Logger;
  host?: string;
  /** Cloud database directory; default a throwaway in-memory one. */
  dataDir?: string;
  /** Edge journal directory; default in memory (no restart survival). */
  edgeDataDir?: string;
  cloudHttpPort?: number;
  cloudMqttPort?: number;
  edgeMqttPort?: number;
  edgeHttpPort?: number;
  /** Edge tuning (ms), e.g. to close minutes quickly in tests. */
  edge?: Partial<{ lateness: number; idle: number; flushEvery: number }>;
  /** Any other edge variables (ATRIUM_*), e.g. limits under test. */
  edgeEnv?: Record<string, string>;
  /** Any other cloud variables (ATRIUM_*), e.g. ATRIUM_SERIES_STORE=influxdb and its settings. */
  cloudEnv?: Record<string, string>;
  secrets?: Partial<Secrets>;
  /** The admin's API key (ATRIUM_ADMIN_KEY); default a fresh random one, in `stack.adminKey`. */
  adminKey?: string;
  /** The admin's first password for the pages (ATRIUM_ADMIN_PASSWORD); default a fresh random one, in `stack.adminPassword`. */
  adminPassword?: string;
  /** The site clock for rules and SLA timers: an accelerated simulation passes its own. */
  clock?: () => number;
  /** Timers on the site clock for the hourly forecast cycle (with `clock` in an accelerated simulation). */
  timers?: TimerClock;
  /** how fast `clock` runs, when the simulation knows (pages' countdowns follow it at once) */
  clockRate?: () => number;
}

export interface Secrets {
  /**
   * The demo fleet's factory key: each simulated device's password is minted from it and its
   * id (derivePassword). The edge never sees it; the stack stores each device's hash there.
   */
  device: string;
  /** The edge gateway's own password at the cloud (ATRIUM_GATEWAY_PASSWORD); the cloud keeps its hash. */
  gateway: string;
  privacy: string;
}

export interface Stack {
  cloud: Cloud;
  edge: Gateway;
  secrets: Secrets;
  /** The site's devices as provisioned at start: `ready` ones connect with their factory password. */
  fleet: FleetProvisioning;
  /** `Authorization: Bearer <adminKey>` reaches every API route */
  adminKey: string;
  /** user `admin` signs in to the pages with this (unless changed there since) */
  adminPassword: string;
  urls: { page: string; edgeMqtt: string; edgeHttp: string; cloudMqtt: string; edgeMqtts?: string };
  stop(): Promise<void>;
}

const secret = () => randomBytes(24).toString('base64url');

/**
 * Cloud and one edge gateway in this process, wired to each other on loopback. Used by
 * `npm start`, the end-to-end tests and the benchmarks, so all three run the same system.
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const host = opts.host ?? '127.0.0.1';
  const adminKey = opts.adminKey ?? `atr_${secret()}`;
  const adminPassword = opts.adminPassword ?? secret();
  const secrets: Secrets = { device: opts.secrets?.device ?? secret(), gateway: opts.secrets?.gateway ?? secret(), privacy: opts.secrets?.privacy ?? secret() };
  const cloudConfig = parseCloudConfig({
    ATRIUM_CLOUD_HOST: host,
    ATRIUM_CLOUD_HTTP_PORT: String(opts.cloudHttpPort ?? 0),
    ATRIUM_CLOUD_MQTT_PORT: String(opts.cloudMqttPort ?? 0),
    ATRIUM_DATA_DIR: opts.dataDir ?? 'memory://',
    ATRIUM_ADMIN_KEY: adminKey,
    ATRIUM_ADMIN_PASSWORD: adminPassword,
    ...opts.cloudEnv,
  });
  const cloud = await createCloud(cloudConfig, { site: opts.site, logger: opts.logger, ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.timers ? { timers: opts.timers } : {}), ...(opts.clockRate && { clockRate: opts.clockRate }) });
  const cloudPorts = await cloud.start();
  const edgeConfig = parseEdgeConfig({
    ATRIUM_EDGE_HOST: host,
    ATRIUM_EDGE_MQTT_PORT: String(opts.edgeMqttPort ?? 0),
    ATRIUM_EDGE_HTTP_PORT: String(opts.edgeHttpPort ?? 0),
    ATRIUM_CLOUD_MQTT_URL: `mqtt://${host}:${cloudPorts.mqttPort}`,
    ATRIUM_GATEWAY_PASSWORD: secrets.gateway,
    ATRIUM_PRIVACY_KEY: secrets.privacy,
    ATRIUM_EDGE_DATA_DIR: opts.edgeDataDir ?? ':memory:',
    // Every simulated device connects from this one loopback address: the per-address cap on
    // connections still logging in is for the field, where devices have addresses of their own.
    ATRIUM_EDGE_MAX_PENDING_PER_ADDRESS: '1024',
    ...(opts.edge?.lateness !== undefined && { ATRIUM_AGGREGATE_LATENESS_MS: String(opts.edge.lateness) }),
    ...(opts.edge?.idle !== undefined && { ATRIUM_AGGREGATE_IDLE_MS: String(opts.edge.idle) }),
    ...(opts.edge?.flushEvery !== undefined && { ATRIUM_FLUSH_EVERY_MS: String(opts.edge.flushEvery) }),
    ...opts.edgeEnv,
  });
  // Like a fresh install: the gateway gets its credential at the cloud the first time; later starts keep an operator's rotation or disable.
  const credential = await ensureGatewayCredential(cloud.gateways, edgeConfig.gatewayId, secrets.gateway);
  if (credential === 'disabled' || credential === 'rotated') {
    opts.logger.warn({ gatewayId: edgeConfig.gatewayId, credential }, `the cloud no longer takes this gateway's password (${credential} with npm run gateways): it cannot deliver until it has the current one`);
  }
  const edge = createGateway(edgeConfig, { site: opts.site, logger: opts.logger, ...(opts.clock && { clock: opts.clock }) });
  // Like a fresh install on site: every device gets credentials the first time; later starts keep an operator's changes.
  const fleet = await provisionFleet(edge.devices, opts.site.devices, secrets.device);
  const edgePorts = await edge.start();
  return {
    cloud,
    edge,
    secrets,
    fleet,
    adminKey,
    adminPassword,
    urls: {
      page: `http://${host}:${cloudPorts.httpPort}/`,
      edgeMqtt: `mqtt://${host}:${edgePorts.mqttPort}`,
      edgeHttp: `http://${host}:${edgePorts.httpPort}`,
      cloudMqtt: `mqtt://${host}:${cloudPorts.mqttPort}`,
      ...(edgePorts.mqttsPort !== undefined && { edgeMqtts: `mqtts://${host}:${edgePorts.mqttsPort}` }),
    },
    async stop() {
      await edge.stop();
      await cloud.stop();
    },
  };
}
