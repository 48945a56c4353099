import type { SubjectKind } from '@atrium/shared';
import type { SeriesStore } from '../series/series-store.ts';
import type { HourlySeries } from './series.ts';
import { localHourStart, utcOffsetMs } from './zone-clock.ts';

/**
 * Reads footfall history from the series store onto the forecaster's wall-clock grid.
 *
 * The store buckets real hours; the model wants local clock hours (clock.ts). Each real hour
 * maps to the slot its local start shows: when daylight saving ends the repeated hour's two
 * real hours share a slot and the first count wins (as in the backtest loader); when it
 * starts, the skipped slot stays empty. An hour the store has no rows for is missing (NaN),
 * not zero: counters report zeros while they are up, so absence means the counter was down.
 */

export const MS_PER_HOUR = 3_600_000;

/** Real hours [from, from + n·1h) and the wall-clock slot each one starts in. */
export interface HourGrid {
  timeZone: string;
  from: number;
  hours: number;
  /** slot (clock.ts hour number) of real hour k */
  slot: Float64Array;
}

/** `from` is moved to the start of its local hour, so buckets line up with the local clock in every timezone. */
export function createHourGrid(timeZone: string, from: number, to: number): HourGrid {
  const start = localHourStart(timeZone, from);
  const hours = Math.max(0, Math.ceil((to - start) / MS_PER_HOUR));
  const slot = new Float64Array(hours);
  const at = (k: number) => {
    const t = start + k * MS_PER_HOUR;
    return { offset: utcOffsetMs(timeZone, t), t };
  };
  // Offsets change a couple of times a year, never twice in a day: ask Intl once a day, and hour
  // by hour only across a day whose two ends differ (a year of hours is 9,000 Intl calls otherwise).
  for (let day = 0; day < hours; day += 24) {
    const end = Math.min(hours - 1, day + 24);
    const a = at(day).offset;
    const same = at(end).offset === a;
    for (let k = day; k <= end && k < hours; k++) {
      const t = start + k * MS_PER_HOUR;
      slot[k] = Math.floor((t + (same ? a : utcOffsetMs(timeZone, t))) / MS_PER_HOUR);
    }
  }
  return { timeZone, from: start, hours, slot };
}

/** Slot of the real hour starting at `t` (which must be on the grid). */
export function slotAt(grid: HourGrid, t: number): number {
  const k = Math.round((t - grid.from) / MS_PER_HOUR);
  const s = grid.slot[k];
  if (s === undefined) throw new RangeError(`hour ${new Date(t).toISOString()} is outside the grid`);
  return s;
}

type HistoryQuery = { siteId: string; subjectKind: SubjectKind; subjectIds: readonly string[]; grid: HourGrid; to: number };

/** An all-missing series per subject over the grid's slots up to `to`, and the number of real hours read. */
function emptyHistories(q: HistoryQuery): { out: Map<string, HourlySeries>; hours: number } {
  const { grid } = q;
  const to = Math.min(q.to, grid.from + grid.hours * MS_PER_HOUR);
  const hours = Math.max(0, Math.round((to - grid.from) / MS_PER_HOUR));
  const first = grid.slot[0] ?? 0;
  const last = hours > 0 ? (grid.slot[hours - 1] as number) : first - 1;
  const out = new Map<string, HourlySeries>();
  for (const id of q.subjectIds) {
    out.set(id, { sensorId: id, sensor: `${q.subjectKind} ${id}`, start: first, values: new Float64Array(Math.max(0, last - first + 1)).fill(Number.NaN) });
  }
  return { out, hours };
}

/** Puts real hour k's count in its wall-clock slot; the repeated DST hour keeps its first (earlier) count. */
function place(series: HourlySeries, grid: HourGrid, k: number, count: number): void {
  const slot = grid.slot[k];
  if (slot === undefined) return;
  const i = slot - series.start;
  if (Number.isNaN(series.values[i])) series.values[i] = count;
}

/**
 * Hourly `in` counts of every listed subject of one kind over [grid.from, to), one series per
 * subject on the wall-clock grid (a subject without any row gets an all-missing series).
 *
 * Read from the store's hourly rollups in one query for all the listed subjects (callers pass
 * a chunk, not a whole mall). A timezone whose hours do not start on UTC hours (e.g. UTC+9:30)
 * cannot be served by UTC-hour rollups; its history is read from minute rows instead.
 */
export async function loadHourlyHistory(store: Pick<SeriesStore, 'footfall' | 'footfallHours'>, q: HistoryQuery): Promise<Map<string, HourlySeries>> {
  if (q.grid.from % MS_PER_HOUR !== 0) return loadHistoryFromMinutes(store, q);
  const { out, hours } = emptyHistories(q);
  if (hours === 0) return out;
  const totals = await store.footfallHours({ siteId: q.siteId, subjectKind: q.subjectKind, subjectIds: [...out.keys()], from: q.grid.from, to: q.grid.from + hours * MS_PER_HOUR });
  for (const t of totals) {
    const series = out.get(t.subjectId);
    if (!series) continue;
    for (let k = 0; k < t.in.length; k++) {
      const v = t.in[k] as number;
      if (!Number.isNaN(v)) place(series, q.grid, k, v);
    }
  }
  return out;
}

/**
 * The same history from minute rows: one query per subject, each bucketing a year of minute
 * rows by the hour. What the refresh read before the rollups (the bench's baseline), and the
 * path for timezones off the UTC hour.
 */
export async function loadHistoryFromMinutes(store: Pick<SeriesStore, 'footfall'>, q: HistoryQuery): Promise<Map<string, HourlySeries>> {
  const { grid } = q;
  const { out, hours } = emptyHistories(q);
  const to = grid.from + hours * MS_PER_HOUR;
  for (const [id, series] of out) {
    if (hours === 0) break;
    const points = await store.footfall({ siteId: q.siteId, subjectKind: q.subjectKind, subjectId: id, from: grid.from, to, everyMs: MS_PER_HOUR });
    // Points come in time order, so "first count wins" for the repeated DST hour is "first seen wins".
    for (const p of points) place(series, grid, Math.round((p.t - grid.from) / MS_PER_HOUR), p.in);
  }
  return out;
}
