import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import { commandTopic, derivePassword, gatewayPrincipal, indexSite, passwordMatches, type DeviceEventRecord, type DeviceStatusRecord, type SiteModel } from '@atrium/shared';
import { createAggregator } from './aggregator.ts';
import type { EdgeConfig } from './config.ts';
import { createDedupe } from './dedupe.ts';
import { createEdgeHttp, type EdgeHealth } from './http.ts';
import { checkPublish, type Reading } from './intake.ts';
import { createLiveOccupancy } from './live.ts';
import { createEdgeMetrics } from './metrics.ts';
import { eventRecord, lockerStateRecord, statusRecord } from './normalise.ts';
import { placementOf } from './placement.ts';
import { REJECTION, type Rejection, type RejectionCode } from './rejections.ts';
import { createUplinkClient } from './uplink-client.ts';
import { createLogThrottle } from './log-throttle.ts';

/** Most records one uplink carries; keeps a single MQTT packet well under broker limits. */
const MAX_RECORDS_PER_UPLINK = 2000;

export interface Gateway {
  start(): Promise<{ mqttPort: number; httpPort: number }>;
  /** Flushes open minutes, waits for the cloud to acknowledge, then closes. */
  stop(): Promise<void>;
  readonly metrics: ReturnType<typeof createEdgeMetrics>;
  health(): EdgeHealth;
}

export function createGateway(config: EdgeConfig, deps: { site: SiteModel; logger: Logger }): Gateway {
  const logger = deps.logger.child({ component: 'gateway', gatewayId: config.ATRIUM_GATEWAY_ID });
  const site = indexSite(deps.site);
  const siteId = site.site.id;
  const metrics = createEdgeMetrics();
  const dedupe = createDedupe();
  const aggregator = createAggregator({ lateness_ms: config.ATRIUM_AGGREGATE_LATENESS_MS, idle_ms: config.ATRIUM_AGGREGATE_IDLE_MS });
  const live = createLiveOccupancy(site);
  const throttle = createLogThrottle(60_000);
  const uplink = createUplinkClient({
    url: config.ATRIUM_CLOUD_MQTT_URL,
    siteId,
    gatewayId: config.ATRIUM_GATEWAY_ID,
    password: derivePassword(config.ATRIUM_GATEWAY_SECRET, gatewayPrincipal(config.ATRIUM_GATEWAY_ID)),
    logger,
    metrics,
  });
  let events: DeviceEventRecord[] = [];
  let statuses: DeviceStatusRecord[] = [];
  let broker: Aedes | undefined;
  let mqttServer: Server | undefined;
  let http: ReturnType<typeof createEdgeHttp> | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let liveTicker: NodeJS.Timeout | undefined;

  const refuse = (deviceId: string | undefined, rejection: Rejection, extra: Record<string, unknown> = {}) => {
    metrics.rejected.inc({ reason: rejection.code });
    if (throttle.shouldLog(`${deviceId}|${rejection.code}`)) {
      logger.warn({ deviceId, reason: rejection.code, detail: rejection.detail, ...extra }, 'device message refused');
    }
  };

  const handle = (reading: Reading, receivedAt: number) => {
    const where = placementOf(site, reading.device);
    metrics.accepted.inc({ channel: reading.channel });
    switch (reading.channel) {
      case 'count': {
        const subject = reading.device.subject ?? { kind: 'zone' as const, id: reading.device.zoneId };
        aggregator.addCount(where, subject, reading.value, receivedAt);
        if (reading.value.occupancy !== undefined) live.update(reading.device, reading.value.occupancy, reading.value.ts, receivedAt);
        break;
      }
      case 'env':
        aggregator.addEnv(where, reading.value, receivedAt);
        break;
      case 'event':
        events.push(eventRecord(where, reading.device, reading.value, config.ATRIUM_PRIVACY_KEY));
        break;
      case 'state':
        events.push(lockerStateRecord(where, reading.value));
        break;
      case 'status':
        statuses.push(statusRecord(where, reading.device, reading.value));
        break;
    }
  };

  /**
   * Every refusal is acknowledged to the device and diverted to a dead-letter topic nobody
   * subscribes to: refusing by disconnecting would make a QoS 1 device resend the same
   * poison message forever.
   */
  const divert = (packet: PublishPacket, code: RejectionCode) => {
    packet.topic = `$atrium/rejected/${code}`;
    packet.retain = false;
  };

  const authorizePublish = (client: Client | null, packet: PublishPacket, callback: (error?: Error | null) => void) => {
    // A will published after its device left arrives without a client; its topic still names the device.
    const deviceId = client?.id ?? packet.topic.split('/')[2] ?? '';
    const result = checkPublish({ site, maxPayloadBytes: config.ATRIUM_MAX_PAYLOAD_BYTES }, deviceId, packet.topic, packet.payload as Buffer);
    if (!result.ok) {
      refuse(deviceId, result.rejection, { topic: packet.topic });
      divert(packet, result.rejection.code);
      return callback(null);
    }
    const { reading } = result;
    if (reading.channel !== 'status' && !dedupe.firstSeen(deviceId, reading.channel, reading.value.seq, reading.value.ts)) {
      metrics.rejected.inc({ reason: REJECTION.DUPLICATE });
      divert(packet, REJECTION.DUPLICATE);
      return callback(null);
    }
    handle(reading, Date.now());
    callback(null);
  };

  const authenticate = (client: Client, username: string | undefined, password: Buffer | undefined, done: (error: AuthenticateError | null, success: boolean | null) => void) => {
    const fail = (reason: RejectionCode, returnCode: number, detail: string) => {
      metrics.authFailures.inc({ reason });
      if (throttle.shouldLog(`auth|${client.id}|${reason}`)) logger.warn({ clientId: client.id, username, reason, detail }, 'device connection refused');
      done(Object.assign(new Error(detail), { returnCode }) as AuthenticateError, false);
    };
    if (username === undefined || username !== client.id) return fail(REJECTION.CLIENT_ID_MISMATCH, 2, 'client id must equal the device id given as username');
    if (!site.device.has(username)) return fail(REJECTION.UNKNOWN_DEVICE, 4, `unknown device ${username}`);
    if (!passwordMatches(config.ATRIUM_DEVICE_SECRET, username, password)) return fail(REJECTION.AUTH_FAILED, 4, `wrong password for ${username}`);
    done(null, true);
  };

  const authorizeSubscribe: Aedes['authorizeSubscribe'] = (client, sub, callback) => {
    // A device may listen only to its own command topics.
    const own = commandTopic(siteId, client.id, '');
    if (sub.topic === `${own}#` || (sub.topic.startsWith(own) && !/[+#]/.test(sub.topic))) return callback(null, sub);
    metrics.subscribeDenied.inc();
    refuse(client.id, { code: REJECTION.SUBSCRIBE_NOT_ALLOWED, detail: `may subscribe only to ${own}#, not "${sub.topic}"` });
    callback(null, null);
  };

  const flush = async (all: boolean) => {
    const now = Date.now();
    const closed = all ? aggregator.takeAll() : aggregator.takeClosed(now);
    metrics.pendingReadings.set(aggregator.pendingReadings);
    const sends: Promise<void>[] = [];
    for (let i = 0; i < Math.max(closed.footfall.length, closed.env.length); i += MAX_RECORDS_PER_UPLINK) {
      const footfall = closed.footfall.slice(i, i + MAX_RECORDS_PER_UPLINK);
      const env = closed.env.slice(i, i + MAX_RECORDS_PER_UPLINK);
      sends.push(uplink.send('minute', { footfall, env }, footfall.length + env.length));
    }
    for (let i = 0; i < events.length; i += MAX_RECORDS_PER_UPLINK) {
      const batch = events.slice(i, i + MAX_RECORDS_PER_UPLINK);
      sends.push(uplink.send('events', { events: batch }, batch.length));
    }
    for (let i = 0; i < statuses.length; i += MAX_RECORDS_PER_UPLINK) {
      const batch = statuses.slice(i, i + MAX_RECORDS_PER_UPLINK);
      sends.push(uplink.send('status', { devices: batch }, batch.length));
    }
    events = [];
    statuses = [];
    await Promise.allSettled(sends);
  };

  const health = (): EdgeHealth => ({
    status: uplink.connected ? 'ok' : 'degraded',
    uplinkConnected: uplink.connected,
    devicesConnected: broker?.connectedClients ?? 0,
    uplinkInflight: uplink.inflight,
    pendingReadings: aggregator.pendingReadings,
  });

  return {
    metrics,
    health,
    async start() {
      broker = await Aedes.createBroker({ id: `atrium-edge-${config.ATRIUM_GATEWAY_ID}`, maxClientsIdLength: 64, maxTopicLevels: 8, drainTimeout: 30_000 });
      broker.authenticate = authenticate;
      broker.authorizePublish = authorizePublish;
      broker.authorizeSubscribe = authorizeSubscribe;
      broker.on('clientReady', () => metrics.devicesConnected.set(broker?.connectedClients ?? 0));
      broker.on('clientDisconnect', () => metrics.devicesConnected.set(broker?.connectedClients ?? 0));
      const server = createServer(broker.handle);
      mqttServer = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.ATRIUM_EDGE_MQTT_PORT, config.ATRIUM_EDGE_HOST, () => resolve());
      });
      http = createEdgeHttp({ logger, metrics, health });
      await http.listen({ port: config.ATRIUM_EDGE_HTTP_PORT, host: config.ATRIUM_EDGE_HOST });
      ticker = setInterval(() => void flush(false), config.ATRIUM_FLUSH_EVERY_MS);
      liveTicker = setInterval(() => uplink.sendLive(live.takeChanged()), config.ATRIUM_LIVE_EVERY_MS);
      const mqttPort = (server.address() as AddressInfo).port;
      const httpPort = (http.server.address() as AddressInfo).port;
      logger.info({ mqtt: `mqtt://${config.ATRIUM_EDGE_HOST}:${mqttPort}`, http: `http://${config.ATRIUM_EDGE_HOST}:${httpPort}` }, 'edge gateway listening');
      return { mqttPort, httpPort };
    },
    async stop() {
      clearInterval(ticker);
      clearInterval(liveTicker);
      // Stop taking device input first so the final flush is really final.
      await new Promise<void>((resolve) => (mqttServer ? mqttServer.close(() => resolve()) : resolve()));
      await new Promise<void>((resolve) => (broker ? broker.close(() => resolve()) : resolve()));
      await flush(true);
      const drained = await uplink.drain(10_000);
      if (!drained) logger.error({ inflight: uplink.inflight }, 'stopping with uplinks not acknowledged by the cloud');
      await uplink.close();
      await http?.close();
      logger.info('edge gateway stopped');
    },
  };
}
