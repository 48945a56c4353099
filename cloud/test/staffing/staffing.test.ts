import { describe, expect, it } from 'vitest';
import { StaffingConfig, type ForecastHour } from '@atrium/shared';
import { staffingNeeds } from '../../src/staffing/model.ts';
import { compareWithRoster } from '../../src/staffing/plan.ts';
import { fcSite } from '../support/forecast-fixtures.ts';
import type { StaffMember } from '@atrium/shared';

const H = 3_600_000;
// Tuesday 2025-03-18 14:00 AEDT (open) and 23:00 AEDT (shut).
const OPEN = Date.UTC(2025, 2, 18, 3);
const SHUT = Date.UTC(2025, 2, 18, 12);
const hour = (t: number, mean: number): ForecastHour => ({ t, leadH: 1, mean, lo80: mean * 0.8, hi80: mean * 1.5, lo95: mean * 0.6, hi95: mean * 2, usual: mean });
const forecasts = (hall: number, food: number, back: number) =>
  new Map([
    ['hall', [hour(OPEN, hall), hour(SHUT, 0)]],
    ['food', [hour(OPEN, food), hour(SHUT, 0)]],
    ['back', [hour(OPEN, back), hour(SHUT, back)]],
  ]);

describe('staffing model', () => {
  const cfg = StaffingConfig.parse({});

  it('recommends cleaners by zone entries with a minimum per floor while open, and none when shut', () => {
    const [open, shut] = staffingNeeds(fcSite, forecasts(5000, 2100, 500), cfg);
    // Ground: 5000 entries / 2000 per cleaner → 3. Level 1: 2100 (the service corridor's 500 are staff, left out) → 2.
    // Security: patrol by area (12 000 m² a guard) plus one guard per 5000 entries, rounded up.
    expect(open!.open).toBe(true);
    expect(open!.floors).toEqual([
      { floorId: 'g', entries: 5000, cleaners: 3, security: 2 },
      { floorId: 'l1', entries: 2100, cleaners: 2, security: 1 },
    ]);
    expect(shut!.open).toBe(false);
    expect(shut!.floors.map((f) => [f.cleaners, f.security])).toEqual([[0, 1], [0, 1]]);
    // A quiet open hour still gets the floor minimum.
    const [quiet] = staffingNeeds(fcSite, forecasts(10, 10, 0), cfg);
    expect(quiet!.floors.map((f) => [f.cleaners, f.security])).toEqual([[1, 1], [1, 1]]);
  });

  it('is configurable: staffing to the top of the 80% range, other rates, bad values refused by name', () => {
    const safe = StaffingConfig.parse({ footfall: 'hi80', cleaners: { entriesPerCleanerHour: 500 } });
    const [open] = staffingNeeds(fcSite, forecasts(2000, 900, 0), safe);
    expect(open!.floors[0]).toMatchObject({ entries: 3000, cleaners: 6 });
    expect(() => StaffingConfig.parse({ cleaners: { entriesPerCleanerHour: -1 } })).toThrow(/entriesPerCleanerHour/);
    expect(() => StaffingConfig.parse({ security: { guards: 3 } })).toThrow(/guards/);
  });

  it('compares with the roster per hour, site-wide and per floor, showing gaps and surpluses', () => {
    const needs = staffingNeeds(fcSite, forecasts(5000, 2100, 0), cfg);
    const roster: StaffMember[] = [
      // on the ground floor for the whole open hour
      { siteId: 'demo-mall', id: 'c1', name: 'C1', roles: ['cleaner'], zoneId: 'hall', available: true, shifts: [{ from: OPEN - H, to: OPEN + H }] },
      // half of the open hour, on level 1
      { siteId: 'demo-mall', id: 'c2', name: 'C2', roles: ['cleaner'], zoneId: 'food', available: true, shifts: [{ from: OPEN + H / 2, to: OPEN + 3 * H }] },
      // cleaner and guard, whereabouts unknown: counted site-wide for both roles
      { siteId: 'demo-mall', id: 'x1', name: 'X1', roles: ['cleaner', 'security'], zoneId: null, available: false, shifts: [{ from: OPEN, to: SHUT + H }] },
      // guards over-staffing the night on the ground floor
      { siteId: 'demo-mall', id: 'g1', name: 'G1', roles: ['security'], zoneId: 'hall', available: true, shifts: [{ from: SHUT, to: SHUT + H }] },
      { siteId: 'demo-mall', id: 'g2', name: 'G2', roles: ['security'], zoneId: 'hall', available: true, shifts: [{ from: SHUT, to: SHUT + H }] },
    ];
    const plan = compareWithRoster(fcSite, needs, roster, cfg, OPEN - H);
    const [open, shut] = plan.hours;
    expect(open!.site.cleaners).toEqual({ recommended: 5, rostered: 2.5, gap: 2.5 });
    expect(open!.floors.map((f) => [f.floorId, f.cleaners.rostered])).toEqual([['g', 1], ['l1', 0.5]]);
    expect(open!.unplaced).toEqual({ cleaner: 1, security: 1 });
    expect(shut!.floors[0]!.security).toEqual({ recommended: 1, rostered: 2, gap: -1 });
    expect(shut!.site.security.gap).toBe(2 - 3);
    expect(plan.shortHours).toEqual({ cleaner: 1, security: 1 });
    expect(open!.local).toBe('Tue 2025-03-18 14:00');
  });
});
