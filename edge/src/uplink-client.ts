import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { uplinkTopic, type LiveUplink, type Uplink } from '@atrium/shared';
import type { EdgeMetrics } from './metrics.ts';

type Body<K extends Uplink['kind']> = Omit<Extract<Uplink, { kind: K }>, 'v' | 'id' | 'siteId' | 'gatewayId' | 'sentAt' | 'kind'>;

export interface UplinkClientOptions {
  url: string;
  siteId: string;
  gatewayId: string;
  password: string;
  logger: Logger;
  metrics: EdgeMetrics;
}

/**
 * The gateway's MQTT connection to the cloud. Stored kinds go out at QoS 1 with a fresh
 * uplink id; the cloud acknowledges only after persisting, and drops a redelivered id.
 * Live snapshots go at QoS 0: a newer one always supersedes a lost one.
 */
export interface UplinkClient {
  send<K extends Uplink['kind']>(kind: K, body: Body<K>, records: number): Promise<void>;
  sendLive(zones: LiveUplink['zones']): void;
  readonly inflight: number;
  readonly connected: boolean;
  /** Waits until every stored uplink handed over so far is acknowledged, or the timeout passes. */
  drain(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export function createUplinkClient(opts: UplinkClientOptions): UplinkClient {
  const { logger, metrics } = opts;
  const client: MqttClient = mqtt.connect(opts.url, {
    clientId: `edge-${opts.gatewayId}`,
    username: opts.gatewayId,
    password: opts.password,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    keepalive: 30,
  });
  let inflight = 0;
  const drainWaiters: Array<() => void> = [];
  client.on('connect', () => {
    metrics.uplinkConnected.set(1);
    logger.info({ url: opts.url }, 'uplink connected to cloud');
  });
  client.on('close', () => metrics.uplinkConnected.set(0));
  client.on('error', (err) => logger.warn({ err: err.message, url: opts.url }, 'uplink error; retrying'));

  const settle = () => {
    inflight -= 1;
    metrics.uplinkInflight.set(inflight);
    if (inflight === 0) drainWaiters.splice(0).forEach((w) => w());
  };

  return {
    send(kind, body, records) {
      const envelope = { v: 1, id: randomUUID(), siteId: opts.siteId, gatewayId: opts.gatewayId, sentAt: Date.now(), ...body, kind };
      inflight += 1;
      metrics.uplinkInflight.set(inflight);
      return new Promise((resolve, reject) => {
        client.publish(uplinkTopic(opts.siteId, opts.gatewayId, kind), JSON.stringify(envelope), { qos: 1 }, (err) => {
          settle();
          if (err) {
            metrics.uplinks.inc({ kind, result: 'error' });
            logger.error({ err: err.message, kind, uplinkId: envelope.id }, 'uplink publish failed');
            reject(err);
            return;
          }
          metrics.uplinks.inc({ kind, result: 'acked' });
          metrics.uplinkRecords.inc({ kind }, records);
          resolve();
        });
      });
    },
    sendLive(zones) {
      if (!client.connected || zones.length === 0) return;
      const live: LiveUplink = { v: 1, siteId: opts.siteId, gatewayId: opts.gatewayId, sentAt: Date.now(), kind: 'live', zones };
      client.publish(uplinkTopic(opts.siteId, opts.gatewayId, 'live'), JSON.stringify(live), { qos: 0 });
    },
    get inflight() {
      return inflight;
    },
    get connected() {
      return client.connected;
    },
    drain(timeoutMs) {
      if (inflight === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        drainWaiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    close() {
      return new Promise((resolve) => client.end(false, {}, () => resolve()));
    },
  };
}
