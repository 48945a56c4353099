import type { Logger } from 'pino';
import type { SqlClient } from '../db/sql-client.ts';
import type { FailureKind, InfluxConnection, InfluxTarget } from './influx-http.ts';
import type { SeriesStore } from './series-store.ts';

/** The InfluxDB adapter's options, status and public surface (composed in influx-series-store.ts). */

export interface InfluxSeriesStoreOptions {
  /** The operational database: ledger, write buffer, rollup bookkeeping. */
  sql: SqlClient;
  /** Close `sql` on close (and when opening fails). */
  ownsSql: boolean;
  connection: InfluxConnection;
  minute: InfluxTarget;
  rollup: InfluxTarget;
  /** How long the server keeps minute data (0 = forever): older ranges are read from hourly rollups. */
  minuteRetentionDays: number;
  batchPoints: number;
  bufferMaxPoints: number;
  startupTimeoutMs: number;
  retry?: { minDelayMs?: number; maxDelayMs?: number; batchRetryTimeMs?: number };
  /** How long a write waits for its own batch while InfluxDB is healthy (then it is acknowledged from the buffer). */
  ackWaitMs?: number;
  /** Write bodies larger than this many bytes are gzipped (default 1000). */
  gzipThreshold?: number;
  /** Rollup job period; 0 = only when `rollup()` is called. */
  rollupIntervalMs?: number;
  logger?: Logger;
  observer?: SeriesStoreObserver;
  now?: () => number;
}

/** Hooks for metrics; every call is cheap and synchronous. */
export interface SeriesStoreObserver {
  buffer(points: number, uplinks: number): void;
  written(points: number): void;
  writeError(kind: FailureKind): void;
  refused(): void;
  deadLettered(points: number): void;
}

export interface SeriesStoreStatus {
  kind: 'influxdb';
  /** False while the buffer is full and uplinks are refused. */
  accepting: boolean;
  influx: { url: string; writing: boolean; lastError?: string; lastErrorAt?: number; lastWriteAt?: number };
  buffer: { points: number; uplinks: number; maxPoints: number };
  deadLetter: { uplinks: number; points: number };
  rollupPendingHours: number;
}

export interface InfluxSeriesStore extends SeriesStore {
  status(): Promise<SeriesStoreStatus>;
  /** Resolves true once the write buffer is empty, false if `timeoutMs` passes first. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Runs the rollup job now; resolves with the number of hours recomputed. */
  rollup(): Promise<number>;
}
