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
  // Offsets change a couple of times a year: ask Intl once per hour, not once per point.
  for (let k = 0; k < hours; k++) {
    const t = start + k * MS_PER_HOUR;
    slot[k] = Math.floor((t + utcOffsetMs(timeZone, t)) / MS_PER_HOUR);
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

/**
 * Hourly `in` counts of every listed subject of one kind over [grid.from, to), one series per
 * subject on the wall-clock grid (a subject without any row gets an all-missing series).
 */
export async function loadHourlyHistory(
  store: Pick<SeriesStore, 'footfall'>,
  q: { siteId: string; subjectKind: SubjectKind; subjectIds: readonly string[]; grid: HourGrid; to: number },
): Promise<Map<string, HourlySeries>> {
  const { grid } = q;
  const to = Math.min(q.to, grid.from + grid.hours * MS_PER_HOUR);
  const hours = Math.max(0, Math.round((to - grid.from) / MS_PER_HOUR));
  const first = grid.slot[0] ?? 0;
  const last = hours > 0 ? (grid.slot[hours - 1] as number) : first - 1;
  const out = new Map<string, HourlySeries>();
  for (const id of q.subjectIds) {
    out.set(id, { sensorId: id, sensor: `${q.subjectKind} ${id}`, start: first, values: new Float64Array(Math.max(0, last - first + 1)).fill(Number.NaN) });
  }
  // One query per subject over the whole window: the store's (site, kind, subject, minute) index
  // answers it as one range scan, and no query materialises more than one series' hours.
  for (const [id, series] of out) {
    const points = await store.footfall({ siteId: q.siteId, subjectKind: q.subjectKind, subjectId: id, from: grid.from, to, everyMs: MS_PER_HOUR });
    for (const p of points) {
      const k = Math.round((p.t - grid.from) / MS_PER_HOUR);
      const slot = grid.slot[k];
      if (slot === undefined) continue;
      const i = slot - series.start;
      // Points come in time order, so "first count wins" for the repeated DST hour is "first seen wins".
      if (Number.isNaN(series.values[i])) series.values[i] = p.in;
    }
  }
  return out;
}
