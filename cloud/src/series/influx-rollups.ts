import type { Logger } from 'pino';
import type { SqlClient, SqlTx } from '../db/sql-client.ts';
import { bucketOf, describeFailure, fromClause, literal, seriesRows, timeLiteral, type InfluxClient, type InfluxTarget, type QuerySeries } from './influx-http.ts';
import { MEASUREMENT, nsOf } from './influx-lines.ts';

/**
 * Hourly rollups: each uplink marks the hours it touches in `influx_rollup_pending` (in its
 * own transaction); the job recomputes a marked hour from all minute data of that hour, once
 * every contribution has left the write buffer, and writes it to the rollup target. A rerun
 * only overwrites with the same values.
 */

export const HOUR = 3_600_000;

export interface InfluxRollupsOptions {
  sql: SqlClient;
  client: InfluxClient;
  minute: InfluxTarget;
  rollup: InfluxTarget;
  /** Job period; 0 = only when `rollup()` is called. */
  intervalMs: number;
  /** The store is closing: stop between hours. */
  isClosed: () => boolean;
  /** InfluxDB writes are failing: skip the periodic run (the hours stay marked). */
  isDegraded: () => boolean;
  logger?: Logger;
}

export interface InfluxRollups {
  /** In the uplink's transaction: marks `hours` of the site dirty as of buffer sequence `seq`. */
  mark(tx: SqlTx, siteId: string, hours: number[], seq: number): Promise<void>;
  /** Runs the job now (joins a run in progress); resolves with the number of hours recomputed. */
  rollup(): Promise<number>;
  pendingHours(): Promise<number>;
  /** Stops the periodic job. */
  stop(): void;
  /** Resolves once a run in progress has ended. */
  idle(): Promise<void>;
}

export function createInfluxRollups(opts: InfluxRollupsOptions): InfluxRollups {
  const { sql, client, logger } = opts;
  let rolling: Promise<number> | undefined;
  const rollupOnce = async (): Promise<number> => {
    // Only hours whose every contribution has left the buffer (is in InfluxDB) are complete.
    const { rows } = await sql.query<{ site_id: string; hour: number; seq: number }>(
      `select site_id, hour, seq from influx_rollup_pending
        where seq < coalesce((select min(seq) from influx_outbox), 9223372036854775807) order by hour limit 200`,
    );
    let done = 0;
    for (const r of rows) {
      if (opts.isClosed()) break;
      const hour = Number(r.hour);
      const where = `"site" = ${literal(r.site_id)} AND time >= ${timeLiteral(hour)} AND time < ${timeLiteral(hour + HOUR)}`;
      const [foot, env] = await Promise.all([
        client.query(opts.minute.db, `SELECT sum("in") AS "in", sum("out") AS "out", sum("samples") AS "samples", sum("occ_sum") AS "occ_sum", sum("occ_count") AS "occ_count", max("occ_max") AS "occ_max" FROM ${fromClause(opts.minute, MEASUREMENT.footfallMinute)} WHERE ${where} GROUP BY "floor", "zone", "subject_kind", "subject_id"`),
        client.query(opts.minute.db, `SELECT sum("sum") AS "sum", sum("count") AS "count", min("min") AS "min", max("max") AS "max" FROM ${fromClause(opts.minute, MEASUREMENT.envMinute)} WHERE ${where} GROUP BY "floor", "zone", "metric"`),
      ]);
      const ts = nsOf(hour);
      const tagsOf = (s: QuerySeries, keys: string[]) => keys.map((k) => `,${k}=${escapeTag(s.tags?.[k] ?? '')}`).join('');
      const lines = [
        ...foot.map((s) => {
          const v = row(s);
          return `${MEASUREMENT.footfallHour},site=${escapeTag(r.site_id)}${tagsOf(s, ['floor', 'subject_id', 'subject_kind', 'zone'])} in=${int(v.in)}i,occ_count=${int(v.occ_count)}i,occ_max=${num(v.occ_max)},occ_sum=${num(v.occ_sum)},out=${int(v.out)}i,samples=${int(v.samples)}i ${ts}`;
        }),
        ...env.map((s) => {
          const v = row(s);
          return `${MEASUREMENT.envHour},site=${escapeTag(r.site_id)}${tagsOf(s, ['floor', 'metric', 'zone'])} count=${int(v.count)}i,max=${num(v.max)},min=${num(v.min)},sum=${num(v.sum)} ${ts}`;
        }),
      ];
      if (lines.length > 0) {
        const api = client.influx.getWriteApi('', bucketOf(opts.rollup), 'ns', { batchSize: lines.length + 1, maxBatchBytes: Number.POSITIVE_INFINITY, flushInterval: 0, maxRetries: 0, gzipThreshold: 1000 });
        try {
          api.writeRecords(lines);
          await api.flush();
        } finally {
          api.dispose();
        }
      }
      // Recomputed from all minute data of the hour, so a rerun only overwrites with the same values.
      await sql.query('delete from influx_rollup_pending where site_id = $1 and hour = $2 and seq = $3', [r.site_id, hour, r.seq]);
      done += 1;
    }
    return done;
  };
  const rollup = () => {
    rolling ??= rollupOnce().finally(() => {
      rolling = undefined;
    });
    return rolling;
  };
  const rollupTimer =
    opts.intervalMs > 0
      ? setInterval(() => {
          if (opts.isDegraded()) return; // nothing new reaches InfluxDB meanwhile; the hours stay marked
          rollup().catch((err: unknown) => logger?.warn({ reason: describeFailure(err) }, 'hourly rollup failed; it is retried on the next run'));
        }, opts.intervalMs).unref()
      : undefined;

  return {
    async mark(tx, siteId, hours, seq) {
      await tx.query(
        `insert into influx_rollup_pending (site_id, hour, seq) select $1, h, $3 from unnest($2::bigint[]) as h
         on conflict (site_id, hour) do update set seq = greatest(influx_rollup_pending.seq, excluded.seq)`,
        [siteId, hours, seq],
      );
    },
    rollup,
    pendingHours: async () => (await sql.query<{ n: number }>('select count(*)::int as n from influx_rollup_pending')).rows[0]!.n,
    stop() {
      if (rollupTimer) clearInterval(rollupTimer);
    },
    async idle() {
      await rolling?.catch(() => undefined);
    },
  };
}

const escapeTag = (s: string) => s.replace(/[,= \n\r\t]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\${c}`));
const int = (v: unknown) => Math.round(Number(v ?? 0));
const num = (v: unknown) => String(Number(v ?? 0));
const row = (s: QuerySeries): Record<string, unknown> => seriesRows(s)[0] ?? {};
