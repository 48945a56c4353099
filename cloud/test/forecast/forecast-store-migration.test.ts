import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { MIGRATIONS } from '../../src/db/migrations.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { createForecastStore } from '../../src/forecast/forecast-store.ts';

const H = 3_600_000;
const HOUR = Date.UTC(2025, 2, 16, 22);
const engine = openPglite('memory://');
afterAll(async () => (await engine).close());

/** A run as the refresh stored it before migration 11: a head per series and a row per series-hour (heads and record committed together, at the end). */
async function oldRun(db: Awaited<typeof engine>, madeAt: number, series: { id: string; level: number; leads: number[] }[], committed = true) {
  const hour0 = Math.floor(madeAt / H) * H;
  if (committed) await db.query('insert into forecast_runs (site_id, made_at, origin, horizon_h, series, duration_ms) values ($1, $2, $3, 72, $4, 900)', ['mall', madeAt, hour0 + H, series.length]);
  for (const s of series) {
    if (committed) await db.query(`insert into forecast_series values ('mall', 'shop', $1, $2, 'normal', 'ok', 2016)`, [s.id, madeAt]);
    for (const lead of s.leads) {
      const mean = s.level + lead + 0.25;
      await db.query('insert into forecasts values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)', [
        'mall', 'shop', s.id, madeAt, hour0 + lead * H, lead, mean, mean * 0.8, mean * 1.25, mean * 0.6, mean * 1.5, lead % 2 === 0 ? s.level : null,
      ]);
    }
  }
}

describe('migration 11: stored forecasts move to one row per series', () => {
  it('serves the runs stored before it as they were: the latest whole run, and earlier runs at their served leads', async () => {
    const db = await engine;
    await migrate(db, MIGRATIONS.filter((m) => m.id < 11));
    const all = Array.from({ length: 72 }, (_, i) => i + 1);
    await oldRun(db, HOUR - 48 * H, [{ id: 'coffee', level: 50, leads: [24, 72] }]); // already cut down by the old prune
    await oldRun(db, HOUR, [{ id: 'coffee', level: 100, leads: all }, { id: 'tea', level: 40, leads: all }]);
    await oldRun(db, HOUR + H, [{ id: 'tea', level: 900, leads: all.slice(0, 10) }], false); // a run cut short before its heads
    await migrate(db);

    const store = createForecastStore(db, 'mall');
    expect((await store.latestRun())?.madeAt).toBe(HOUR);
    const latest = await store.latest({ subjectKind: 'shop' });
    expect(latest.map((s) => [s.subjectId, s.madeAt, s.confidence, s.observedHours, s.hours.length])).toEqual([['coffee', HOUR, 'normal', 2016, 72], ['tea', HOUR, 'normal', 2016, 72]]);
    expect(latest[0]!.hours[1]).toEqual({ t: HOUR + 2 * H, leadH: 2, mean: 102.25, lo80: 102.25 * 0.8, hi80: 102.25 * 1.25, lo95: 102.25 * 0.6, hi95: 102.25 * 1.5, usual: 100 });
    expect(latest[0]!.hours[0]!.usual).toBeNull();
    const at72 = await store.atLead({ subjectKind: 'shop', subjectId: 'coffee', leadH: 72, from: 0, to: HOUR + 100 * H });
    expect(at72.map((r) => [r.t, r.madeAt, r.mean])).toEqual([[HOUR + 24 * H, HOUR - 48 * H, 122.25], [HOUR + 72 * H, HOUR, 172.25]]);

    // The cut-down run is known as such: pruning leaves it alone, and cuts the whole one once it is a day old.
    await store.prune({ fullBefore: HOUR + 24 * H, before: 0 });
    const at10 = await store.atLead({ subjectKind: 'shop', leadH: 10, from: 0, to: HOUR + 100 * H });
    expect(at10).toEqual([]);
    expect((await store.atLead({ subjectKind: 'shop', subjectId: 'coffee', leadH: 72, from: 0, to: HOUR + 100 * H })).map((r) => r.madeAt)).toEqual([HOUR - 48 * H, HOUR]);
  });
});
