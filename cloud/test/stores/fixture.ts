import type { SqlClient } from '../../src/db/sql-client.ts';

/** How a contract reaches a database; each engine's test file provides one. */
export interface StoreDbFixture {
  /**
   * A migrated database with no forecast, calendar or merchant rows (engines may be shared and
   * emptied), and a second client on the same data: another pool on a server, the same engine
   * for PGlite (one process owns a PGlite database).
   */
  fresh(): Promise<{ db: SqlClient; other: SqlClient }>;
  /** A migrated database on durable data, and a client on the same data once the first is closed: a cloud restart. */
  durable(): Promise<{ db: SqlClient; reopen(): Promise<SqlClient> }>;
}

/** Empties the tables of migration 4 (as migration 11 left them; restarts their numbering): a fresh store on a shared engine. */
export const emptyStoreTables = (db: SqlClient) =>
  db.exec('truncate forecast_runs, forecast_series, calendar_entries, merchant_subscriptions, merchant_alerts, webhook_deliveries, webhook_attempts restart identity');
