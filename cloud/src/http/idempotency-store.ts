import type { SqlClient } from '../db/sql-client.ts';

/**
 * Results of requests sent with an `Idempotency-Key`, per user (migration 10): a phone that
 * queued an action offline may send it again when it cannot know whether the first try
 * arrived, and the second try must return the first result instead of acting twice. In SQL,
 * not memory, so a replay after a restart or to another replica is still recognised.
 */
export interface IdempotencyStore {
  /**
   * Claims the key for this request, or says what it already holds: `claimed` (go ahead and
   * `finish` or `release` it), `done` (the stored result), `busy` (the first try is still
   * running), or `mismatch` (the key was used for another request).
   */
  claim(req: IdempotentRequest): Promise<Claim>;
  /** Stores the result of a claimed key; replays return it until the key expires. */
  finish(userId: string, key: string, result: StoredResult): Promise<void>;
  /** Gives a claimed key up without a result (the request failed in a way worth trying again). */
  release(userId: string, key: string): Promise<void>;
  /** Forgets expired keys; answers how many. */
  prune(now: number): Promise<number>;
}

export interface IdempotentRequest {
  userId: string;
  key: string;
  /** hash of the method, path and body: the same key with anything else is refused */
  fingerprint: string;
  /** "POST /api/v1/work-orders/wo-3/accept", to say in a refusal what the key was used for */
  request: string;
  now: number;
}
export interface StoredResult {
  status: number;
  body: unknown;
}
export type Claim = { kind: 'claimed' } | { kind: 'done'; result: StoredResult } | { kind: 'busy' } | { kind: 'mismatch'; request: string };

export interface IdempotencyOptions {
  /** how long a result is kept for replays (default a day: longer than a phone stays offline in a shift) */
  keepMs?: number;
  /** a claim without a result this old was left by a process that died mid-request: it may be taken over */
  abandonedAfterMs?: number;
}

const DAY_MS = 24 * 3_600_000;
const ABANDONED_AFTER_MS = 60_000;
const PRUNE_EVERY_MS = 3_600_000;

interface Row {
  fingerprint: string;
  request: string;
  status: number | null;
  body: unknown;
  created_at: string | number;
}

export function createSqlIdempotencyStore(sql: SqlClient, siteId: string, options: IdempotencyOptions = {}): IdempotencyStore {
  const keepMs = options.keepMs ?? DAY_MS;
  const abandonedAfterMs = options.abandonedAfterMs ?? ABANDONED_AFTER_MS;
  let prunedAt = 0;
  const store: IdempotencyStore = {
    async claim(r) {
      // Expired keys are forgotten now and then by the requests themselves: no timer to stop.
      if (r.now - prunedAt >= PRUNE_EVERY_MS) {
        prunedAt = r.now;
        await store.prune(r.now);
      }
      // One statement claims a new key, an expired one, or one whose first try died; anything else is left as it is.
      const taken = await sql.query(
        `insert into idempotency_keys (site_id, user_id, key, fingerprint, request, status, body, created_at, expires_at)
         values ($1, $2, $3, $4, $5, null, null, $6, $7)
         on conflict (site_id, user_id, key) do update
           set fingerprint = excluded.fingerprint, request = excluded.request, status = null, body = null, created_at = excluded.created_at, expires_at = excluded.expires_at
           where idempotency_keys.expires_at <= $6 or (idempotency_keys.status is null and idempotency_keys.created_at <= $8)
         returning key`,
        [siteId, r.userId, r.key, r.fingerprint, r.request, r.now, r.now + keepMs, r.now - abandonedAfterMs],
      );
      if (taken.rows.length > 0) return { kind: 'claimed' };
      const { rows } = await sql.query<Row>('select fingerprint, request, status, body, created_at from idempotency_keys where site_id = $1 and user_id = $2 and key = $3', [siteId, r.userId, r.key]);
      const row = rows[0];
      if (!row) return { kind: 'busy' }; // pruned between the two statements: the client's retry claims it
      if (row.fingerprint !== r.fingerprint) return { kind: 'mismatch', request: row.request };
      if (row.status === null) return { kind: 'busy' };
      const body = typeof row.body === 'string' ? (JSON.parse(row.body) as unknown) : row.body;
      return { kind: 'done', result: { status: row.status, body } };
    },
    async finish(userId, key, result) {
      await sql.query('update idempotency_keys set status = $4, body = $5 where site_id = $1 and user_id = $2 and key = $3', [siteId, userId, key, result.status, JSON.stringify(result.body)]);
    },
    async release(userId, key) {
      await sql.query('delete from idempotency_keys where site_id = $1 and user_id = $2 and key = $3 and status is null', [siteId, userId, key]);
    },
    async prune(now) {
      const { rows } = await sql.query('delete from idempotency_keys where site_id = $1 and expires_at <= $2 returning key', [siteId, now]);
      return rows.length;
    },
  };
  return store;
}
