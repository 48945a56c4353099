import type { FootfallMinute } from '@atrium/shared';
import type { SqlClient, SqlTx } from '../db/sql-client.ts';
import { HOUR_MS, addHour, emptyTotals } from './hourly.ts';
import type { HourlyRange, HourlyTotals } from './series-store.ts';

/**
 * The embedded store's hourly rollup (table `footfall_hourly`, migration 9), kept in the
 * uplink's own transaction, so it is exactly as current as the minute rows.
 *
 * One row per subject and UTC day holding that day's 24 hourly `in` and `out` sums (null: no
 * record in that hour). A day per row rather than an hour per row because reading is what it
 * is for: a refresh reads a year of hours for every series, and per-row cost dominates in the
 * embedded engine (measured on 1,490 series: rows of single hours scanned at ~4 µs each and
 * decoded in JavaScript at ~50 µs each under load; a day per row is 24× fewer of both, and the
 * read packs each subject's days into one text value). A record counts in the hour its
 * `minute` falls in, exactly as the minute rows bucket it.
 */

const DAY_MS = 24 * HOUR_MS;

interface DayRow {
  k: string;
  s: string;
  d: number;
  i: (number | null)[];
  o: (number | null)[];
}

/** An uplink's footfall records summed per subject, UTC day and hour. */
export function hourlyRowsOf(footfall: readonly FootfallMinute[]): DayRow[] {
  const rows = new Map<string, DayRow>();
  for (const f of footfall) {
    const hour = Math.floor(f.minute / HOUR_MS);
    const d = Math.floor(hour / 24);
    const key = `${f.subjectKind}\u0000${f.subjectId}\u0000${d}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { k: f.subjectKind, s: f.subjectId, d, i: new Array(24).fill(null), o: new Array(24).fill(null) }));
    const h = hour - d * 24;
    row.i[h] = (row.i[h] ?? 0) + f.in;
    row.o[h] = (row.o[h] ?? 0) + f.out;
  }
  return [...rows.values()];
}

/** Inside the uplink's transaction, after its minute rows: adds its records to the hours they fall in. */
export async function addToHourlyRollup(tx: SqlTx, siteId: string, footfall: readonly FootfallMinute[]): Promise<void> {
  const rows = hourlyRowsOf(footfall);
  if (rows.length === 0) return;
  await tx.query(
    `insert into footfall_hourly (site_id, subject_kind, subject_id, day, in_h, out_h)
       select $1, k, s, d, i, o from jsonb_to_recordset($2::jsonb) as x(k text, s text, d bigint, i bigint[], o bigint[])
     on conflict (site_id, subject_kind, subject_id, day) do update set
       in_h = footfall_hours_add(footfall_hourly.in_h, excluded.in_h),
       out_h = footfall_hours_add(footfall_hourly.out_h, excluded.out_h)`,
    [siteId, JSON.stringify(rows)],
  );
}

/**
 * Hourly totals from the rollup: one query, one row per subject whose days come packed as
 * `day:in,in,…:out,out,…;…` (an empty item is a null hour).
 */
export async function readHourlyRollup(db: Pick<SqlClient, 'query'>, range: HourlyRange): Promise<HourlyTotals[]> {
  const totals = emptyTotals(range);
  if (totals.size === 0 || range.to === range.from) return [...totals.values()];
  const { rows } = await db.query<{ subject_id: string; h: string }>(
    `select subject_id, string_agg(day::text || ':' || array_to_string(in_h, ',', '') || ':' || array_to_string(out_h, ',', ''), ';') as h
       from footfall_hourly
      where site_id = $1 and subject_kind = $2 and subject_id = any($3::text[]) and day >= $4 and day <= $5
      group by subject_id`,
    [range.siteId, range.subjectKind, [...totals.keys()], Math.floor(range.from / DAY_MS), Math.floor((range.to - 1) / DAY_MS)],
  );
  for (const r of rows) {
    const t = totals.get(r.subject_id);
    if (!t) continue;
    for (const item of r.h.split(';')) {
      const [day, ins, outs] = item.split(':') as [string, string, string];
      const first = (Number(day) * DAY_MS - range.from) / HOUR_MS;
      const i = ins.split(',');
      const o = outs.split(',');
      for (let h = 0; h < 24; h++) {
        const x = i[h];
        // '' is a null hour (nothing stored), not zero: Number('') would say 0.
        if (x === undefined || x === '') continue;
        addHour(t, first + h, Number(x), Number(o[h] || 0));
      }
    }
  }
  return [...totals.values()];
}
