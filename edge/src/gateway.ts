import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import { commandTopic, derivePassword, deviceTopic, gatewayPrincipal, indexSite, passwordMatches, type DeviceEventRecord, type DeviceStatusRecord, type SiteModel, type Uplink } from '@atrium/shared';
import { createAggregator } from './aggregator.ts';
import type { EdgeConfig } from './config.ts';
import { createForwarder } from './forwarder.ts';
import { openJournal, type NewUplink } from './journal.ts';
import { createEdgeHttp, type EdgeHealth } from './http.ts';
import { checkPublish, type Reading } from './intake.ts';
import { createLiveOccupancy } from './live.ts';
import { createEdgeMetrics } from './metrics.ts';
import { eventRecord, lockerStateRecord, statusRecord } from './normalise.ts';
import { placementOf } from './placement.ts';
import { REJECTION, type Rejection, type RejectionCode } from './rejections.ts';
import { createUplinkClient } from './uplink-client.ts';
import { createLogThrottle } from './log-throttle.ts';
import { createRateLimiter } from './rate-limit.ts';

/** Most records one uplink carries; keeps a single MQTT packet well under broker limits. */
const MAX_RECORDS_PER_UPLINK = 2000;
type UplinkBody = Uplink extends infer U ? (U extends Uplink ? Omit<U, 'v' | 'id' | 'siteId' | 'gatewayId' | 'sentAt'> : never) : never;

/** How long a folded reading's identity is kept to recognise a device's resend after a crash. */
const DEDUPE_HORIZON_MS = 10 * 60_000;
const PRUNE_EVERY_MS = 10_000;

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
  const journal = openJournal({ path: config.ATRIUM_EDGE_DATA_DIR === ':memory:' ? ':memory:' : `${config.ATRIUM_EDGE_DATA_DIR}/journal.sqlite`, durability: config.ATRIUM_JOURNAL_DURABILITY });
  const aggregator = createAggregator({ lateness_ms: config.ATRIUM_AGGREGATE_LATENESS_MS, idle_ms: config.ATRIUM_AGGREGATE_IDLE_MS });
  const live = createLiveOccupancy(site);
  const throttle = createLogThrottle(60_000);
  const rateLimiter = createRateLimiter(config.ATRIUM_MAX_PUBLISH_RATE, config.ATRIUM_MAX_PUBLISH_BURST);
  const uplink = createUplinkClient({
    url: config.ATRIUM_CLOUD_MQTT_URL,
    siteId,
    gatewayId: config.ATRIUM_GATEWAY_ID,
    password: derivePassword(config.ATRIUM_GATEWAY_SECRET, gatewayPrincipal(config.ATRIUM_GATEWAY_ID)),
    logger,
    metrics,
  });
  const forwarder = createForwarder({ journal, uplink, metrics, logger, window: 32 });
  let events: { record: DeviceEventRecord; id: number }[] = [];
  let statuses: { record: DeviceStatusRecord; id: number }[] = [];
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

  /** Feeds a journaled reading to the aggregator or the event queues (at intake and on replay after a restart). */
  const handle = (reading: Reading, receivedAt: number, id: number) => {
    const where = placementOf(site, reading.device);
    switch (reading.channel) {
      case 'count': {
        const subject = reading.device.subject ?? { kind: 'zone' as const, id: reading.device.zoneId };
        aggregator.addCount(where, subject, reading.value, receivedAt, id);
        if (reading.value.occupancy !== undefined) live.update(reading.device, reading.value.occupancy, reading.value.ts, receivedAt);
        break;
      }
      case 'env':
        aggregator.addEnv(where, reading.value, receivedAt, id);
        break;
      case 'event':
        events.push({ record: eventRecord(where, reading.device, reading.value, config.ATRIUM_PRIVACY_KEY), id });
        break;
      case 'state':
        events.push({ record: lockerStateRecord(where, reading.value), id });
        break;
      case 'status':
        statuses.push({ record: statusRecord(where, reading.device, reading.value), id });
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
    const receivedAt = Date.now();
    if (client && !rateLimiter.allow(deviceId, receivedAt)) {
      refuse(deviceId, { code: REJECTION.RATE_LIMITED, detail: `more than ${config.ATRIUM_MAX_PUBLISH_RATE} messages/s (burst ${config.ATRIUM_MAX_PUBLISH_BURST})` });
      divert(packet, REJECTION.RATE_LIMITED);
      return callback(null);
    }
    const seq = reading.channel === 'status' ? -1 : reading.value.seq;
    // PUBACK only after the reading is committed to disk: an acknowledged reading is never lost.
    journal.append(deviceId, reading.channel, seq, reading.value.ts, (packet.payload as Buffer).toString('utf8'), receivedAt).then(
      (id) => {
        if (id === null) {
          metrics.rejected.inc({ reason: REJECTION.DUPLICATE });
          divert(packet, REJECTION.DUPLICATE);
        } else {
          metrics.accepted.inc({ channel: reading.channel });
          handle(reading, receivedAt, id);
        }
        callback(null);
      },
      (err: Error) => {
        logger.error({ err: err.message, deviceId }, 'journal write failed; the device will resend');
        callback(err);
      },
    );
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

  const envelope = (body: UplinkBody, records: number): NewUplink => ({
    kind: body.kind,
    records,
    body: JSON.stringify({ v: 1, id: randomUUID(), siteId, gatewayId: config.ATRIUM_GATEWAY_ID, sentAt: Date.now(), ...body }),
  });

  /** Folds closed minutes and queued events into outbox uplinks (one transaction), then lets the forwarder send them. */
  const flush = (all: boolean) => {
    const now = Date.now();
    const closed = all ? aggregator.takeClosed(Number.MAX_SAFE_INTEGER) : aggregator.takeClosed(now);
    metrics.pendingReadings.set(aggregator.pendingReadings);
    const uplinks: NewUplink[] = [];
    for (let i = 0; i < Math.max(closed.footfall.length, closed.env.length); i += MAX_RECORDS_PER_UPLINK) {
      const footfall = closed.footfall.slice(i, i + MAX_RECORDS_PER_UPLINK);
      const env = closed.env.slice(i, i + MAX_RECORDS_PER_UPLINK);
      uplinks.push(envelope({ kind: 'minute', footfall, env }, footfall.length + env.length));
    }
    for (let i = 0; i < events.length; i += MAX_RECORDS_PER_UPLINK) {
      const batch = events.slice(i, i + MAX_RECORDS_PER_UPLINK).map((e) => e.record);
      uplinks.push(envelope({ kind: 'events', events: batch }, batch.length));
    }
    for (let i = 0; i < statuses.length; i += MAX_RECORDS_PER_UPLINK) {
      const batch = statuses.slice(i, i + MAX_RECORDS_PER_UPLINK).map((e) => e.record);
      uplinks.push(envelope({ kind: 'status', devices: batch }, batch.length));
    }
    if (uplinks.length > 0) {
      journal.fold(uplinks, [...closed.readingIds, ...events.map((e) => e.id), ...statuses.map((e) => e.id)], now);
      events = [];
      statuses = [];
    }
    const stats = journal.stats();
    metrics.outboxRows.set(stats.outboxRows);
    metrics.outboxBytes.set(stats.outboxBytes);
    metrics.outboxOldestAgeSeconds.set(stats.oldestCreatedAt === null ? 0 : (now - stats.oldestCreatedAt) / 1000);
    forwarder.pump();
  };

  /** After a restart: readings that were acknowledged but not yet folded go back into the aggregator. */
  const replayJournal = () => {
    let replayed = 0;
    for (const r of journal.pendingReadings()) {
      const result = checkPublish({ site, maxPayloadBytes: Number.MAX_SAFE_INTEGER }, r.deviceId, deviceTopic(siteId, r.deviceId, r.channel), Buffer.from(r.body));
      if (!result.ok) {
        logger.error({ deviceId: r.deviceId, reason: result.rejection.code }, 'journaled reading no longer fits the site model; kept unfolded');
        continue;
      }
      handle(result.reading, r.receivedAt, r.id);
      replayed++;
    }
    const stats = journal.stats();
    if (replayed > 0 || stats.outboxRows > 0) logger.info({ replayedReadings: replayed, outboxUplinks: stats.outboxRows }, 'resuming from the journal');
  };

  const health = (): EdgeHealth => ({
    status: uplink.connected ? 'ok' : 'degraded',
    uplinkConnected: uplink.connected,
    devicesConnected: broker?.connectedClients ?? 0,
    uplinkInflight: forwarder.inflight,
    pendingReadings: aggregator.pendingReadings,
    outbox: journal.stats(),
  });

  return {
    metrics,
    health,
    async start() {
      replayJournal();
      broker = await Aedes.createBroker({ id: `atrium-edge-${config.ATRIUM_GATEWAY_ID}`, maxClientsIdLength: 64, maxTopicLevels: 8, drainTimeout: 30_000 });
      broker.authenticate = authenticate;
      broker.authorizePublish = authorizePublish;
      broker.authorizeSubscribe = authorizeSubscribe;
      // What aedes refuses before our handlers run (e.g. a topic deeper than maxTopicLevels) still gets a counted, logged reason.
      broker.on('clientError', (client, err) => {
        if ('code' in err) return; // socket errors (resets, broken pipes) are not the device's protocol fault
        refuse(client.id, { code: REJECTION.PROTOCOL_VIOLATION, detail: err.message });
      });
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
      let lastPrune = 0;
      ticker = setInterval(() => {
        flush(false);
        const now = Date.now();
        if (now - lastPrune >= PRUNE_EVERY_MS) {
          lastPrune = now;
          journal.prune(now - DEDUPE_HORIZON_MS);
        }
      }, config.ATRIUM_FLUSH_EVERY_MS);
      liveTicker = setInterval(() => uplink.sendLive(live.takeChanged()), config.ATRIUM_LIVE_EVERY_MS);
      const mqttPort = (server.address() as AddressInfo).port;
      const httpPort = (http.server.address() as AddressInfo).port;
      logger.info({ mqtt: `mqtt://${config.ATRIUM_EDGE_HOST}:${mqttPort}`, http: `http://${config.ATRIUM_EDGE_HOST}:${httpPort}` }, 'edge gateway listening');
      return { mqttPort, httpPort };
    },
    async stop() {
      clearInterval(ticker);
      clearInterval(liveTicker);
      // Stop taking device input first so the final flush is really final; the broker ends
      // the device connections, which server.close() would otherwise wait for.
      const serverClosed = new Promise<void>((resolve) => (mqttServer ? mqttServer.close(() => resolve()) : resolve()));
      await new Promise<void>((resolve) => (broker ? broker.close(() => resolve()) : resolve()));
      await serverClosed;
      flush(true);
      const drained = await forwarder.drain(config.ATRIUM_STOP_DRAIN_MS);
      if (!drained) logger.warn({ outbox: journal.stats() }, 'stopping with uplinks not yet acknowledged; they stay in the outbox for the next start');
      await uplink.close();
      journal.close();
      await http?.close();
      logger.info('edge gateway stopped');
    },
  };
}
