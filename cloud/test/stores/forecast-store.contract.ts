import { describe, expect, it } from 'vitest';
import type { SubjectKind } from '@atrium/shared';
import type { RunInfo, SeriesRun } from '@atrium/shared';
import { createForecastStore } from '../../src/forecast/forecast-store.ts';
import type { StoreDbFixture } from './fixture.ts';

const H = 3_600_000;
/** Monday 2025-03-17 09:00 in Melbourne, an hour start. */
const HOUR = Date.UTC(2025, 2, 16, 22);

/** A refresh made at `madeAt`: the 72 hours after the hour it was made in, each with its own values (fractions included, `usual` unknown on odd leads). */
function run(madeAt: number, series: { kind?: SubjectKind; id: string; level: number }[]): { info: RunInfo; series: SeriesRun[] } {
  const hourStart = Math.floor(madeAt / H) * H;
  return {
    info: { madeAt, origin: hourStart + H, horizonH: 72, series: series.length, durationMs: 812 },
    series: series.map((s) => ({
      subjectKind: s.kind ?? 'shop',
      subjectId: s.id,
      confidence: 'normal',
      reason: 'ok',
      observedHours: 2016,
      hours: Array.from({ length: 72 }, (_, i) => {
        const mean = s.level + i + 0.25;
        return { t: hourStart + (i + 1) * H, leadH: i + 1, mean, lo80: mean * 0.8, hi80: mean * 1.25, lo95: mean * 0.6, hi95: mean * 1.5, usual: i % 2 === 0 ? s.level : null };
      }),
    })),
  };
}

/** Forecast storage (forecast/forecast-store.ts) as the refresh, the pages and the alert planner rely on it. */
export function forecastStoreContract(name: string, fixture: StoreDbFixture) {
  describe(`forecast store contract: ${name}`, () => {
    const open = async (siteId = 'fc-mall') => createForecastStore((await fixture.fresh()).db, siteId);

    it('gives back a saved run as it was made: every hour, interval and unknown "usual", and the run itself', async () => {
      const store = await open();
      const r = run(HOUR + 30 * 60_000, [{ id: 'tea', level: 40 }, { id: 'coffee', level: 120 }]);
      await store.saveRun(r.info, r.series);
      expect(await store.latestRun()).toEqual(r.info);
      const latest = await store.latest({ subjectKind: 'shop' });
      expect(latest).toEqual([r.series[1], r.series[0]].map((s) => ({ ...s, madeAt: r.info.madeAt })));
      expect(await store.latest({ subjectKind: 'shop', subjectId: 'tea' })).toEqual([{ ...r.series[0], madeAt: r.info.madeAt }]);
      expect(await store.latest({ subjectKind: 'zone' })).toEqual([]);
    });

    it('serves the newest run for the same hours; the older one is still what was forecast at its lead', async () => {
      const store = await open();
      const first = run(HOUR + 30 * 60_000, [{ id: 'coffee', level: 100 }]);
      const again = run(HOUR + 40 * 60_000, [{ id: 'coffee', level: 300 }]); // same origin, remade ten minutes later
      await store.saveRun(first.info, first.series);
      await store.saveRun(again.info, again.series);
      const [coffee] = await store.latest({ subjectKind: 'shop', subjectId: 'coffee' });
      expect(coffee?.madeAt).toBe(again.info.madeAt);
      expect(coffee?.hours).toEqual(again.series[0]!.hours);
      expect((await store.latestRun())?.madeAt).toBe(again.info.madeAt);
      // "Made 24 h earlier" for the hour 24 h after: both runs forecast it at lead 24, newest first.
      const t = HOUR + 24 * H;
      const rows = await store.atLead({ subjectKind: 'shop', subjectId: 'coffee', leadH: 24, from: t, to: t + H });
      expect(rows.map((r) => [r.t, r.madeAt, r.mean])).toEqual([[t, again.info.madeAt, 323.25], [t, first.info.madeAt, 123.25]]);
    });

    it('stores a run saved twice (a retried refresh) once', async () => {
      const store = await open();
      const r = run(HOUR, [{ id: 'coffee', level: 100 }]);
      await store.saveRun(r.info, r.series);
      await store.saveRun(r.info, r.series);
      const [coffee] = await store.latest({ subjectKind: 'shop' });
      expect(coffee?.hours).toHaveLength(72);
      expect(await store.atLead({ subjectKind: 'shop', leadH: 3, from: 0, to: HOUR + 100 * H })).toHaveLength(1);
    });

    it('serves each series from its own newest run, and keeps kinds apart', async () => {
      const store = await open();
      const r1 = run(HOUR, [{ id: 'coffee', level: 100 }, { id: 'tea', level: 40 }, { kind: 'zone', id: 'coffee', level: 7 }]);
      const r2 = run(HOUR + H, [{ id: 'coffee', level: 110 }]); // tea missing from the newer run
      await store.saveRun(r1.info, r1.series);
      await store.saveRun(r2.info, r2.series);
      expect((await store.latest({ subjectKind: 'shop' })).map((s) => [s.subjectId, s.madeAt])).toEqual([['coffee', HOUR + H], ['tea', HOUR]]);
      expect((await store.latest({ subjectKind: 'zone' })).map((s) => [s.subjectId, s.madeAt, s.hours[0]!.mean])).toEqual([['coffee', HOUR, 7.25]]);
      const lead1 = await store.atLead({ subjectKind: 'shop', leadH: 1, from: HOUR, to: HOUR + 3 * H });
      expect(lead1.map((r) => [r.subjectId, r.t, r.madeAt])).toEqual([['coffee', HOUR + H, HOUR], ['coffee', HOUR + 2 * H, HOUR + H], ['tea', HOUR + H, HOUR]]);
    });

    it('prunes old runs down to their 24 h and 72 h rows, and drops hours already past', async () => {
      const store = await open();
      const old = run(HOUR, [{ id: 'coffee', level: 100 }]);
      const fresh = run(HOUR + 48 * H, [{ id: 'coffee', level: 200 }]);
      await store.saveRun(old.info, old.series);
      await store.saveRun(fresh.info, fresh.series);
      await store.prune({ fullBefore: HOUR + 24 * H, before: HOUR + 30 * H });
      const leadsOfOld = async (leadH: number) => (await store.atLead({ subjectKind: 'shop', leadH, from: 0, to: HOUR + 200 * H })).filter((r) => r.madeAt === HOUR).map((r) => r.t);
      expect(await leadsOfOld(72)).toEqual([HOUR + 72 * H]);
      expect(await leadsOfOld(24)).toEqual([]); // its hour is before `before`
      expect(await leadsOfOld(40)).toEqual([]); // a full-run row
      const [coffee] = await store.latest({ subjectKind: 'shop' });
      expect(coffee?.madeAt).toBe(fresh.info.madeAt);
      expect(coffee?.hours).toHaveLength(72);
      expect((await store.latestRun())?.madeAt).toBe(fresh.info.madeAt);
    });

    it('serves a run written in parts only once its record is committed, and drops one never committed a day on', async () => {
      const store = await open();
      const served = run(HOUR, [{ id: 'coffee', level: 100 }]);
      await store.saveRun(served.info, served.series);
      const parts = run(HOUR + H, [{ id: 'coffee', level: 200 }, { id: 'tea', level: 50 }]);
      await store.saveHours(parts.info.madeAt, parts.series.slice(0, 1));
      await store.saveHours(parts.info.madeAt, parts.series.slice(1));
      const t = HOUR + 24 * H;
      // Written, not committed: readers still see the previous run, and nothing of this one.
      expect((await store.latest({ subjectKind: 'shop' })).map((s) => [s.subjectId, s.madeAt])).toEqual([['coffee', HOUR]]);
      expect((await store.atLead({ subjectKind: 'shop', leadH: 24, from: t, to: t + 2 * H })).map((r) => [r.t, r.madeAt])).toEqual([[t, HOUR]]);
      expect((await store.latestRun())?.madeAt).toBe(HOUR);
      await store.commitRun(parts.info);
      expect((await store.latest({ subjectKind: 'shop' })).map((s) => [s.subjectId, s.madeAt, s.hours[0]!.mean])).toEqual([['coffee', HOUR + H, 200.25], ['tea', HOUR + H, 50.25]]);
      expect((await store.atLead({ subjectKind: 'shop', leadH: 24, from: t, to: t + 2 * H })).map((r) => [r.subjectId, r.t, r.madeAt])).toEqual([['coffee', t, HOUR], ['coffee', t + H, HOUR + H], ['tea', t + H, HOUR + H]]);

      // A refresh that died after writing part of its run: never served, and gone once a day has passed.
      const died = run(HOUR + 2 * H, [{ id: 'coffee', level: 900 }]);
      await store.saveHours(died.info.madeAt, died.series);
      expect((await store.latest({ subjectKind: 'shop', subjectId: 'coffee' }))[0]?.madeAt).toBe(HOUR + H);
      await store.prune({ fullBefore: HOUR + 3 * H, before: 0 });
      const leads = await store.atLead({ subjectKind: 'shop', leadH: 72, from: 0, to: HOUR + 200 * H });
      expect(leads.map((r) => [r.subjectId, r.madeAt])).toEqual([['coffee', HOUR], ['coffee', HOUR + H], ['tea', HOUR + H]]);
      expect((await store.latestRun())?.madeAt).toBe(HOUR + H);
    });

    it('keeps the served leads of a cut-down run for weeks, yet serves only whole runs as the latest', async () => {
      const store = await open();
      const old = run(HOUR, [{ id: 'coffee', level: 100 }, { id: 'tea', level: 40 }]);
      const fresh = run(HOUR + 30 * H, [{ id: 'coffee', level: 200 }]); // tea not forecast since
      await store.saveRun(old.info, old.series);
      await store.saveRun(fresh.info, fresh.series);
      await store.prune({ fullBefore: HOUR + 25 * H, before: 0 });
      await store.prune({ fullBefore: HOUR + 25 * H, before: 0 }); // a second prune changes nothing
      expect((await store.latest({ subjectKind: 'shop' })).map((s) => [s.subjectId, s.madeAt])).toEqual([['coffee', HOUR + 30 * H]]);
      const at = async (leadH: number) => (await store.atLead({ subjectKind: 'shop', leadH, from: 0, to: HOUR + 200 * H })).map((r) => [r.subjectId, r.t, r.madeAt, r.mean]);
      expect(await at(24)).toEqual([['coffee', HOUR + 24 * H, HOUR, 123.25], ['coffee', HOUR + 54 * H, HOUR + 30 * H, 223.25], ['tea', HOUR + 24 * H, HOUR, 63.25]]);
      expect(await at(72)).toEqual([['coffee', HOUR + 72 * H, HOUR, 171.25], ['coffee', HOUR + 102 * H, HOUR + 30 * H, 271.25], ['tea', HOUR + 72 * H, HOUR, 111.25]]);
      expect(await at(23)).toEqual([['coffee', HOUR + 53 * H, HOUR + 30 * H, 222.25]]);
      // Four weeks on, the old run's hours are past the retention: its rows and its record go.
      await store.prune({ fullBefore: HOUR + 100 * H, before: HOUR + 73 * H });
      expect((await at(72)).map((r) => r[2])).toEqual([HOUR + 30 * H]);
      expect(await at(24)).toEqual([]);
      expect((await store.latestRun())?.madeAt).toBe(HOUR + 30 * H);
    });

    it('refuses a series whose hours are not counted from the hour the run was made in', async () => {
      const store = await open();
      const r = run(HOUR, [{ id: 'coffee', level: 100 }]);
      const hours = r.series[0]!.hours.map((h, i) => (i === 5 ? { ...h, t: h.t + H } : h));
      await expect(store.saveRun(r.info, [{ ...r.series[0]!, hours }])).rejects.toThrow(/coffee/);
      expect(await store.latestRun()).toBeNull();
    });

    it("never shows one site's forecasts to another site on the same database", async () => {
      const { db } = await fixture.fresh();
      const mall = createForecastStore(db, 'fc-mall');
      const other = createForecastStore(db, 'other-mall');
      const r = run(HOUR, [{ id: 'coffee', level: 100 }]);
      await mall.saveRun(r.info, r.series);
      expect(await other.latestRun()).toBeNull();
      expect(await other.latest({ subjectKind: 'shop' })).toEqual([]);
      expect(await other.atLead({ subjectKind: 'shop', leadH: 24, from: 0, to: HOUR + 100 * H })).toEqual([]);
      await other.prune({ fullBefore: HOUR + 100 * H, before: HOUR + 100 * H });
      expect((await mall.latest({ subjectKind: 'shop' }))[0]?.hours).toHaveLength(72);
    });
  });
}
