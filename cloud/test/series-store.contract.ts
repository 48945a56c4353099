import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { FootfallMinute, MinuteUplink, Uplink } from '@atrium/shared';
import type { SeriesStore } from '../src/series/series-store.ts';

/**
 * The behaviour every series-store adapter must have. Each adapter's test file calls this
 * with a factory that returns an empty store (and, where it can, a way to reopen it).
 */
export function seriesStoreContract(name: string, open: () => Promise<SeriesStore>) {
  // `open` must return a store that is empty for this site; adapters may reuse one server or engine.
  const T = Date.UTC(2026, 0, 10, 10, 0, 0);
  const foot = (deviceId: string, zoneId: string, minute: number, inN: number, outN = 0): FootfallMinute => ({
    deviceId, floorId: 'g', zoneId, minute, subjectKind: 'zone', subjectId: zoneId, in: inN, out: outN, samples: 2, occupancySum: 20, occupancyCount: 2, occupancyMax: 12,
  });
  const minute = (footfall: FootfallMinute[], env: MinuteUplink['env'] = []): MinuteUplink => ({
    v: 1, id: randomUUID(), siteId: 'mini', gatewayId: 'gw-1', sentAt: T, kind: 'minute', footfall, env,
  });

  describe(`series store contract: ${name}`, () => {
    let store: SeriesStore | undefined;
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

    it('stores an uplink once even when it is delivered twice', async () => {
      store = await open();
      const u = minute([foot('r1', 'hall', T, 5, 2)]);
      expect(await store.writeUplink(u, T)).toEqual({ stored: true });
      expect(await store.writeUplink(u, T + 1)).toEqual({ stored: false });
      expect(await store.footfallTotals({ siteId: 'mini', subjectKind: 'zone' })).toEqual([{ subjectId: 'hall', in: 5, out: 2 }]);
      expect((await store.counts('mini')).uplinks).toBe(1);
    });

    it('adds a late record for a minute already stored, and sums radars of one zone', async () => {
      store = await open();
      await store.writeUplink(minute([foot('r1', 'hall', T, 5), foot('r2', 'hall', T, 1)]), T);
      await store.writeUplink(minute([foot('r1', 'hall', T, 2), foot('r1', 'hall', T + 60_000, 4)]), T);
      const points = await store.footfall({ siteId: 'mini', subjectKind: 'zone', subjectId: 'hall', from: T, to: T + 120_000, everyMs: 60_000 });
      expect(points).toEqual([
        { subjectId: 'hall', t: T, in: 8, out: 0 },
        { subjectId: 'hall', t: T + 60_000, in: 4, out: 0 },
      ]);
    });

    it('adds up two records of the same device and minute inside one uplink', async () => {
      store = await open();
      await store.writeUplink(minute([foot('r1', 'hall', T, 5, 1), foot('r1', 'hall', T, 2, 1)]), T);
      expect(await store.footfallTotals({ siteId: 'mini', subjectKind: 'zone' })).toEqual([{ subjectId: 'hall', in: 7, out: 2 }]);
    });

    it('buckets by the requested width over a half-open range', async () => {
      store = await open();
      await store.writeUplink(minute([foot('r1', 'hall', T, 1), foot('r1', 'hall', T + 59 * 60_000, 2), foot('r1', 'hall', T + 60 * 60_000, 4), foot('r3', 'wc', T, 9)]), T);
      const hourly = await store.footfall({ siteId: 'mini', subjectKind: 'zone', from: T, to: T + 3_600_000, everyMs: 3_600_000 });
      expect(hourly).toEqual([
        { subjectId: 'hall', t: T, in: 3, out: 0 },
        { subjectId: 'wc', t: T, in: 9, out: 0 },
      ]);
    });

    it('keeps environment means exact across records and reports min and max', async () => {
      store = await open();
      const env = (deviceId: string, sum: number, count: number, min: number, max: number) => ({ deviceId, floorId: 'g', zoneId: 'hall', minute: T, metrics: { co2: { sum, count, min, max } } });
      await store.writeUplink(minute([], [env('e1', 1600, 2, 700, 900), env('e2', 1200, 1, 1200, 1200)]), T);
      expect(await store.env({ siteId: 'mini', metric: 'co2', from: T, to: T + 60_000, everyMs: 60_000 })).toEqual([
        { zoneId: 'hall', t: T, mean: 2800 / 3, min: 700, max: 1200 },
      ]);
    });

    it('adds a late environment record to the minute already stored', async () => {
      store = await open();
      const env = (sum: number, count: number, min: number, max: number) => [{ deviceId: 'e1', floorId: 'g', zoneId: 'hall', minute: T, metrics: { co2: { sum, count, min, max } } }];
      const late = minute([], env(1200, 1, 1200, 1200));
      await store.writeUplink(minute([], env(1600, 2, 700, 900)), T);
      await store.writeUplink(late, T);
      expect(await store.writeUplink(late, T)).toEqual({ stored: false });
      expect(await store.env({ siteId: 'mini', metric: 'co2', zoneId: 'hall', from: T, to: T + 60_000, everyMs: 60_000 })).toEqual([
        { zoneId: 'hall', t: T, mean: 2800 / 3, min: 700, max: 1200 },
      ]);
    });

    it('starts buckets at `from` even when it is not on a minute boundary', async () => {
      store = await open();
      await store.writeUplink(minute([foot('r1', 'hall', T, 1), foot('r1', 'hall', T + 59 * 60_000, 2), foot('r1', 'hall', T + 60 * 60_000, 4), foot('r1', 'hall', T + 61 * 60_000, 8)]), T);
      const from = T - 30_000;
      expect(await store.footfall({ siteId: 'mini', subjectKind: 'zone', from, to: from + 2 * 3_600_000, everyMs: 3_600_000 })).toEqual([
        { subjectId: 'hall', t: from, in: 3, out: 0 },
        { subjectId: 'hall', t: from + 3_600_000, in: 12, out: 0 },
      ]);
      expect(await store.footfallTotals({ siteId: 'mini', subjectKind: 'zone', from: T + 30_000, to: T + 60 * 60_000 + 1 })).toEqual([{ subjectId: 'hall', in: 6, out: 0 }]);
    });

    it('stores events and keeps the newest device status', async () => {
      store = await open();
      const events: Uplink = { v: 1, id: randomUUID(), siteId: 'mini', gatewayId: 'gw-1', sentAt: T, kind: 'events', events: [{ deviceId: 'g1', floorId: 'g', zoneId: 'hall', ts: T, seq: 1, family: 'gate', type: 'forced_open', data: {} }] };
      await store.writeUplink(events, T);
      expect((await store.counts('mini')).events).toBe(1);
    });
  });
}
