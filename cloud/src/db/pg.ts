import pg from 'pg';
import type { Logger } from 'pino';
import { ConfigError } from '@atrium/shared';
import type { SqlClient, SqlTx } from './sql-client.ts';

/** Start-up refused: the message says what to fix (the server, the database, the URL). */
export class PgConfigError extends ConfigError {
  override name = 'PgConfigError';
}

export interface PgOptions {
  /** connections in the pool */
  max?: number;
  /** how long one connection attempt may take (pg's own default is to wait for ever) */
  connectTimeoutMs?: number;
  /** the variable the URL came from, named in errors */
  variable?: string;
  log?: Pick<Logger, 'warn'>;
}

/** The same rule PGlite applies to int8: a number while it is exact, a BigInt beyond. */
const parseInt8 = (text: string): number | bigint => {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
};
const INT8 = 20;
const INT8_ARRAY = 1016;

function pgliteTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8, parseInt8);
  // pg's own int8[] parser (taken before the override) gives strings; each goes through the rule above.
  const int8Strings = types.getTypeParser(INT8_ARRAY, 'text') as unknown as (text: string) => (string | null)[];
  types.setTypeParser(INT8_ARRAY, (text: string) => int8Strings(text).map((v) => (v === null ? null : parseInt8(v))));
  return types;
}

/** host:port/database and user, never the password: what the operator needs to recognise the target. */
function describeTarget(url: URL): string {
  const host = url.hostname || 'localhost';
  const db = decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username) || '(default)';
  return `${host}:${url.port || '5432'}/${db}${url.username ? ` as ${decodeURIComponent(url.username)}` : ''}`;
}

/** Node reports a refused dual-stack connect as an AggregateError with an empty message. */
function describeFailure(err: unknown): string {
  const e = err as { code?: string; message?: string; errors?: unknown[] };
  const inner = e.errors?.[0] as { message?: string } | undefined;
  return [e.code, e.message || inner?.message].filter(Boolean).join(' ') || String(err);
}

function startupError(err: unknown, url: URL, variable: string): PgConfigError {
  const target = describeTarget(url);
  const code = (err as { code?: string }).code;
  const why = describeFailure(err);
  switch (code) {
    case '3D000':
      return new PgConfigError(`PostgreSQL at ${target}: the database does not exist (${why}) — create it (createdb) or fix the database name in ${variable}`);
    case '28P01':
    case '28000':
      return new PgConfigError(`PostgreSQL at ${target} refused the login (${why}) — check the user and password in ${variable}`);
    case '57P03':
      return new PgConfigError(`PostgreSQL at ${target} is starting up or shutting down (${why}) — start the cloud once the server accepts connections`);
  }
  // Node's network errors (ECONNREFUSED, ENOTFOUND, ETIMEDOUT …) and pg's own timeout have no SQLSTATE.
  if (!code || !/^[0-9A-Z]{5}$/.test(code) || /timeout/i.test(why)) {
    return new PgConfigError(`cannot connect to PostgreSQL at ${target}: ${why} — check ${variable} and that the server is running`);
  }
  return new PgConfigError(`PostgreSQL at ${target} refused the connection: ${why} — check ${variable}`);
}

/**
 * A PostgreSQL server behind the same SqlClient as the embedded engine, so one store adapter
 * serves both. Results are typed as PGlite types them (int8 a number while exact, json
 * parsed). Parameters go as `pg` sends them: numbers, strings, booleans, null and bigint the
 * same as PGlite; pass JSON as a string (JSON.stringify, then `$n::jsonb`), because a JS
 * array becomes a PostgreSQL array literal here but JSON in PGlite. A transaction runs on
 * one checked-out connection. Checks the connection before returning, so a wrong URL,
 * a server that is down or a missing database stops start-up with what to fix.
 */
export async function openPg(url: string, opts: PgOptions = {}): Promise<SqlClient> {
  const variable = opts.variable ?? 'ATRIUM_DATABASE_URL';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PgConfigError(`${variable} is not a URL: expected postgres://user:password@host:5432/database`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new PgConfigError(`${variable} must be a postgres:// or postgresql:// URL, not ${parsed.protocol}//`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    application_name: 'atrium-cloud',
    types: pgliteTypes(),
  });
  // An idle connection dropped by the server (restart, failover) must not crash the process:
  // the pool discards it and the next query opens a new one.
  pool.on('error', (err) => opts.log?.warn({ err }, 'PostgreSQL closed an idle connection; the pool will open a new one'));

  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw startupError(err, parsed, variable);
  }

  const query = async <T>(sql: string, params?: unknown[]) => ({ rows: (await pool.query(sql, params)).rows as T[] });
  return {
    query,
    exec: (sql) => pool.query(sql),
    async transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let open = false;
      let broken: Error | undefined;
      const tx: SqlTx = {
        async query<R>(sql: string, params?: unknown[]) {
          if (!open) throw new Error('the transaction is closed');
          return { rows: (await client.query(sql, params)).rows as R[] };
        },
        async exec(sql: string) {
          if (!open) throw new Error('the transaction is closed');
          // No parameters: pg uses the simple query protocol, which takes several statements.
          await client.query(sql);
        },
        async rollback() {
          if (!open) return;
          open = false;
          await client.query('rollback');
        },
      };
      try {
        await client.query('begin');
        open = true;
        const out = await fn(tx);
        if (open) {
          open = false;
          await client.query('commit');
        }
        return out;
      } catch (err) {
        open = false;
        // Also after a failed commit: a rollback outside a transaction is only a warning, and
        // if it fails the connection itself is gone and must not go back to the pool.
        await client.query('rollback').catch((e: Error) => (broken = e));
        throw err;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
