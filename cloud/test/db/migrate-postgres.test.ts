import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openPg } from '../../src/db/pg.ts';
import { MIGRATIONS } from '../../src/db/migrations.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';
import { REPO } from '../../../tests/support/processes.ts';
import { startPostgres } from '../support/postgres.ts';
import { migrationContract } from './migrate.contract.ts';

// One real PostgreSQL server for the file, a new empty database per test.
const server = startPostgres();
server.catch(() => undefined); // reported by every test that needs it, with how to install PostgreSQL
const opened: SqlClient[] = [];
afterAll(async () => {
  for (const db of opened) await db.close();
  await (await server.catch(() => undefined))?.stop();
});

let databases = 0;
const emptyDatabase = async () => (await server).createDatabase(`migrate_${++databases}`);
const open = async (url: string) => {
  const db = await openPg(url, { max: 3 });
  opened.push(db);
  return db;
};

migrationContract('PostgreSQL server', {
  async fresh() {
    const url = await emptyDatabase();
    return { db: await open(url), other: await open(url) };
  },
});

const CHILD = fileURLToPath(new URL('./migrate-process.ts', import.meta.url));

/** A cloud-like process that migrates `url` when told "go"; resolves once it is connected and waiting. */
async function migrator(url: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.startsWith('ready\n')) resolve();
    });
    void exited.then((code) => reject(new Error(`migrator exited (${code}) before it was ready: ${err}`)));
  });
  return {
    child,
    go: () => child.stdin.write('go\n'),
    async result(): Promise<number[]> {
      const code = await exited;
      if (code !== 0) throw new Error(`migrator exited with ${code}: ${err}`);
      return (JSON.parse(out.slice('ready\n'.length)) as { applied: number[] }).applied;
    },
  };
}

describe('migration runner: two processes on one PostgreSQL server', () => {
  it('two processes starting at once on an empty database both succeed; each migration is applied exactly once', async () => {
    const url = await emptyDatabase();
    const procs = await Promise.all([migrator(url), migrator(url)]);
    try {
      // Both are connected and waiting: released together, they race for the same first migration.
      for (const p of procs) p.go();
      const [a, b] = await Promise.all(procs.map((p) => p.result()));
      expect([...a!, ...b!].sort((x, y) => x - y)).toEqual(MIGRATIONS.map((m) => m.id));
      const db = await open(url);
      const { rows } = await db.query<{ id: number; n: number }>('select id, count(*)::int as n from schema_migrations group by id order by id');
      expect(rows).toEqual(MIGRATIONS.map((m) => ({ id: m.id, n: 1 })));
    } finally {
      for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    }
  });
});
