import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { lockDataDir } from './data-dir-lock.ts';
import type { SqlClient } from './sql-client.ts';

/**
 * PGlite's WASM file layer creates its files world-writable whatever the umask. The directory
 * is made 0700 (so nothing inside is reachable by another user, including files PGlite creates
 * later) and what exists after opening is tightened to 0700/0600.
 */
function makePrivate(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) makePrivate(path);
    else if (entry.isFile()) chmodSync(path, 0o600);
  }
}

/**
 * The embedded engine: a real PostgreSQL (WASM) persisted in `dataDir`, so `npm start`
 * needs no server and a restart keeps everything. `memory://` gives a throwaway store.
 */
export async function openPglite(dataDir: string): Promise<SqlClient> {
  const onDisk = !dataDir.startsWith('memory://');
  if (onDisk) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
  }
  const release = onDisk ? lockDataDir(dataDir) : () => undefined;
  const db = await PGlite.create(dataDir).catch((err: unknown) => {
    release();
    throw err;
  });
  if (onDisk) makePrivate(dataDir);
  return {
    query: (sql, params) => db.query(sql, params),
    exec: (sql) => db.exec(sql),
    // PGlite's transaction object has exec too: a whole script inside the transaction.
    transaction: (fn) => db.transaction((tx) => fn(tx)),
    close: async () => {
      await db.close();
      release();
    },
  };
}
