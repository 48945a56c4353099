import { afterAll } from 'vitest';
import { openPg } from '../src/db/pg.ts';
import { createSqlSeriesStore } from '../src/series/pglite-series-store.ts';
import { seriesStoreContract } from './series-store.contract.ts';
import { startPostgres } from './support/postgres.ts';

// The embedded series store's SQL on a real PostgreSQL server (Debian's `postgresql`), through
// the same adapter: proof that the one schema and its queries are plain PostgreSQL.
const server = startPostgres();
server.catch(() => undefined); // reported by every test, with how to install PostgreSQL
const client = server.then((s) => openPg(s.url()));
client.catch(() => undefined);
afterAll(async () => {
  await (await client.catch(() => undefined))?.close();
  await (await server.catch(() => undefined))?.stop();
});

seriesStoreContract('PostgreSQL server (embedded adapter over pg)', async () => {
  const db = await client;
  const store = await createSqlSeriesStore(db, { ownsClient: false });
  await db.exec('truncate device_events, footfall_minute, footfall_hourly, env_minute, device_status, uplinks');
  return store;
});
