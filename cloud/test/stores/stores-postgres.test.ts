import { afterAll } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { openPg } from '../../src/db/pg.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';
import { startPostgres } from '../support/postgres.ts';
import { calendarStoreContract } from './calendar-store.contract.ts';
import { emptyStoreTables, type StoreDbFixture } from './fixture.ts';
import { forecastStoreContract } from './forecast-store.contract.ts';
import { merchantStoresContract } from './merchant-stores.contract.ts';

// One real PostgreSQL server (Debian's `postgresql`) for the file: the contracts share one
// database emptied per test, reached through two pools (two cloud processes); each restart
// case gets a database of its own.
const server = startPostgres();
server.catch(() => undefined); // reported by every test that needs it, with how to install PostgreSQL
let shared: Promise<{ db: SqlClient; other: SqlClient }> | undefined;
afterAll(async () => {
  const pools = await shared?.catch(() => undefined);
  await pools?.db.close();
  await pools?.other.close();
  await (await server.catch(() => undefined))?.stop();
});

let databases = 0;
const fixture: StoreDbFixture = {
  async fresh() {
    shared ??= server.then(async (s) => {
      const db = await openPg(s.url());
      await migrate(db);
      return { db, other: await openPg(s.url()) };
    });
    const pools = await shared;
    await emptyStoreTables(pools.db);
    return pools;
  },
  async durable() {
    const url = await (await server).createDatabase(`stores_restart_${++databases}`);
    const db = await openPg(url);
    await migrate(db);
    return { db, reopen: () => openPg(url) };
  },
};

forecastStoreContract('PostgreSQL server', fixture);
calendarStoreContract('PostgreSQL server', fixture);
merchantStoresContract('PostgreSQL server', fixture);
