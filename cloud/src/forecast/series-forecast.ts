import type { Calendar } from './calendar.ts';
import type { OperatorCalendar } from './operator-calendar.ts';
import { HOURS_PER_DAY, dayOf, hourOfDay } from './clock.ts';
import { DEFAULT_MODEL_PARAMS, forecast as modelForecast } from './model.ts';
import { baseAt } from './profile.ts';
import type { Confidence, ConfidenceReason } from '@atrium/shared';
import type { HourlySeries } from './series.ts';
import type { Forecast, Forecaster } from './types.ts';

/**
 * One series' forecast as the refresh stores it: the model's mean and intervals, the operator's
 * day factors applied, the "usual" for each hour, and how far to trust it.
 *
 * Confidence (documented in SERVING.md beside this file):
 * - `no-history`: not one counted hour → zeros, flagged low; nothing to say yet.
 * - `short-history`: under 14 days of counted hours → low. Under 7 days the model has no
 *   same-hour-of-week values to stand on, so the mean is the hour-of-day average of what there is.
 * - `sparse-recent`: under half of the last 7 days counted (an outage, a shop just reopened) →
 *   low; the model's level correction has little to go on.
 * Low-confidence intervals are widened to at least ×½…×2 (80%) and ×¼…×4 (95%) around the mean:
 * the model's own error record, which normally sets them, is too short to mean anything.
 */

export interface SeriesForecast extends Forecast {
  /** the usual for that hour of the week (recent ordinary weeks, holidays skipped); NaN when unknown */
  usual: number[];
  confidence: Confidence;
  reason: ConfidenceReason;
  /** counted hours in the history handed in */
  observedHours: number;
}

const SHORT_DAYS = 14;
const PROFILE_ONLY_DAYS = 7;
const RECENT_DAYS = 7;

/** History with operator factors taken out: a past sale day divided by its factor, a closed day (factor 0) missing. */
function withoutFactors(history: HourlySeries, factors: ReadonlyMap<number, number>): HourlySeries {
  if (factors.size === 0) return history;
  let values: Float64Array | null = null;
  for (const [day, f] of factors) {
    if (f === 1) continue;
    for (let h = 0; h < HOURS_PER_DAY; h++) {
      const i = day * HOURS_PER_DAY + h - history.start;
      if (i < 0 || i >= history.values.length) continue;
      values ??= Float64Array.from(history.values);
      values[i] = f > 0 ? (values[i] as number) / f : Number.NaN;
    }
  }
  return values ? { ...history, values } : history;
}

function countObserved(h: HourlySeries, from: number, to: number): number {
  let n = 0;
  for (let t = Math.max(from, h.start); t < Math.min(to, h.start + h.values.length); t++) if (!Number.isNaN(h.values[t - h.start])) n++;
  return n;
}

/** Mean of each hour of the day over what was counted: the best guess for a place with under a week of history. */
function hourOfDayProfile(h: HourlySeries, origin: number, horizon: number): number[] {
  const sum = new Float64Array(HOURS_PER_DAY);
  const n = new Float64Array(HOURS_PER_DAY);
  for (let i = 0; i < h.values.length && h.start + i < origin; i++) {
    const v = h.values[i] as number;
    if (Number.isNaN(v)) continue;
    const hh = hourOfDay(h.start + i);
    sum[hh] = (sum[hh] as number) + v;
    n[hh] = (n[hh] as number) + 1;
  }
  const all = sum.reduce((a, b) => a + b, 0) / Math.max(1, n.reduce((a, b) => a + b, 0));
  return Array.from({ length: horizon }, (_, k) => {
    const hh = hourOfDay(origin + k);
    return (n[hh] as number) > 0 ? (sum[hh] as number) / (n[hh] as number) : all;
  });
}

/** The usual for hour t: same hour of the week, treating t's day as ordinary even when it is a holiday. */
function usualAt(history: HourlySeries, cal: Calendar, t: number, origin: number, ordinary: Map<number, Calendar>): number {
  const day = dayOf(t);
  let c = cal;
  if (cal.holidays.has(day)) {
    let without = ordinary.get(day);
    if (!without) {
      const holidays = new Map(cal.holidays);
      holidays.delete(day);
      without = { holidays };
      ordinary.set(day, without);
    }
    c = without;
  }
  return baseAt(history, c, t, origin, DEFAULT_MODEL_PARAMS);
}

export function forecastSeries(history: HourlySeries, origin: number, horizon: number, cal: OperatorCalendar, forecaster: Forecaster = modelForecast): SeriesForecast {
  const clean = withoutFactors(history, cal.factors);
  const observed = countObserved(clean, clean.start, origin);
  if (observed === 0) {
    const zeros = () => new Array<number>(horizon).fill(0);
    return { mean: zeros(), lo80: zeros(), hi80: zeros(), lo95: zeros(), hi95: zeros(), usual: new Array<number>(horizon).fill(Number.NaN), confidence: 'low', reason: 'no-history', observedHours: 0 };
  }
  const recent = countObserved(clean, origin - RECENT_DAYS * HOURS_PER_DAY, origin);
  let fc: Forecast;
  let reason: ConfidenceReason = 'ok';
  if (observed < PROFILE_ONLY_DAYS * HOURS_PER_DAY) {
    const mean = hourOfDayProfile(clean, origin, horizon);
    fc = { mean, lo80: [...mean], hi80: [...mean], lo95: [...mean], hi95: [...mean] };
    reason = 'short-history';
  } else {
    fc = forecaster(clean, origin, { horizon, calendar: cal.calendar });
    if (observed < SHORT_DAYS * HOURS_PER_DAY) reason = 'short-history';
    else if (recent < (RECENT_DAYS * HOURS_PER_DAY) / 2) reason = 'sparse-recent';
  }
  const low = reason !== 'ok';
  const ordinary = new Map<number, Calendar>();
  const out: SeriesForecast = { mean: [], lo80: [], hi80: [], lo95: [], hi95: [], usual: [], confidence: low ? 'low' : 'normal', reason, observedHours: observed };
  for (let k = 0; k < horizon; k++) {
    const t = origin + k;
    const f = cal.factors.get(dayOf(t)) ?? 1;
    const m = (fc.mean[k] ?? 0) * f;
    out.mean.push(m);
    out.lo80.push(Math.min((fc.lo80[k] ?? 0) * f, low ? m / 2 : Number.POSITIVE_INFINITY));
    out.hi80.push(Math.max((fc.hi80[k] ?? 0) * f, low ? m * 2 : 0));
    out.lo95.push(Math.min((fc.lo95[k] ?? 0) * f, low ? m / 4 : Number.POSITIVE_INFINITY));
    out.hi95.push(Math.max((fc.hi95[k] ?? 0) * f, low ? m * 4 : 0));
    out.usual.push(usualAt(clean, cal.calendar, t, origin, ordinary));
  }
  return out;
}
