import type { Logger } from 'pino';
import type { CloudConfig } from '../config.ts';
import type { SqlClient } from '../db/sql-client.ts';
import { createInfluxSeriesStore, type InfluxSeriesStore, type SeriesStoreObserver } from './influx-series-store.ts';
import { createSqlSeriesStore } from './pglite-series-store.ts';
import type { SeriesStore } from './series-store.ts';

/** The adapter `ATRIUM_SERIES_STORE` names, on the operational database `sql` (which it then owns). */
export async function openSeriesStore(
  config: CloudConfig,
  deps: { sql: SqlClient; logger: Logger; observer?: SeriesStoreObserver },
): Promise<SeriesStore | InfluxSeriesStore> {
  if (config.ATRIUM_SERIES_STORE === 'embedded') return createSqlSeriesStore(deps.sql, { ownsClient: true });
  const minute = { db: config.ATRIUM_INFLUX_DATABASE!, rp: config.ATRIUM_INFLUX_RETENTION_POLICY };
  return createInfluxSeriesStore({
    sql: deps.sql,
    ownsSql: true,
    connection: {
      url: config.ATRIUM_INFLUX_URL!,
      token: config.ATRIUM_INFLUX_TOKEN,
      username: config.ATRIUM_INFLUX_USERNAME,
      password: config.ATRIUM_INFLUX_PASSWORD,
      timeoutMs: config.ATRIUM_INFLUX_TIMEOUT_MS,
    },
    minute,
    rollup: config.ATRIUM_INFLUX_ROLLUP_DATABASE || config.ATRIUM_INFLUX_ROLLUP_RETENTION_POLICY
      ? { db: config.ATRIUM_INFLUX_ROLLUP_DATABASE ?? minute.db, rp: config.ATRIUM_INFLUX_ROLLUP_RETENTION_POLICY ?? (config.ATRIUM_INFLUX_ROLLUP_DATABASE ? undefined : minute.rp) }
      : minute,
    minuteRetentionDays: config.ATRIUM_INFLUX_MINUTE_RETENTION_DAYS,
    batchPoints: config.ATRIUM_INFLUX_BATCH_POINTS,
    bufferMaxPoints: config.ATRIUM_INFLUX_BUFFER_MAX_POINTS,
    startupTimeoutMs: config.ATRIUM_INFLUX_STARTUP_TIMEOUT_MS,
    logger: deps.logger.child({ component: 'series-influx' }),
    ...(deps.observer ? { observer: deps.observer } : {}),
  });
}

export const hasStatus = (store: SeriesStore): store is InfluxSeriesStore => typeof (store as Partial<InfluxSeriesStore>).status === 'function';
