import { describe, expect, it } from 'vitest';
import { HOURS_PER_DAY, formatWallClockHour } from '../../src/forecast/clock.ts';
import { originCandidates, selectOrigins } from '../../src/forecast/origins.ts';
import type { HourlySeries } from '../../src/forecast/series.ts';
import { syntheticSeries } from './synthetic.ts';

const DAYS = 280;
const STEP = 5 * HOURS_PER_DAY;

function blank(s: HourlySeries, fromHour: number, hours: number): HourlySeries {
  const values = Float64Array.from(s.values);
  values.fill(Number.NaN, fromHour - s.start, fromHour - s.start + hours);
  return { ...s, values };
}

describe('backtest origins', () => {
  const full = syntheticSeries({ from: '2014-01-06', days: DAYS });
  const end = full.start + DAYS * HOURS_PER_DAY;

  it('takes 30 local midnights 5 days apart, the newest with its 72 hours inside the data', () => {
    const origins = selectOrigins(full);
    expect(origins).toHaveLength(30);
    expect(origins.at(-1)).toBe(end - 72);
    expect(formatWallClockHour(origins.at(-1) ?? 0)).toMatch(/T00:00$/);
    for (let i = 1; i < origins.length; i++) expect((origins[i] ?? 0) - (origins[i - 1] ?? 0)).toBe(STEP);
  });

  it('does not start from a midnight whose 72 hours run past the data', () => {
    const cut = { ...full, values: full.values.subarray(0, full.values.length - 5) };
    expect(selectOrigins(cut).at(-1)).toBe(end - 72 - HOURS_PER_DAY);
  });

  it('skips an origin whose following 72 hours are mostly missing and reaches further back instead', () => {
    const target = end - 72 - 2 * STEP;
    // 48 of the 72 hours missing: only a third left, under the 50% rule.
    const origins = selectOrigins(blank(full, target, 48));
    expect(origins).toHaveLength(30);
    expect(origins).not.toContain(target);
    expect(origins[0]).toBe(selectOrigins(full)[0]! - STEP);
  });

  it('skips origins whose 12 weeks of history are under 80% complete', () => {
    // A 25-day outage: any origin with it inside its 12-week lookback has < 80% of hours.
    const outageStart = end - 72 - 60 * HOURS_PER_DAY;
    const holey = blank(full, outageStart, 25 * HOURS_PER_DAY);
    const candidates = originCandidates(holey);
    // Skipped for their history alone: every hour after them is present.
    const skippedForHistory = candidates.filter((c) => !c.kept && c.futureShare === 1);
    expect(skippedForHistory.length).toBeGreaterThan(0);
    for (const c of skippedForHistory) expect(c.historyShare).toBeLessThan(0.8);
    for (const c of candidates.filter((k) => k.kept)) expect(c.historyShare).toBeGreaterThanOrEqual(0.8);
    expect(selectOrigins(holey)).toEqual(candidates.filter((c) => c.kept).map((c) => c.origin).reverse());
    // The origin just after the outage has it in full view and must be skipped.
    const afterOutage = candidates.find((c) => c.origin >= outageStart + 25 * HOURS_PER_DAY);
    expect(afterOutage?.kept).toBe(false);
  });
});
