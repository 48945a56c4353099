import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { calendarStoreContract } from './calendar-store.contract.ts';
import { emptyStoreTables, type StoreDbFixture } from './fixture.ts';
import { forecastStoreContract } from './forecast-store.contract.ts';
import { merchantStoresContract } from './merchant-stores.contract.ts';

// One in-memory engine for the file (starting PGlite costs seconds), emptied per test; the
// restart case gets its own engine on disk, closed and opened again on the same directory.
const engine = openPglite('memory://').then(async (db) => (await migrate(db), db));
const dirs: string[] = [];
afterAll(async () => {
  await (await engine).close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const fixture: StoreDbFixture = {
  async fresh() {
    const db = await engine;
    await emptyStoreTables(db);
    return { db, other: db };
  },
  async durable() {
    const dir = mkdtempSync(join(tmpdir(), 'atrium-stores-pglite-'));
    dirs.push(dir);
    const db = await openPglite(dir);
    await migrate(db);
    return { db, reopen: () => openPglite(dir) };
  },
};

forecastStoreContract('embedded PGlite', fixture);
calendarStoreContract('embedded PGlite', fixture);
merchantStoresContract('embedded PGlite', fixture);
