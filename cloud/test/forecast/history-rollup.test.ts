import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FootfallMinute, SubjectKind } from '@atrium/shared';
import { openPglite } from '../../src/db/pglite.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';
import { computeForecasts } from '../../src/forecast/compute.ts';
import { createHourGrid, loadHistoryFromMinutes, loadHourlyHistory, slotAt } from '../../src/forecast/history.ts';
import { toOperatorCalendar } from '../../src/forecast/operator-calendar.ts';
import { createSqlSeriesStore } from '../../src/series/pglite-series-store.ts';
import type { SeriesStore } from '../../src/series/series-store.ts';
import { DAY, H, pattern } from '../support/forecast-fixtures.ts';
import { rng } from './synthetic.ts';

// Three weeks of minute records up to Tuesday 2025-04-08 10:00 UTC: daylight saving ended in
// Melbourne on the Sunday before (03:00 AEDT became 02:00 AEST, a repeated wall-clock hour).
const END = Date.UTC(2025, 3, 8, 10);
const FROM = END - 21 * DAY;
const SITE = 'rollup-mall';

describe('forecast history from hourly rollups', () => {
  let sql: SqlClient;
  let store: SeriesStore;
  beforeAll(async () => {
    sql = await openPglite('memory://');
    store = await createSqlSeriesStore(sql, { ownsClient: false });
    const noise = rng(3);
    const rec = (deviceId: string, kind: SubjectKind, id: string, minute: number, n: number): FootfallMinute => ({
      deviceId, floorId: 'g', zoneId: 'hall', minute, subjectKind: kind, subjectId: id, in: n, out: n, samples: 1, occupancySum: 0, occupancyCount: 0, occupancyMax: 0,
    });
    let records: FootfallMinute[] = [];
    const flush = async () => {
      await store.writeUplink({ v: 1, id: randomUUID(), siteId: SITE, gatewayId: 'gw', sentAt: END, kind: 'minute', footfall: records, env: [] }, END);
      records = [];
    };
    // Every ten minutes: two radars on the hall, one on a shop that was down for a day and a half.
    for (let t = FROM; t < END; t += 10 * 60_000) {
      const hourly = pattern(60)(Math.floor(t / H) * H) / 6;
      records.push(rec('r1', 'zone', 'hall', t, Math.round(hourly * (0.5 + noise()))), rec('r2', 'zone', 'hall', t, Math.round(hourly * noise())));
      if (t < END - 9 * DAY || t > END - 7.5 * DAY) records.push(rec('r3', 'shop', 'tea', t, Math.round((hourly / 3) * (0.5 + noise()))));
      if (records.length >= 20_000) await flush();
    }
    // Late records for hours already stored, in another uplink.
    records.push(rec('r1', 'zone', 'hall', END - 3 * DAY, 40), rec('r3', 'shop', 'tea', END - 2 * DAY + 30 * 60_000, 7));
    await flush();
  });
  afterAll(async () => sql?.close());

  for (const timezone of ['Australia/Melbourne', 'Australia/Adelaide']) {
    it(`gives the forecaster the same history and the same forecasts as minute rows (${timezone})`, async () => {
      const grid = createHourGrid(timezone, END - 8 * 7 * DAY, END + 74 * H);
      const origin = slotAt(grid, END + H);
      const calendar = toOperatorCalendar([{ date: '2025-04-18', name: 'Good Friday', kind: 'holiday', factor: null }]);
      for (const [kind, ids] of [['zone', ['hall', 'nobody']], ['shop', ['tea']]] as const) {
        const q = { siteId: SITE, subjectKind: kind, subjectIds: ids, grid, to: END };
        const fromRollup = await loadHourlyHistory(store, q);
        const fromMinutes = await loadHistoryFromMinutes(store, q);
        expect([...fromRollup.keys()]).toEqual(ids);
        expect(fromRollup).toEqual(fromMinutes);
        const counted = [...(fromRollup.get(ids[0])?.values ?? [])].filter((v) => !Number.isNaN(v)).length;
        expect(counted).toBeGreaterThan(18 * 24);
        const forecasts = (m: typeof fromRollup) => computeForecasts({ origin, slots: 72, calendar, histories: [...m.values()] });
        expect(forecasts(fromRollup)).toEqual(forecasts(fromMinutes));
      }
    });
  }
});
