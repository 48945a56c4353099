import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { HttpError } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import { ConfigError, type EnvPoint, type FootfallPoint, type Uplink } from '@atrium/shared';
import { migrate } from '../db/migrate.ts';
import type { SqlClient } from '../db/sql-client.ts';
import {
  bucketOf, classifyFailure, createInfluxClient, describeFailure, fromClause, ident, literal, timeLiteral,
  type FailureKind, type InfluxClient, type InfluxConnection, type InfluxTarget, type QuerySeries,
} from './influx-http.ts';
import { MEASUREMENT, nsOf, uplinkLines, uplinkPointsBound } from './influx-lines.ts';
import type { SeriesStore, SubjectTotal } from './series-store.ts';

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
 *   is durable, and it is either wholly stored-or-queued or not at all.
 * - A flusher moves the outbox to InfluxDB in batches through the library's WriteApi (gzip,
 *   retries with exponential backoff in memory) and deletes rows only after InfluxDB said
 *   204. A crash between the write and the delete replays the rows: the points carry the same
 *   timestamps and tags, so they overwrite themselves (idempotent). When InfluxDB is healthy
 *   `writeUplink` also waits (briefly) for its own batch, so a read right after a write sees it.
 * - When InfluxDB is slow or away, uplinks keep being acknowledged into the outbox; when the
 *   outbox reaches its limit, `writeUplink` refuses (the uplink is not acknowledged, so the
 *   edge keeps it in its own disk outbox and redelivers) — nothing is dropped.
 */

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

/** Start-up refused: the message says which variable to fix. */
export class InfluxConfigError extends ConfigError {
  override name = 'InfluxConfigError';
}

export class SeriesBufferFullError extends Error {
  override name = 'SeriesBufferFullError';
}

const SCHEMA = `
  create sequence if not exists influx_uplink_seq;
  create table if not exists influx_outbox (
    seq bigint primary key,
    uplink_id uuid not null,
    site_id text not null,
    points integer not null,
    -- the uplink's line protocol, deflate-compressed (a tenth of the bytes: the buffer's cost is mostly size)
    body bytea not null,
    enqueued_at bigint not null
  );
  create table if not exists influx_dead_letter (
    seq bigint primary key,
    uplink_id uuid not null,
    site_id text not null,
    points integer not null,
    lines text not null,
    enqueued_at bigint not null,
    failed_at bigint not null,
    error text not null
  );
  create table if not exists influx_rollup_pending (
    site_id text not null,
    hour bigint not null,
    seq bigint not null,
    primary key (site_id, hour)
  );
  create table if not exists influx_targets (target text primary key, verified_at bigint not null);
`;

/** Creates the ledger and the adapter's bookkeeping tables if missing (idempotent). */
export async function ensureInfluxSchema(sql: SqlClient): Promise<void> {
  await migrate(sql);
  await sql.exec(SCHEMA);
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(2200, 0, 1);
const ceilTo = (t: number, step: number) => Math.ceil(t / step) * step;
const mod = (a: number, m: number) => ((a % m) + m) % m;

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
    startedDegraded = await verify(client, sql, opts, logger);
  } catch (err) {
    if (opts.ownsSql) await sql.close().catch(() => undefined);
    throw err;
  }

  // ---- state (one process owns its outbox) ----------------------------------------------
  const depth = (await sql.query<{ n: number; p: number }>('select count(*)::int as n, coalesce(sum(points), 0)::int as p from influx_outbox')).rows[0]!;
  const buffered = { points: depth.p, uplinks: depth.n };
  let closed = false;
  let degraded = startedDegraded !== undefined;
  let lastError: string | undefined = startedDegraded?.error;
  let lastErrorAt: number | undefined = startedDegraded ? now() : undefined;
  let lastWriteAt: number | undefined;
  let running: Promise<void> | undefined;
  let wanted = false;
  let pause: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  let inFlight: { settle: (o: BatchOutcome) => void } | undefined;
  const waiters: Array<{ seq: number; resolve: () => void }> = [];
  const drainers: Array<() => void> = [];
  obs?.buffer(buffered.points, buffered.uplinks);

  type BatchOutcome = { ok: true } | { ok: false; kind: FailureKind | 'closed'; error: string };

  const releaseWaiters = (upTo: number) => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i]!.seq <= upTo) waiters.splice(i, 1)[0]!.resolve();
    }
    if (buffered.uplinks === 0) drainers.splice(0).forEach((d) => d());
  };
  const waitFor = (seq: number, ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      waiters.push({ seq, resolve: done });
    });

  const noteFailure = (kind: FailureKind, err: unknown) => {
    obs?.writeError(kind);
    const message = `${kind}: ${describeFailure(err)}`;
    lastError = message;
    lastErrorAt = now();
    if (kind === 'rejected' || kind === 'too_large') return; // the data, not the server: handled per batch
    if (!degraded) {
      logger?.warn({ url: client.url, reason: message, bufferedPoints: buffered.points }, 'InfluxDB write failed; uplinks are kept in the disk buffer until it is back');
    }
    degraded = true;
    // Whoever waits for a flush is durable already: no reason to hold their acknowledgement.
    releaseWaiters(Number.MAX_SAFE_INTEGER);
  };

  /** One batch through the library's WriteApi: resolves when written, or when the library gives up. */
  const sendBatch = (lines: string[]): Promise<BatchOutcome> =>
    new Promise((resolve) => {
      let settled = false;
      const settle = (o: BatchOutcome) => {
        if (settled) return;
        settled = true;
        inFlight = undefined;
        api.dispose();
        resolve(o);
      };
      const api = client.influx.getWriteApi('', bucketOf(opts.minute), 'ns', {
        // Exactly one request per batch, so success and failure map to these rows.
        batchSize: lines.length + 1,
        maxBatchBytes: Number.POSITIVE_INFINITY,
        flushInterval: 0,
        gzipThreshold: opts.gzipThreshold ?? 1000,
        maxRetries: 1_000_000,
        maxRetryTime: retry.batchRetryTimeMs,
        minRetryDelay: retry.minDelayMs,
        maxRetryDelay: retry.maxDelayMs,
        exponentialBase: 2,
        randomRetry: true,
        retryJitter: Math.min(200, retry.minDelayMs),
        maxBufferLines: lines.length + 1,
        writeSuccess: () => settle({ ok: true }),
        writeFailed(error) {
          const expired = !(error instanceof HttpError) && error.message === 'Max retry time exceeded.';
          const kind = expired ? 'timeout' : classifyFailure(error);
          if (!expired) noteFailure(kind, error);
          // The library retries network errors, timeouts, 429 and 5xx itself (backoff, Retry-After).
          if (!expired && !closed && (!(error instanceof HttpError) || error.statusCode >= 429)) return undefined;
          settle({ ok: false, kind, error: describeFailure(error) });
          return Promise.reject(error);
        },
      });
      inFlight = { settle };
      api.writeRecords(lines);
      api.flush().catch(() => undefined);
    });

  // Shrinks when the server finds a request too large (413), grows back after each success.
  let batchLimit = opts.batchPoints;
  const nextBatch = async () => {
    const { rows } = await sql.query<{ seq: number; points: number }>('select seq, points from influx_outbox order by seq limit 1000');
    if (rows.length === 0) return undefined;
    let points = 0;
    let last = 0;
    for (const r of rows) {
      if (points > 0 && points + r.points > batchLimit) break;
      points += r.points;
      last = Number(r.seq);
    }
    const first = Number(rows[0]!.seq);
    const chosen = await sql.query<{ seq: number; uplink_id: string; site_id: string; enqueued_at: number; body: Uint8Array; points: number }>(
      'select seq, uplink_id, site_id, enqueued_at, body, points from influx_outbox where seq >= $1 and seq <= $2 order by seq',
      [first, last],
    );
    return { first, last, points, rows: chosen.rows.map((r) => ({ ...r, lines: inflateRawSync(r.body).toString('utf8') })) };
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      pause = { timer: setTimeout(() => { pause = undefined; resolve(); }, ms), resolve };
    });

  const loop = async () => {
    while (!closed) {
      wanted = false;
      const batch = await nextBatch();
      if (!batch) {
        if (wanted) continue;
        return;
      }
      const lines = batch.rows.flatMap((r) => r.lines.split('\n'));
      const outcome = await sendBatch(lines);
      if (closed) return;
      if (outcome.ok) {
        await sql.query('delete from influx_outbox where seq >= $1 and seq <= $2', [batch.first, batch.last]);
        buffered.points -= batch.points;
        buffered.uplinks -= batch.rows.length;
        lastWriteAt = now();
        obs?.written(lines.length);
        obs?.buffer(buffered.points, buffered.uplinks);
        if (degraded) logger?.info({ url: client.url, bufferedPoints: buffered.points }, 'InfluxDB writes resumed; emptying the disk buffer');
        degraded = false;
        batchLimit = Math.min(opts.batchPoints, batchLimit * 2);
        releaseWaiters(batch.last);
      } else if (outcome.kind === 'too_large' && batch.rows.length > 1) {
        batchLimit = Math.max(1, Math.floor(batch.points / 2));
      } else if (outcome.kind === 'rejected' || outcome.kind === 'too_large') {
        // InfluxDB refused the data itself (400: e.g. a field type conflict, points older than
        // the retention policy). Retrying cannot help; the valid points of a partial write are
        // stored. The rows move to a dead-letter table — counted, logged, kept for replay.
        await sql.transaction(async (tx) => {
          for (const r of batch.rows) {
            await tx.query(
              'insert into influx_dead_letter (seq, uplink_id, site_id, points, lines, enqueued_at, failed_at, error) values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (seq) do nothing',
              [r.seq, r.uplink_id, r.site_id, r.points, r.lines, r.enqueued_at, now(), outcome.error],
            );
          }
          await tx.query('delete from influx_outbox where seq >= $1 and seq <= $2', [batch.first, batch.last]);
        });
        buffered.points -= batch.points;
        buffered.uplinks -= batch.rows.length;
        obs?.deadLettered(batch.points);
        obs?.buffer(buffered.points, buffered.uplinks);
        logger?.error({ error: outcome.error, uplinks: batch.rows.length, points: batch.points }, 'InfluxDB refused points; kept in influx_dead_letter');
        releaseWaiters(batch.last);
      } else if (outcome.kind !== 'closed') {
        // The library gave up on this batch (retry time spent) or the server refused the
        // credentials or the database: the rows stay, and the next attempt starts after a pause.
        await sleep(outcome.kind === 'auth' || outcome.kind === 'not_found' ? retry.maxDelayMs : retry.minDelayMs);
      }
    }
  };

  const kick = () => {
    wanted = true;
    if (running || closed) return;
    running = loop()
      .catch((err: unknown) => {
        if (closed) return;
        logger?.error({ err }, 'series write buffer flusher failed; retrying');
        return sleep(retry.minDelayMs).then(() => {
          wanted = true;
        });
      })
      .finally(() => {
        running = undefined;
        if (!closed && buffered.uplinks > 0 && wanted) kick();
      });
  };

  // ---- rollups -----------------------------------------------------------------------------
  let rolling: Promise<number> | undefined;
  const rollupOnce = async (): Promise<number> => {
    // Only hours whose every contribution has left the buffer (is in InfluxDB) are complete.
    const { rows } = await sql.query<{ site_id: string; hour: number; seq: number }>(
      `select site_id, hour, seq from influx_rollup_pending
        where seq < coalesce((select min(seq) from influx_outbox), 9223372036854775807) order by hour limit 200`,
    );
    let done = 0;
    for (const r of rows) {
      if (closed) break;
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
    (opts.rollupIntervalMs ?? 60_000) > 0
      ? setInterval(() => {
          if (degraded) return; // nothing new reaches InfluxDB meanwhile; the hours stay marked
          rollup().catch((err: unknown) => logger?.warn({ reason: describeFailure(err) }, 'hourly rollup failed; it is retried on the next run'));
        }, opts.rollupIntervalMs ?? 60_000).unref()
      : undefined;

  // ---- reads ---------------------------------------------------------------------------------
  /** Hour from which minute data is complete; earlier hours are read from the rollups. */
  const rollupHorizon = () => (opts.minuteRetentionDays > 0 ? Math.floor((now() - opts.minuteRetentionDays * 86_400_000) / HOUR) * HOUR + HOUR : Number.NEGATIVE_INFINITY);
  /** The minute part and the rollup part of [from, to), each minute-aligned (see influx-lines.ts on offsets). */
  const parts = (from: number, to: number) => {
    const split = rollupHorizon();
    const out: Array<{ target: InfluxTarget; hourly: boolean; from: number; to: number }> = [];
    if (from < split) out.push({ target: opts.rollup, hourly: true, from: ceilTo(from, MINUTE), to: ceilTo(Math.min(to, split), MINUTE) });
    if (to > split) out.push({ target: opts.minute, hourly: false, from: ceilTo(Math.max(from, split), MINUTE), to: ceilTo(to, MINUTE) });
    return out.filter((p) => p.to > p.from);
  };
  const q = async (target: InfluxTarget, text: string) => client.query(target.db, text);
  /** GROUP BY time with buckets starting at from + k·every; returns the shift back to `from`. */
  const bucketing = (from: number, everyMs: number) => {
    const aligned = ceilTo(from, MINUTE);
    return { clause: `time(${everyMs}ms, ${mod(aligned, everyMs)}ms)`, shift: aligned - from };
  };

  const store: InfluxSeriesStore = {
    async writeUplink(uplink: Uplink, receivedAt: number) {
      if (closed) throw new Error('series store is closed');
      const bound = uplinkPointsBound(uplink);
      const backlog = buffered.points;
      const result = await sql.transaction(async (tx) => {
        const ledger = await tx.query(
          `insert into uplinks (id, site_id, gateway_id, kind, sent_at, received_at, records) values ($1, $2, $3, $4, $5, $6, $7)
           on conflict (id) do nothing returning id`,
          [uplink.id, uplink.siteId, uplink.gatewayId, uplink.kind, uplink.sentAt, receivedAt, recordCount(uplink)],
        );
        if (ledger.rows.length === 0) return undefined;
        if (bound > 0 && buffered.points + bound > opts.bufferMaxPoints) {
          throw new SeriesBufferFullError(
            `series write buffer full (${buffered.points} of ${opts.bufferMaxPoints} points waiting for InfluxDB at ${client.url}${lastError ? `; last error ${lastError}` : ''}); uplink not acknowledged, the edge keeps it`,
          );
        }
        const seq = Number((await tx.query<{ seq: number }>(`select nextval('influx_uplink_seq')::float8 as seq`)).rows[0]!.seq);
        const { lines, hours } = uplinkLines(uplink, seq);
        if (lines.length > 0) {
          const body = deflateRawSync(lines.join('\n'), { level: 1 });
          await tx.query('insert into influx_outbox (seq, uplink_id, site_id, points, body, enqueued_at) values ($1, $2, $3, $4, $5, $6)', [seq, uplink.id, uplink.siteId, lines.length, body, receivedAt]);
        }
        if (hours.length > 0) {
          await tx.query(
            `insert into influx_rollup_pending (site_id, hour, seq) select $1, h, $3 from unnest($2::bigint[]) as h
             on conflict (site_id, hour) do update set seq = greatest(influx_rollup_pending.seq, excluded.seq)`,
            [uplink.siteId, hours, seq],
          );
        }
        return { seq, points: lines.length };
      }).catch((err: unknown) => {
        if (err instanceof SeriesBufferFullError) obs?.refused();
        throw err;
      });
      if (!result) return { stored: false };
      if (result.points > 0) {
        buffered.points += result.points;
        buffered.uplinks += 1;
        obs?.buffer(buffered.points, buffered.uplinks);
        const healthy = !degraded && backlog < 2 * opts.batchPoints;
        kick();
        if (healthy) await waitFor(result.seq, ackWaitMs);
      }
      return { stored: true };
    },

    async footfall(r) {
      const b = bucketing(r.from, r.everyMs);
      const sums = new Map<string, FootfallPoint>();
      for (const p of parts(r.from, r.to)) {
        const m = p.hourly ? MEASUREMENT.footfallHour : MEASUREMENT.footfallMinute;
        const series = await q(
          p.target,
          `SELECT sum("in") AS "in", sum("out") AS "out" FROM ${fromClause(p.target, m)}
            WHERE "site" = ${literal(r.siteId)} AND "subject_kind" = ${literal(r.subjectKind)}${r.subjectId !== undefined ? ` AND "subject_id" = ${literal(r.subjectId)}` : ''}
              AND time >= ${timeLiteral(p.from)} AND time < ${timeLiteral(p.to)}
            GROUP BY ${b.clause}, "subject_id" fill(none)`,
        );
        for (const s of series) {
          for (const v of rows(s)) {
            const subjectId = s.tags?.subject_id ?? '';
            const t = Number(v.time) - b.shift;
            const key = `${subjectId}\u0000${t}`;
            const acc = sums.get(key) ?? { subjectId, t, in: 0, out: 0 };
            acc.in += Number(v.in ?? 0);
            acc.out += Number(v.out ?? 0);
            sums.set(key, acc);
          }
        }
      }
      return [...sums.values()].sort((a, b2) => cmp(a.subjectId, b2.subjectId) || a.t - b2.t);
    },

    async footfallTotals(r) {
      const totals = new Map<string, SubjectTotal>();
      for (const p of parts(r.from ?? EARLIEST, r.to ?? LATEST)) {
        const m = p.hourly ? MEASUREMENT.footfallHour : MEASUREMENT.footfallMinute;
        const series = await q(
          p.target,
          `SELECT sum("in") AS "in", sum("out") AS "out" FROM ${fromClause(p.target, m)}
            WHERE "site" = ${literal(r.siteId)} AND "subject_kind" = ${literal(r.subjectKind)} AND time >= ${timeLiteral(p.from)} AND time < ${timeLiteral(p.to)}
            GROUP BY "subject_id"`,
        );
        for (const s of series) {
          const subjectId = s.tags?.subject_id ?? '';
          const acc = totals.get(subjectId) ?? { subjectId, in: 0, out: 0 };
          for (const v of rows(s)) {
            acc.in += Number(v.in ?? 0);
            acc.out += Number(v.out ?? 0);
          }
          totals.set(subjectId, acc);
        }
      }
      return [...totals.values()].sort((a, b) => cmp(a.subjectId, b.subjectId));
    },

    async env(r) {
      const b = bucketing(r.from, r.everyMs);
      const acc = new Map<string, { zoneId: string; t: number; sum: number; count: number; min: number; max: number }>();
      for (const p of parts(r.from, r.to)) {
        const m = p.hourly ? MEASUREMENT.envHour : MEASUREMENT.envMinute;
        const series = await q(
          p.target,
          `SELECT sum("sum") AS "sum", sum("count") AS "count", min("min") AS "min", max("max") AS "max" FROM ${fromClause(p.target, m)}
            WHERE "site" = ${literal(r.siteId)} AND "metric" = ${literal(r.metric)}${r.zoneId !== undefined ? ` AND "zone" = ${literal(r.zoneId)}` : ''}
              AND time >= ${timeLiteral(p.from)} AND time < ${timeLiteral(p.to)}
            GROUP BY ${b.clause}, "zone" fill(none)`,
        );
        for (const s of series) {
          for (const v of rows(s)) {
            const zoneId = s.tags?.zone ?? '';
            const t = Number(v.time) - b.shift;
            const key = `${zoneId}\u0000${t}`;
            const a = acc.get(key);
            if (a) {
              a.sum += Number(v.sum);
              a.count += Number(v.count);
              a.min = Math.min(a.min, Number(v.min));
              a.max = Math.max(a.max, Number(v.max));
            } else {
              acc.set(key, { zoneId, t, sum: Number(v.sum), count: Number(v.count), min: Number(v.min), max: Number(v.max) });
            }
          }
        }
      }
      return [...acc.values()]
        .sort((a, b2) => cmp(a.zoneId, b2.zoneId) || a.t - b2.t)
        .map((a): EnvPoint => ({ zoneId: a.zoneId, t: a.t, mean: a.sum / a.count, min: a.min, max: a.max }));
    },

    /**
     * Uplinks from the ledger; records as points in InfluxDB: one per device-minute (per metric
     * for env) and uplink — a late record is a point of its own — and one per event.
     */
    async counts(siteId) {
      const all = `"site" = ${literal(siteId)} AND time >= ${timeLiteral(EARLIEST)} AND time < ${timeLiteral(LATEST)}`;
      const count = async (measurement: string, field: string) => {
        const series = await q(opts.minute, `SELECT count(${ident(field)}) AS "n" FROM ${fromClause(opts.minute, measurement)} WHERE ${all}`);
        return series.flatMap(rows).reduce((n, v) => n + Number(v.n ?? 0), 0);
      };
      const [uplinks, footfallRecords, envRecords, events] = await Promise.all([
        sql.query<{ n: number }>('select count(*)::int as n from uplinks where site_id = $1', [siteId]).then((r) => r.rows[0]!.n),
        count(MEASUREMENT.footfallMinute, 'in'),
        count(MEASUREMENT.envMinute, 'count'),
        count(MEASUREMENT.event, 'seq'),
      ]);
      return { uplinks, footfallRecords, envRecords, events };
    },

    async status() {
      const [dead, pending] = await Promise.all([
        sql.query<{ n: number; p: number }>('select count(*)::int as n, coalesce(sum(points), 0)::int as p from influx_dead_letter'),
        sql.query<{ n: number }>('select count(*)::int as n from influx_rollup_pending'),
      ]);
      return {
        kind: 'influxdb',
        accepting: buffered.points < opts.bufferMaxPoints,
        influx: { url: client.url, writing: !degraded, ...(lastError !== undefined ? { lastError, lastErrorAt } : {}), ...(lastWriteAt !== undefined ? { lastWriteAt } : {}) },
        buffer: { points: buffered.points, uplinks: buffered.uplinks, maxPoints: opts.bufferMaxPoints },
        deadLetter: { uplinks: dead.rows[0]!.n, points: dead.rows[0]!.p },
        rollupPendingHours: pending.rows[0]!.n,
      };
    },

    drain(timeoutMs) {
      if (buffered.uplinks === 0) return Promise.resolve(true);
      kick();
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        drainers.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },

    rollup,

    async close() {
      if (closed) return;
      closed = true;
      if (rollupTimer) clearInterval(rollupTimer);
      if (pause) {
        clearTimeout(pause.timer);
        pause.resolve();
      }
      inFlight?.settle({ ok: false, kind: 'closed', error: 'store closed' });
      releaseWaiters(Number.MAX_SAFE_INTEGER);
      await running?.catch(() => undefined);
      await rolling?.catch(() => undefined);
      if (opts.ownsSql) await sql.close();
    },
  };

  if (buffered.uplinks > 0) {
    logger?.info({ points: buffered.points, uplinks: buffered.uplinks }, 'series write buffer holds points from before; writing them to InfluxDB');
    kick();
  }
  return store;
}

/**
 * Start-up checks, each failure naming what to fix: the URL answers as InfluxDB, the
 * credentials are accepted, the databases (and retention policies) exist. A server that
 * cannot be reached is waited for up to `startupTimeoutMs` — unless this data directory has
 * written to that very target before: then it is an outage, not a mistake, and the store
 * starts buffering (returns the reason).
 */
async function verify(client: InfluxClient, sql: SqlClient, opts: InfluxSeriesStoreOptions, logger?: Logger): Promise<{ error: string } | undefined> {
  const url = client.url;
  const key = `${url} ${bucketOf(opts.minute)} ${bucketOf(opts.rollup)}`;
  const known = (await sql.query('select 1 from influx_targets where target = $1', [key])).rows.length > 0;
  const deadline = Date.now() + opts.startupTimeoutMs;
  for (;;) {
    try {
      const ping = await client.ping();
      if (!ping.version) throw new InfluxConfigError(`${url} answered /ping but is not InfluxDB (no X-Influxdb-Version header): check ATRIUM_INFLUX_URL`);
      break;
    } catch (err) {
      if (err instanceof InfluxConfigError) throw err;
      if (err instanceof HttpError) {
        if (err.statusCode === 401 || err.statusCode === 403) break; // some servers guard /ping too; the query below checks credentials
        throw new InfluxConfigError(`${url}/ping answered ${describeFailure(err)}: that is not an InfluxDB server; check ATRIUM_INFLUX_URL`);
      }
      if (known) {
        const error = `unreachable: ${describeFailure(err)}`;
        logger?.warn({ url, reason: error }, 'InfluxDB is unreachable at start-up; uplinks are buffered on disk until it is back');
        return { error };
      }
      if (Date.now() >= deadline) {
        throw new InfluxConfigError(`cannot reach InfluxDB at ${url} (${describeFailure(err)}): check ATRIUM_INFLUX_URL and that the server is running`);
      }
      await new Promise((r) => setTimeout(r, Math.min(500, Math.max(0, deadline - Date.now()))));
    }
  }
  const checks: Array<[InfluxTarget, string, string]> = [
    [opts.minute, 'ATRIUM_INFLUX_DATABASE', 'ATRIUM_INFLUX_RETENTION_POLICY'],
    [opts.rollup, 'ATRIUM_INFLUX_ROLLUP_DATABASE', 'ATRIUM_INFLUX_ROLLUP_RETENTION_POLICY'],
  ];
  for (const [target, dbVar, rpVar] of checks) {
    // A read of a measurement that never exists: answers "database not found" / "retention policy
    // not found" / "no dbrp mapping" / 401 without touching data (SHOW MEASUREMENTS on 1.x answers
    // an empty list for a missing database).
    const statements = [`SELECT * FROM ${fromClause(target, '_atrium_probe')} LIMIT 1`];
    for (const statement of statements) {
      try {
        await client.query(target.db, statement);
      } catch (err) {
        const reason = err instanceof HttpError ? describeFailure(err) : (err as Error).message;
        if (err instanceof HttpError && (err.statusCode === 401 || err.statusCode === 403)) {
          throw new InfluxConfigError(`InfluxDB at ${url} refused the credentials (${reason}): check ATRIUM_INFLUX_TOKEN, or ATRIUM_INFLUX_USERNAME and ATRIUM_INFLUX_PASSWORD`);
        }
        if (/retention policy not found/i.test(reason)) {
          throw new InfluxConfigError(`retention policy "${target.rp}" (${rpVar}) does not exist in database "${target.db}" on ${url}: create it (1.x: CREATE RETENTION POLICY "${target.rp}" ON "${target.db}" DURATION 30d REPLICATION 1) or unset ${rpVar}`);
        }
        if (/database not found|no dbrp mapping|bucket .*not found|database .*(does not exist|not found)/i.test(reason) || (err instanceof HttpError && err.statusCode === 404)) {
          const name = target.rp ? `${target.db}/${target.rp}` : target.db;
          throw new InfluxConfigError(
            `database "${target.db}" (${dbVar}) does not exist on ${url} (${reason}): create it — 1.x: CREATE DATABASE "${target.db}"; 2.x: influx bucket create --name ${name}; 3.x: influxdb3 create database ${target.db}`,
          );
        }
        if (!(err instanceof HttpError)) {
          if ((err as Error).name === 'InfluxQueryError') continue; // answered: e.g. a server without SHOW support for this form
          throw new InfluxConfigError(`InfluxDB at ${url} did not answer a query (${describeFailure(err)}): check ATRIUM_INFLUX_URL`);
        }
        throw new InfluxConfigError(`InfluxDB at ${url} refused a query on database "${target.db}" (${reason}): check ${dbVar} and the credentials`);
      }
    }
  }
  await sql.query('insert into influx_targets (target, verified_at) values ($1, $2) on conflict (target) do update set verified_at = excluded.verified_at', [key, Date.now()]);
  return undefined;
}

const recordCount = (u: Uplink) => (u.kind === 'minute' ? u.footfall.length + u.env.length : u.kind === 'events' ? u.events.length : u.devices.length);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const escapeTag = (s: string) => s.replace(/[,= \n\r\t]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\${c}`));
const int = (v: unknown) => Math.round(Number(v ?? 0));
const num = (v: unknown) => String(Number(v ?? 0));
function rows(s: QuerySeries): Array<Record<string, unknown>> {
  return s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]])));
}
function row(s: QuerySeries): Record<string, unknown> {
  return rows(s)[0] ?? {};
}
