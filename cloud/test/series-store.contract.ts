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

    describe('hourly totals (what the forecast refresh reads)', () => {
      const H = 3_600_000;
      const shop = (deviceId: string, shopId: string, minute: number, inN: number, outN = 0): FootfallMinute => ({ ...foot(deviceId, 'hall', minute, inN, outN), subjectKind: 'shop', subjectId: shopId });
      const values = (a: Float64Array) => [...a].map((v) => (Number.isNaN(v) ? null : v));

      it('sums each listed subject per hour in the order asked, keeping an hour without records apart from a counted zero', async () => {
        store = await open();
        await store.writeUplink(
          minute([
            foot('r1', 'hall', T, 5, 1), foot('r2', 'hall', T + 59 * 60_000, 2, 2), foot('r1', 'hall', T + 2 * H, 0, 0),
            foot('r3', 'wc', T + H + 60_000, 9), foot('r4', 'kiosk', T, 50),
          ]),
          T,
        );
        const got = await store.footfallHours({ siteId: 'mini', subjectKind: 'zone', subjectIds: ['wc', 'hall', 'never'], from: T, to: T + 3 * H });
        expect(got.map((x) => ({ subjectId: x.subjectId, in: values(x.in), out: values(x.out) }))).toEqual([
          { subjectId: 'wc', in: [null, 9, null], out: [null, 0, null] },
          { subjectId: 'hall', in: [7, null, 0], out: [3, null, 0] },
          { subjectId: 'never', in: [null, null, null], out: [null, null, null] },
        ]);
      });

      it('adds late records to hours already stored, counts a redelivered uplink once and keeps kinds and sites apart', async () => {
        store = await open();
        const first = minute([foot('r1', 'hall', T, 5), shop('r9', 'hall', T, 100)]);
        await store.writeUplink(first, T);
        await store.writeUplink(first, T);
        await store.writeUplink(minute([foot('r1', 'hall', T + 30 * 60_000, 2), foot('r2', 'hall', T, 1)]), T);
        await store.writeUplink({ ...minute([foot('r1', 'hall', T, 1000)]), siteId: 'other' }, T);
        const [hall] = await store.footfallHours({ siteId: 'mini', subjectKind: 'zone', subjectIds: ['hall'], from: T - H, to: T + H });
        expect(values(hall!.in)).toEqual([null, 8]);
        const [shopHall] = await store.footfallHours({ siteId: 'mini', subjectKind: 'shop', subjectIds: ['hall'], from: T, to: T + H });
        expect(values(shopHall!.in)).toEqual([100]);
      });

      it('agrees with minute rows summed by the hour across days, over any whole-hour range', async () => {
        store = await open();
        // Minutes scattered over three days around UTC midnight, two radars, a merged hour record among them.
        const records: FootfallMinute[] = [];
        const start = Date.UTC(2026, 0, 9, 20);
        for (let k = 0; k < 300; k++) records.push(foot(k % 3 === 0 ? 'r2' : 'r1', k % 5 === 0 ? 'wc' : 'hall', start + ((k * 37) % (52 * 60)) * 60_000, (k * 7) % 11, k % 4));
        records.push({ ...foot('r5', 'hall', start + 10 * H, 40, 30), spanMinutes: 60 });
        await store.writeUplink(minute(records), T);
        for (const [from, to] of [[start - 2 * H, start + 54 * H], [start + 3 * H, start + 29 * H]] as const) {
          const got = await store.footfallHours({ siteId: 'mini', subjectKind: 'zone', subjectIds: ['hall', 'wc'], from, to });
          const points = await store.footfall({ siteId: 'mini', subjectKind: 'zone', from, to, everyMs: H });
          for (const x of got) {
            const expected = Array.from({ length: (to - from) / H }, (_, k) => points.find((p) => p.subjectId === x.subjectId && p.t === from + k * H) ?? null);
            expect(values(x.in)).toEqual(expected.map((p) => p?.in ?? null));
            expect(values(x.out)).toEqual(expected.map((p) => p?.out ?? null));
          }
        }
      });

      it('refuses a range that is not on whole hours', async () => {
        store = await open();
        await expect(store.footfallHours({ siteId: 'mini', subjectKind: 'zone', subjectIds: ['hall'], from: T + 60_000, to: T + H })).rejects.toMatchObject({ code: 'ATRIUM_INVALID_REQUEST' });
      });
    });

    it('stores events and keeps the newest device status', async () => {
      store = await open();
      const events: Uplink = { v: 1, id: randomUUID(), siteId: 'mini', gatewayId: 'gw-1', sentAt: T, kind: 'events', events: [{ deviceId: 'g1', floorId: 'g', zoneId: 'hall', ts: T, seq: 1, family: 'gate', type: 'forced_open', data: {} }] };
      await store.writeUplink(events, T);
      expect((await store.counts('mini')).events).toBe(1);
    });
  });
}
