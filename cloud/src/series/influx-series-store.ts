import type { Uplink } from '@atrium/shared';
import { migrate } from '../db/migrate.ts';
import type { SqlClient } from '../db/sql-client.ts';
import { createInfluxClient } from './influx-http.ts';
import { createInfluxOutbox } from './influx-outbox.ts';
import { createInfluxReads } from './influx-reads.ts';
import { createInfluxRollups } from './influx-rollups.ts';
import { verifyInfluxTargets } from './influx-startup.ts';
import { createUplinkWriter } from './influx-uplink-writer.ts';
import type { InfluxSeriesStore, InfluxSeriesStoreOptions } from './influx-store-types.ts';

export { SeriesBufferFullError } from './influx-outbox.ts';
export { InfluxConfigError } from './influx-startup.ts';
export type { InfluxSeriesStore, InfluxSeriesStoreOptions, SeriesStoreObserver, SeriesStoreStatus } from './influx-store-types.ts';

/**
 * The InfluxDB adapter of the series-store port (InfluxDB 1.x natively, 2.x and 3.x through
 * their v1 APIs; see influx-http.ts). Passes the same contract suite as the embedded store.
 *
 * What lives where:
 * - InfluxDB: the series (schema in docs/series-schema.md).
 * - The operational PostgreSQL-dialect database (PGlite by default), in one transaction per
 *   uplink: the uplink ledger row (`uplinks`, shared with the embedded store, so a redelivered
 *   id is a no-op), the uplink's line protocol in `influx_outbox` (the disk-backed write
 *   buffer) and the hours whose rollups it dirties. So an uplink is acknowledged only once it
 *   is durable, and it is either wholly stored-or-queued or not at all. Uplinks arriving
 *   together share one such transaction (group commit, influx-uplink-writer.ts).
 * - A flusher moves the outbox to InfluxDB in batches through the library's WriteApi (gzip,
 *   retries with exponential backoff in memory) and deletes rows only after InfluxDB said
 *   204. A crash between the write and the delete replays the rows: the points carry the same
 *   timestamps and tags, so they overwrite themselves (idempotent). When InfluxDB is healthy
 *   `writeUplink` also waits (briefly) for its own batch, so a read right after a write sees it.
 * - When InfluxDB is slow or away, uplinks keep being acknowledged into the outbox; when the
 *   outbox reaches its limit, `writeUplink` refuses (the uplink is not acknowledged, so the
 *   edge keeps it in its own disk outbox and redelivers) — nothing is dropped.
 *
 * The parts: start-up checks (influx-startup.ts), the write buffer and its flusher
 * (influx-outbox.ts), hourly rollups (influx-rollups.ts), InfluxQL reads (influx-reads.ts);
 * their tables come from the migrations (cloud/src/db/migrations.ts).
 */

/** Brings the operational database to the current schema: the ledger and the adapter's bookkeeping tables (idempotent). */
export async function ensureInfluxSchema(sql: SqlClient): Promise<void> {
  await migrate(sql);
}

export async function createInfluxSeriesStore(opts: InfluxSeriesStoreOptions): Promise<InfluxSeriesStore> {
  const { sql, logger } = opts;
  const now = opts.now ?? Date.now;
  const retry = { minDelayMs: 1000, maxDelayMs: 30_000, batchRetryTimeMs: 60_000, ...opts.retry };
  const ackWaitMs = opts.ackWaitMs ?? 2000;
  const client = createInfluxClient(opts.connection);
  const obs = opts.observer;

  let startedDegraded: { error: string } | undefined;
  try {
    await ensureInfluxSchema(sql);
    startedDegraded = await verifyInfluxTargets(client, sql, opts, logger);
  } catch (err) {
    if (opts.ownsSql) await sql.close().catch(() => undefined);
    throw err;
  }

  const outbox = await createInfluxOutbox({
    sql,
    client,
    minute: opts.minute,
    batchPoints: opts.batchPoints,
    bufferMaxPoints: opts.bufferMaxPoints,
    retry,
    now,
    ...(opts.gzipThreshold !== undefined ? { gzipThreshold: opts.gzipThreshold } : {}),
    ...(startedDegraded ? { startedDegraded } : {}),
    ...(logger ? { logger } : {}),
    ...(obs ? { observer: obs } : {}),
  });
  const rollups = createInfluxRollups({
    sql,
    client,
    minute: opts.minute,
    rollup: opts.rollup,
    intervalMs: opts.rollupIntervalMs ?? 60_000,
    isClosed: () => outbox.closed,
    isDegraded: () => outbox.degraded,
    ...(logger ? { logger } : {}),
  });
  const writeGrouped = createUplinkWriter({ sql, outbox, rollups, groupPoints: Math.max(opts.batchPoints, 20_000), ...(obs ? { onRefused: () => obs.refused() } : {}) });
  const reads = createInfluxReads({ sql, client, minute: opts.minute, rollup: opts.rollup, minuteRetentionDays: opts.minuteRetentionDays, now });

  const store: InfluxSeriesStore = {
    async writeUplink(uplink: Uplink, receivedAt: number) {
      if (outbox.closed) throw new Error('series store is closed');
      const backlog = outbox.buffered.points;
      const result = await writeGrouped(uplink, receivedAt);
      if (!result.stored) return { stored: false };
      if (result.points > 0 && result.queued) {
        const healthy = !outbox.degraded && backlog < 2 * opts.batchPoints;
        outbox.kick();
        if (healthy) await outbox.waitFor(result.seq, ackWaitMs);
      }
      return { stored: true };
    },

    ...reads,

    async status() {
      const [deadLetter, rollupPendingHours] = await Promise.all([outbox.deadLetterCounts(), rollups.pendingHours()]);
      return {
        kind: 'influxdb',
        accepting: outbox.buffered.points < opts.bufferMaxPoints,
        influx: outbox.health(),
        buffer: { points: outbox.buffered.points, uplinks: outbox.buffered.uplinks, maxPoints: opts.bufferMaxPoints },
        deadLetter,
        rollupPendingHours,
      };
    },

    drain: (timeoutMs) => outbox.drain(timeoutMs),
    rollup: () => rollups.rollup(),

    async close() {
      if (outbox.closed) return;
      const flusherStopped = outbox.close(); // marks the store closed at once
      rollups.stop();
      await flusherStopped;
      await rollups.idle();
      if (opts.ownsSql) await sql.close();
    },
  };

  outbox.resume();
  return store;
}
