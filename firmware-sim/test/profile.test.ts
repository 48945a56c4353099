import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildDemoMall } from '../src/mall/build.ts';
import { localTime, zonedTimeToUtc } from '../src/local-time.ts';
import { createFootfallModel, dwellMinutes, expectedOccupancy, expectedRate, visitorArrivals } from '../src/profile/expected-rate.ts';
import { gateFlow } from '../src/profile/gate-flow.ts';
import { victorianHolidays } from '../src/profile/holidays.ts';
import { deriveWeekProfile, melbourneWeek } from '../src/profile/week-profile.ts';
import { SHOP_VISITS_PER_VISITOR, VISITS_PER_VISITOR, computeWeights } from '../src/profile/weights.ts';

const site = buildDemoMall();
const model = createFootfallModel(site);
const at = (date: string, time: string) => zonedTimeToUtc(site.timezone, date, time);
const arrivals = (date: string, time: string) => visitorArrivals(model, model.calendar.at(at(date, time)));
const rate = (kind: 'zone' | 'entrance' | 'shop', id: string, date: string, time: string) => expectedRate(model, { kind, id }, at(date, time));
// March 2025: Sat 8th, Mon 10th is Labour Day, Tue 11th, Mon 17th an ordinary Monday.
const SAT = '2025-03-08';
const TUE = '2025-03-11';

describe('Melbourne week profile', () => {
  const p = melbourneWeek();
  it('has 168 hourly values with mean 1 and credits its source', () => {
    expect(p.hourOfWeek).toHaveLength(168);
    expect(p.hourOfWeek.reduce((a, b) => a + b, 0) / 168).toBeCloseTo(1, 2);
    expect(p.source).toMatch(/City of Melbourne/);
    expect(p.source).toMatch(/CC BY 4\.0/);
    expect(p.holidayFactor).toBeGreaterThan(0.3);
    expect(p.holidayFactor).toBeLessThan(1.5);
  });

  it('derives medians per hour of week and a holiday factor from rows', () => {
    const rows = [];
    // Four weeks from Monday 2024-01-01: 10 an hour, 100 at Tuesday noon, 5 all day on the holiday (Tue 16th).
    for (let d = 0; d < 28; d++) {
      const date = new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10);
      for (let h = 0; h < 24; h++) rows.push({ timeLocal: `${date}T${String(h).padStart(2, '0')}:00`, count: d === 15 ? 5 : d % 7 === 1 && h === 12 ? 100 : 10 });
    }
    const out = deriveWeekProfile(rows, { sensor: 's', source: 'test', holidays: new Set(['2024-01-16']) });
    expect(out.hourOfWeek[24 + 12]! / out.hourOfWeek[24 + 11]!).toBeCloseTo(10, 2);
    // Trading hours 10-21: the holiday Tuesday counts 11 x 5, its peers 10 x 10 + 100.
    expect(out.holidayFactor).toBeCloseTo(55 / 200, 3);
    expect(out.holidaysUsed).toBe(1);
  });
});

describe('Victorian holidays', () => {
  // The Melbourne extract lives beside the repository (CI clones ../shared next to it), never
  // in it: resolved from the repository root, and missing data is a failure, not a skip.
  const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
  const csv = resolve(repoRoot, '../shared/data/melbourne-pedestrian/holidays-vic.csv');
  it('match the published list for 2012-2015', () => {
    if (!existsSync(csv)) throw new Error(`the published Victorian holidays are expected at ${csv} (../shared/data/melbourne-pedestrian/ beside the repository)`);
    const published = readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.slice(0, 10));
    const computed = [2012, 2013, 2014, 2015].flatMap((y) => victorianHolidays(y).map((h) => h.date));
    expect(computed).toEqual(published);
  });
  it('include Easter Sunday from 2016 and the King from 2023', () => {
    expect(victorianHolidays(2025).map((h) => h.name)).toContain('Easter Sunday');
    expect(victorianHolidays(2025).find((h) => h.date === '2025-06-09')?.name).toBe("King's Birthday");
  });
});

describe('local time', () => {
  it('follows daylight saving in Melbourne', () => {
    expect(new Date(at('2025-01-15', '12:00')).toISOString()).toBe('2025-01-15T01:00:00.000Z'); // AEDT +11
    expect(new Date(at('2025-07-15', '12:00')).toISOString()).toBe('2025-07-15T02:00:00.000Z'); // AEST +10
    const lt = localTime(site.timezone, at(SAT, '14:30'));
    expect(lt).toMatchObject({ date: SAT, weekday: 5, hour: 14, minute: 30 });
  });
});

describe('mall footfall', () => {
  it('is busier on Saturday afternoon than Tuesday afternoon, and nil at 3 am', () => {
    expect(arrivals(SAT, '14:00')).toBeGreaterThan(arrivals(TUE, '14:00'));
    expect(arrivals(TUE, '14:00')).toBeGreaterThan(1000);
    expect(arrivals(TUE, '03:00')).toBe(0);
    for (const e of site.entrances) expect(rate('entrance', e.id, TUE, '03:00')).toBeLessThan(1);
    expect(rate('shop', site.shops[0]!.id, TUE, '03:00')).toBeLessThan(0.5);
  });

  it('shows a lunch peak, strongest in the food court', () => {
    expect(arrivals(TUE, '13:00')).toBeGreaterThan(arrivals(TUE, '10:30'));
    expect(arrivals(TUE, '13:00')).toBeGreaterThan(arrivals(TUE, '16:00'));
    expect(rate('zone', 'l1-foodcourt', TUE, '12:45')).toBeGreaterThan(3 * rate('zone', 'l1-foodcourt', TUE, '16:00'));
  });

  it('keeps staff only outside trading hours', () => {
    expect(arrivals(TUE, '09:30')).toBe(0);
    expect(arrivals(TUE, '21:30')).toBe(0);
    const door = site.gates.find((g) => g.kind === 'door')!;
    const doors = site.gates.filter((g) => g.kind === 'door').length;
    expect(gateFlow(model, door.kind, doors, at(TUE, '09:15')).entries).toBeGreaterThan(gateFlow(model, door.kind, doors, at(TUE, '13:00')).entries * 5);
    expect(gateFlow(model, door.kind, doors, at(TUE, '21:30')).exits).toBeGreaterThan(gateFlow(model, door.kind, doors, at(TUE, '21:30')).entries * 5);
  });

  it('applies the public-holiday factor, and shuts on Christmas Day and Good Friday', () => {
    const labourDay = arrivals('2025-03-10', '14:00');
    const ordinaryMonday = arrivals('2025-03-17', '14:00');
    expect(labourDay / ordinaryMonday).toBeCloseTo(melbourneWeek().holidayFactor, 3);
    expect(arrivals('2025-12-25', '14:00')).toBe(0);
    expect(arrivals('2025-04-18', '14:00')).toBe(0);
  });

  it('multiplies footfall during an event, and only where it is held', () => {
    const withEvent = createFootfallModel(site, { events: [{ name: 'Autumn sale', from: TUE, to: TUE, multiplier: 1.5 }] });
    const atrium = createFootfallModel(site, { events: [{ name: 'Fashion show', from: TUE, to: TUE, multiplier: 2, zoneIds: ['g-atrium'] }] });
    const t = at(TUE, '14:00');
    expect(expectedRate(withEvent, { kind: 'entrance', id: 'g-west' }, t) / expectedRate(model, { kind: 'entrance', id: 'g-west' }, t)).toBeCloseTo(1.5, 6);
    expect(expectedRate(atrium, { kind: 'zone', id: 'g-atrium' }, t) / expectedRate(model, { kind: 'zone', id: 'g-atrium' }, t)).toBeCloseTo(2, 6);
    expect(expectedRate(atrium, { kind: 'zone', id: 'g-mall-nw' }, t)).toBeCloseTo(expectedRate(model, { kind: 'zone', id: 'g-mall-nw' }, t), 6);
    expect(expectedRate(withEvent, { kind: 'entrance', id: 'g-west' }, at('2025-03-12', '14:00'))).toBeCloseTo(expectedRate(model, { kind: 'entrance', id: 'g-west' }, at('2025-03-12', '14:00')), 6);
  });

  it('weights add up: one entrance per visitor, fixed visits per zone kind and for shops', () => {
    const w = computeWeights(site);
    const sum = (prefix: string, filter: (id: string) => boolean = () => true) =>
      [...w.share].filter(([k]) => k.startsWith(prefix) && filter(k.slice(prefix.length))).reduce((a, [, v]) => a + v, 0);
    expect(sum('entrance:')).toBeCloseTo(1, 9);
    expect(sum('shop:')).toBeCloseTo(SHOP_VISITS_PER_VISITOR, 9);
    for (const kind of ['concourse', 'restroom', 'foodcourt', 'carpark'] as const) {
      expect(sum('zone:', (id) => site.zones.find((z) => z.id === id)?.kind === kind)).toBeCloseTo(VISITS_PER_VISITOR[kind], 9);
    }
    // Bigger entrance lobbies take more arrivals; the entrances together carry every arrival.
    const t = at(TUE, '14:00');
    const viaEntrances = site.entrances.reduce((a, e) => a + expectedRate(model, { kind: 'entrance', id: e.id }, t), 0);
    expect(viaEntrances / arrivals(TUE, '14:00')).toBeCloseTo(1, 1);
  });

  it("follows Little's law for occupancy", () => {
    const s = { kind: 'zone' as const, id: 'l1-foodcourt' };
    const t = at(TUE, '15:00');
    expect(expectedOccupancy(model, s, t)).toBeCloseTo((expectedRate(model, s, t - (dwellMinutes(model, s) * 60_000) / 2) * dwellMinutes(model, s)) / 60, 6);
  });
});
