import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { SqlClient } from './sql-client.ts';

/**
 * The embedded engine: a real PostgreSQL (WASM) persisted in `dataDir`, so `npm start`
 * needs no server and a restart keeps everything. `memory://` gives a throwaway store.
 */
export async function openPglite(dataDir: string): Promise<SqlClient> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  return {
    query: (sql, params) => db.query(sql, params),
    exec: (sql) => db.exec(sql),
    // PGlite's transaction object has exec too: a whole script inside the transaction.
    transaction: (fn) => db.transaction((tx) => fn(tx)),
    close: () => db.close(),
  };
}
