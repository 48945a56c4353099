import { HttpError } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import { ConfigError } from '@atrium/shared';
import type { SqlClient } from '../db/sql-client.ts';
import { bucketOf, describeFailure, fromClause, type InfluxClient, type InfluxTarget } from './influx-http.ts';
import type { InfluxSeriesStoreOptions } from './influx-store-types.ts';

/** Start-up refused: the message says which variable to fix. */
export class InfluxConfigError extends ConfigError {
  override name = 'InfluxConfigError';
}

/**
 * Start-up checks, each failure naming what to fix: the URL answers as InfluxDB, the
 * credentials are accepted, the databases (and retention policies) exist. A server that
 * cannot be reached is waited for up to `startupTimeoutMs` — unless this data directory has
 * written to that very target before: then it is an outage, not a mistake, and the store
 * starts buffering (returns the reason).
 */
export async function verifyInfluxTargets(
  client: InfluxClient,
  sql: SqlClient,
  opts: Pick<InfluxSeriesStoreOptions, 'minute' | 'rollup' | 'startupTimeoutMs'>,
  logger?: Logger,
): Promise<{ error: string } | undefined> {
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
        if (err instanceof HttpError && err.statusCode === 401) {
          throw new InfluxConfigError(`InfluxDB at ${url} refused the credentials (${reason}): check ATRIUM_INFLUX_TOKEN, or ATRIUM_INFLUX_USERNAME and ATRIUM_INFLUX_PASSWORD`);
        }
        if (err instanceof HttpError && err.statusCode === 403) {
          // Authenticated, not authorised. A 1.x user without privileges cannot tell a missing
          // database from one it may not use, so the message covers both.
          throw new InfluxConfigError(
            `InfluxDB at ${url} accepted the credentials but refused access to database "${target.db}" (${dbVar}) (${reason}): check the name, create the database if it is missing, and let the user read and write it — 1.x: GRANT ALL ON "${target.db}" TO <user>; 2.x/3.x: a token with read and write permission on it`,
          );
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
