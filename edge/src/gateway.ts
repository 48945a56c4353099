import type { AddressInfo } from 'node:net';
import { Aedes, type Client, type PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import { commandTopic, derivePassword, deviceTopic, gatewayPrincipal, indexSite, type AlarmRecord, type DeviceEventRecord, type DeviceStatusRecord, type EnvMinute, type FootfallMinute, type SiteModel, type Uplink } from '@atrium/shared';
import { createAggregator } from './readings/aggregator.ts';
import type { EdgeConfig } from './config.ts';
import { createDeviceAuth } from './devices/auth.ts';
import { credentialsPath, openDeviceCredentials, type DeviceCredentials } from './devices/credentials.ts';
import { createDeviceHealth } from './devices/health.ts';
import { listenForDevices, type DeviceListeners } from './broker/listeners.ts';
import { createOutboxGuard } from './outbox/guard.ts';
import { createStatusReport } from './status/report.ts';
import { createTelemetryHold } from './outbox/telemetry-hold.ts';
import { createForwarder } from './outbox/forwarder.ts';
import { openJournal, type NewUplink } from './outbox/journal.ts';
import { createEdgeHttp, type EdgeHealth } from './status/http.ts';
import { checkPublish, type Reading } from './readings/intake.ts';
import { createLiveOccupancy } from './readings/live.ts';
import { createEdgeMetrics } from './core/metrics.ts';
import { eventRecord, lockerStateRecord, statusRecord } from './readings/normalise.ts';
import { placementOf } from './readings/placement.ts';
import { REJECTION, type Rejection, type RejectionCode } from './core/rejections.ts';
import { createUplinkClient } from './outbox/uplink-client.ts';
import { createLogThrottle } from './core/log-throttle.ts';
import { createRateLimiter } from './readings/rate-limit.ts';
import { createEdgeBus, toBusReading } from './readings/bus.ts';
import { embedNodeRed } from './node-red/runtime.ts';

/** Most records one uplink carries; keeps a single MQTT packet well under broker limits. */
const MAX_RECORDS_PER_UPLINK = 2000;
type UplinkBody = Uplink extends infer U ? (U extends Uplink ? Omit<U, 'v' | 'id' | 'siteId' | 'gatewayId' | 'sentAt'> : never) : never;

/** How long a folded reading's identity is kept to recognise a device's resend after a crash. */
const DEDUPE_HORIZON_MS = 10 * 60_000;
const PRUNE_EVERY_MS = 10_000;

export interface Gateway {
  start(): Promise<{ mqttPort: number; httpPort: number; mqttsPort?: number }>;
  /** Flushes open minutes, waits for the cloud to acknowledge, then closes. */
  stop(): Promise<void>;
  readonly metrics: ReturnType<typeof createEdgeMetrics>;
  /** The device credential store (also written by `npm run devices`); closed by stop(). */
  readonly devices: DeviceCredentials;
  health(): EdgeHealth;
}

export function createGateway(config: EdgeConfig, deps: { site: SiteModel; logger: Logger }): Gateway {
  const logger = deps.logger.child({ component: 'gateway', gatewayId: config.ATRIUM_GATEWAY_ID });
  const site = indexSite(deps.site);
  const siteId = site.site.id;
  const metrics = createEdgeMetrics();
  const bus = createEdgeBus(logger);
  /** Edge → device messages (command topics) go out through the device broker, QoS 1, not retained. */
  const publishToDevices = (topic: string, payload: Buffer) =>
    new Promise<void>((resolve, reject) => {
      if (!broker || broker.closed) return reject(new Error('the device broker is not running'));
      broker.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (err) => (err ? reject(err) : resolve()));
    });
  // Node-RED is one runtime per process: this throws, before anything is opened, if another gateway here embeds it.
  const red = config.ATRIUM_RED_ENABLED ? embedNodeRed({ config, site, bus, logger, registry: metrics.registry, publish: publishToDevices }) : undefined;
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
  const credentials = openDeviceCredentials(credentialsPath(config.ATRIUM_EDGE_DATA_DIR));
  const auth = createDeviceAuth({ site, credentials, metrics, logger, shouldLog: (key) => throttle.shouldLog(key) });
  const deviceHealth = createDeviceHealth(site, { lowBatteryPercent: config.ATRIUM_LOW_BATTERY_PERCENT, offlineAfterMs: config.ATRIUM_DEVICE_OFFLINE_ALARM_MS });
  const hold = createTelemetryHold();
  const guard = createOutboxGuard({
    journal,
    maxBytes: config.ATRIUM_OUTBOX_MAX_BYTES,
    alarmRatio: config.ATRIUM_OUTBOX_ALARM_PERCENT / 100,
    wrap: (records) => minuteUplinks(records.footfall, records.env),
    logger,
    metrics,
  });
  let events: { record: DeviceEventRecord; id: number }[] = [];
  let statuses: { record: DeviceStatusRecord; id: number }[] = [];
  let broker: Aedes | undefined;
  let listeners: DeviceListeners | undefined;
  const report = createStatusReport({ journal, forwarder, guard, hold, devices: deviceHealth, uplink, aggregator, metrics, maxBytes: config.ATRIUM_OUTBOX_MAX_BYTES, connectedClients: () => broker?.connectedClients ?? 0 });
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
    if (reading.channel === 'status') {
      deviceHealth.status(deviceId, reading.value, receivedAt);
      if (reading.value.battery !== undefined) metrics.deviceBattery.set({ device: deviceId }, reading.value.battery);
      if (reading.value.rssi !== undefined) metrics.deviceRssi.set({ device: deviceId }, reading.value.rssi);
    }
    const seq = reading.channel === 'status' ? -1 : reading.value.seq;
    // PUBACK only after the reading is committed to disk: an acknowledged reading is never lost.
    const take = () => journal.append(deviceId, reading.channel, seq, reading.value.ts, (packet.payload as Buffer).toString('utf8'), receivedAt).then(
      (id) => {
        if (id === null) {
          metrics.rejected.inc({ reason: REJECTION.DUPLICATE });
          divert(packet, REJECTION.DUPLICATE);
        } else {
          metrics.accepted.inc({ channel: reading.channel });
          handle(reading, receivedAt, id);
        }
        callback(null);
        // After the PUBACK: local flows see only what is journaled, and never delay a device.
        if (id !== null && bus.listening('reading')) bus.emit('reading', toBusReading(reading, placementOf(site, reading.device), receivedAt, config.ATRIUM_PRIVACY_KEY));
      },
      (err: Error) => {
        logger.error({ err: err.message, deviceId }, 'journal write failed; the device will resend');
        callback(err);
      },
    );
    // A full outbox stops acknowledging telemetry (the device keeps it); events and status still get through.
    if (guard.telemetryPaused && (reading.channel === 'count' || reading.channel === 'env')) {
      metrics.telemetryHeld.inc();
      if (throttle.shouldLog(`${deviceId}|held`)) logger.warn({ deviceId }, 'outbox full: telemetry held unacknowledged until the cloud takes some');
      return hold.hold(client, packet, () => void take(), callback);
    }
    void take();
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
  function minuteUplinks(footfall: FootfallMinute[], env: EnvMinute[]): NewUplink[] {
    const out: NewUplink[] = [];
    for (let i = 0; i < Math.max(footfall.length, env.length); i += MAX_RECORDS_PER_UPLINK) {
      const f = footfall.slice(i, i + MAX_RECORDS_PER_UPLINK);
      const e = env.slice(i, i + MAX_RECORDS_PER_UPLINK);
      out.push(envelope({ kind: 'minute', footfall: f, env: e }, f.length + e.length));
    }
    return out;
  }
  /** Alarms are stored like any uplink, so they reach the cloud whenever it is back. */
  const foldAlarms = (alarms: AlarmRecord[], now: number) => {
    if (alarms.length === 0) return;
    for (const a of alarms) {
      metrics.alarms.inc({ type: a.type, state: a.state });
      if (a.device) logger[a.state === 'raised' ? 'warn' : 'info']({ alarm: a.type, deviceId: a.device.deviceId, ...a.data }, `device alarm ${a.state}`);
    }
    const batches: NewUplink[] = [];
    for (let i = 0; i < alarms.length; i += MAX_RECORDS_PER_UPLINK) {
      const batch = alarms.slice(i, i + MAX_RECORDS_PER_UPLINK);
      batches.push(envelope({ kind: 'status', devices: [], alarms: batch }, batch.length));
    }
    journal.fold(batches, [], now);
  };

  /** Folds closed minutes and queued events into outbox uplinks (one transaction), then lets the forwarder send them. */
  const flush = (all: boolean) => {
    const now = Date.now();
    const closed = all ? aggregator.takeClosed(Number.MAX_SAFE_INTEGER) : aggregator.takeClosed(now);
    metrics.pendingReadings.set(aggregator.pendingReadings);
    const uplinks: NewUplink[] = minuteUplinks(closed.footfall, closed.env);
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
    foldAlarms([...deviceHealth.takeAlarms(now), ...guard.check(now)], now);
    if (!guard.telemetryPaused && hold.size > 0) hold.release((packet) => divert(packet, REJECTION.OUTBOX_FULL));
    report.updateGauges(now);
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

  const health = (): EdgeHealth => report.health();

  return {
    metrics,
    devices: credentials,
    health,
    async start() {
      replayJournal();
      broker = await Aedes.createBroker({ id: `atrium-edge-${config.ATRIUM_GATEWAY_ID}`, maxClientsIdLength: 64, maxTopicLevels: 8, drainTimeout: 30_000 });
      broker.authenticate = auth.authenticate;
      broker.authorizePublish = authorizePublish;
      broker.authorizeSubscribe = authorizeSubscribe;
      // What aedes refuses before our handlers run (e.g. a topic deeper than maxTopicLevels) still gets a counted, logged reason.
      broker.on('clientError', (client, err) => {
        if ('code' in err) return; // socket errors (resets, broken pipes) are not the device's protocol fault
        if ('errorCode' in err) return; // a refused CONNECT: already counted in atrium_edge_auth_failures_total
        refuse(client.id, { code: REJECTION.PROTOCOL_VIOLATION, detail: err.message });
      });
      const keepaliveLost = new WeakSet<Client>();
      broker.on('keepaliveTimeout', (client) => keepaliveLost.add(client));
      broker.on('clientReady', (client) => {
        auth.ready(client);
        deviceHealth.connected(client.id, Date.now());
        metrics.devicesConnected.set(broker?.connectedClients ?? 0);
      });
      broker.on('clientDisconnect', (client) => {
        auth.ended(client);
        deviceHealth.disconnected(client.id, Date.now(), keepaliveLost.has(client) ? 'keepalive_lost' : 'disconnected');
        metrics.devicesConnected.set(broker?.connectedClients ?? 0);
      });
      listeners = await listenForDevices(broker.handle, {
        host: config.ATRIUM_EDGE_HOST,
        port: config.ATRIUM_EDGE_MQTT_PORT,
        ...(config.ATRIUM_EDGE_MQTTS_PORT !== undefined && config.ATRIUM_TLS_CERT_FILE && config.ATRIUM_TLS_KEY_FILE
          ? { tls: { port: config.ATRIUM_EDGE_MQTTS_PORT, certFile: config.ATRIUM_TLS_CERT_FILE, keyFile: config.ATRIUM_TLS_KEY_FILE } }
          : {}),
        onTlsError: (err, socket) => {
          metrics.authFailures.inc({ reason: REJECTION.TLS_HANDSHAKE_FAILED });
          if (throttle.shouldLog(`tls|${socket.remoteAddress}`)) logger.warn({ remote: socket.remoteAddress, detail: err.message, reason: REJECTION.TLS_HANDSHAKE_FAILED }, 'device connection refused: TLS handshake failed');
        },
      });
      http = createEdgeHttp({ logger, metrics, health, mount: red });
      await red?.start(http.server);
      await http.listen({ port: config.ATRIUM_EDGE_HTTP_PORT, host: config.ATRIUM_EDGE_HOST });
      let lastPrune = 0;
      ticker = setInterval(() => {
        auth.enforce();
        flush(false);
        const now = Date.now();
        if (now - lastPrune >= PRUNE_EVERY_MS) {
          lastPrune = now;
          journal.prune(now - DEDUPE_HORIZON_MS);
        }
      }, config.ATRIUM_FLUSH_EVERY_MS);
      liveTicker = setInterval(() => uplink.sendLive(live.takeChanged()), config.ATRIUM_LIVE_EVERY_MS);
      const { mqttPort, mqttsPort } = listeners;
      const httpPort = (http.server.address() as AddressInfo).port;
      logger.info({ mqtt: `mqtt://${config.ATRIUM_EDGE_HOST}:${mqttPort}`, ...(mqttsPort !== undefined && { mqtts: `mqtts://${config.ATRIUM_EDGE_HOST}:${mqttsPort}` }), http: `http://${config.ATRIUM_EDGE_HOST}:${httpPort}` }, 'edge gateway listening');
      return { mqttPort, httpPort, ...(mqttsPort !== undefined && { mqttsPort }) };
    },
    async stop() {
      clearInterval(ticker);
      clearInterval(liveTicker);
      // Flows first, so none sends a command into a closing broker.
      await red?.stop().catch((err: Error) => logger.error({ err: err.message }, 'Node-RED did not stop cleanly'));
      // Stop taking device input first so the final flush is really final; the broker ends
      // the device connections, which server.close() would otherwise wait for.
      const serverClosed = listeners ? listeners.close() : Promise.resolve();
      await new Promise<void>((resolve) => (broker ? broker.close(() => resolve()) : resolve()));
      await serverClosed;
      flush(true);
      const drained = await forwarder.drain(config.ATRIUM_STOP_DRAIN_MS);
      if (!drained) logger.warn({ outbox: journal.stats() }, 'stopping with uplinks not yet acknowledged; they stay in the outbox for the next start');
      await uplink.close();
      journal.close();
      credentials.close();
      await http?.close();
      logger.info('edge gateway stopped');
    },
  };
}
