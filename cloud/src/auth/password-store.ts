import type { SqlClient } from '../db/sql-client.ts';

/** Password hashes and reset tokens, one row per user of a site (table user_passwords). */
export interface PasswordStore {
  hashOf(userId: string): Promise<string | null>;
  /** Sets the hash and clears any pending reset. */
  setHash(userId: string, hash: string, now: number): Promise<void>;
  /** Replaces any pending reset of this user with this token (its hash) until `expiresAt`. */
  setReset(userId: string, tokenHash: string, expiresAt: number): Promise<void>;
  /** The user a reset token belongs to, if it is pending and not expired; the token is used up either way. */
  takeReset(tokenHash: string, now: number): Promise<string | null>;
}

export function createSqlPasswordStore(sql: SqlClient, siteId: string): PasswordStore {
  return {
    async hashOf(userId) {
      const { rows } = await sql.query<{ password_hash: string | null }>('select password_hash from user_passwords where site_id = $1 and user_id = $2', [siteId, userId]);
      return rows[0]?.password_hash ?? null;
    },
    async setHash(userId, hash, now) {
      await sql.query(
        `insert into user_passwords (site_id, user_id, password_hash, password_set_at) values ($1, $2, $3, $4)
         on conflict (site_id, user_id) do update set password_hash = $3, password_set_at = $4, reset_token_hash = null, reset_expires_at = null`,
        [siteId, userId, hash, now],
      );
    },
    async setReset(userId, tokenHash, expiresAt) {
      await sql.query(
        `insert into user_passwords (site_id, user_id, reset_token_hash, reset_expires_at) values ($1, $2, $3, $4)
         on conflict (site_id, user_id) do update set reset_token_hash = $3, reset_expires_at = $4`,
        [siteId, userId, tokenHash, expiresAt],
      );
    },
    async takeReset(tokenHash, now) {
      const { rows } = await sql.query<{ user_id: string; reset_expires_at: string | number }>(
        `with pending as (select user_id, reset_expires_at from user_passwords where site_id = $1 and reset_token_hash = $2 for update)
         update user_passwords p set reset_token_hash = null, reset_expires_at = null from pending
         where p.site_id = $1 and p.user_id = pending.user_id returning pending.user_id, pending.reset_expires_at`,
        [siteId, tokenHash],
      );
      const row = rows[0];
      return row && Number(row.reset_expires_at) > now ? row.user_id : null;
    },
  };
}
