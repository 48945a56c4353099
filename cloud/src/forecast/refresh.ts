import type { Logger } from 'pino';
import type { ForecastHour, RefreshSummary, SeriesRun, SiteModel, SubjectKind } from '@atrium/shared';
import type { CalendarStore } from '../calendar/calendar-store.ts';
import type { SeriesStore } from '../series/series-store.ts';
import { HOURS_PER_WEEK } from './clock.ts';
import type { ForecastStore } from './forecast-store.ts';
import { MS_PER_HOUR, createHourGrid, loadHourlyHistory, slotAt } from './history.ts';
import { toOperatorCalendar } from './operator-calendar.ts';
import { forecastSeries } from './series-forecast.ts';
import type { Forecaster } from './types.ts';
import { localHourStart } from './zone-clock.ts';

/**
 * The hourly refresh: every zone's, entrance's and shop's history from the series store →
 * the next 72 hours with 80%/95% intervals → one stored run. Plain inputs, plain result: the
 * scheduler (scheduler.ts) decides when, the routes read what it stored.
 *
 * Hours are real hours: the run made during hour H forecasts H+1 … H+72 (lead 1…72 h). The
 * model works on the site's wall clock, so the 72 real hours are mapped to its slots; across
 * the autumn DST change two real hours share a slot and get the same forecast.
 */
export interface RefreshOptions {
  /** weeks of history read per run: the model uses 12–16 weeks for its base, ~13 more for its error record, a year back for annual and holiday effects */
  historyWeeks: number;
  horizonH: number;
  /** full runs kept this long (ms); afterwards only the served 24 h / 72 h rows */
  keepFullRunsMs: number;
  /** every forecast row for hours older than this (ms) is dropped: live accuracy needs 4 weeks */
  keepMs: number;
}

export const DEFAULT_REFRESH_OPTIONS: Readonly<RefreshOptions> = {
  historyWeeks: 56,
  horizonH: 72,
  keepFullRunsMs: 24 * MS_PER_HOUR,
  keepMs: 35 * 24 * MS_PER_HOUR,
};

export interface ForecastRefresh {
  /** Forecasts every series as of `now`; a call while one is running waits for it and returns its result. */
  run(now: number): Promise<RefreshSummary>;
}

export const subjectsOf = (site: SiteModel): Record<SubjectKind, string[]> => ({
  zone: site.zones.map((z) => z.id),
  entrance: site.entrances.map((e) => e.id),
  shop: site.shops.map((s) => s.id),
});

export function createForecastRefresh(deps: {
  site: SiteModel;
  series: Pick<SeriesStore, 'footfall'>;
  forecasts: ForecastStore;
  calendar: Pick<CalendarStore, 'list'>;
  logger: Logger;
  options?: Partial<RefreshOptions>;
  /** the model (default: the measured one in model.ts); the bench passes the seasonal naive */
  forecaster?: Forecaster;
  /** only these subjects (default: every zone, entrance and shop of the site) */
  subjects?: Record<SubjectKind, string[]>;
}): ForecastRefresh {
  const o: RefreshOptions = { ...DEFAULT_REFRESH_OPTIONS, ...deps.options };
  const tz = deps.site.timezone;
  const subjects = deps.subjects ?? subjectsOf(deps.site);
  let running: Promise<RefreshSummary> | null = null;

  const refresh = async (now: number): Promise<RefreshSummary> => {
    const started = performance.now();
    const madeHour = localHourStart(tz, now);
    const historyFrom = madeHour - o.historyWeeks * HOURS_PER_WEEK * MS_PER_HOUR;
    const firstT = madeHour + MS_PER_HOUR;
    const lastT = madeHour + o.horizonH * MS_PER_HOUR;
    const grid = createHourGrid(tz, historyFrom, lastT + MS_PER_HOUR);
    const origin = slotAt(grid, firstT);
    const slots = slotAt(grid, lastT) - origin + 1;
    const cal = toOperatorCalendar(await deps.calendar.list());
    const runs: SeriesRun[] = [];
    for (const kind of ['zone', 'entrance', 'shop'] as const) {
      const ids = subjects[kind];
      if (ids.length === 0) continue;
      // The current hour is still filling up: history stops at its start, so it reads as missing, not as a dip.
      const histories = await loadHourlyHistory(deps.series, { siteId: deps.site.id, subjectKind: kind, subjectIds: ids, grid, to: madeHour });
      for (const [id, history] of histories) {
        const fc = forecastSeries(history, origin, slots, cal, deps.forecaster);
        const hours: ForecastHour[] = [];
        for (let lead = 1; lead <= o.horizonH; lead++) {
          const t = madeHour + lead * MS_PER_HOUR;
          const k = slotAt(grid, t) - origin;
          const usual = fc.usual[k] as number;
          hours.push({ t, leadH: lead, mean: fc.mean[k] ?? 0, lo80: fc.lo80[k] ?? 0, hi80: fc.hi80[k] ?? 0, lo95: fc.lo95[k] ?? 0, hi95: fc.hi95[k] ?? 0, usual: Number.isNaN(usual) ? null : usual });
        }
        runs.push({ subjectKind: kind, subjectId: id, confidence: fc.confidence, reason: fc.reason, observedHours: fc.observedHours, hours });
      }
    }
    const durationMs = performance.now() - started;
    await deps.forecasts.saveRun({ madeAt: now, origin: firstT, horizonH: o.horizonH, series: runs.length, durationMs }, runs);
    await deps.forecasts.prune({ fullBefore: now - o.keepFullRunsMs, before: now - o.keepMs });
    const summary = { madeAt: now, series: runs.length, lowConfidence: runs.filter((r) => r.confidence === 'low').length, durationMs: Math.round(performance.now() - started) };
    deps.logger.info(summary, 'forecasts refreshed');
    return summary;
  };

  return {
    run(now) {
      if (!running) running = refresh(now).finally(() => (running = null));
      return running;
    },
  };
}
