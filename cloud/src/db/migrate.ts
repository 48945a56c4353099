import { MIGRATIONS } from './migrations.ts';
import type { SqlClient } from './sql-client.ts';

/** Applies pending migrations in order, each in its own transaction; returns the ids applied. */
export async function migrate(db: SqlClient): Promise<number[]> {
  await db.exec('create table if not exists schema_migrations (id integer primary key, name text not null, applied_at bigint not null)');
  const done = new Set((await db.query<{ id: number }>('select id from schema_migrations')).rows.map((r) => r.id));
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.id)) continue;
    await db.transaction(async (tx) => {
      for (const statement of m.sql.split(';').map((s) => s.trim()).filter(Boolean)) await tx.query(statement);
      await tx.query('insert into schema_migrations (id, name, applied_at) values ($1, $2, $3)', [m.id, m.name, Date.now()]);
    });
    applied.push(m.id);
  }
  return applied;
}
