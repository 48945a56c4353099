import { describe, expect, it } from 'vitest';
import type { ForecastHour, MerchantAlert, ShopHour } from '@atrium/shared';
import { addDays, alertReasons, daysBetween, findPeaks, mondayOf, siteDay, todaySentence, todaySummary, weekByDay } from '../public/merchant-model.js';

const H = 3_600_000;
const hour = (t: number, mean: number, usual: number | null = 50): ForecastHour => ({ t, leadH: 1, mean, lo80: mean * 0.8, hi80: mean * 1.25, lo95: mean * 0.6, hi95: mean * 1.5, usual });
const shopHour = (local: string, visitors: number | null, mean: number | null): ShopHour => ({
  t: Date.parse(`${local.slice(4, 14)}T${local.slice(-5)}:00Z`),
  local,
  visitors,
  forecast: mean === null ? null : { mean, lo80: mean * 0.8, hi80: mean * 1.25, lo95: mean * 0.6, hi95: mean * 1.5, madeAt: 0, basis: 'made24h' },
});

describe('merchant portal model', () => {
  it('counts days on the site’s calendar, weeks from Monday', () => {
    expect(siteDay('Australia/Melbourne')(Date.UTC(2025, 2, 16, 14))).toBe('2025-03-17'); // 01:00 Monday in Melbourne, Sunday in UTC
    expect(mondayOf('2025-03-23')).toBe('2025-03-17');
    expect(mondayOf('2025-03-17')).toBe('2025-03-17');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(daysBetween('2025-01-01', '2025-04-02')).toBe(92);
  });

  it('sets today so far against the forecast for the same hours only', () => {
    const s = todaySummary([shopHour('Mon 2025-03-17 10:00', 60, 50), shopHour('Mon 2025-03-17 11:00', 60, 50), shopHour('Mon 2025-03-17 12:00', null, 90), shopHour('Mon 2025-03-17 13:00', null, 120)]);
    expect(s).toMatchObject({ counted: 120, forecastSoFar: 100, comparable: true, restOfDay: 210 });
    expect(todaySentence(s)).toBe('120 visitors so far today, 20% above the forecast of 100 for those hours. Expected for the rest of the day: about 210, busiest at 13:00 (about 120).');
    expect(todaySentence(todaySummary([shopHour('Mon 2025-03-17 10:00', 5, null)]))).toBe('5 visitors so far today. No forecast for today yet.');
  });

  it('puts each day of this week beside the same weekday last week', () => {
    const days = weekByDay([shopHour('Mon 2025-03-10 12:00', 30, null), shopHour('Mon 2025-03-17 12:00', 40, 45), shopHour('Tue 2025-03-18 12:00', null, 70)], '2025-03-17', '2025-03-17');
    expect(days.slice(0, 2)).toEqual([
      { date: '2025-03-17', label: 'Monday 17 Mar', state: 'today', thisWeek: 40, lastWeek: 30, forecast: 45 },
      { date: '2025-03-18', label: 'Tuesday 18 Mar', state: 'coming', thisWeek: null, lastWeek: null, forecast: 70 },
    ]);
  });

  it('marks a run of hours at or above the threshold once, at its busiest hour; without a threshold, each day’s busiest hour', () => {
    const t0 = Date.UTC(2025, 2, 17, 0);
    const hours = [hour(t0, 100), hour(t0 + H, 320), hour(t0 + 2 * H, 400), hour(t0 + 3 * H, 100), hour(t0 + 4 * H, 310)];
    expect(findPeaks(hours, { kind: 'visitors', perHour: 300 }, () => 'd').map((p) => [p.at, p.from, p.to])).toEqual([
      [t0 + 2 * H, t0 + H, t0 + 3 * H],
      [t0 + 4 * H, t0 + 4 * H, t0 + 5 * H],
    ]);
    // 50% above a usual of 50 is 75; an hour with no usual is never a peak
    expect(findPeaks([hour(t0, 80), hour(t0 + H, 80, null)], { kind: 'aboveUsual', percent: 50 }, () => 'd').map((p) => p.at)).toEqual([t0]);
    expect(findPeaks(hours, null, () => 'd').map((p) => p.at)).toEqual([t0 + 2 * H]);
  });

  it('says why an alert was sent from the alert’s own fields', () => {
    const a = {
      status: 'active',
      leadTimeH: 24,
      when: { from: 'Tue 2025-03-18 13:00', to: 'Tue 2025-03-18 15:00', busiest: 'Tue 2025-03-18 13:00' },
      expected: { visitorsPerHour: 320, range80: [256, 400], chanceAboveThreshold: 0.81, wording: 'likely' },
      usual: { visitorsPerHour: 200, percentAbove: 60, basis: '' },
      threshold: { kind: 'aboveUsual', visitorsPerHour: 300, percent: 50 },
    } as unknown as MerchantAlert;
    expect(alertReasons(a)).toEqual([
      'Forecast 320 visitors/hour at 13:00 (80% range 256–400), at or above your threshold: 50% above the usual, which is 300 visitors/hour at 13:00',
      'usual for that hour: 200 (forecast is 60% above)',
      'chance of reaching the threshold: likely (about 81%)',
      'sent for your 24-hour lead time: the peak is less than 24 hours away',
    ]);
  });
});
