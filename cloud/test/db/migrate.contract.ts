import { describe, expect, it } from 'vitest';
import { migrate, type Migration } from '../../src/db/migrate.ts';
import { MIGRATIONS } from '../../src/db/migrations.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';

export interface MigrationFixture {
  /** A client on an empty database, and a second client on the same database (another pool, or the same engine where there can be only one). */
  fresh(): Promise<{ db: SqlClient; other: SqlClient }>;
}

const ledger = async (db: SqlClient) => (await db.query<{ id: number; name: string }>('select id, name from schema_migrations order by id')).rows;
const exists = async (db: SqlClient, table: string) => (await db.query<{ t: string | null }>('select to_regclass($1)::text as t', [table])).rows[0]!.t !== null;

/** What the migration runner must do on every engine the cloud runs on. */
export function migrationContract(name: string, fixture: MigrationFixture) {
  describe(`migration runner: ${name}`, () => {
    it('brings an empty database to the current schema once; a second start applies nothing', async () => {
      const { db } = await fixture.fresh();
      expect(await migrate(db)).toEqual(MIGRATIONS.map((m) => m.id));
      expect(await ledger(db)).toEqual(MIGRATIONS.map((m) => ({ id: m.id, name: m.name })));
      for (const table of ['uplinks', 'influx_outbox', 'alarms', 'users', 'forecast_series', 'webhook_attempts']) expect(await exists(db, table)).toBe(true);
      expect(await migrate(db)).toEqual([]);
    });

    it('two clients migrating the same empty database at once both succeed, and each migration is applied once', async () => {
      const { db, other } = await fixture.fresh();
      const [a, b] = await Promise.all([migrate(db), migrate(other)]);
      expect([...a, ...b].sort((x, y) => x - y)).toEqual(MIGRATIONS.map((m) => m.id));
      expect(await ledger(db)).toHaveLength(MIGRATIONS.length);
    });

    it('runs a migration as the server reads it: a ";" inside a string literal, a comment or a $$ body is text', async () => {
      const { db } = await fixture.fresh();
      const tricky: Migration = {
        id: 1,
        name: 'semicolons where a naive split would break',
        sql: `
          create table notes (id integer primary key, body text not null);
          insert into notes values (1, 'first; second');
          -- a comment; it ends at the line's end, apostrophe and all
          create function shout(t text) returns text language plpgsql as $$
            begin
              return upper(t) || '; loudly';
            end;
          $$;
          insert into notes values (2, shout('hi')), (3, $tag$semi;colon$tag$);
        `,
      };
      expect(await migrate(db, [tricky])).toEqual([1]);
      expect((await db.query<{ body: string }>('select body from notes order by id')).rows.map((r) => r.body)).toEqual(['first; second', 'HI; loudly', 'semi;colon']);
    });

    it('a failing migration leaves nothing of itself behind and says which one failed; the ones before it stay', async () => {
      const { db } = await fixture.fresh();
      const first: Migration = { id: 1, name: 'shops', sql: `create table shops (id text primary key); insert into shops values ('coffee');` };
      const broken: Migration = {
        id: 2,
        name: 'shop hours',
        sql: `create table shop_hours (shop_id text not null); insert into shop_hours values ('coffee'); alter table shops add column opens text; insert into no_such_table values (1);`,
      };
      const err = await migrate(db, [first, broken]).then(() => null, (e: unknown) => e as Error & { code: string });
      expect(err?.code).toBe('ATRIUM_MIGRATION_FAILED');
      expect(err?.message).toMatch(/migration 2 "shop hours" failed and was rolled back: .*no_such_table.*does not exist/);
      // Migration 1 was committed on its own; nothing of migration 2 is there, not even its first statements.
      expect(await ledger(db)).toEqual([{ id: 1, name: 'shops' }]);
      expect(await exists(db, 'shops')).toBe(true);
      expect(await exists(db, 'shop_hours')).toBe(false);
      expect((await db.query<{ column_name: string }>(`select column_name from information_schema.columns where table_name = 'shops'`)).rows.map((r) => r.column_name)).toEqual(['id']);

      // Mended, the next start applies it.
      const mended = { ...broken, sql: broken.sql.replace('insert into no_such_table values (1);', '') };
      expect(await migrate(db, [first, mended])).toEqual([2]);
      expect((await db.query<{ shop_id: string }>('select shop_id from shop_hours')).rows).toEqual([{ shop_id: 'coffee' }]);
    });

    it('applies migrations in id order whatever order they are listed in', async () => {
      const { db } = await fixture.fresh();
      const later: Migration = { id: 2, name: 'index', sql: 'create index things_name on things (name);' };
      const earlier: Migration = { id: 1, name: 'things', sql: 'create table things (name text);' };
      expect(await migrate(db, [later, earlier])).toEqual([1, 2]);
    });
  });
}
