import { Errors } from '../errors.ts';
import { MIGRATIONS } from './migrations.ts';
import type { SqlClient } from './sql-client.ts';

export interface Migration {
  readonly id: number;
  readonly name: string;
  /** one script, any number of statements; the server parses it */
  readonly sql: string;
}

/**
 * One advisory-lock key for every Atrium process on a database ("atrium" in ASCII). The lock
 * is taken with pg_advisory_xact_lock, so the server releases it at commit or rollback, even
 * when the process holding it dies: nothing to unlock by hand.
 */
const MIGRATION_LOCK = 0x61_74_72_69_75_6d;

const LEDGER = 'create table if not exists schema_migrations (id integer primary key, name text not null, applied_at bigint not null)';

/**
 * Applies pending migrations in id order and returns the ids this call applied. Each
 * migration runs in its own transaction that first takes the migration lock, then reads the
 * ledger again: a process that waited for the lock sees what the holder committed and skips
 * it, so two processes starting on one empty database apply every migration exactly once.
 * A migration's text goes to the server whole, as one multi-statement script. A failing
 * migration rolls back entirely (DDL is transactional in PostgreSQL), ledger row included.
 */
export async function migrate(db: SqlClient, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const ordered = [...migrations].sort((a, b) => a.id - b.id);
  const applied: number[] = [];
  for (;;) {
    const next = await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      // Under the lock: two first starts would otherwise race on creating the ledger itself.
      await tx.exec(LEDGER);
      const done = new Set((await tx.query<{ id: number }>('select id from schema_migrations')).rows.map((r) => r.id));
      const m = ordered.find((x) => !done.has(x.id));
      if (!m) return null;
      try {
        await tx.exec(m.sql);
      } catch (err) {
        throw Object.assign(new Errors.MigrationFailed(m.id, m.name, (err as Error).message), { cause: err });
      }
      await tx.query('insert into schema_migrations (id, name, applied_at) values ($1, $2, $3)', [m.id, m.name, Date.now()]);
      return m.id;
    });
    if (next === null) return applied;
    applied.push(next);
  }
}
