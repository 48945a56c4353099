import { Prepared, annualFactor, holidayFactor, recentCorrection, type AdjustParams } from './adjust.ts';
import { EMPTY_CALENDAR } from './calendar.ts';
import { dayOf, hourOfDay } from './clock.ts';
import { calibrate, withIntervals, type IntervalParams } from './intervals.ts';
import { baseAt, type ProfileParams } from './profile.ts';
import type { HourlySeries } from './series.ts';
import { DEFAULT_HORIZON, type Forecast, type ForecastOptions, type Forecaster } from './types.ts';

/**
 * The footfall forecaster:
 *   seasonal base (robust, recency-weighted same hour of week; recent Sundays for holidays)
 *   × annual factor × holiday factor × recent level/shape correction,
 * with intervals from the empirical errors of the same procedure at the previous origins.
 * Chosen by backtest over alternatives (figures in README.md beside this file);
 * every parameter is shared by all sensors, none is fitted to one place or date.
 */
export interface ModelParams extends ProfileParams, AdjustParams, IntervalParams {}

export const DEFAULT_MODEL_PARAMS: Readonly<ModelParams> = {
  weeks: 12,
  maxWeeksBack: 16,
  decay: 0.8,
  clip: 1.5,
  levelDays: 7,
  levelWeight: 0.7,
  shapeWeight: 0.5,
  annual: true,
  annualThreshold: 0.1,
  holidayLookbackDays: 800,
  calibrationOrigins: 28,
  longCalibrationOrigins: 91,
  offsetShare: 0.05,
};

/**
 * Point forecast from `origin`. Reads nothing at or after `origin`, so calibration can reuse one
 * `prep` for many earlier origins. An hour with no same-hour history at all (a brand-new sensor)
 * carries the previous hour's forecast when `carry`, else it is NaN: calibration scores only the
 * forecasts the model really made, not that stopgap (see intervals.ts).
 */
export function pointForecast(prep: Prepared, origin: number, horizon: number, p: ModelParams, carry = true): number[] {
  const correction = recentCorrection(prep, origin, p);
  const out: number[] = [];
  let previous = 0;
  for (let h = 0; h < horizon; h++) {
    const t = origin + h;
    let base = baseAt(prep.series, prep.cal, t, origin, p);
    if (Number.isNaN(base)) {
      if (!carry) {
        out.push(Number.NaN);
        continue;
      }
      base = previous;
    }
    previous = base;
    const f = base * annualFactor(prep, dayOf(t), p) * holidayFactor(prep, t, origin, p) * (correction[hourOfDay(t)] ?? 1);
    out.push(Math.max(0, f));
  }
  return out;
}

export function createForecaster(params: Partial<ModelParams> = {}): Forecaster {
  const p: ModelParams = { ...DEFAULT_MODEL_PARAMS, ...params };
  return (history: HourlySeries, origin: number, options: ForecastOptions = {}): Forecast => {
    const horizon = options.horizon ?? DEFAULT_HORIZON;
    const cal = options.calendar ?? EMPTY_CALENDAR;
    // Only data before the origin is ever looked at, whatever the caller passed.
    const n = Math.max(0, Math.min(history.values.length, origin - history.start));
    const series = n === history.values.length ? history : { ...history, values: history.values.subarray(0, n) };
    const prep = new Prepared(series, cal, p);
    const mean = pointForecast(prep, origin, horizon, p);
    const calibration = calibrate(series, origin, horizon, (o, hz) => pointForecast(prep, o, hz, p, false), p);
    return withIntervals(mean, calibration);
  };
}

/** The model with its measured defaults: `forecast(history, origin, { calendar }) → { mean, lo80, hi80, lo95, hi95 }`. */
export const forecast: Forecaster = createForecaster();
