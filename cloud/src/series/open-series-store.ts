import type { Logger } from 'pino';
import type { InfluxConfig } from '../config.ts';
import type { SqlClient } from '../db/sql-client.ts';
import { createInfluxSeriesStore, type InfluxSeriesStore, type SeriesStoreObserver } from './influx-series-store.ts';
import { createSqlSeriesStore } from './pglite-series-store.ts';
import type { SeriesStore } from './series-store.ts';

/** InfluxDB when `influx` is set, else the embedded series store, on the operational database `sql` (which it then owns). */
export async function openSeriesStore(
  influx: InfluxConfig | null,
  deps: { sql: SqlClient; logger: Logger; observer?: SeriesStoreObserver },
): Promise<SeriesStore | InfluxSeriesStore> {
  if (!influx) return createSqlSeriesStore(deps.sql, { ownsClient: true });
  return createInfluxSeriesStore({
    sql: deps.sql,
    ownsSql: true,
    connection: { url: influx.url, token: influx.token, username: influx.username, password: influx.password, timeoutMs: influx.timeoutMs },
    minute: influx.minute,
    rollup: influx.rollup,
    minuteRetentionDays: influx.minuteRetentionDays,
    batchPoints: influx.batchPoints,
    bufferMaxPoints: influx.bufferMaxPoints,
    startupTimeoutMs: influx.startupTimeoutMs,
    logger: deps.logger.child({ component: 'series-influx' }),
    ...(deps.observer ? { observer: deps.observer } : {}),
  });
}

export const hasStatus = (store: SeriesStore): store is InfluxSeriesStore => typeof (store as Partial<InfluxSeriesStore>).status === 'function';
