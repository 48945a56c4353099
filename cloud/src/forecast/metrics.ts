import { HOURS_PER_DAY, HOURS_PER_WEEK } from './clock.ts';
import { valueAt, type HourlySeries } from './series.ts';
import type { Forecast } from './types.ts';

/**
 * Scores of one forecast window, kept as sums so sensors and the whole run can be
 * aggregated exactly (WAPE and coverage pool hours; MASE averages windows).
 */
export interface WindowScore {
  origin: number;
  /** Hours with a count in the 72 h window, and in its first 24 h. */
  hours: number;
  hours24: number;
  absError: number;
  absError24: number;
  sumActual: number;
  in80: number;
  in95: number;
  /** MASE of the window (NaN when the scale is 0 or undefined, excluded from means). */
  mase72: number;
  mase24: number;
}

/**
 * Mean absolute seasonal difference |y[t] - y[t-lag]| over pairs where both hours lie in the
 * `lookback` hours before the origin and both have counts — the in-sample error of the
 * seasonal naive over the same 12 weeks the origin selection checks.
 */
export function seasonalScale(series: HourlySeries, origin: number, lag: number, lookback: number): number {
  let sum = 0;
  let n = 0;
  for (let t = origin - lookback + lag; t < origin; t++) {
    const a = valueAt(series, t);
    const b = valueAt(series, t - lag);
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    sum += Math.abs(a - b);
    n++;
  }
  return n === 0 ? Number.NaN : sum / n;
}

export interface Scales {
  week: number;
  day: number;
}

export function scalesAt(series: HourlySeries, origin: number, lookback: number): Scales {
  return { week: seasonalScale(series, origin, HOURS_PER_WEEK, lookback), day: seasonalScale(series, origin, HOURS_PER_DAY, lookback) };
}

/** Scores a forecast against the full series; hours without a count are not scored. */
export function scoreWindow(series: HourlySeries, origin: number, fc: Forecast, scales: Scales): WindowScore {
  const s: WindowScore = { origin, hours: 0, hours24: 0, absError: 0, absError24: 0, sumActual: 0, in80: 0, in95: 0, mase72: Number.NaN, mase24: Number.NaN };
  for (let h = 0; h < fc.mean.length; h++) {
    const y = valueAt(series, origin + h);
    if (Number.isNaN(y)) continue;
    const err = Math.abs(y - (fc.mean[h] as number));
    s.hours++;
    s.absError += err;
    s.sumActual += y;
    if (y >= (fc.lo80[h] as number) && y <= (fc.hi80[h] as number)) s.in80++;
    if (y >= (fc.lo95[h] as number) && y <= (fc.hi95[h] as number)) s.in95++;
    if (h < HOURS_PER_DAY) {
      s.hours24++;
      s.absError24 += err;
    }
  }
  if (s.hours > 0 && scales.week > 0) s.mase72 = s.absError / s.hours / scales.week;
  if (s.hours24 > 0 && scales.day > 0) s.mase24 = s.absError24 / s.hours24 / scales.day;
  return s;
}

export interface Summary {
  /** Mean of per-window MASE over windows where it is defined. */
  mase72: number;
  mase24: number;
  /** Sum of absolute errors / sum of counts, pooled over every scored hour. */
  wape: number;
  /** Share of scored hours inside the interval, pooled. */
  cov80: number;
  cov95: number;
  windows: number;
  hours: number;
}

function meanDefined(xs: readonly number[]): number {
  const ok = xs.filter((x) => Number.isFinite(x));
  return ok.length === 0 ? Number.NaN : ok.reduce((a, b) => a + b, 0) / ok.length;
}

/**
 * Overall MASE is the mean of per-window MASEs (every window of every sensor weighs the same),
 * the usual reading of M-competition style MASE; WAPE and coverage pool hours instead, so a
 * busy sensor weighs more there, as it would in a mall's staffing decisions.
 */
export function summarise(windows: readonly WindowScore[]): Summary {
  let hours = 0;
  let absError = 0;
  let sumActual = 0;
  let in80 = 0;
  let in95 = 0;
  for (const w of windows) {
    hours += w.hours;
    absError += w.absError;
    sumActual += w.sumActual;
    in80 += w.in80;
    in95 += w.in95;
  }
  return {
    mase72: meanDefined(windows.map((w) => w.mase72)),
    mase24: meanDefined(windows.map((w) => w.mase24)),
    wape: sumActual > 0 ? absError / sumActual : Number.NaN,
    cov80: hours > 0 ? in80 / hours : Number.NaN,
    cov95: hours > 0 ? in95 / hours : Number.NaN,
    windows: windows.length,
    hours,
  };
}
