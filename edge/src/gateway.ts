import type { AddressInfo } from 'node:net';
import type { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { createMqttGuard, indexSite, type SiteModel } from '@atrium/shared';
import { createDeviceBroker, publishToDevices } from './broker/device-broker.ts';
import { listenForDevices, type DeviceListeners } from './broker/listeners.ts';
import { authorizeSubscribe } from './broker/subscribe.ts';
import type { EdgeConfig } from './config.ts';
import { createLogThrottle } from './core/log-throttle.ts';
import { createEdgeMetrics } from './core/metrics.ts';
import { createRefusalTally } from './core/refusal-tally.ts';
import { createRefusals } from './core/refusals.ts';
import { createDeviceAuth } from './devices/auth.ts';
import { credentialsPath, openDeviceCredentials, type DeviceCredentials } from './devices/credentials.ts';
import { createDeviceHealth } from './devices/health.ts';
import { embedNodeRed } from './node-red/runtime.ts';
import { createForwarder } from './outbox/forwarder.ts';
import { createOutboxGuard } from './outbox/guard.ts';
import { openJournal } from './outbox/journal.ts';
import { createTelemetryHold } from './outbox/telemetry-hold.ts';
import { createUplinkClient } from './outbox/uplink-client.ts';
import { createUplinkBuilder } from './outbox/uplinks.ts';
import { authorizePublish } from './pipeline/index.ts';
import { replayJournal } from './pipeline/replay.ts';
import { createAggregator } from './readings/aggregator.ts';
import { createEdgeBus } from './readings/bus.ts';
import { createCollector, type Collector } from './readings/collector.ts';
import { createLiveOccupancy } from './readings/live.ts';
import { createEdgeHttp, type EdgeHealth } from './status/http.ts';
import { createStatusReport } from './status/report.ts';

/** Room a CONNECT needs besides its will payload (id, credentials, will topic, properties). */
const CONNECT_OVERHEAD_BYTES = 1024;
/**
 * A PUBLISH somewhat over the payload limit is taken and refused with its reason
 * (payload_too_large: the device learns why and keeps its session); one far over it cannot be
 * an honest mistake and is cut at the socket before it is buffered.
 */
const PACKET_PAYLOADS = 4;

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

/** Wiring only: what each part does is in its folder (device publishes: pipeline/). */
export function createGateway(config: EdgeConfig, deps: { site: SiteModel; logger: Logger; clock?: () => number }): Gateway {
  const logger = deps.logger.child({ component: 'gateway', gatewayId: config.gatewayId });
  const site = indexSite(deps.site);
  /** the gateway's clock: wall time in the field, the simulated mall's in an accelerated demo */
  const clock = deps.clock ?? Date.now;
  const siteId = site.site.id;
  const metrics = createEdgeMetrics();
  const bus = createEdgeBus(logger);
  let broker: Aedes | undefined;
  // Node-RED is one runtime per process: this throws, before anything is opened, if another gateway here embeds it.
  const red = config.red.enabled ? embedNodeRed({ config: { gatewayId: config.gatewayId, dataDir: config.dataDir, maxPayloadBytes: config.edge.maxPayloadBytes, red: config.red }, site, bus, logger, registry: metrics.registry, publish: publishToDevices(() => broker) }) : undefined;
  const journal = openJournal({ path: config.dataDir === ':memory:' ? ':memory:' : `${config.dataDir}/journal.sqlite`, durability: config.outbox.durability });
  const aggregator = createAggregator({ lateness_ms: config.aggregate.latenessMs, idle_ms: config.aggregate.idleMs });
  const live = createLiveOccupancy(site);
  const collector = createCollector({ site, aggregator, live });
  const throttle = createLogThrottle(60_000);
  const shouldLog = (key: string) => throttle.shouldLog(key);
  const refusalTally = createRefusalTally((deviceId) => site.device.has(deviceId));
  const refusals = createRefusals({ metrics, logger, shouldLog, tally: refusalTally });
  // Before login: every packet's declared length, the time to log in, and how many may be waiting.
  const { maxPayloadBytes, login } = config.edge;
  const guard = createMqttGuard(
    {
      maxConnectBytes: maxPayloadBytes + CONNECT_OVERHEAD_BYTES,
      maxPacketBytes: PACKET_PAYLOADS * maxPayloadBytes + CONNECT_OVERHEAD_BYTES,
      connectTimeoutMs: login.timeoutMs,
      maxPending: login.maxPending,
      maxPendingPerAddress: login.maxPendingPerAddress,
    },
    ({ reason, address, detail }) => {
      metrics.authFailures.inc({ reason });
      if (throttle.shouldLog(`conn|${address}|${reason}`)) logger.warn({ remote: address, reason, detail }, 'device connection closed before login');
    },
  );
  const uplink = createUplinkClient({
    url: config.uplink.url,
    siteId,
    gatewayId: config.gatewayId,
    password: config.uplink.password,
    credential: config.uplink.credential,
    logger,
    metrics,
  });
  const uplinks = createUplinkBuilder({ siteId, gatewayId: config.gatewayId });
  const forwarder = createForwarder({ journal, uplink, metrics, logger, window: 32 });
  const credentials = openDeviceCredentials(credentialsPath(config.dataDir));
  const auth = createDeviceAuth({ site, credentials, metrics, logger, shouldLog });
  const deviceHealth = createDeviceHealth(site, { lowBatteryPercent: config.health.lowBatteryPercent, offlineAfterMs: config.health.offlineAlarmMs });
  const hold = createTelemetryHold();
  const outboxGuard = createOutboxGuard({
    journal,
    maxBytes: config.outbox.maxBytes,
    alarmRatio: config.outbox.alarmPercent / 100,
    wrap: (records) => uplinks.minutes(records.footfall, records.env),
    logger,
    metrics,
  });
  const report = createStatusReport({ journal, forwarder, guard: outboxGuard, hold, devices: deviceHealth, uplink, aggregator, metrics, maxBytes: config.outbox.maxBytes, connectedClients: () => broker?.connectedClients ?? 0 });
  const onPublish = authorizePublish({
    site,
    limits: config.edge,
    privacyKey: config.privacyKey,
    health: deviceHealth,
    journal,
    guard: outboxGuard,
    hold,
    collector: expediteEvents(collector, () => soon.flush()),
    clock,
    bus,
    metrics,
    refusals,
    logger,
    shouldLog,
  });
  /** An event's own fold: queued events and statuses only, then the forwarder (the minutes and gauges wait for the tick). */
  const flushEvents = () => {
    const now = Date.now();
    const { events, statuses } = collector.queued();
    if (events.length + statuses.length === 0) return;
    journal.fold([...uplinks.events(events.map((e) => e.record)), ...uplinks.statuses(statuses.map((s) => s.record))], [...events.map((e) => e.id), ...statuses.map((s) => s.id)], now);
    collector.clearQueued();
    forwarder.pump();
  };
  // While the uplink is down there is nobody to hurry for: events wait for the tick as before.
  const soon = flushSoon(() => flushEvents(), () => uplink.connected);
  let listeners: DeviceListeners | undefined;
  let http: ReturnType<typeof createEdgeHttp> | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let liveTicker: NodeJS.Timeout | undefined;

  /** Alarms are stored like any uplink, so they reach the cloud whenever it is back. */
  const foldAlarms = (now: number) => {
    const alarms = [...deviceHealth.takeAlarms(now), ...outboxGuard.check(now)];
    if (alarms.length === 0) return;
    for (const a of alarms) {
      metrics.alarms.inc({ type: a.type, state: a.state });
      if (a.device) logger[a.state === 'raised' ? 'warn' : 'info']({ alarm: a.type, deviceId: a.device.deviceId, ...a.data }, `device alarm ${a.state}`);
    }
    journal.fold(uplinks.alarms(alarms), [], now);
  };

  /** Refusals per device for the cloud's Devices page: stored like alarms, so none is lost to an outage or counted twice. */
  const foldRefusals = (now: number, all: boolean) => {
    const report = refusalTally.take(now, all);
    if (report) journal.fold(uplinks.refusals(report), [], now);
  };

  /** Folds closed minutes and queued events into outbox uplinks (one transaction), then lets the forwarder send them. */
  const flush = (all: boolean) => {
    const now = Date.now();
    soon.flushed(now);
    const closed = all ? aggregator.takeAll() : aggregator.takeClosed(now, clock());
    metrics.pendingReadings.set(aggregator.pendingReadings);
    const { events, statuses } = collector.queued();
    const batch = [...uplinks.minutes(closed.footfall, closed.env), ...uplinks.events(events.map((e) => e.record)), ...uplinks.statuses(statuses.map((s) => s.record))];
    if (batch.length > 0) {
      journal.fold(batch, [...closed.readingIds, ...events.map((e) => e.id), ...statuses.map((s) => s.id)], now);
      collector.clearQueued();
    }
    foldAlarms(now);
    foldRefusals(now, all);
    if (!outboxGuard.telemetryPaused && hold.size > 0) hold.release();
    report.updateGauges(now);
    forwarder.pump();
  };

  const health = (): EdgeHealth => report.health();

  return {
    metrics,
    devices: credentials,
    health,
    async start() {
      replayJournal({ site, journal, collector, logger });
      broker = await createDeviceBroker({
        gatewayId: config.gatewayId,
        auth,
        authorizePublish: onPublish,
        authorizeSubscribe: authorizeSubscribe({ siteId, metrics, refusals }),
        health: deviceHealth,
        metrics,
        refusals,
        connectTimeoutMs: login.timeoutMs,
        loggedIn: (client) => guard.loggedIn(client.conn),
      });
      const handle = broker.handle;
      listeners = await listenForDevices((socket) => {
        const conn = guard.admit(socket);
        if (conn) handle(conn);
      }, {
        host: config.edge.host,
        port: config.edge.mqttPort,
        handshakeTimeoutMs: login.timeoutMs,
        ...(config.edge.tls && { tls: config.edge.tls }),
        onTlsError: (err, socket) => {
          metrics.authFailures.inc({ reason: 'tls_handshake_failed' });
          if (throttle.shouldLog(`tls|${socket.remoteAddress}`)) logger.warn({ remote: socket.remoteAddress, detail: err.message, reason: 'tls_handshake_failed' }, 'device connection refused: TLS handshake failed');
        },
      });
      http = createEdgeHttp({ logger, metrics, health, mount: red, metricsToken: config.edge.metricsToken });
      await red?.start(http.server);
      await http.listen({ port: config.edge.httpPort, host: config.edge.host });
      let lastPrune = 0;
      ticker = setInterval(() => {
        auth.enforce();
        flush(false);
        const now = Date.now();
        if (now - lastPrune >= PRUNE_EVERY_MS) {
          lastPrune = now;
          journal.prune(now - DEDUPE_HORIZON_MS);
        }
      }, config.outbox.flushEveryMs);
      liveTicker = setInterval(() => uplink.sendLive(live.takeChanged()), config.uplink.liveEveryMs);
      const { mqttPort, mqttsPort } = listeners;
      const httpPort = (http.server.address() as AddressInfo).port;
      logger.info({ mqtt: `mqtt://${config.edge.host}:${mqttPort}`, ...(mqttsPort !== undefined && { mqtts: `mqtts://${config.edge.host}:${mqttsPort}` }), http: `http://${config.edge.host}:${httpPort}` }, 'edge gateway listening');
      return { mqttPort, httpPort, ...(mqttsPort !== undefined && { mqttsPort }) };
    },
    async stop() {
      clearInterval(ticker);
      soon.cancel();
      clearInterval(liveTicker);
      // Flows first, so none sends a command into a closing broker.
      await red?.stop().catch((err: Error) => logger.error({ err: err.message }, 'Node-RED did not stop cleanly'));
      // Stop taking device input first so the final flush is really final; the broker ends
      // the device connections, which server.close() would otherwise wait for.
      const serverClosed = listeners ? listeners.close() : Promise.resolve();
      await new Promise<void>((resolve) => (broker ? broker.close(() => resolve()) : resolve()));
      await serverClosed;
      flush(true);
      const drained = await forwarder.drain(config.outbox.stopDrainMs);
      if (!drained) logger.warn({ outbox: journal.stats() }, 'stopping with uplinks not yet acknowledged; they stay in the outbox for the next start');
      await uplink.close();
      journal.close();
      credentials.close();
      await http?.close();
      logger.info('edge gateway stopped');
    },
  };
}

/**
 * Events (a forced door, a tamper, a locker fault) are what staff act on: they leave
 * for the cloud at once instead of waiting up to a flush period (ATRIUM_FLUSH_EVERY_MS, 250 ms)
 * with the minute telemetry. That wait was most of the forced-door-to-assigned-guard delay
 * (bench/dispatch.ts: p50 131 ms of 183 ms from the publish to the cloud's ingest). These
 * folds are at least EVENT_FLUSH_GAP_MS apart, so an event storm costs at most 40 extra
 * outbox transactions a second, and none happen while the uplink is down (an outage's
 * outbox stays made of few, full uplinks).
 */
const EVENT_FLUSH_GAP_MS = 25;

function expediteEvents(collector: Collector, flush: () => void): Collector {
  return {
    ...collector,
    add(reading, receivedAt, journalId) {
      collector.add(reading, receivedAt, journalId);
      if (reading.channel === 'event') flush();
    },
  };
}

function flushSoon(run: () => void, worthIt: () => boolean) {
  let timer: NodeJS.Timeout | undefined;
  let lastAt = 0;
  return {
    flush() {
      if (timer || !worthIt()) return;
      timer = setTimeout(() => {
        timer = undefined;
        lastAt = Date.now();
        run();
      }, Math.max(0, lastAt + EVENT_FLUSH_GAP_MS - Date.now()));
    },
    flushed(now: number) {
      lastAt = now;
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
