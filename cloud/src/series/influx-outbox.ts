import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { HttpError } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import type { Uplink } from '@atrium/shared';
import type { SqlClient, SqlTx } from '../db/sql-client.ts';
import { bucketOf, classifyFailure, describeFailure, type FailureKind, type InfluxClient, type InfluxTarget } from './influx-http.ts';
import type { SeriesStoreObserver, SeriesStoreStatus } from './influx-store-types.ts';

/**
 * The disk-backed write buffer (`influx_outbox`, one row per uplink, deflated line protocol)
 * and its flusher. The flusher moves the outbox to InfluxDB in batches through the library's
 * WriteApi (gzip, retries with exponential backoff in memory) and deletes rows only after
 * InfluxDB said 204; a crash in between replays the rows, which overwrite themselves. Rows
 * InfluxDB refuses as data (400, or 413 for a single uplink) move to `influx_dead_letter`.
 * One process owns its outbox.
 */

export class SeriesBufferFullError extends Error {
  override name = 'SeriesBufferFullError';
}

export interface InfluxOutboxOptions {
  sql: SqlClient;
  client: InfluxClient;
  minute: InfluxTarget;
  batchPoints: number;
  bufferMaxPoints: number;
  gzipThreshold?: number;
  retry: { minDelayMs: number; maxDelayMs: number; batchRetryTimeMs: number };
  /** Set when start-up found the server unreachable: the store starts buffering. */
  startedDegraded?: { error: string };
  logger?: Logger;
  observer?: SeriesStoreObserver;
  now: () => number;
}

export interface InfluxOutbox {
  readonly buffered: { readonly points: number; readonly uplinks: number };
  readonly closed: boolean;
  /** True while InfluxDB writes fail for reasons of the server (not of the data). */
  readonly degraded: boolean;
  health(): SeriesStoreStatus['influx'];
  /** In the uplink's transaction: refuses (SeriesBufferFullError) unless `bound` more points fit. */
  checkRoom(bound: number): void;
  /** In the uplink's transaction: the uplink's buffer sequence number. */
  nextSeq(tx: SqlTx): Promise<number>;
  /** In the uplink's transaction: queues its lines. */
  insert(tx: SqlTx, row: { seq: number; uplink: Uplink; lines: string[]; enqueuedAt: number }): Promise<void>;
  /** After the transaction committed: counts the queued points. */
  added(points: number): void;
  /** Starts the flusher unless it runs. */
  kick(): void;
  /** Resolves once rows up to `seq` are written (or handled), after `ms` at the latest, or when InfluxDB fails. */
  waitFor(seq: number, ms: number): Promise<void>;
  drain(timeoutMs: number): Promise<boolean>;
  deadLetterCounts(): Promise<{ uplinks: number; points: number }>;
  /** Starts writing what an earlier process left in the buffer. */
  resume(): void;
  /** Stops the flusher (synchronously marks closed) and waits for it. */
  close(): Promise<void>;
}

type BatchOutcome = { ok: true } | { ok: false; kind: FailureKind | 'closed'; error: string };

export async function createInfluxOutbox(opts: InfluxOutboxOptions): Promise<InfluxOutbox> {
  const { sql, client, logger, retry, now } = opts;
  const obs = opts.observer;
  const startedDegraded = opts.startedDegraded;

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

  return {
    buffered,
    get closed() {
      return closed;
    },
    get degraded() {
      return degraded;
    },
    health: () => ({ url: client.url, writing: !degraded, ...(lastError !== undefined ? { lastError, lastErrorAt } : {}), ...(lastWriteAt !== undefined ? { lastWriteAt } : {}) }),

    checkRoom(bound) {
      if (bound > 0 && buffered.points + bound > opts.bufferMaxPoints) {
        throw new SeriesBufferFullError(
          `series write buffer full (${buffered.points} of ${opts.bufferMaxPoints} points waiting for InfluxDB at ${client.url}${lastError ? `; last error ${lastError}` : ''}); uplink not acknowledged, the edge keeps it`,
        );
      }
    },

    nextSeq: async (tx) => Number((await tx.query<{ seq: number }>(`select nextval('influx_uplink_seq')::float8 as seq`)).rows[0]!.seq),

    async insert(tx, { seq, uplink, lines, enqueuedAt }) {
      const body = deflateRawSync(lines.join('\n'), { level: 1 });
      await tx.query('insert into influx_outbox (seq, uplink_id, site_id, points, body, enqueued_at) values ($1, $2, $3, $4, $5, $6)', [seq, uplink.id, uplink.siteId, lines.length, body, enqueuedAt]);
    },

    added(points) {
      buffered.points += points;
      buffered.uplinks += 1;
      obs?.buffer(buffered.points, buffered.uplinks);
    },

    kick,
    waitFor,

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

    async deadLetterCounts() {
      const dead = await sql.query<{ n: number; p: number }>('select count(*)::int as n, coalesce(sum(points), 0)::int as p from influx_dead_letter');
      return { uplinks: dead.rows[0]!.n, points: dead.rows[0]!.p };
    },

    resume() {
      if (buffered.uplinks > 0) {
        logger?.info({ points: buffered.points, uplinks: buffered.uplinks }, 'series write buffer holds points from before; writing them to InfluxDB');
        kick();
      }
    },

    async close() {
      closed = true;
      if (pause) {
        clearTimeout(pause.timer);
        pause.resolve();
      }
      inFlight?.settle({ ok: false, kind: 'closed', error: 'store closed' });
      releaseWaiters(Number.MAX_SAFE_INTEGER);
      await running?.catch(() => undefined);
    },
  };
}
