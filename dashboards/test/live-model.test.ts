import { describe, expect, it } from 'vitest';
import type { Zone, ZoneLive } from '@atrium/shared';
// The page's own module and its JSDoc types (plain browser JS in dashboards/public, checked
// with dashboards/test/tsconfig.public.json): the test states nothing about its API by hand.
import * as model from '../public/live-model.js';
import type { SortRow } from '../public/live-model.js';

const zone = (id: string, name: string, areaM2 = 100): Zone => ({ id, floorId: 'g', name, kind: 'concourse', areaM2, rect: { x: 0, y: 0, w: 10, h: 10 } });
const live = (zoneId: string, occupancy: number | null, density: number | null, co2?: number): ZoneLive => ({
  zoneId,
  floorId: 'g',
  occupancy,
  density,
  footfallLastMinute: null,
  env: co2 === undefined ? {} : { co2 },
  updatedAt: null,
});

describe('control-room page model', () => {
  it('bands density at 0.2, 0.5 and 1 people/m², with a word for each and for no data', () => {
    const at = (d: number | null) => model.densityLevel(d).label;
    expect([at(0), at(0.199), at(0.2), at(0.499), at(0.5), at(0.999), at(1), at(4)]).toEqual(['Quiet', 'Quiet', 'Moderate', 'Moderate', 'Busy', 'Busy', 'Crowded', 'Crowded']);
    expect([at(null), at(Number.NaN), at(-1)]).toEqual(['No data', 'No data', 'No data']);
    expect(model.DENSITY_LEVELS.map((l) => l.id)).toEqual(['quiet', 'moderate', 'busy', 'crowded']);
  });

  it('formats what the page shows and tells which shown values changed', () => {
    const a = model.zoneView(live('hall', 1234, 0.185, 1200));
    expect(a).toMatchObject({ occupancy: '1,234', density: '0.19', footfall: '—', co2: '1,200', co2High: true });
    expect(model.zoneView(undefined)).toMatchObject({ occupancy: '—', density: '—', co2: '—', co2High: false });
    const b = model.zoneView(live('hall', 1234, 0.186, 1200)); // same text: nothing to redraw
    expect(Object.values(model.viewChanges(a, b)).some(Boolean)).toBe(false);
    expect(model.viewChanges(a, model.zoneView(live('hall', 1300, 0.65, 1200)))).toEqual({ occupancy: true, density: true, level: true, footfall: false, co2: false });
  });

  it('sorts by density, densest first, zones without data last in both directions, ties by name', () => {
    const rows: SortRow[] = [
      { zone: zone('a', 'Alpha'), floor: undefined, live: live('a', 10, 0.1) },
      { zone: zone('b', 'Beta'), floor: undefined, live: live('b', null, null) },
      { zone: zone('c', 'Gamma'), floor: undefined, live: live('c', 90, 0.9) },
      { zone: zone('d', 'Delta'), floor: undefined, live: live('d', 10, 0.1) },
    ];
    const order = (dir: 'asc' | 'desc') => [...rows].sort(model.compareRows({ key: 'density', dir })).map((r) => r.zone.id);
    expect(order('desc')).toEqual(['c', 'a', 'd', 'b']);
    expect(order('asc')).toEqual(['a', 'd', 'c', 'b']);
  });

  it('frames a floor around its zones', () => {
    const b = model.floorBounds([
      { ...zone('a', 'A'), rect: { x: 10, y: 5, w: 20, h: 10 } },
      { ...zone('b', 'B'), rect: { x: 30, y: 5, w: 10, h: 30 } },
    ]);
    expect(b.x).toBeLessThan(10);
    expect(b.x + b.w).toBeGreaterThan(40);
    expect(b.y + b.h).toBeGreaterThan(35);
  });

  it('labels a zone as fully as its size on screen allows', () => {
    expect(model.labelLayout(200, 80, 'Hall', '37', 'Quiet')).toMatchObject({ name: 'Hall', count: true, level: true });
    const narrow = model.labelLayout(60, 60, 'Restrooms Level 1 Central', '12', 'Busy');
    expect(narrow.name.endsWith('…')).toBe(true);
    expect(narrow.count).toBe(true);
    expect(model.labelLayout(40, 18, 'Click & Collect Lockers', '7', 'Quiet')).toMatchObject({ name: '', count: true });
    expect(model.labelLayout(6, 6, 'Tiny', '7', 'Quiet').size).toBe(0);
  });

  it('moves as few table rows as a re-sort allows: those out of order among the others', () => {
    // each entry: the row's current position, listed in the new order
    const moved = (positions: number[]) => positions.filter((_, i) => !model.rowsInPlace(positions).has(i));
    expect(moved([0, 1, 2, 3, 4])).toEqual([]);
    expect(moved([1, 2, 3, 4, 0])).toEqual([0]); // the last row went to the top
    expect(moved([0, 4, 1, 2, 3])).toEqual([4]);
    expect(moved([4, 3, 2, 1, 0])).toHaveLength(4); // reversed: all but one move
    expect(moved([])).toEqual([]);
    // applying the moves gives the new order
    const current = ['a', 'b', 'c', 'd', 'e', 'f'];
    const wanted = ['c', 'a', 'b', 'f', 'd', 'e'];
    const stay = model.rowsInPlace(wanted.map((id) => current.indexOf(id)));
    const list = [...current];
    let next: string | null = null;
    for (let i = wanted.length - 1; i >= 0; i--) {
      const id = wanted[i]!;
      if (!stay.has(i)) {
        list.splice(list.indexOf(id), 1);
        list.splice(next === null ? list.length : list.indexOf(next), 0, id);
      }
      next = id;
    }
    expect(list).toEqual(wanted);
    expect(stay.size).toBe(4);
  });

  it('calls it a burst only while most zones changed within the window, and never on a handful of changes', () => {
    const burst = model.changeBurst(500, 1000);
    // the edge forwards a tenth of the zones every 100 ms: no single frame has most of them
    const frames = Array.from({ length: 10 }, (_, i) => burst(i * 100, 50));
    expect(frames.slice(0, 5)).toEqual([false, false, false, false, false]); // 250 of 500: not most
    expect(frames.at(-1)).toBe(true);
    expect(burst(1_950, 0)).toBe(false); // a second later, the stream has stopped
    expect(burst(2_000, 3)).toBe(false); // a few changes highlight again
    expect(burst(2_000, 251)).toBe(true); // most zones at once
    const small = model.changeBurst(6, 1000);
    expect(small(0, 6)).toBe(false); // every zone of a small site: each change still seen
  });
});
