import type { SqlClient } from '../db/sql-client.ts';
import { Errors } from '../errors.ts';
import { isUniqueViolation } from '../db/sql-client.ts';
import type { CalendarEntry, CalendarEntryInput } from '@atrium/shared';

export interface CalendarStore {
  list(q?: { from?: string | undefined; to?: string | undefined }): Promise<CalendarEntry[]>;
  /** Fails with ATRIUM_CALENDAR_ENTRY_EXISTS when the same date, kind and name is there already. */
  add(input: CalendarEntryInput, by: string, at: number): Promise<CalendarEntry>;
  /** Adds the entries that are not there yet (same date, kind and name); returns how many were new. */
  ensure(inputs: readonly CalendarEntryInput[], by: string, at: number): Promise<number>;
  remove(id: number): Promise<boolean>;
}

interface Row {
  id: string | number;
  date: string;
  name: string;
  kind: CalendarEntry['kind'];
  factor: number | null;
  created_at: string | number;
  created_by: string;
}

const toEntry = (r: Row): CalendarEntry => ({ id: Number(r.id), date: r.date, name: r.name, kind: r.kind, factor: r.factor, createdAt: Number(r.created_at), createdBy: r.created_by });

/** The calendar in the operational database (migration 4); `db` must be migrated already. */
export function createCalendarStore(db: SqlClient, siteId: string): CalendarStore {
  return {
    async list(q = {}) {
      // ISO dates sort as text, so the range is a plain comparison.
      const { rows } = await db.query<Row>(
        `select * from calendar_entries where site_id = $1 and ($2::text is null or date >= $2) and ($3::text is null or date <= $3) order by date, id`,
        [siteId, q.from ?? null, q.to ?? null],
      );
      return rows.map(toEntry);
    },
    async add(input, by, at) {
      try {
        const { rows } = await db.query<Row>(
          `insert into calendar_entries (site_id, date, name, kind, factor, created_at, created_by) values ($1, $2, $3, $4, $5, $6, $7) returning *`,
          [siteId, input.date, input.name, input.kind, input.factor ?? null, at, by],
        );
        return toEntry(rows[0]!);
      } catch (err) {
        if (isUniqueViolation(err)) throw new Errors.CalendarEntryExists(`${input.kind} "${input.name}" on ${input.date}`);
        throw err;
      }
    },
    async ensure(inputs, by, at) {
      if (inputs.length === 0) return 0;
      const { rows } = await db.query<{ id: string }>(
        `insert into calendar_entries (site_id, date, name, kind, factor, created_at, created_by)
           select $1, x.date, x.name, x.kind, x.factor, $2, $3 from jsonb_to_recordset($4::jsonb) as x(date text, name text, kind text, factor double precision)
         on conflict (site_id, date, kind, name) do nothing returning id`,
        [siteId, at, by, JSON.stringify(inputs.map((i) => ({ date: i.date, name: i.name, kind: i.kind, factor: i.factor ?? null })))],
      );
      return rows.length;
    },
    async remove(id) {
      const { rows } = await db.query<{ id: string }>('delete from calendar_entries where site_id = $1 and id = $2 returning id', [siteId, id]);
      return rows.length > 0;
    },
  };
}
