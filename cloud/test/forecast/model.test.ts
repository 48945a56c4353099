import { describe, expect, it } from 'vitest';
import { historyBefore, runBacktestOnSeries } from '../../src/forecast/backtest.ts';
import { calendarFromDates } from '../../src/forecast/calendar.ts';
import { HOURS_PER_DAY, parseDay } from '../../src/forecast/clock.ts';
import { forecast } from '../../src/forecast/model.ts';
import { syntheticSeries } from './synthetic.ts';

// Weekday public holidays, some inside the backtest windows (the last ~150 days), some before.
const HOLIDAYS = ['2014-03-10', '2014-04-18', '2014-04-25', '2014-06-09', '2014-08-05', '2014-09-02', '2014-09-30', '2014-10-15', '2014-11-04'];
const calendar = calendarFromDates(HOLIDAYS);
const series = syntheticSeries({ from: '2014-01-06', days: 320, noise: 0.2, holidays: HOLIDAYS, seed: 7 });

describe('footfall model', () => {
  it('beats the seasonal naive on a noisy series with holidays', () => {
    const result = runBacktestOnSeries([series], calendar);
    const { model, seasonalNaive } = result.overall;
    expect(model.windows).toBe(30);
    expect(model.mase72).toBeLessThan(0.8 * seasonalNaive.mase72);
    expect(model.wape).toBeLessThan(seasonalNaive.wape);
    // Empirical intervals land near their nominal coverage on data like their calibration.
    expect(model.cov80).toBeGreaterThan(0.7);
    expect(model.cov80).toBeLessThan(0.92);
    expect(model.cov95).toBeGreaterThan(0.88);
  });

  it('forecasts a holiday weekday like a Sunday', () => {
    const holiday = parseDay('2014-11-04') as number;
    const origin = (holiday - 1) * HOURS_PER_DAY;
    const fc = forecast(series, origin, { calendar });
    const at = (h: number): number => fc.mean[h] ?? Number.NaN;
    // 08:00 on the Monday before (commuter peak ~1500) vs 08:00 on the holiday (~Sunday's ~140).
    expect(at(8)).toBeGreaterThan(1000);
    expect(at(24 + 8)).toBeLessThan(300);
    // Without the calendar it would expect a commuter peak.
    expect(forecast(series, origin).mean[24 + 8]).toBeGreaterThan(1000);
  });

  it('returns 72 hours of ordered intervals that contain the mean', () => {
    const origin = series.start + 300 * HOURS_PER_DAY;
    const fc = forecast(series, origin, { calendar });
    for (const k of ['mean', 'lo80', 'hi80', 'lo95', 'hi95'] as const) expect(fc[k]).toHaveLength(72);
    for (let h = 0; h < 72; h++) {
      const [lo95, lo80, mean, hi80, hi95] = [fc.lo95[h], fc.lo80[h], fc.mean[h], fc.hi80[h], fc.hi95[h]] as number[];
      expect(lo95).toBeGreaterThanOrEqual(0);
      expect(lo95).toBeLessThanOrEqual(lo80 as number);
      expect(lo80).toBeLessThanOrEqual(mean as number);
      expect(mean).toBeLessThanOrEqual(hi80 as number);
      expect(hi80).toBeLessThanOrEqual(hi95 as number);
    }
    const width = (from: number): number => {
      let w = 0;
      for (let h = from; h < from + 24; h++) w += (fc.hi80[h] ?? 0) - (fc.lo80[h] ?? 0);
      return w;
    };
    // Third day no narrower than the first (allowing sampling noise in the error quantiles).
    expect(width(48)).toBeGreaterThan(0.85 * width(0));
  });

  it('uses only data before the origin', () => {
    const origin = series.start + 250 * HOURS_PER_DAY;
    const future = Float64Array.from(series.values);
    future.fill(99_999, origin - series.start);
    const a = forecast(series, origin, { calendar });
    const b = forecast({ ...series, values: future }, origin, { calendar });
    const c = forecast(historyBefore(series, origin), origin, { calendar });
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('copes with missing hours and a short history', () => {
    const values = Float64Array.from(series.values);
    for (let i = 0; i < values.length; i += 7) values[i] = Number.NaN;
    const short = { ...series, start: series.start + 200 * HOURS_PER_DAY, values: values.subarray(200 * HOURS_PER_DAY) };
    const fc = forecast(short, short.start + 20 * HOURS_PER_DAY, { calendar });
    expect(fc.mean.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
    expect(fc.hi95.every((x) => Number.isFinite(x))).toBe(true);
    // Nothing at all before the origin: zeros, not NaN or an exception.
    const empty = forecast({ ...series, values: new Float64Array(0) }, series.start);
    expect(empty.mean).toEqual(new Array(72).fill(0));
  });
});
