import { beforeAll, describe, expect, it } from 'vitest';
import { forecastSeries, type SeriesForecast } from '../../src/forecast/series-forecast.ts';
import { demoShopHistories, type DemoShops } from './demo-shops.ts';

// The demo mall as `npm start` leaves it: six weeks of simulated history before the first
// forecast. Four forecasts three days apart, the first on a Thursday at 13:00 in Melbourne; the
// second one holds the autumn DST change (two real hours on one wall-clock slot).
const H = 3_600_000;
const DAY = 24 * H;
const FIRST = Date.UTC(2025, 3, 3, 2);
const ORIGINS = [0, 3, 6, 9].map((d) => FIRST + d * DAY);

/**
 * The bound on a 95% upper limit u for a forecast m: u ≤ 2m + 4√max(m, 1).
 *
 * The demo's counts are Poisson around the simulator's rate times day factors of about ±9% (sd
 * of the log), so their own 97.5th percentile is under 1.2m + 2√m. Twice the forecast leaves
 * the model's error at this history length (level, holidays) more than room; four Poisson
 * standard deviations keep a quiet hour (m = 2 → u ≤ 9.7) from failing on count noise alone.
 * The broken error record gave 31× at the median hour and ~50× at a 629 forecast.
 */
const upperBound = (m: number): number => 2 * m + 4 * Math.sqrt(Math.max(m, 1));

describe("every demo shop's forecast intervals after six weeks of simulated history", () => {
  let demo: DemoShops;
  const runs: { origin: number; shop: string; fc: SeriesForecast }[] = [];
  beforeAll(() => {
    demo = demoShopHistories({ from: FIRST - 42 * DAY, to: ORIGINS[ORIGINS.length - 1]! + 3 * DAY });
    for (const at of ORIGINS) {
      const origin = demo.slotOf(at);
      for (const [shop, history] of demo.histories) runs.push({ origin, shop, fc: forecastSeries(history, origin, 72, demo.calendar) });
    }
  }, 120_000);

  it('keeps every 95% upper limit within twice the forecast plus count noise, with ordered bands', () => {
    expect(runs).toHaveLength(ORIGINS.length * demo.site.shops.length);
    let worst = { shop: '', k: -1, mean: 0, hi95: 0, excess: Number.NEGATIVE_INFINITY };
    const unordered: string[] = [];
    for (const { shop, fc } of runs) {
      expect({ shop, confidence: fc.confidence }).toEqual({ shop, confidence: 'normal' });
      fc.mean.forEach((m, k) => {
        const hi95 = fc.hi95[k]!;
        if (hi95 - upperBound(m) > worst.excess) worst = { shop, k, mean: m, hi95, excess: hi95 - upperBound(m) };
        const band = [fc.lo95[k]!, fc.lo80[k]!, m, fc.hi80[k]!, hi95];
        if (band.some((x, i) => i > 0 && x < band[i - 1]!)) unordered.push(`${shop} +${k} h: ${band.join(' ')}`);
      });
    }
    expect(unordered).toEqual([]);
    expect(worst.excess, `worst hour: ${JSON.stringify(worst)}`).toBeLessThanOrEqual(0);
  });

  it('still covers what then happened: the bound is not met by collapsing the bands', () => {
    let n = 0;
    let in80 = 0;
    let in95 = 0;
    for (const { origin, shop, fc } of runs) {
      const h = demo.histories.get(shop)!;
      fc.mean.forEach((m, k) => {
        const y = h.values[origin + k - h.start]!;
        // Open hours only: a closed hour forecast as closed is covered by any band.
        if (Number.isNaN(y) || m < 10) return;
        n++;
        if (y >= fc.lo80[k]! && y <= fc.hi80[k]!) in80++;
        if (y >= fc.lo95[k]! && y <= fc.hi95[k]!) in95++;
      });
    }
    expect(n).toBeGreaterThan(5000);
    expect(in80 / n).toBeGreaterThan(0.7);
    expect(in80 / n).toBeLessThan(0.9);
    expect(in95 / n).toBeGreaterThan(0.85);
  });
});
