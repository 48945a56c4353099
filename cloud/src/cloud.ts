import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { gatewayOwnership, type CloudHealth, type SiteModel } from '@atrium/shared';
import type { CloudConfig } from './config.ts';
import { migrate } from './db/migrate.ts';
import { openPg } from './db/pg.ts';
import { openPglite } from './db/pglite.ts';
import { createHttpApp } from './http/app.ts';
import { createSqlIdempotencyStore } from './http/idempotency-store.ts';
import { createSqlPhotoStore } from './ops/photo-store.ts';
import { sessionPrincipal } from './http/sessions.ts';
import { createAccounts, type Accounts } from './auth/accounts.ts';
import { createPasswordHasher } from './auth/passwords.ts';
import { createSqlPasswordStore } from './auth/password-store.ts';
import { createSqlSessionStore } from './auth/session-store.ts';
import { createSignInThrottle } from './auth/sign-in-throttle.ts';
import { createGatewayCredentials, type GatewayCredentials } from './ingest/gateway-credentials.ts';
import { createGatewayLogin, sessionEnd } from './ingest/gateway-login.ts';
import { createIngest } from './ingest/ingest.ts';
import { createUplinkBroker } from './ingest/uplink-broker.ts';
import { attachLive } from './live/socket.ts';
import { createSiteClock } from './live/site-clock.ts';
import { createZoneState } from './live/zone-state.ts';
import { createDeviceReports } from './control/device-reports.ts';
import { createCloudMetrics } from './metrics.ts';
import { createForecasting, type Forecasting } from './forecasting.ts';
import type { TimerClock } from './forecast/scheduler.ts';
import { emitMerchantAlert } from './merchants/live.ts';
import { createDispatchService, type DispatchService } from './ops/dispatch-service.ts';
import type { OpsStore } from './ops/ops-store.ts';
import { watchRulesFile } from './ops/rules-file-watcher.ts';
import { createSqlOpsStore } from './ops/sql-ops-store.ts';
import { createUsers, type Users } from './ops/users.ts';
import { hasStatus, openSeriesStore } from './series/open-series-store.ts';
import { tallyStoredUplinks } from './uplink-tally.ts';
import { createSeriesQueries } from './series/queries.ts';
import type { SeriesStore } from './series/series-store.ts';

export interface Cloud {
  start(): Promise<{ httpPort: number; mqttPort: number }>;
  stop(): Promise<void>;
  readonly store: SeriesStore;
  readonly opsStore: OpsStore;
  readonly dispatch: DispatchService;
  readonly users: Users;
  /** people's passwords and resets (sign-in itself is the HTTP session routes') */
  readonly accounts: Accounts;
  /** edge gateways' own credentials at the uplink listener */
  readonly gateways: GatewayCredentials;
  readonly forecasting: Forecasting;
  readonly metrics: ReturnType<typeof createCloudMetrics>;
}

export interface CloudDeps {
  site: SiteModel;
  logger: Logger;
  /** the site's clock for rules and SLA timers; default Date.now (an accelerated demo passes the simulator's) */
  clock?: () => number;
  /** timers on the site's clock for the hourly forecast cycle; default real time */
  timers?: TimerClock;
  /** how fast `clock` runs (site ms per real ms) when its owner knows; default: measured */
  clockRate?: () => number;
}

/**
 * The cloud's one wiring root: the database and its migrations, stores, ingest, live state, the
 * dispatch engine, forecasting, and the two adapters (MQTT uplink, HTTP + socket.io).
 */
export async function createCloud(config: CloudConfig, deps: CloudDeps): Promise<Cloud> {
  const logger = deps.logger.child({ component: 'cloud' });
  const clock = deps.clock ?? Date.now;
  const startedAt = Date.now();
  const metrics = createCloudMetrics();
  // One SQL database holds the operational store and either the embedded series store or the
  // uplink ledger and disk write buffer in front of InfluxDB (config.influx).
  const sql = config.database.url ? await openPg(config.database.url, { variable: 'ATRIUM_DATABASE_URL', log: logger }) : await openPglite(config.database.dataDir);
  // Every table, once, before anything reads or writes one (the runner takes a lock, so a second process waits).
  await migrate(sql);
  const opened = await openSeriesStore(config.influx, {
    sql,
    logger,
    observer: {
      buffer: (points, uplinks) => {
        metrics.seriesBufferPoints.set(points);
        metrics.seriesBufferUplinks.set(uplinks);
      },
      written: (points) => metrics.seriesPointsWritten.inc(points),
      writeError: (reason) => metrics.seriesWriteErrors.inc({ reason }),
      refused: () => metrics.seriesBufferRefusals.inc(),
      deadLettered: (points) => metrics.seriesDeadLetterPoints.inc(points),
    },
  });
  // /health's count of stored uplinks, kept as they are stored instead of counted per probe (uplink-tally.ts).
  const tally = hasStatus(opened) ? null : await tallyStoredUplinks(opened, sql, deps.site.id);
  const store = tally?.store ?? opened;
  const opsStore = await createSqlOpsStore(sql, { siteId: deps.site.id, ownsClient: false });
  const users = createUsers(opsStore, deps.site);
  if (config.users.adminKey) await users.ensureAdmin(config.users.adminKey, Date.now());
  const sessionStore = createSqlSessionStore(sql, deps.site.id);
  const accounts = createAccounts({
    passwords: createSqlPasswordStore(sql, deps.site.id),
    hasher: createPasswordHasher(),
    throttle: createSignInThrottle(),
    principalById: users.principalById,
    endSessions: sessionStore.destroyUser,
    resetValidMs: config.signIn.resetValidMs,
  });
  if (config.users.adminKey && config.users.adminPassword) await accounts.ensurePassword('admin', config.users.adminPassword, Date.now());
  const dispatch = createDispatchService({
    site: deps.site,
    store: opsStore,
    logger: logger.child({ component: 'dispatch' }),
    clock,
    rulesText: readRulesFile(config.dispatch.rulesFile),
    tickEveryMs: config.dispatch.tickMs,
    snapshotEveryMs: config.dispatch.snapshotEveryMs,
    observer: {
      evaluated: (n, s) => {
        metrics.observationsEvaluated.inc(n);
        metrics.rulesStepSeconds.observe(s);
      },
      recordFailed: () => metrics.dispatchStoreFailures.inc(),
      observationsDropped: (n) => metrics.dispatchObservationsDropped.inc(n),
      effects: (effects) => {
        for (const e of effects) if (e.kind === 'alarm' || e.kind === 'work_order') metrics.dispatchChanges.inc({ kind: e.kind, change: e.change });
      },
    },
  });
  const queries = createSeriesQueries(store, deps.site.id);
  const forecasting = createForecasting({
    sql,
    site: deps.site,
    series: store,
    logger: logger.child({ component: 'forecast' }),
    roster: () => opsStore.listStaff(),
    ...(deps.timers ? { clock: deps.timers } : {}),
    options: { webhooks: { allowPrivate: config.webhooks.allowPrivate } },
  });
  const zones = createZoneState(deps.site);
  const ownership = gatewayOwnership(deps.site);
  if (!ownership.checked) logger.warn({ siteId: deps.site.id }, 'the site model declares no gateways: any gateway with credentials may deliver any device\'s data (declare them in "gateways" to have uplinks checked)');
  const gateways = createGatewayCredentials(sql, deps.site.id);
  const ingest = createIngest({ store, zones, metrics, logger, siteId: deps.site.id, ownership, clock });
  ingest.onStored((uplink) => dispatch.observeUplink(uplink));
  const deviceReports = createDeviceReports({ clock });
  ingest.onStored((uplink) => deviceReports.observe(uplink));
  ingest.onLive((live) => dispatch.observeLive(live));
  const login = createGatewayLogin({ credentials: gateways, ownership, legacySecret: config.mqtt.legacyGatewaySecret });
  const broker = await createUplinkBroker({ ingest, login, sessionEnd: (l) => sessionEnd(gateways, l), siteId: deps.site.id, logger, metrics });
  const health = async (): Promise<CloudHealth> => {
    const d = dispatch.status();
    const base = { gatewaysConnected: (await metrics.gatewaysConnected.get()).values[0]?.value ?? 0, liveClients: (await metrics.liveClients.get()).values[0]?.value ?? 0, uptimeS: Math.round((Date.now() - startedAt) / 1000), dispatch: d };
    try {
      if (hasStatus(store)) {
        // No InfluxDB round trip here: health reports the buffer, the last write and the last error.
        const s = await store.status();
        return { status: s.accepting ? 'ok' : 'failing', store: { ok: s.accepting, ...s }, ...base };
      }
      return { status: 'ok', store: { ok: true, kind: 'embedded', uplinks: tally?.stored() ?? 0 }, ...base };
    } catch (err) {
      return { status: 'failing', store: { ok: false, error: (err as Error).message }, ...base };
    }
  };
  const siteClock = createSiteClock({ clock, timeZone: deps.site.timezone, ...(deps.clockRate && { rate: deps.clockRate }) });
  const app = await createHttpApp({ logger, site: deps.site, zones, queries, metrics, health, dispatch, opsStore, users, clock, siteClock, forecasting, deviceReports, rateLimit: config.http.rateLimit,
    accounts,
    metricsToken: config.http.metricsToken,
    idempotency: createSqlIdempotencyStore(sql, deps.site.id),
    photos: createSqlPhotoStore(sql, deps.site.id),
    sessions: { store: sessionStore, idleMs: config.signIn.sessionIdleMs, maxAgeMs: config.signIn.sessionMaxAgeMs },
  });
  const io = attachLive(app.server, {
    zones,
    ingest,
    metrics,
    dispatch,
    siteClock,
    principalByKeyHash: users.principalByKeyHash,
    principalBySession: (cookieHeader) => sessionPrincipal(cookieHeader, { store: sessionStore, maxAgeMs: config.signIn.sessionMaxAgeMs }, users.principalById, Date.now()),
    onRevoked: users.onRevoked,
  });
  forecasting.onAlert((e) => emitMerchantAlert(io, e));
  let unwatch: (() => void) | null = null;
  let pruneSessions: NodeJS.Timeout | null = null;

  return {
    store,
    opsStore,
    dispatch,
    users,
    accounts,
    gateways,
    forecasting,
    metrics,
    async start() {
      await dispatch.start();
      forecasting.start();
      unwatch = watchRulesFile(config.dispatch.rulesFile, { dispatch, logger });
      pruneSessions = setInterval(() => void sessionStore.prune(Date.now()).catch((err: Error) => logger.warn({ err }, 'could not forget expired sessions')), 3_600_000).unref();
      await app.listen({ port: config.http.port, host: config.http.host });
      const mqttPort = await broker.listen(config.mqtt.port, config.mqtt.host);
      const httpPort = (app.server.address() as AddressInfo).port;
      logger.info({ http: `http://${config.http.host}:${httpPort}`, mqtt: `mqtt://${config.mqtt.host}:${mqttPort}` }, 'cloud listening');
      return { httpPort, mqttPort };
    },
    async stop() {
      unwatch?.();
      siteClock.stop();
      if (pruneSessions) clearInterval(pruneSessions);
      await broker.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await app.close().catch(() => undefined);
      await dispatch.stop();
      await forecasting.stop();
      await opsStore.close();
      await store.close();
      logger.info('cloud stopped');
    },
  };
}

function readRulesFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the rules file ${path}: ${(err as Error).message} — set ATRIUM_RULES_FILE to a rules file (the shipped one is cloud/rules/default.json)`);
  }
}
