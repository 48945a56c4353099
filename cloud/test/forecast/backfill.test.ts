import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSiteFile } from '@atrium/shared';
import { backfillIfEmpty, type BackfillResult } from '@atrium/firmware-sim';
import { migrate } from '../../src/db/migrate.ts';
import { openPglite } from '../../src/db/pglite.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';
import { createForecasting, type Forecasting } from '../../src/forecasting.ts';
import { createSqlSeriesStore } from '../../src/series/pglite-series-store.ts';

// The demo mall as `npm start` runs it, with a backfilled history in a real embedded store.
const site = loadSiteFile();
const START = Date.UTC(2025, 2, 20, 3, 10); // Thursday 14:10 in Melbourne

describe('a freshly started demo mall with backfilled history', () => {
  let sql: SqlClient;
  let f: Forecasting;
  let result: BackfillResult | null;
  beforeAll(async () => {
    sql = await openPglite('memory://');
    await migrate(sql);
    const store = await createSqlSeriesStore(sql, { ownsClient: false });
    // Three weeks keep the test short; the stack default is 16.
    result = await backfillIfEmpty(store, site, { end: START, weeks: 3 });
    f = createForecasting({ sql, site, series: store, logger: pino({ level: 'silent' }), roster: async () => [] });
    await f.calendar.ensure(result!.holidays.map((h) => ({ date: h.date, name: h.name, kind: 'holiday' as const })), 'backfill', START);
    await f.refresh.run(START);
    expect(await backfillIfEmpty(store, site, { end: START, weeks: 3 })).toBeNull();
  }, 240_000);
  afterAll(async () => sql?.close());

  it('yields a normal-confidence forecast for every zone, entrance and shop', async () => {
    expect(result!.records).toBe(site.devices.filter((d) => d.kind === 'radar').length * 21 * 24);
    for (const [kind, ids] of [['zone', site.zones.map((z) => z.id)], ['entrance', site.entrances.map((e) => e.id)], ['shop', site.shops.map((s) => s.id)]] as const) {
      const latest = await f.forecasts.latest({ subjectKind: kind });
      expect(latest.map((x) => x.subjectId).sort()).toEqual([...ids].sort());
      for (const x of latest) {
        expect({ id: x.subjectId, confidence: x.confidence, hours: x.hours.length }).toEqual({ id: x.subjectId, confidence: 'normal', hours: 72 });
        // Something is forecast to happen in the next three days, and nothing at 03:00.
        expect(x.hours.some((h) => h.mean > 0)).toBe(true);
      }
    }
    const [main] = await f.forecasts.latest({ subjectKind: 'entrance', subjectId: site.entrances[0]!.id });
    const threeAm = main!.hours.find((h) => new Date(h.t + 11 * 3_600_000).getUTCHours() === 3)!;
    const twoPm = main!.hours.find((h) => new Date(h.t + 11 * 3_600_000).getUTCHours() === 14)!;
    expect(threeAm.mean).toBeLessThan(5);
    expect(twoPm.mean).toBeGreaterThan(50);
    expect(twoPm.mean).toBeGreaterThanOrEqual(twoPm.lo80);
  });
});
