import type { Calendar } from './calendar.ts';
import type { HourlySeries } from './series.ts';

/** Point forecast and central prediction intervals, one entry per hour after the origin. */
export interface Forecast {
  mean: number[];
  lo80: number[];
  hi80: number[];
  lo95: number[];
  hi95: number[];
}

export interface ForecastOptions {
  /** Hours to forecast (default 72). */
  horizon?: number;
  /** Public holidays; without one every day is an ordinary weekday/weekend. */
  calendar?: Calendar;
}

/**
 * A forecaster sees the series and an origin (a wall-clock hour number) and must use only
 * values before the origin; the backtest enforces this by handing it a truncated view.
 */
export type Forecaster = (history: HourlySeries, origin: number, options?: ForecastOptions) => Forecast;

export const DEFAULT_HORIZON = 72;
