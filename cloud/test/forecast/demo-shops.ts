import { backfillUplinks, victorianHolidays } from '@atrium/firmware-sim';
import { loadSiteFile, type SiteModel } from '@atrium/shared';
import { HOURS_PER_WEEK } from '../../src/forecast/clock.ts';
import { MS_PER_HOUR, createHourGrid, slotAt } from '../../src/forecast/history.ts';
import { toOperatorCalendar, type OperatorCalendar } from '../../src/forecast/operator-calendar.ts';
import type { HourlySeries } from '../../src/forecast/series.ts';

/**
 * Every demo shop's hourly history as `npm start` gives it to the forecaster: the simulator's
 * backfill (scripts/demo-history.ts seeds six weeks of it before the simulation starts), on the
 * wall-clock grid the refresh uses, over the refresh's 56-week window, so everything before the
 * backfill is missing, as in a fresh demo. Built in memory from the very uplinks the backfill
 * writes (summed per shop and hour as the store does), without a store: the store-to-series
 * path has its own tests.
 */
export interface DemoShops {
  site: SiteModel;
  histories: Map<string, HourlySeries>;
  calendar: OperatorCalendar;
  /** wall-clock slot of the real hour starting at `ms` (on the hour, within [from, to]) */
  slotOf(ms: number): number;
}

const READ_WEEKS = 56;

/** Counts over [from, to) (ms, on the hour); the backfill's noise depends only on the seed and dates. */
export function demoShopHistories(o: { from: number; to: number; seed?: number }): DemoShops {
  const loaded = loadSiteFile();
  // Only the shops' radars: each device draws from its own random stream and the site's day
  // factor is drawn per date, so leaving the other radars out changes no shop's counts.
  const site: SiteModel = { ...loaded, devices: loaded.devices.filter((d) => d.kind === 'radar' && d.subject?.kind === 'shop') };
  const grid = createHourGrid(site.timezone, o.to - READ_WEEKS * HOURS_PER_WEEK * MS_PER_HOUR, o.to + MS_PER_HOUR);
  const first = grid.slot[0] as number;
  const length = slotAt(grid, o.to) - first;
  const histories = new Map<string, HourlySeries>();
  for (const s of site.shops) histories.set(s.id, { sensorId: s.id, sensor: `shop ${s.id}`, start: first, values: new Float64Array(length).fill(Number.NaN) });

  const weeks = (o.to - o.from) / (HOURS_PER_WEEK * MS_PER_HOUR);
  const gen = backfillUplinks(site, { end: o.to, weeks, seed: o.seed ?? 1 });
  // The repeated hour when daylight saving ends: its slot keeps the first real hour (history.ts).
  const slotHour = new Map<string, number>();
  let next = gen.next();
  for (; !next.done; next = gen.next()) {
    for (const r of next.value.footfall) {
      const series = histories.get(r.subjectId);
      if (r.subjectKind !== 'shop' || !series) continue;
      const i = slotAt(grid, r.minute) - series.start;
      const key = `${r.subjectId}|${i}`;
      if ((slotHour.get(key) ?? r.minute) !== r.minute) continue;
      slotHour.set(key, r.minute);
      const v = series.values[i] as number;
      series.values[i] = (Number.isNaN(v) ? 0 : v) + r.in;
    }
  }
  const year = new Date(o.to).getUTCFullYear();
  const holidays = [...next.value, ...[year - 1, year, year + 1].flatMap((y) => victorianHolidays(y))];
  const calendar = toOperatorCalendar(holidays.map((h) => ({ date: h.date, name: h.name, kind: 'holiday' as const, factor: null })));
  return { site, histories, calendar, slotOf: (ms) => slotAt(grid, ms) };
}
