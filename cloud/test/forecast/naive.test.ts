import { describe, expect, it } from 'vitest';
import { runBacktestOnSeries } from '../../src/forecast/backtest.ts';
import { seasonalNaive } from '../../src/forecast/naive.ts';
import { syntheticSeries } from './synthetic.ts';

describe('seasonal naive', () => {
  it('scores no error on a perfectly weekly-periodic series', () => {
    const s = syntheticSeries({ from: '2014-01-06', days: 280 });
    const result = runBacktestOnSeries([s], undefined, undefined, { forecaster: seasonalNaive });
    const naive = result.overall.seasonalNaive;
    expect(naive.windows).toBe(30);
    expect(naive.wape).toBe(0);
    expect(naive.cov80).toBe(1);
    // The in-sample scale is zero too, so MASE is undefined rather than a misleading number.
    expect(Number.isNaN(naive.mase72)).toBe(true);
  });

  it('forecasts last week’s value and falls back to earlier weeks when it is missing', () => {
    const s = syntheticSeries({ from: '2014-01-06', days: 70, noise: 0.1 });
    const origin = s.start + 63 * 24;
    const values = Float64Array.from(s.values);
    values[origin + 5 - 168 - s.start] = Number.NaN;
    const fc = seasonalNaive({ ...s, values }, origin);
    expect(fc.mean).toHaveLength(72);
    expect(fc.mean[0]).toBe(s.values[origin - 168 - s.start]);
    expect(fc.mean[5]).toBe(s.values[origin + 5 - 336 - s.start]);
    for (let h = 0; h < 72; h++) {
      expect(fc.lo95[h]).toBeLessThanOrEqual(fc.lo80[h] ?? Number.NaN);
      expect(fc.hi95[h]).toBeGreaterThanOrEqual(fc.hi80[h] ?? Number.NaN);
    }
  });
});
