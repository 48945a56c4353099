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
 *
 * Where the time went (bench/influx-write.ts, `node --cpu-prof` and timing spans around every
 * SQL statement; 100,000 points in uplinks of 500, 8 in flight, batches of 5,000). The adapter
 * ran at 0.5× of posting the same lines to `/write` because it spent about 4.5 times the
 * CPU of the baseline's client (3.5 s against 0.75 s for 100,000 points; influxd's own 1.5 s
 * the same for both), and on a two-core machine that CPU is taken from influxd:
 * - the embedded database, over half of it: a transaction of four statements per uplink,
 *   its bytea parameter encoded one byte at a time into a hex string, and the flusher reading
 *   back (ordered scan, bodies, inflate) each row it had just seen committed, while the
 *   writers queued behind it on the one connection;
 * - gzip at zlib's default level: 25 ms per 5,000 points, on every request's path.
 * Now uplinks arriving together share one transaction (influx-uplink-writer.ts), bodies cross
 * as base64 the server decodes, committed rows stay in memory for the flusher (bounded by
 * `memoryMaxPoints`; the table is read only for rows an earlier process left, or once the
 * bound was passed, until it is empty again), writers hear back as soon as InfluxDB answers
 * 204 (the delete follows), and bodies are gzipped at level 1 (influx-http.ts). The same
 * 100,000 points now cost the adapter about 1.4 s of CPU.
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
  /** Committed points kept in memory for the flusher (default 4 batches); beyond it the flusher reads the table. */
  memoryMaxPoints?: number;
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
  /** In the uplinks' transaction: queues their lines. Follow with `added` (committed) or `abandoned` (rolled back) per row. */
  insert(tx: SqlTx, rows: Array<{ seq: number; uplink: Uplink; lines: string[]; enqueuedAt: number }>): Promise<void>;
  /** After the transaction committed: counts the queued points and hands them to the flusher; false if they are written already. */
  added(seq: number): boolean;
  /** The transaction that inserted `seq` did not commit. */
  abandoned(seq: number): void;
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

/** One outbox row: an uplink's line protocol, newline-joined. */
interface QueuedRow {
  seq: number;
  /** Written by a flusher reading the table before the writer heard its commit (server databases). */
  written?: boolean;
  uplinkId: string;
  siteId: string;
  points: number;
  body: string;
  enqueuedAt: number;
}

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
  const waiters = new Map<number, Array<() => void>>();
  const drainers: Array<() => void> = [];
  obs?.buffer(buffered.points, buffered.uplinks);

  // Rows inserted by transactions still open, and committed rows kept for the flusher. While
  // `mirrored`, `memory` holds every row of the table, so a batch needs no read; committed
  // rows beyond `memoryMaxPoints` (InfluxDB slow or away) turn that off until the table has
  // been emptied from disk.
  const memoryMaxPoints = opts.memoryMaxPoints ?? 4 * opts.batchPoints;
  const pending = new Map<number, QueuedRow>();
  const memory = new Map<number, QueuedRow>();
  let memoryPoints = 0;
  let mirrored = buffered.uplinks === 0;
  const forget = () => {
    mirrored = false;
    memory.clear();
    memoryPoints = 0;
  };

  const releaseWaiters = (seqs: Iterable<number> | 'all') => {
    for (const seq of seqs === 'all' ? [...waiters.keys()] : seqs) {
      waiters.get(seq)?.forEach((resolve) => resolve());
      waiters.delete(seq);
    }
  };
  const releaseDrainers = () => {
    if (buffered.uplinks === 0) drainers.splice(0).forEach((d) => d());
  };
  const waitFor = (seq: number, ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      waiters.set(seq, [...(waiters.get(seq) ?? []), done]);
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
    releaseWaiters('all');
  };

  /** One batch through the library's WriteApi: resolves when written, or when the library gives up. */
  const sendBatch = (rows: QueuedRow[]): Promise<BatchOutcome> =>
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
        // Exactly one request per batch, so success and failure map to these rows. Each
        // record is one uplink's lines, already newline-joined: the library joins records
        // with newlines too, so the body is the same and no line is split and re-joined.
        batchSize: rows.length + 1,
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
        maxBufferLines: rows.length + 1,
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
      api.writeRecords(rows.map((r) => r.body));
      api.flush().catch(() => undefined);
    });

  // Shrinks when the server finds a request too large (413), grows back after each success.
  let batchLimit = opts.batchPoints;
  const take = (rows: Iterable<{ points: number }>) => {
    let points = 0;
    let n = 0;
    for (const r of rows) {
      if (points > 0 && points + r.points > batchLimit) break;
      points += r.points;
      n += 1;
    }
    return n;
  };
  const nextBatch = async (): Promise<QueuedRow[] | undefined> => {
    if (mirrored) {
      const n = take(memory.values());
      return n === 0 ? undefined : [...memory.values()].slice(0, n);
    }
    const { rows } = await sql.query<{ seq: number; points: number }>('select seq, points from influx_outbox order by seq limit 1000');
    if (rows.length === 0) return undefined;
    const seqs = rows.slice(0, take(rows)).map((r) => Number(r.seq));
    const chosen = await sql.query<{ seq: number; uplink_id: string; site_id: string; enqueued_at: number; body: string; points: number }>(
      `select seq, uplink_id, site_id, enqueued_at, encode(body, 'base64') as body, points from influx_outbox where seq = any($1::bigint[]) order by seq`,
      [seqs],
    );
    return chosen.rows.map((r) => ({ seq: Number(r.seq), uplinkId: r.uplink_id, siteId: r.site_id, enqueuedAt: Number(r.enqueued_at), points: r.points, body: inflateRawSync(Buffer.from(r.body, 'base64')).toString('utf8') }));
  };

  /** The rows are handled (in InfluxDB, or dead-lettered, within `tx`): off the table, the counts and memory. */
  const remove = async (rows: QueuedRow[], tx?: SqlTx) => {
    // By sequence number, never by range: on a server database a transaction holding a
    // lower number may commit after this batch was chosen.
    await (tx ?? sql).query('delete from influx_outbox where seq = any($1::bigint[])', [rows.map((r) => r.seq)]);
  };
  const removed = (rows: QueuedRow[]) => {
    for (const r of rows) {
      const early = pending.get(r.seq);
      if (early) {
        early.written = true; // not counted yet: `added` will not count it
        continue;
      }
      buffered.points -= r.points;
      buffered.uplinks -= 1;
      if (memory.delete(r.seq)) memoryPoints -= r.points;
    }
    obs?.buffer(buffered.points, buffered.uplinks);
    // The table is empty and no open transaction holds a row: memory can mirror it again.
    if (!mirrored && buffered.uplinks === 0 && pending.size === 0) mirrored = true;
    releaseDrainers();
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
      const points = batch.reduce((n, r) => n + r.points, 0);
      const outcome = await sendBatch(batch);
      if (closed) return;
      if (outcome.ok) {
        // In InfluxDB: the writers may answer now; the rows leave the table after that.
        releaseWaiters(batch.map((r) => r.seq));
        lastWriteAt = now();
        obs?.written(points);
        if (degraded) logger?.info({ url: client.url, bufferedPoints: buffered.points }, 'InfluxDB writes resumed; emptying the disk buffer');
        degraded = false;
        batchLimit = Math.min(opts.batchPoints, batchLimit * 2);
        await remove(batch);
        removed(batch);
      } else if (outcome.kind === 'too_large' && batch.length > 1) {
        batchLimit = Math.max(1, Math.floor(points / 2));
      } else if (outcome.kind === 'rejected' || outcome.kind === 'too_large') {
        // InfluxDB refused the data itself (400: e.g. a field type conflict, points older than
        // the retention policy). Retrying cannot help; the valid points of a partial write are
        // stored. The rows move to a dead-letter table — counted, logged, kept for replay.
        await sql.transaction(async (tx) => {
          for (const r of batch) {
            await tx.query(
              'insert into influx_dead_letter (seq, uplink_id, site_id, points, lines, enqueued_at, failed_at, error) values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (seq) do nothing',
              [r.seq, r.uplinkId, r.siteId, r.points, r.body, r.enqueuedAt, now(), outcome.error],
            );
          }
          await remove(batch, tx);
        });
        obs?.deadLettered(points);
        logger?.error({ error: outcome.error, uplinks: batch.length, points }, 'InfluxDB refused points; kept in influx_dead_letter');
        releaseWaiters(batch.map((r) => r.seq));
        removed(batch);
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

    async insert(tx, rows) {
      const queued = rows.map(({ seq, uplink, lines, enqueuedAt }): QueuedRow => ({ seq, uplinkId: uplink.id, siteId: uplink.siteId, points: lines.length, body: lines.join('\n'), enqueuedAt }));
      queued.forEach((r) => pending.set(r.seq, r));
      // Bodies cross as base64 text the server decodes: the embedded engine's own bytea
      // parameter encoding builds a string per byte (1.3 ms per uplink of 500 points).
      await tx.query(
        `insert into influx_outbox (seq, uplink_id, site_id, points, body, enqueued_at)
         select s, u, si, p, decode(b, 'base64'), e from unnest($1::bigint[], $2::uuid[], $3::text[], $4::int[], $5::text[], $6::bigint[]) as t(s, u, si, p, b, e)`,
        [queued.map((r) => r.seq), queued.map((r) => r.uplinkId), queued.map((r) => r.siteId), queued.map((r) => r.points), queued.map((r) => deflateRawSync(r.body, { level: 1 }).toString('base64')), queued.map((r) => r.enqueuedAt)],
      );
    },

    added(seq) {
      const row = pending.get(seq);
      pending.delete(seq);
      if (!row || row.written) return false;
      buffered.points += row.points;
      buffered.uplinks += 1;
      obs?.buffer(buffered.points, buffered.uplinks);
      if (!mirrored) return true;
      if (memoryPoints + row.points > memoryMaxPoints) {
        forget();
        return true;
      }
      memory.set(seq, row);
      memoryPoints += row.points;
      return true;
    },

    abandoned(seq) {
      pending.delete(seq);
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
      releaseWaiters('all');
      await running?.catch(() => undefined);
    },
  };
}
