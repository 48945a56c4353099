import { isHoliday, type Calendar } from './calendar.ts';
import { HOURS_PER_DAY, HOURS_PER_WEEK, dayOf, hourOfDay, weekdayOfDay } from './clock.ts';
import type { HourlySeries } from './series.ts';

/**
 * The seasonal base: what an hour "normally" looks like, from the same hour of the week in
 * recent weeks. Footfall is dominated by the weekly cycle (a Tuesday 08:00 looks like last
 * Tuesday 08:00 far more than like yesterday 08:00), so this carries most of the forecast;
 * the corrections in adjust.ts only scale it.
 */
export interface ProfileParams {
  /** How many earlier same-hour values to average. */
  weeks: number;
  /** How far back to look for them when some are missing or holidays. */
  maxWeeksBack: number;
  /**
   * Weight of the k-th most recent value is decay^k. Long enough memory to average out
   * week-to-week noise (the seasonal naive's weakness); the level and shape corrections,
   * not this average, are what follow recent changes.
   */
  decay: number;
  /**
   * Values are first clipped to [median / clip, median × clip] of their own set, so one
   * event night or half-counted outage hour cannot drag the weekly average.
   */
  clip: number;
}

function robustWeightedMean(xs: number[], p: ProfileParams): number {
  if (xs.length === 0) return Number.NaN;
  let lo = 0;
  let hi = Number.POSITIVE_INFINITY;
  if (xs.length >= 3) {
    const sorted = [...xs].sort((a, b) => a - b);
    const m = sorted[Math.floor(sorted.length / 2)] as number;
    lo = m / p.clip;
    hi = m * p.clip;
  }
  let sum = 0;
  let weights = 0;
  let w = 1;
  for (const x of xs) {
    sum += Math.min(hi, Math.max(lo, x)) * w;
    weights += w;
    w *= p.decay;
  }
  return sum / weights;
}

/**
 * Base for an ordinary day's hour t: the same hour 1, 2, … weeks earlier (and before
 * `cutoff`), skipping holidays (a holiday Monday says nothing about next Monday) and missing hours.
 */
function weekdayBase(series: HourlySeries, cal: Calendar, t: number, cutoff: number, p: ProfileParams): number {
  const xs: number[] = [];
  for (let k = 1; k <= p.maxWeeksBack && xs.length < p.weeks; k++) {
    const s = t - k * HOURS_PER_WEEK;
    const i = s - series.start;
    if (i < 0) break;
    if (s >= cutoff || i >= series.values.length || isHoliday(cal, dayOf(s))) continue;
    const v = series.values[i] as number;
    if (!Number.isNaN(v)) xs.push(v);
  }
  return robustWeightedMean(xs, p);
}

/**
 * Base for a holiday's hour t: the same hour on recent ordinary Sundays before `cutoff`.
 * Shops, offices and stations run Sunday hours on public holidays; how each holiday differs
 * from a Sunday is learned separately (adjust.ts).
 */
function holidayBase(series: HourlySeries, cal: Calendar, t: number, cutoff: number, p: ProfileParams): number {
  const hh = hourOfDay(t);
  const xs: number[] = [];
  let day = dayOf(Math.min(cutoff, t - hh)) - 1;
  const oldest = day - p.maxWeeksBack * 7;
  while (weekdayOfDay(day) !== 0) day--;
  for (; day >= oldest && xs.length < p.weeks; day -= 7) {
    const i = day * HOURS_PER_DAY + hh - series.start;
    if (i < 0) break;
    if (i >= series.values.length || isHoliday(cal, day)) continue;
    const v = series.values[i] as number;
    if (!Number.isNaN(v)) xs.push(v);
  }
  return robustWeightedMean(xs, p);
}

/** Base for hour t using only hours before `cutoff` (the forecast origin, or t's own midnight for past hours). */
export function baseAt(series: HourlySeries, cal: Calendar, t: number, cutoff: number, p: ProfileParams): number {
  return isHoliday(cal, dayOf(t)) ? holidayBase(series, cal, t, cutoff, p) : weekdayBase(series, cal, t, cutoff, p);
}
