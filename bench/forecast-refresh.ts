import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadSiteFile, type SiteModel, type SubjectKind } from '@atrium/shared';
import { backfillHistory } from '@atrium/firmware-sim';
import { createCalendarStore } from '../cloud/src/calendar/calendar-store.ts';
import { openPglite } from '../cloud/src/db/pglite.ts';
import { createForecastStore } from '../cloud/src/forecast/forecast-store.ts';
import { createHourGrid, loadHourlyHistory, slotAt } from '../cloud/src/forecast/history.ts';
import { seasonalNaive } from '../cloud/src/forecast/naive.ts';
import type { HourlySeries } from '../cloud/src/forecast/series.ts';
import { forecastSeries } from '../cloud/src/forecast/series-forecast.ts';
import { toOperatorCalendar } from '../cloud/src/forecast/operator-calendar.ts';
import { createForecastRefresh, DEFAULT_REFRESH_OPTIONS, subjectsOf } from '../cloud/src/forecast/refresh.ts';
import { createSqlSeriesStore } from '../cloud/src/series/pglite-series-store.ts';
import { progress, writeResult } from './support.ts';

/**
 * Time to refresh the 72 h forecasts of every series of the demo mall, and of ten times as
 * many, on one core (Node's main thread; the embedded PostgreSQL runs in it too), with memory.
 * Baseline in the same run: the same refresh (same reads, same writes) with the seasonal naive
 * forecast, and both again from histories in memory (the model's cost without the database's).
 * History: the demo mall's backfill; the 10× series are copies of its rows under other subject
 * ids, made inside the database.
 */
const H = 3_600_000;
const END = Date.UTC(2025, 2, 20, 3); // Thursday 14:00 in Melbourne

const mib = (bytes: number) => Math.round(bytes / 104_857.6) / 10;

function multiplied(site: SiteModel, copies: number): Record<SubjectKind, string[]> {
  const base = subjectsOf(site);
  const times = (ids: string[]) => [...ids, ...Array.from({ length: copies - 1 }, (_, k) => ids.map((id) => `${id}-x${k + 1}`)).flat()];
  return { zone: times(base.zone), entrance: times(base.entrance), shop: times(base.shop) };
}

export async function benchForecastRefresh(o: { weeks: number; copies: number }) {
  const site = loadSiteFile();
  const sql = await openPglite('memory://');
  const store = await createSqlSeriesStore(sql, { ownsClient: false });
  progress(`forecast refresh: backfilling ${o.weeks} weeks of the demo mall`);
  const filled = await backfillHistory(store, site, { end: END, weeks: o.weeks });
  progress(`forecast refresh: ${filled.records} hourly records; copying them ${o.copies - 1}× under other ids`);
  await sql.query(
    `insert into footfall_minute
       select site_id, device_id || '-x' || k, minute, floor_id, zone_id, subject_kind, subject_id || '-x' || k, in_count, out_count, samples, occ_sum, occ_count, occ_max
         from footfall_minute, generate_series(1, $1::int) as k where site_id = $2`,
    [o.copies - 1, site.id],
  );
  const calendar = createCalendarStore(sql, site.id);
  await calendar.ensure(filled.holidays.map((h) => ({ date: h.date, name: h.name, kind: 'holiday' as const })), 'bench', END);
  const forecasts = createForecastStore(sql, site.id);
  const logger = pino({ level: 'silent' });

  const runs = [];
  let madeAt = END + 5 * 60_000;
  for (const scale of [1, o.copies]) {
    const subjects = scale === 1 ? subjectsOf(site) : multiplied(site, scale);
    const series = subjects.zone.length + subjects.entrance.length + subjects.shop.length;
    // Reading alone, so the table shows what the store costs apart from any forecasting.
    const grid = createHourGrid(site.timezone, END - DEFAULT_REFRESH_OPTIONS.historyWeeks * 168 * H, END + 73 * H);
    let t = performance.now();
    const histories: HourlySeries[] = [];
    for (const kind of ['zone', 'entrance', 'shop'] as const) histories.push(...(await loadHourlyHistory(store, { siteId: site.id, subjectKind: kind, subjectIds: subjects[kind], grid, to: END })).values());
    const readMs = Math.round(performance.now() - t);
    // The forecasts alone, from histories in memory: the model's cost apart from the database's.
    const origin = slotAt(grid, END + H);
    const cal = toOperatorCalendar(await calendar.list());
    const compute: Record<string, number> = {};
    for (const [name, forecaster] of [['seasonalNaive', seasonalNaive], ['model', undefined]] as const) {
      t = performance.now();
      for (const history of histories) forecastSeries(history, origin, 72, cal, forecaster);
      compute[name] = Math.round(performance.now() - t);
    }
    const row: Record<string, number | string> = { series, readMs, computeModelMs: compute.model!, computeNaiveMs: compute.seasonalNaive! };
    for (const [name, forecaster] of [['seasonalNaive', seasonalNaive], ['model', undefined]] as const) {
      const refresh = createForecastRefresh({ site, series: store, forecasts, calendar, logger, subjects, ...(forecaster ? { forecaster } : {}) });
      const heapBefore = process.memoryUsage().heapUsed;
      t = performance.now();
      const s = await refresh.run((madeAt += 60_000));
      const ms = Math.round(performance.now() - t);
      const mem = process.memoryUsage();
      row[`${name}Ms`] = ms;
      row[`${name}MsPerSeries`] = Math.round((ms / s.series) * 10) / 10;
      row[`${name}HeapGrowthMiB`] = mib(mem.heapUsed - heapBefore);
      row[`${name}RssMiB`] = mib(mem.rss);
      progress(`forecast refresh: ${series} series, ${name}: ${ms} ms (${row[`${name}MsPerSeries`]} ms/series), RSS ${row[`${name}RssMiB`]} MiB`);
    }
    row.ratioModelToNaive = Math.round(((row.modelMs as number) / (row.seasonalNaiveMs as number)) * 100) / 100;
    runs.push(row);
  }
  await sql.close();
  // maxRSS includes the embedded PostgreSQL's memory (its WASM heap), which dominates.
  return { weeksOfHistory: o.weeks, historyWeeksRead: DEFAULT_REFRESH_OPTIONS.historyWeeks, runs, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), node: process.version };
}

export function forecastRows(r: Awaited<ReturnType<typeof benchForecastRefresh>>): string[] {
  return r.runs.map(
    (x) =>
      `| forecast refresh, ${x.series} series (${r.weeksOfHistory} weeks of history), one core | ${x.modelMs} ms = ${x.modelMsPerSeries} ms/series (seasonal naive, same reads and writes: ${x.seasonalNaiveMs} ms, ×${x.ratioModelToNaive}; of which reading history ${x.readMs} ms; forecasts alone ${x.computeModelMs} ms vs naive ${x.computeNaiveMs} ms); RSS ${x.modelRssMiB} MiB, peak ${r.maxRssMiB} MiB (mostly the embedded PostgreSQL); JS heap grew ${x.modelHeapGrowthMiB} MiB |`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const result = await benchForecastRefresh({ weeks: values.quick ? 4 : 16, copies: 10 });
  const path = writeResult('forecast-refresh', result);
  console.log(`\n| measure | value |\n| --- | --- |\n${forecastRows(result).join('\n')}\n\nwritten to ${path}`);
  process.exit(0);
}
