import type { Session } from 'fastify';
import type { SqlClient } from '../db/sql-client.ts';

/**
 * Sessions in the operational database (PGlite or PostgreSQL), in the callback shape the
 * session plugin expects. Kept in SQL, not memory, so a restart keeps people signed in, and so
 * a user's sessions can all be ended at once (disabled, password changed) from any process.
 */
type Callback = (err?: unknown) => void;
/** What the session plugin hands over: its own object, stored as its JSON. */
type StoredSession = Session & { userId?: string };

export interface SqlSessionStore {
  set(sid: string, session: StoredSession, cb: Callback): void;
  get(sid: string, cb: (err: unknown, session?: StoredSession | null) => void): void;
  destroy(sid: string, cb: Callback): void;
  /** Ends every session of a user but `exceptSid`; answers how many ended. */
  destroyUser(userId: string, exceptSid?: string): Promise<number>;
  /** Forgets sessions past their expiry. */
  prune(now: number): Promise<number>;
}

/** A session without a cookie expiry would live for ever; the plugin always sets one, this is the backstop. */
const FALLBACK_LIFETIME_MS = 24 * 3_600_000;

export function createSqlSessionStore(sql: SqlClient, siteId: string, clock: () => number = Date.now): SqlSessionStore {
  const expiresAt = (s: StoredSession): number => {
    const e: Date | string | null | undefined = s.cookie.expires;
    const t = e ? new Date(e).getTime() : NaN;
    return Number.isFinite(t) ? t : clock() + FALLBACK_LIFETIME_MS;
  };
  return {
    set(sid, session, cb) {
      sql
        .query(
          `insert into sessions (sid, site_id, user_id, expires_at, data) values ($1, $2, $3, $4, $5)
           on conflict (sid) do update set user_id = excluded.user_id, expires_at = excluded.expires_at, data = excluded.data
           where sessions.site_id = excluded.site_id`,
          [sid, siteId, session.userId ?? '', expiresAt(session), JSON.stringify(session)],
        )
        .then(() => cb(), cb);
    },
    get(sid, cb) {
      sql
        .query<{ data: unknown }>('select data from sessions where sid = $1 and site_id = $2 and expires_at > $3', [sid, siteId, clock()])
        .then(({ rows }) => {
          const data = rows[0]?.data;
          const parsed = typeof data === 'string' ? (JSON.parse(data) as StoredSession) : ((data as StoredSession | undefined) ?? null);
          cb(null, parsed);
        }, cb);
    },
    destroy(sid, cb) {
      sql.query('delete from sessions where sid = $1 and site_id = $2', [sid, siteId]).then(() => cb(), cb);
    },
    async destroyUser(userId, exceptSid) {
      const { rows } = await sql.query('delete from sessions where site_id = $1 and user_id = $2 and sid <> $3 returning sid', [siteId, userId, exceptSid ?? '']);
      return rows.length;
    },
    async prune(now) {
      const { rows } = await sql.query('delete from sessions where site_id = $1 and expires_at <= $2 returning sid', [siteId, now]);
      return rows.length;
    },
  };
}
