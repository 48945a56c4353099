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

// Scratch space for the values of one base: a base is computed thousands of times per series
// (every calibration origin re-forecasts 72 hours), so it allocates nothing.
let picked = new Float64Array(16);
let ordered = new Float64Array(16);

/** Weighted mean of picked[0..n), most recent first, after clipping to the median's band. */
function robustWeightedMean(n: number, p: ProfileParams): number {
  if (n === 0) return Number.NaN;
  let lo = 0;
  let hi = Number.POSITIVE_INFINITY;
  if (n >= 3) {
    // Insertion sort: a dozen values at most, and no comparator calls.
    for (let i = 0; i < n; i++) {
      const x = picked[i] as number;
      let j = i - 1;
      while (j >= 0 && (ordered[j] as number) > x) {
        ordered[j + 1] = ordered[j] as number;
        j--;
      }
      ordered[j + 1] = x;
    }
    const m = ordered[Math.floor(n / 2)] as number;
    lo = m / p.clip;
    hi = m * p.clip;
  }
  let sum = 0;
  let weights = 0;
  let w = 1;
  for (let i = 0; i < n; i++) {
    sum += Math.min(hi, Math.max(lo, picked[i] as number)) * w;
    weights += w;
    w *= p.decay;
  }
  return sum / weights;
}

function ensureScratch(p: ProfileParams): void {
  if (picked.length >= p.weeks) return;
  picked = new Float64Array(p.weeks);
  ordered = new Float64Array(p.weeks);
}

/**
 * Base for an ordinary day's hour t: the same hour 1, 2, … weeks earlier (and before
 * `cutoff`), skipping holidays (a holiday Monday says nothing about next Monday) and missing hours.
 */
function weekdayBase(series: HourlySeries, cal: Calendar, t: number, cutoff: number, p: ProfileParams): number {
  ensureScratch(p);
  let n = 0;
  for (let k = 1; k <= p.maxWeeksBack && n < p.weeks; k++) {
    const s = t - k * HOURS_PER_WEEK;
    const i = s - series.start;
    if (i < 0) break;
    if (s >= cutoff || i >= series.values.length || isHoliday(cal, dayOf(s))) continue;
    const v = series.values[i] as number;
    if (!Number.isNaN(v)) picked[n++] = v;
  }
  return robustWeightedMean(n, p);
}

/**
 * Base for a holiday's hour t: the same hour on recent ordinary Sundays before `cutoff`.
 * Shops, offices and stations run Sunday hours on public holidays; how each holiday differs
 * from a Sunday is learned separately (adjust.ts).
 */
function holidayBase(series: HourlySeries, cal: Calendar, t: number, cutoff: number, p: ProfileParams): number {
  ensureScratch(p);
  const hh = hourOfDay(t);
  let n = 0;
  let day = dayOf(Math.min(cutoff, t - hh)) - 1;
  const oldest = day - p.maxWeeksBack * 7;
  while (weekdayOfDay(day) !== 0) day--;
  for (; day >= oldest && n < p.weeks; day -= 7) {
    const i = day * HOURS_PER_DAY + hh - series.start;
    if (i < 0) break;
    if (i >= series.values.length || isHoliday(cal, day)) continue;
    const v = series.values[i] as number;
    if (!Number.isNaN(v)) picked[n++] = v;
  }
  return robustWeightedMean(n, p);
}

/**
 * Ordinary-day bases already computed, per series (the same object the caller passes for every
 * hour of one forecast). An ordinary day's base reads only hours at least a week before t, so
 * for any cutoff less than a week before t it is the same number: the 72-hour forecasts from
 * ninety-odd calibration origins and the past bases of the corrections share one per hour.
 */
const ordinaryBases = new WeakMap<HourlySeries, { cal: Calendar; p: ProfileParams; bases: Float64Array }>();

function cachedWeekdayBase(series: HourlySeries, cal: Calendar, t: number, cutoff: number, p: ProfileParams): number {
  const i = t - series.start;
  let memo = ordinaryBases.get(series);
  if (t - cutoff >= HOURS_PER_WEEK || i < 0 || (memo && (memo.cal !== cal || memo.p !== p))) return weekdayBase(series, cal, t, cutoff, p);
  if (!memo) {
    // Infinity marks "not computed yet"; NaN is a legitimate "no base". A week past the end covers any horizon the cutoff rule allows.
    memo = { cal, p, bases: new Float64Array(series.values.length + HOURS_PER_WEEK).fill(Number.POSITIVE_INFINITY) };
    ordinaryBases.set(series, memo);
  }
  if (i >= memo.bases.length) return weekdayBase(series, cal, t, cutoff, p);
  let b = memo.bases[i] as number;
  if (b === Number.POSITIVE_INFINITY) {
    b = weekdayBase(series, cal, t, cutoff, p);
    memo.bases[i] = b;
  }
  return b;
}

/** Base for hour t using only hours before `cutoff` (the forecast origin, or t's own midnight for past hours). */
export function baseAt(series: HourlySeries, cal: Calendar, t: number, cutoff: number, p: ProfileParams): number {
  return isHoliday(cal, dayOf(t)) ? holidayBase(series, cal, t, cutoff, p) : cachedWeekdayBase(series, cal, t, cutoff, p);
}
