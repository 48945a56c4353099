import { HOURS_PER_DAY, HOURS_PER_WEEK, hourOfDay } from './clock.ts';
import { quantileSorted } from './quantile.ts';
import { valueAt, type HourlySeries } from './series.ts';
import { DEFAULT_HORIZON, type Forecast, type ForecastOptions } from './types.ts';

/**
 * The seasonal naive forecast: the count at the same hour one week earlier. It is the
 * yardstick of the backtest, so it gets honest intervals too: empirical quantiles of its own
 * one-week-ahead errors over the 12 weeks before the origin, per hour of day (errors at 03:00
 * and at 13:00 differ by an order of magnitude, pooling them would miscover both).
 */

const CALIBRATION_HOURS = 12 * HOURS_PER_WEEK;
/** When last week's hour is missing, look further back rather than give up. */
const MAX_WEEKS_BACK = 4;

function naivePoint(series: HourlySeries, origin: number, t: number): number {
  for (let w = 1; w <= MAX_WEEKS_BACK; w++) {
    const src = t - w * HOURS_PER_WEEK;
    if (src >= origin) continue;
    const v = valueAt(series, src);
    if (!Number.isNaN(v)) return v;
  }
  return Number.NaN;
}

export function seasonalNaive(history: HourlySeries, origin: number, options: ForecastOptions = {}): Forecast {
  const horizon = options.horizon ?? DEFAULT_HORIZON;
  const errors: number[][] = Array.from({ length: HOURS_PER_DAY }, () => []);
  const typical: number[][] = Array.from({ length: HOURS_PER_DAY }, () => []);
  for (let t = origin - CALIBRATION_HOURS; t < origin; t++) {
    const y = valueAt(history, t);
    if (Number.isNaN(y)) continue;
    typical[hourOfDay(t)]?.push(y);
    const f = naivePoint(history, t, t);
    if (!Number.isNaN(f)) errors[hourOfDay(t)]?.push(y - f);
  }
  for (const e of errors) e.sort((a, b) => a - b);
  const fc: Forecast = { mean: [], lo80: [], hi80: [], lo95: [], hi95: [] };
  for (let h = 0; h < horizon; h++) {
    const t = origin + h;
    let f = naivePoint(history, origin, t);
    // Nothing in the last four weeks at this hour: the hour-of-day mean is the least bad guess.
    if (Number.isNaN(f)) {
      const xs = typical[hourOfDay(t)] ?? [];
      f = xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
    }
    const e = errors[hourOfDay(t)] ?? [];
    const q = (p: number): number => (e.length === 0 ? 0 : quantileSorted(e, p));
    fc.mean.push(f);
    fc.lo80.push(Math.max(0, f + q(0.1)));
    fc.hi80.push(f + q(0.9));
    fc.lo95.push(Math.max(0, f + q(0.025)));
    fc.hi95.push(f + q(0.975));
  }
  return fc;
}
