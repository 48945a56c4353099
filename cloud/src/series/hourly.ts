import { Errors } from '../errors.ts';
import type { HourlyRange, HourlyTotals } from './series-store.ts';

/** Hourly totals as every adapter returns them (series-store.ts `footfallHours`). */

export const HOUR_MS = 3_600_000;

/** Hours in the range; refuses a range that is not on whole hours, so every adapter answers the same question. */
export function hoursOf(range: Pick<HourlyRange, 'from' | 'to'>): number {
  const { from, to } = range;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from % HOUR_MS !== 0 || to % HOUR_MS !== 0) {
    throw new Errors.InvalidRequest('from, to: hourly totals start and end on whole hours');
  }
  if (to < from) throw new Errors.InvalidRequest('to: must not be before from');
  return (to - from) / HOUR_MS;
}

/** Totals for each listed subject, every hour still missing (NaN), in the order asked. */
export function emptyTotals(range: HourlyRange): Map<string, HourlyTotals> {
  const hours = hoursOf(range);
  const out = new Map<string, HourlyTotals>();
  for (const id of range.subjectIds) {
    if (!out.has(id)) out.set(id, { subjectId: id, in: new Float64Array(hours).fill(Number.NaN), out: new Float64Array(hours).fill(Number.NaN) });
  }
  return out;
}

/** Adds one hour's counts (an hour seen twice, e.g. from two stores' parts, is summed). */
export function addHour(totals: HourlyTotals, k: number, inN: number, outN: number): void {
  if (k < 0 || k >= totals.in.length) return;
  const i = totals.in[k] as number;
  const o = totals.out[k] as number;
  totals.in[k] = Number.isNaN(i) ? inN : i + inN;
  totals.out[k] = Number.isNaN(o) ? outN : o + outN;
}
