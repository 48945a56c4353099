import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { SiteModel } from '@atrium/shared';
import type { CloudConfig } from './config.ts';
import { openPglite } from './db/pglite.ts';
import { createHttpApp } from './http/app.ts';
import type { CloudHealth } from './http/routes/ops.ts';
import { createIngest } from './ingest/ingest.ts';
import { createUplinkBroker } from './ingest/uplink-broker.ts';
import { attachLive } from './live/socket.ts';
import { createZoneState } from './live/zone-state.ts';
import { createCloudMetrics } from './metrics.ts';
import { hasStatus, openSeriesStore } from './series/open-series-store.ts';
import { createSeriesQueries } from './series/queries.ts';
import type { SeriesStore } from './series/series-store.ts';

export interface Cloud {
  start(): Promise<{ httpPort: number; mqttPort: number }>;
  stop(): Promise<void>;
  readonly store: SeriesStore;
  readonly metrics: ReturnType<typeof createCloudMetrics>;
}

/** Wires store, ingest, live state and the two adapters (MQTT uplink, HTTP + socket.io). */
export async function createCloud(config: CloudConfig, deps: { site: SiteModel; logger: Logger }): Promise<Cloud> {
  const logger = deps.logger.child({ component: 'cloud' });
  const startedAt = Date.now();
  const metrics = createCloudMetrics();
  // The operational database is always opened: it is the embedded series store, or the uplink
  // ledger and disk write buffer in front of InfluxDB (ATRIUM_SERIES_STORE).
  const store = await openSeriesStore(config, {
    sql: await openPglite(config.ATRIUM_DATA_DIR),
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
  const zones = createZoneState(deps.site);
  const ingest = createIngest({ store, zones, metrics, logger, siteId: deps.site.id });
  const broker = await createUplinkBroker({ ingest, gatewaySecret: config.ATRIUM_GATEWAY_SECRET, siteId: deps.site.id, logger, metrics });
  const health = async (): Promise<CloudHealth> => {
    const base = { gatewaysConnected: (await metrics.gatewaysConnected.get()).values[0]?.value ?? 0, liveClients: (await metrics.liveClients.get()).values[0]?.value ?? 0, uptimeS: Math.round((Date.now() - startedAt) / 1000) };
    try {
      if (hasStatus(store)) {
        // No InfluxDB round trip here: health reports the buffer, the last write and the last error.
        const s = await store.status();
        return { status: s.accepting ? 'ok' : 'failing', store: { ok: s.accepting, ...s }, ...base };
      }
      const counts = await store.counts(deps.site.id);
      return { status: 'ok', store: { ok: true, kind: 'embedded', uplinks: counts.uplinks }, ...base };
    } catch (err) {
      return { status: 'failing', store: { ok: false, error: (err as Error).message }, ...base };
    }
  };
  const app = await createHttpApp({ logger, site: deps.site, zones, queries: createSeriesQueries(store, deps.site.id), metrics, health });
  const io = attachLive(app.server, { zones, ingest, metrics });

  return {
    store,
    metrics,
    async start() {
      await app.listen({ port: config.ATRIUM_CLOUD_HTTP_PORT, host: config.ATRIUM_CLOUD_HOST });
      const mqttPort = await broker.listen(config.ATRIUM_CLOUD_MQTT_PORT, config.ATRIUM_CLOUD_HOST);
      const httpPort = (app.server.address() as AddressInfo).port;
      logger.info({ http: `http://${config.ATRIUM_CLOUD_HOST}:${httpPort}`, mqtt: `mqtt://${config.ATRIUM_CLOUD_HOST}:${mqttPort}` }, 'cloud listening');
      return { httpPort, mqttPort };
    },
    async stop() {
      await broker.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await app.close().catch(() => undefined);
      await store.close();
      logger.info('cloud stopped');
    },
  };
}
