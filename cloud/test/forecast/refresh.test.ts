import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, H, local, openHarness, pattern, writeHourly, type FcHarness } from '../support/forecast-fixtures.ts';
import { rng } from './synthetic.ts';

// Friday 2025-04-04 12:30 in Melbourne (AEDT, UTC+11). Daylight saving ends two days later:
// Sunday 03:00 AEDT becomes 02:00 AEST, so the 72 h ahead contain a repeated hour.
const NOW = Date.UTC(2025, 3, 4, 1, 30);
const HOUR_START = Date.UTC(2025, 3, 4, 1);
const FROM = NOW - 10 * 7 * DAY;

describe('hourly forecast refresh (real embedded store)', () => {
  let h: FcHarness;
  beforeAll(async () => {
    h = await openHarness();
    const noise = rng(7);
    // The hall: ~10% of hours missing at random plus a two-day outage three weeks ago.
    await writeHourly(h.store, 'r-hall', FROM, HOUR_START, (t) => (noise() < 0.1 || (t > NOW - 21 * DAY && t < NOW - 19 * DAY) ? null : pattern(100)(t)));
    await writeHourly(h.store, 'r-food', FROM, HOUR_START, pattern(300));
    await writeHourly(h.store, 'r-back', FROM, HOUR_START, () => 5);
    // The main entrance doubled two weeks ago (a new car park opened): a level shift.
    await writeHourly(h.store, 'r-main', FROM, HOUR_START, (t) => pattern(t < NOW - 14 * DAY ? 100 : 200)(t));
    await writeHourly(h.store, 'r-coffee-2', FROM, HOUR_START, pattern(20));
    // Tea House opened five days ago; Brew Co Hall (coffee) has never counted anyone.
    await writeHourly(h.store, 'r-tea', NOW - 5 * DAY, HOUR_START, pattern(40));
    await h.forecasting.refresh.run(NOW);
  });
  afterAll(async () => h?.close());

  const latest = async (subjectKind: 'zone' | 'entrance' | 'shop', subjectId: string) => {
    const [f] = await h.forecasting.forecasts.latest({ subjectKind, subjectId });
    if (!f) throw new Error(`no forecast for ${subjectId}`);
    return f;
  };
  const at = (f: Awaited<ReturnType<typeof latest>>, t: number) => f.hours.find((x) => x.t === t)!;

  it('forecasts every zone, entrance and shop for the 72 hours after the current one, with ordered 80%/95% intervals', async () => {
    const run = await h.forecasting.forecasts.latestRun();
    expect(run).toMatchObject({ madeAt: NOW, origin: HOUR_START + H, horizonH: 72, series: 7 });
    for (const [kind, ids] of [['zone', ['hall', 'food', 'back']], ['entrance', ['main']], ['shop', ['coffee', 'coffee-2', 'tea']]] as const) {
      for (const id of ids) {
        const f = await latest(kind, id);
        expect(f.madeAt).toBe(NOW);
        expect(f.hours.map((x) => x.leadH)).toEqual(Array.from({ length: 72 }, (_, i) => i + 1));
        expect(f.hours.map((x) => x.t)).toEqual(Array.from({ length: 72 }, (_, i) => HOUR_START + (i + 1) * H));
        for (const x of f.hours) {
          expect(x.lo95).toBeLessThanOrEqual(x.lo80);
          expect(x.lo80).toBeLessThanOrEqual(x.mean);
          expect(x.mean).toBeLessThanOrEqual(x.hi80);
          expect(x.hi80).toBeLessThanOrEqual(x.hi95);
        }
      }
    }
  });

  it('copes with missing hours: the patchy hall still gets a normal-confidence forecast of its lunch peak', async () => {
    const f = await latest('zone', 'hall');
    expect(f).toMatchObject({ confidence: 'normal', reason: 'ok' });
    const fridayLunch = at(f, Date.UTC(2025, 3, 4, 2)); // 13:00 AEDT
    expect(fridayLunch.mean).toBeGreaterThan(270);
    expect(fridayLunch.mean).toBeLessThan(330);
    expect(fridayLunch.usual).toBeCloseTo(300, -1);
    expect(at(f, Date.UTC(2025, 3, 4, 14)).mean).toBeLessThan(5); // 01:00 at night
  });

  it('follows the wall clock across the end of daylight saving', async () => {
    const f = await latest('zone', 'food');
    // Saturday 13:00 is 02:00 UTC in AEDT; on Sunday, after the change, 13:00 is 03:00 UTC.
    expect(at(f, Date.UTC(2025, 3, 5, 2)).mean).toBeGreaterThan(1.4 * 3 * 300 * 0.9);
    expect(at(f, Date.UTC(2025, 3, 6, 3)).mean).toBeGreaterThan(3 * 300 * 0.9);
    expect(at(f, Date.UTC(2025, 3, 6, 2)).mean).toBeLessThan(1.8 * 300 * 1.1); // 12:00 AEST
    // The repeated 02:00 is two real hours with one wall-clock slot: both get that slot's forecast.
    expect(at(f, Date.UTC(2025, 3, 5, 15)).mean).toBe(at(f, Date.UTC(2025, 3, 5, 16)).mean);
    expect(local(Date.UTC(2025, 3, 5, 15)).hour).toBe(local(Date.UTC(2025, 3, 5, 16)).hour);
  });

  it('follows a level shift: an entrance that doubled two weeks ago is forecast well above its old level', async () => {
    const f = await latest('entrance', 'main');
    const lunch = at(f, Date.UTC(2025, 3, 4, 2)).mean; // new level 600, old 300
    expect(lunch).toBeGreaterThan(480);
    expect(lunch).toBeLessThan(700);
  });

  it('flags a shop with no history or only days of it as low confidence instead of failing', async () => {
    const none = await latest('shop', 'coffee');
    expect(none).toMatchObject({ confidence: 'low', reason: 'no-history', observedHours: 0 });
    expect(none.hours.every((x) => x.mean === 0 && x.usual === null)).toBe(true);
    const young = await latest('shop', 'tea');
    expect(young).toMatchObject({ confidence: 'low', reason: 'short-history' });
    // Five days are enough for the shape of a day: lunch (13:00) stands out.
    const lunch = at(young, Date.UTC(2025, 3, 4, 2));
    expect(lunch.mean).toBeGreaterThan(90);
    // Low confidence shows in the width: at least ×½…×2 around the mean.
    expect(lunch.lo80).toBeLessThanOrEqual(lunch.mean / 2 + 1e-9);
    expect(lunch.hi80).toBeGreaterThanOrEqual(lunch.mean * 2 - 1e-9);
  });

  it('uses an event the operator adds to the calendar from the next refresh on, and keeps the earlier forecast', async () => {
    const saturdayLunch = Date.UTC(2025, 3, 5, 2);
    const before = at(await latest('shop', 'coffee-2'), saturdayLunch).mean;
    await h.forecasting.calendar.add({ date: '2025-04-05', name: 'Autumn sale', kind: 'event', factor: 2 }, 'op', NOW);
    await h.forecasting.refresh.run(NOW + 10 * 60_000);
    const after = await latest('shop', 'coffee-2');
    expect(after.madeAt).toBe(NOW + 10 * 60_000);
    expect(at(after, saturdayLunch).mean / before).toBeCloseTo(2, 1);
    // Sunday is not the sale: unchanged.
    expect(at(after, Date.UTC(2025, 3, 6, 3)).mean).toBeLessThan(1.2 * 3 * 20);
    const { rows } = await h.sql.query<{ runs: number }>(`select count(distinct made_at)::int as runs from forecast_series where subject_id = 'coffee-2'`);
    expect(rows[0]!.runs).toBe(2);
  });
});
