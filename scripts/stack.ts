import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { SiteModel } from '@atrium/shared';
import { createCloud, parseCloudConfig, type Cloud } from '@atrium/cloud';
import { createGateway, parseEdgeConfig, type Gateway } from '@atrium/edge';

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
  secrets?: Partial<Secrets>;
}

export interface Secrets {
  device: string;
  gateway: string;
  privacy: string;
}

export interface Stack {
  cloud: Cloud;
  edge: Gateway;
  secrets: Secrets;
  urls: { page: string; edgeMqtt: string; edgeHttp: string; cloudMqtt: string };
  stop(): Promise<void>;
}

const secret = () => randomBytes(24).toString('base64url');

/**
 * Cloud and one edge gateway in this process, wired to each other on loopback. Used by
 * `npm start`, the end-to-end tests and the benchmarks, so all three run the same system.
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const host = opts.host ?? '127.0.0.1';
  const secrets: Secrets = { device: opts.secrets?.device ?? secret(), gateway: opts.secrets?.gateway ?? secret(), privacy: opts.secrets?.privacy ?? secret() };
  const cloudConfig = parseCloudConfig({
    ATRIUM_CLOUD_HOST: host,
    ATRIUM_CLOUD_HTTP_PORT: String(opts.cloudHttpPort ?? 0),
    ATRIUM_CLOUD_MQTT_PORT: String(opts.cloudMqttPort ?? 0),
    ATRIUM_DATA_DIR: opts.dataDir ?? 'memory://',
    ATRIUM_GATEWAY_SECRET: secrets.gateway,
  });
  const cloud = await createCloud(cloudConfig, { site: opts.site, logger: opts.logger });
  const cloudPorts = await cloud.start();
  const edgeConfig = parseEdgeConfig({
    ATRIUM_EDGE_HOST: host,
    ATRIUM_EDGE_MQTT_PORT: String(opts.edgeMqttPort ?? 0),
    ATRIUM_EDGE_HTTP_PORT: String(opts.edgeHttpPort ?? 0),
    ATRIUM_CLOUD_MQTT_URL: `mqtt://${host}:${cloudPorts.mqttPort}`,
    ATRIUM_DEVICE_SECRET: secrets.device,
    ATRIUM_GATEWAY_SECRET: secrets.gateway,
    ATRIUM_PRIVACY_KEY: secrets.privacy,
    ATRIUM_EDGE_DATA_DIR: opts.edgeDataDir ?? ':memory:',
    ...(opts.edge?.lateness !== undefined && { ATRIUM_AGGREGATE_LATENESS_MS: String(opts.edge.lateness) }),
    ...(opts.edge?.idle !== undefined && { ATRIUM_AGGREGATE_IDLE_MS: String(opts.edge.idle) }),
    ...(opts.edge?.flushEvery !== undefined && { ATRIUM_FLUSH_EVERY_MS: String(opts.edge.flushEvery) }),
    ...opts.edgeEnv,
  });
  const edge = createGateway(edgeConfig, { site: opts.site, logger: opts.logger });
  const edgePorts = await edge.start();
  return {
    cloud,
    edge,
    secrets,
    urls: {
      page: `http://${host}:${cloudPorts.httpPort}/`,
      edgeMqtt: `mqtt://${host}:${edgePorts.mqttPort}`,
      edgeHttp: `http://${host}:${edgePorts.httpPort}`,
      cloudMqtt: `mqtt://${host}:${cloudPorts.mqttPort}`,
    },
    async stop() {
      await edge.stop();
      await cloud.stop();
    },
  };
}
