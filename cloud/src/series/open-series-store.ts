import type { Logger } from 'pino';
import type { SqlClient } from '../db/sql-client.ts';
import { createInfluxSeriesStore, type InfluxSeriesStore, type SeriesStoreObserver } from './influx-series-store.ts';
import { createSqlSeriesStore } from './pglite-series-store.ts';
import type { SeriesStore } from './series-store.ts';

/** Where one kind of series data goes in InfluxDB: a database and, optionally, a retention policy in it. */
export interface InfluxTargetSettings {
  readonly db: string;
  /** unset: the database's default policy */
  readonly rp: string | undefined;
}

/** The InfluxDB adapter's settings; config.ts fills them from ATRIUM_INFLUX_* (this folder never reads the config). */
export interface InfluxSettings {
  readonly url: string;
  readonly token: string | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** one request's time limit */
  readonly timeoutMs: number;
  /** how long start-up waits for a server it has never reached */
  readonly startupTimeoutMs: number;
  readonly minute: InfluxTargetSettings;
  /** hourly rollups: the minute target unless a rollup database or policy is named */
  readonly rollup: InfluxTargetSettings;
  /** 0 = minute data kept forever */
  readonly minuteRetentionDays: number;
  readonly batchPoints: number;
  readonly bufferMaxPoints: number;
}

/** InfluxDB when `influx` is set, else the embedded series store, on the operational database `sql` (which it then owns). */
export async function openSeriesStore(
  influx: InfluxSettings | null,
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
