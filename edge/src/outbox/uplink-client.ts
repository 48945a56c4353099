import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { uplinkTopic, type LiveUplink, type UplinkKind } from '@atrium/shared';
import type { EdgeMetrics } from '../core/metrics.ts';

export interface UplinkClientOptions {
  url: string;
  siteId: string;
  gatewayId: string;
  password: string;
  /** `derived`: from the deprecated shared ATRIUM_GATEWAY_SECRET (a warning at start) */
  credential?: 'own' | 'derived';
  logger: Logger;
  metrics: EdgeMetrics;
}

/**
 * The gateway's MQTT connection to the cloud. Stored uplinks go at QoS 1 and resolve on
 * PUBACK, which the cloud sends only after storing; live snapshots go at QoS 0 because a
 * newer one always supersedes a lost one.
 */
export interface UplinkClient {
  publish(kind: Exclude<UplinkKind, 'live'>, payload: string): Promise<void>;
  sendLive(zones: LiveUplink['zones']): void;
  readonly connected: boolean;
  onConnect(listener: () => void): void;
  close(): Promise<void>;
}

export function createUplinkClient(opts: UplinkClientOptions): UplinkClient {
  const { logger, metrics } = opts;
  if (opts.credential === 'derived') {
    logger.warn({ gatewayId: opts.gatewayId }, 'logging in to the cloud with a password derived from the shared ATRIUM_GATEWAY_SECRET (deprecated): give this gateway its own (npm run gateways -- add <id> on the cloud) and set ATRIUM_GATEWAY_PASSWORD');
  }
  const client: MqttClient = mqtt.connect(opts.url, {
    clientId: `edge-${opts.gatewayId}`,
    username: opts.gatewayId,
    password: opts.password,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    keepalive: 30,
  });
  let wasDown = false;
  let closing = false;
  client.on('connect', () => {
    metrics.uplinkConnected.set(1);
    logger.info({ url: opts.url, reconnected: wasDown }, 'uplink connected to cloud');
  });
  client.on('close', () => {
    if (!wasDown && !closing) logger.warn({ url: opts.url }, 'uplink to cloud lost; readings wait in the outbox');
    wasDown = true;
    metrics.uplinkConnected.set(0);
  });
  client.on('connect', () => (wasDown = false));
  client.on('error', (err) => logger.debug({ err: err.message, url: opts.url }, 'uplink error; retrying'));

  return {
    publish(kind, payload) {
      return new Promise((resolve, reject) =>
        client.publish(uplinkTopic(opts.siteId, opts.gatewayId, kind), payload, { qos: 1 }, (err) => (err ? reject(err) : resolve())),
      );
    },
    sendLive(zones) {
      if (!client.connected || zones.length === 0) return;
      const live: LiveUplink = { v: 1, siteId: opts.siteId, gatewayId: opts.gatewayId, sentAt: Date.now(), kind: 'live', zones };
      client.publish(uplinkTopic(opts.siteId, opts.gatewayId, 'live'), JSON.stringify(live), { qos: 0 });
    },
    get connected() {
      return client.connected;
    },
    onConnect(listener) {
      client.on('connect', listener);
    },
    close() {
      closing = true;
      return new Promise((resolve) => client.end(true, {}, () => resolve()));
    },
  };
}
