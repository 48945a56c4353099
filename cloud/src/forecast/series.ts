import { basename } from 'node:path';
import { z } from 'zod';
import { parseWallClockHour } from './clock.ts';
import { parsedCell, readCsvRecords, readLines, rowError } from './csv.ts';

/**
 * Hourly pedestrian counts: validated CSV rows and the per-sensor hourly series built from them.
 */

const CountRowSchema = z.object({
  time_local: parsedCell(parseWallClockHour),
  sensor_id: z.string().trim().min(1, 'sensor id is empty'),
  sensor: z.string().trim().min(1, 'sensor name is empty'),
  count: z
    .string()
    .trim()
    .regex(/^\d+$/, 'expected a non-negative whole number')
    .transform(Number)
    .pipe(z.number().max(Number.MAX_SAFE_INTEGER, 'count is too large')),
});

const COUNT_COLUMNS = ['time_local', 'sensor_id', 'sensor', 'count'] as const;

export interface CountRow {
  /** Wall-clock hour number (see clock.ts). */
  hour: number;
  sensorId: string;
  sensor: string;
  count: number;
  /** Line in the source file, kept so later checks can point at it. */
  line: number;
}

/** One sensor's counts on a gap-free wall-clock hour grid; NaN marks an hour with no count. */
export interface HourlySeries {
  sensorId: string;
  sensor: string;
  /** Wall-clock hour number of values[0]. */
  start: number;
  values: Float64Array;
}

/** Validates count records as they stream in; throws on the first bad row. */
export async function parseCountLines(lines: AsyncIterable<string> | Iterable<string>, source = 'counts'): Promise<CountRow[]> {
  const rows: CountRow[] = [];
  for await (const rec of readCsvRecords(lines, COUNT_COLUMNS, source)) {
    const parsed = CountRowSchema.safeParse(rec.values);
    if (!parsed.success) throw rowError(source, rec.line, parsed.error, rec.values);
    const { time_local, sensor_id, sensor, count } = parsed.data;
    rows.push({ hour: time_local, sensorId: sensor_id, sensor, count, line: rec.line });
  }
  return rows;
}

/** Reads a counts CSV (gzip'd when the name ends in .gz). */
export function readCountsCsv(path: string): Promise<CountRow[]> {
  return parseCountLines(readLines(path), basename(path));
}

/**
 * Groups rows into one series per sensor on the wall-clock grid. When an hour appears twice
 * (the repeated hour when daylight saving ends) the first count wins: it is the earlier
 * real hour, and keeping one makes every day 24 slots long.
 */
export function buildSeries(rows: readonly CountRow[]): HourlySeries[] {
  const bySensor = new Map<string, { sensor: string; rows: CountRow[]; min: number; max: number }>();
  for (const row of rows) {
    let entry = bySensor.get(row.sensorId);
    if (!entry) {
      entry = { sensor: row.sensor, rows: [], min: row.hour, max: row.hour };
      bySensor.set(row.sensorId, entry);
    }
    entry.rows.push(row);
    if (row.hour < entry.min) entry.min = row.hour;
    if (row.hour > entry.max) entry.max = row.hour;
  }
  const out: HourlySeries[] = [];
  for (const [sensorId, entry] of bySensor) {
    const values = new Float64Array(entry.max - entry.min + 1).fill(Number.NaN);
    for (const row of entry.rows) {
      const i = row.hour - entry.min;
      if (Number.isNaN(values[i])) values[i] = row.count;
    }
    out.push({ sensorId, sensor: entry.sensor, start: entry.min, values });
  }
  return out.sort((a, b) => a.sensorId.localeCompare(b.sensorId, 'en', { numeric: true }));
}

/** Count at a wall-clock hour, NaN outside the series or where missing. */
export function valueAt(series: HourlySeries, hour: number): number {
  const i = hour - series.start;
  return i >= 0 && i < series.values.length ? (series.values[i] as number) : Number.NaN;
}

/** Wall-clock hour just after the last slot of the series. */
export function seriesEnd(series: HourlySeries): number {
  return series.start + series.values.length;
}
