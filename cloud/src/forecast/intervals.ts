import { HOURS_PER_DAY, HOURS_PER_WEEK } from './clock.ts';
import { quantileSorted } from './quantile.ts';
import type { HourlySeries } from './series.ts';
import type { Forecast } from './types.ts';

/**
 * Prediction intervals from the model's own track record: re-run the point forecast from
 * each of the previous midnights (using, each time, only data before that midnight) and take
 * empirical quantiles of the errors it made, per day of horizon. No distributional
 * assumption, and errors from holidays, outages and level shifts enter in proportion to how
 * often they really happen.
 *
 * Errors are measured as log((y + c) / (f + c)): footfall errors scale with the level (±20%
 * at 13:00 is thousands, at 03:00 a handful), and the offset c (a small share of the typical
 * hourly count) keeps near-empty night hours from producing huge ratios.
 *
 * Only forecasts the model really made are scored. Before a series has a week of history an
 * hour has no same-hour-of-week value to stand on and the live forecast carries the previous
 * hour's (model.ts); scoring that stopgap filled a young series' record with forecasts of 0 for
 * open hours, errors of log((y + c) / c) ≈ 4, so a demo shop with six weeks of history got a
 * 95% upper limit of ~50× its forecast (37,800 for 752) for the next three months.
 *
 * Two windows of origins are used and the wider bound of the two kept. The recent one
 * (4 weeks) follows the current volatility; the long one (13 weeks) remembers rarer upsets a
 * calm month has not seen. Measured on 2013–2015: recent-only intervals under-covered in
 * summer (77–78% for the 80% band) and long-only ones over-covered in winter; the wider of
 * the two stayed within 79–84% / 94–97%.
 */
export interface IntervalParams {
  /** Past daily origins re-forecast for the recent error window. */
  calibrationOrigins: number;
  /** Past daily origins re-forecast for the long error window (0 = recent only). */
  longCalibrationOrigins: number;
  /** c as a share of the mean hourly count of the last four weeks. */
  offsetShare: number;
}

export interface Calibration {
  offset: number;
  /** Sorted log errors per horizon day (0, 1, 2, …), for the recent and the long window. */
  recent: Float64Array[];
  long: Float64Array[];
}

const LEVEL_WEEKS = 4;

function typicalLevel(series: HourlySeries, origin: number): number {
  let sum = 0;
  let n = 0;
  for (let t = origin - LEVEL_WEEKS * HOURS_PER_WEEK; t < origin; t++) {
    const v = series.values[t - series.start];
    if (v !== undefined && !Number.isNaN(v)) {
      sum += v;
      n++;
    }
  }
  return n > 0 ? sum / n : 0;
}

/** Sorted copies of the buckets (typed arrays sort numbers natively, several times faster than a comparator). */
function finish(buckets: number[][]): Float64Array[] {
  const sorted = buckets.map((b) => new Float64Array(b).sort());
  // A horizon day with no errors yet (short history) borrows the nearest earlier day's.
  for (let d = 1; d < sorted.length; d++) if ((sorted[d]?.length ?? 0) === 0) sorted[d] = sorted[d - 1] ?? new Float64Array(0);
  return sorted;
}

export function calibrate(
  series: HourlySeries,
  origin: number,
  horizon: number,
  pointAt: (origin: number, horizon: number) => number[],
  p: IntervalParams,
): Calibration {
  const offset = p.offsetShare * typicalLevel(series, origin) + 1;
  const days = Math.ceil(horizon / HOURS_PER_DAY);
  const recent: number[][] = Array.from({ length: days }, () => []);
  const long: number[][] = Array.from({ length: days }, () => []);
  const origins = Math.max(p.calibrationOrigins, p.longCalibrationOrigins);
  for (let k = 1; k <= origins; k++) {
    const o = origin - k * HOURS_PER_DAY;
    if (o <= series.start) break;
    // Only the hours already observed at `origin` can be scored.
    const f = pointAt(o, Math.min(horizon, origin - o));
    for (let h = 0; h < f.length; h++) {
      const fv = f[h] as number;
      const y = series.values[o + h - series.start];
      if (y === undefined || Number.isNaN(y) || Number.isNaN(fv)) continue;
      const z = Math.log((y + offset) / (fv + offset));
      const d = Math.floor(h / HOURS_PER_DAY);
      if (k <= p.calibrationOrigins) recent[d]?.push(z);
      if (k <= p.longCalibrationOrigins) long[d]?.push(z);
    }
  }
  return { offset, recent: finish(recent), long: finish(long) };
}

/** The error quantiles each bound takes (10/90 % for the 80 % band, 2.5/97.5 % for the 95 % one). */
const BOUNDS = [0.1, 0.9, 0.025, 0.975] as const;

export function withIntervals(mean: readonly number[], cal: Calibration): Forecast {
  const fc: Forecast = { mean: [...mean], lo80: [], hi80: [], lo95: [], hi95: [] };
  // The log-error of each bound depends only on the horizon day: found once per day, not per hour.
  const zByDay: number[][] = [];
  const zOf = (d: number): number[] => {
    let zs = zByDay[d];
    if (!zs) {
      const windows = [cal.recent[d] ?? [], cal.long[d] ?? []].filter((e) => e.length > 0);
      zs = BOUNDS.map((p) => {
        const each = windows.map((e) => quantileSorted(e, p));
        return each.length === 0 ? 0 : p < 0.5 ? Math.min(...each) : Math.max(...each);
      });
      zByDay[d] = zs;
    }
    return zs;
  };
  for (let h = 0; h < mean.length; h++) {
    const f = mean[h] as number;
    const [z10, z90, z025, z975] = zOf(Math.floor(h / HOURS_PER_DAY)) as [number, number, number, number];
    const at = (z: number) => Math.max(0, (f + cal.offset) * Math.exp(z) - cal.offset);
    // Bounds are error quantiles, but must still bracket the point forecast.
    fc.lo80.push(Math.min(f, at(z10)));
    fc.hi80.push(Math.max(f, at(z90)));
    fc.lo95.push(Math.min(f, at(z025)));
    fc.hi95.push(Math.max(f, at(z975)));
  }
  return fc;
}
