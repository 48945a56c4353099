import { describe, expect, it } from 'vitest';
import { createAggregator } from '../src/readings/aggregator.ts';

const where = { deviceId: 'r1', floorId: 'g', zoneId: 'hall' };
const zone = { kind: 'zone' as const, id: 'hall' };
const T = Date.UTC(2026, 0, 10, 10, 0, 0);
let nextId = 1;
const count = (ts: number, seq: number, inN: number, outN: number, occupancy?: number) => ({ ts, seq, periodS: 30, in: inN, out: outN, ...(occupancy !== undefined && { occupancy }) });

describe('minute aggregator', () => {
  it('sums a device minute and closes it once the device clock has moved past it', () => {
    const agg = createAggregator({ lateness_ms: 5000, idle_ms: 60_000 });
    agg.addCount(where, zone, count(T + 1000, 1, 3, 1, 10), 0, nextId++);
    agg.addCount(where, zone, count(T + 31_000, 2, 4, 2, 14), 0, nextId++);
    expect(agg.takeClosed(0).footfall).toEqual([]); // minute still open
    agg.addCount(where, zone, count(T + 66_000, 3, 1, 0, 12), 0, nextId++); // watermark passes T+65s
    const closed = agg.takeClosed(0);
    expect(closed.footfall).toEqual([
      { ...where, minute: T, subjectKind: 'zone', subjectId: 'hall', in: 7, out: 3, samples: 2, occupancySum: 24, occupancyCount: 2, occupancyMax: 14 },
    ]);
    expect(closed.readingIds).toHaveLength(2);
    expect(agg.pendingReadings).toBe(1);
  });

  it('turns a late reading into a second additive record instead of dropping it', () => {
    const agg = createAggregator({ lateness_ms: 0, idle_ms: 60_000 });
    agg.addCount(where, zone, count(T + 1000, 1, 5, 0), 0, nextId++);
    agg.addCount(where, zone, count(T + 61_000, 2, 1, 0), 0, nextId++);
    const first = agg.takeClosed(0).footfall;
    agg.addCount(where, zone, count(T + 2000, 3, 2, 0), 0, nextId++); // late, for the closed minute
    const all = [...first, ...agg.takeAll().footfall];
    const forT = all.filter((r) => r.minute === T);
    expect(forT.map((r) => r.in)).toEqual([5, 2]);
    expect(all.reduce((s, r) => s + r.in, 0)).toBe(8);
  });

  it('closes a slow reporter’s minute on the gateway’s clock, not at its next reading', () => {
    const agg = createAggregator({ lateness_ms: 5000, idle_ms: 600_000 });
    agg.addCount(where, zone, count(T + 1000, 1, 3, 0), 0, nextId++);
    expect(agg.takeClosed(0, T + 60_000).footfall).toEqual([]); // the minute has just ended: late readings may still come
    expect(agg.takeClosed(0, T + 65_000).footfall).toMatchObject([{ deviceId: 'r1', minute: T, in: 3 }]);
  });

  it('lets each device close only its own minutes: a clock far ahead does not close the others', () => {
    const agg = createAggregator({ lateness_ms: 5000, idle_ms: 60_000 });
    const other = { ...where, deviceId: 'r2' };
    agg.addCount(where, zone, count(T + 1000, 1, 3, 0), 0, nextId++);
    agg.addCount(other, zone, count(Date.UTC(2099, 0, 1), 1, 1, 0), 0, nextId++); // r2's clock is in 2099
    expect(agg.takeClosed(0).footfall).toEqual([]); // before: r2's clock closed r1's open minute
    agg.addCount(where, zone, count(T + 30_000, 2, 4, 0), 0, nextId++);
    agg.addCount(where, zone, count(T + 66_000, 3, 1, 0), 0, nextId++); // r1's own clock passes its minute
    expect(agg.takeClosed(0).footfall).toMatchObject([{ deviceId: 'r1', minute: T, in: 7, samples: 2 }]);
  });

  it('closes an idle minute by the gateway clock when the device goes quiet', () => {
    const agg = createAggregator({ lateness_ms: 5000, idle_ms: 1000 });
    agg.addCount(where, zone, count(T + 1000, 1, 2, 0), 10_000, nextId++);
    expect(agg.takeClosed(10_500).footfall).toHaveLength(0);
    expect(agg.takeClosed(11_000).footfall).toHaveLength(1);
  });

  it('keeps environment statistics exact: sum, count, min and max per metric', () => {
    const agg = createAggregator({ lateness_ms: 0, idle_ms: 60_000 });
    const env = (ts: number, seq: number, co2: number, nh3?: number) => ({ ts, seq, tempC: 22, rh: 40, co2, pm25: 5, tvoc: 100, noiseDb: 50, ...(nh3 !== undefined && { nh3 }) });
    agg.addEnv(where, env(T + 1000, 1, 800, 2), 0, nextId++);
    agg.addEnv(where, env(T + 30_000, 2, 1000), 0, nextId++);
    const [record] = agg.takeAll().env;
    expect(record?.metrics.co2).toEqual({ sum: 1800, count: 2, min: 800, max: 1000 });
    expect(record?.metrics.nh3).toEqual({ sum: 2, count: 1, min: 2, max: 2 });
  });
});
