import { afterAll } from 'vitest';
import { openPglite } from '../../src/db/pglite.ts';
import { migrationContract } from './migrate.contract.ts';

// One in-memory engine for the file (starting PGlite costs seconds), emptied per test by
// recreating its only schema. One process owns a PGlite database, so "another client" is the
// same engine called twice at once.
const engine = openPglite('memory://');
afterAll(async () => (await engine).close());

migrationContract('embedded PGlite', {
  async fresh() {
    const db = await engine;
    await db.exec('drop schema public cascade; create schema public;');
    return { db, other: db };
  },
});
