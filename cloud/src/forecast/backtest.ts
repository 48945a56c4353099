import type { Calendar } from './calendar.ts';
import { EMPTY_CALENDAR } from './calendar.ts';
import { formatWallClockHour } from './clock.ts';
import { scalesAt, scoreWindow, summarise, type Summary, type WindowScore } from './metrics.ts';
import { forecast as modelForecast } from './model.ts';
import { seasonalNaive } from './naive.ts';
import { BACKTEST_POLICY, selectOrigins, type OriginPolicy } from './origins.ts';
import { buildSeries, type CountRow, type HourlySeries } from './series.ts';
import type { Forecaster } from './types.ts';

/**
 * Rolling-origin backtest of the forecaster against the seasonal naive, on the fixed protocol
 * of origins.ts. Both are run on the same windows in the same pass so their figures compare.
 */

export interface Comparison {
  model: Summary;
  seasonalNaive: Summary;
  /** model / seasonal naive; below 1 means the model is better. */
  ratio: { mase72: number; mase24: number; wape: number };
}

export interface SensorResult extends Comparison {
  sensor: string;
  origins: string[];
}

export interface WindowResult {
  sensorId: string;
  origin: string;
  model: WindowScore;
  seasonalNaive: WindowScore;
}

export interface BacktestResult {
  protocol: OriginPolicy & { overallMase: string };
  overall: Comparison;
  sensors: Record<string, SensorResult>;
  windows: WindowResult[];
}

export interface BacktestProgress {
  sensorIndex: number;
  sensorCount: number;
  sensorId: string;
  sensor: string;
  windowsDone: number;
  windowsTotal: number;
}

export interface BacktestOptions {
  forecaster?: Forecaster;
  policy?: OriginPolicy;
}

function compare(model: Summary, naive: Summary): Comparison {
  return {
    model,
    seasonalNaive: naive,
    ratio: { mase72: model.mase72 / naive.mase72, mase24: model.mase24 / naive.mase24, wape: model.wape / naive.wape },
  };
}

/** The series up to (not including) the origin: the forecaster cannot read the future even by mistake. */
export function historyBefore(series: HourlySeries, origin: number): HourlySeries {
  const n = Math.max(0, Math.min(series.values.length, origin - series.start));
  return { ...series, values: series.values.subarray(0, n) };
}

export function runBacktestOnSeries(
  seriesList: readonly HourlySeries[],
  calendar: Calendar = EMPTY_CALENDAR,
  onProgress?: (p: BacktestProgress) => void,
  options: BacktestOptions = {},
): BacktestResult {
  const policy = options.policy ?? BACKTEST_POLICY;
  const forecaster = options.forecaster ?? modelForecast;
  const all: WindowResult[] = [];
  const sensors: Record<string, SensorResult> = {};
  const allModel: WindowScore[] = [];
  const allNaive: WindowScore[] = [];
  seriesList.forEach((series, sensorIndex) => {
    const origins = selectOrigins(series, policy);
    const modelScores: WindowScore[] = [];
    const naiveScores: WindowScore[] = [];
    const report = (windowsDone: number): void =>
      onProgress?.({ sensorIndex, sensorCount: seriesList.length, sensorId: series.sensorId, sensor: series.sensor, windowsDone, windowsTotal: origins.length });
    report(0);
    origins.forEach((origin, i) => {
      const history = historyBefore(series, origin);
      const opts = { horizon: policy.horizon, calendar };
      const scales = scalesAt(series, origin, policy.lookback);
      const m = scoreWindow(series, origin, forecaster(history, origin, opts), scales);
      const n = scoreWindow(series, origin, seasonalNaive(history, origin, opts), scales);
      modelScores.push(m);
      naiveScores.push(n);
      all.push({ sensorId: series.sensorId, origin: formatWallClockHour(origin), model: m, seasonalNaive: n });
      report(i + 1);
    });
    allModel.push(...modelScores);
    allNaive.push(...naiveScores);
    sensors[series.sensorId] = {
      sensor: series.sensor,
      origins: origins.map(formatWallClockHour),
      ...compare(summarise(modelScores), summarise(naiveScores)),
    };
  });
  return {
    protocol: { ...policy, overallMase: 'mean of per-window MASE over all windows of all sensors' },
    overall: compare(summarise(allModel), summarise(allNaive)),
    sensors,
    windows: all,
  };
}

/** Programmatic entry point: validated rows (see series.ts) and a holiday calendar in, figures out. */
export function runBacktest(
  rows: readonly CountRow[],
  calendar: Calendar = EMPTY_CALENDAR,
  onProgress?: (p: BacktestProgress) => void,
  options: BacktestOptions = {},
): BacktestResult {
  return runBacktestOnSeries(buildSeries(rows), calendar, onProgress, options);
}
