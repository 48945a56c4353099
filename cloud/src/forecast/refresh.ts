import type { Logger } from 'pino';
import type { ForecastHour, RefreshSummary, SeriesRun, SiteModel, SubjectKind } from '@atrium/shared';
import type { CalendarStore } from '../calendar/calendar-store.ts';
import type { SeriesStore } from '../series/series-store.ts';
import { HOURS_PER_WEEK } from './clock.ts';
import type { ForecastCompute } from './compute.ts';
import type { ForecastStore, SeriesHead } from './forecast-store.ts';
import { MS_PER_HOUR, createHourGrid, loadHourlyHistory, slotAt, type HourGrid } from './history.ts';
import { toOperatorCalendar } from './operator-calendar.ts';
import type { SeriesForecast } from './series-forecast.ts';
import type { HourlySeries } from './series.ts';
import { workerCompute } from './worker-compute.ts';
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
  /** series read, forecast and stored together: small enough that no statement holds the database long */
  chunkSeries: number;
}

export const DEFAULT_REFRESH_OPTIONS: Readonly<RefreshOptions> = {
  historyWeeks: 56,
  horizonH: 72,
  keepFullRunsMs: 24 * MS_PER_HOUR,
  keepMs: 35 * 24 * MS_PER_HOUR,
  chunkSeries: 8,
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

interface Chunk {
  kind: SubjectKind;
  ids: string[];
}

function chunksOf(subjects: Record<SubjectKind, string[]>, size: number): Chunk[] {
  const out: Chunk[] = [];
  for (const kind of ['zone', 'entrance', 'shop'] as const) {
    const ids = subjects[kind];
    for (let i = 0; i < ids.length; i += size) out.push({ kind, ids: ids.slice(i, i + size) });
  }
  return out;
}

/** The stored form of one series' forecast: the 72 real hours after the run's hour, each from its wall-clock slot. */
function toRun(kind: SubjectKind, id: string, fc: SeriesForecast, at: { madeHour: number; grid: HourGrid; origin: number; horizonH: number }): SeriesRun {
  const hours: ForecastHour[] = [];
  for (let lead = 1; lead <= at.horizonH; lead++) {
    const t = at.madeHour + lead * MS_PER_HOUR;
    const k = slotAt(at.grid, t) - at.origin;
    const usual = fc.usual[k] as number;
    hours.push({ t, leadH: lead, mean: fc.mean[k] ?? 0, lo80: fc.lo80[k] ?? 0, hi80: fc.hi80[k] ?? 0, lo95: fc.lo95[k] ?? 0, hi95: fc.hi95[k] ?? 0, usual: Number.isNaN(usual) ? null : usual });
  }
  return { subjectKind: kind, subjectId: id, confidence: fc.confidence, reason: fc.reason, observedHours: fc.observedHours, hours };
}

type Phase = 'readWaitMs' | 'computeWaitMs' | 'storeWaitMs' | 'commitMs' | 'pruneMs';

/** Milliseconds the refresh spent waiting on each phase (reads and stores overlap computing, so they count only while nothing else could go on). */
function createPhaseClock() {
  const ms: Record<Phase, number> = { readWaitMs: 0, computeWaitMs: 0, storeWaitMs: 0, commitMs: 0, pruneMs: 0 };
  return {
    async time<T>(phase: Phase, work: Promise<T>): Promise<T> {
      const t = performance.now();
      try {
        return await work;
      } finally {
        ms[phase] += performance.now() - t;
      }
    },
    totals: () => Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, Math.round(v)])) as Record<Phase, number>,
  };
}

export function createForecastRefresh(deps: {
  site: SiteModel;
  series: Pick<SeriesStore, 'footfall' | 'footfallHours'>;
  forecasts: ForecastStore;
  calendar: Pick<CalendarStore, 'list'>;
  logger: Logger;
  options?: Partial<RefreshOptions>;
  /** where the forecasts are computed, one per run (default: a worker thread, worker-compute.ts) */
  compute?: () => ForecastCompute;
  /** how history is read (default: hourly rollups, history.ts); the bench passes the minute-row reader as its baseline */
  loadHistory?: typeof loadHourlyHistory;
  /** only these subjects (default: every zone, entrance and shop of the site) */
  subjects?: Record<SubjectKind, string[]>;
}): ForecastRefresh {
  const o: RefreshOptions = { ...DEFAULT_REFRESH_OPTIONS, ...deps.options };
  const tz = deps.site.timezone;
  const subjects = deps.subjects ?? subjectsOf(deps.site);
  const load = deps.loadHistory ?? loadHourlyHistory;
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
    const calendar = toOperatorCalendar(await deps.calendar.list());
    const chunks = chunksOf(subjects, Math.max(1, o.chunkSeries));
    // The current hour is still filling up: history stops at its start, so it reads as missing, not as a dip.
    const read = (c: Chunk) => load(deps.series, { siteId: deps.site.id, subjectKind: c.kind, subjectIds: c.ids, grid, to: madeHour });
    const compute = (deps.compute ?? workerCompute)();
    const heads: SeriesHead[] = [];
    // Where the run's time went, in the log line: the main thread's waits on each phase.
    const phases = createPhaseClock();
    try {
      let next: Promise<Map<string, HourlySeries>> | null = chunks[0] ? read(chunks[0]) : null;
      // The previous chunk's forecasts being stored while this one is computed: the worker does
      // not wait for the database, nor the database for the worker.
      let storing: Promise<void> = Promise.resolve();
      for (let i = 0; i < chunks.length; i++) {
        const chunk = chunks[i] as Chunk;
        const histories = await phases.time('readWaitMs', next as Promise<Map<string, HourlySeries>>);
        const ids = [...histories.keys()];
        const computing = compute.run({ origin, slots, calendar, histories: [...histories.values()] });
        // Read the next chunk while this one is computed; its failure surfaces when it is awaited.
        next = chunks[i + 1] ? read(chunks[i + 1] as Chunk) : null;
        next?.catch(() => undefined);
        const forecasts = await phases.time('computeWaitMs', computing);
        const runs = forecasts.map((fc, k) => toRun(chunk.kind, ids[k] as string, fc, { madeHour, grid, origin, horizonH: o.horizonH }));
        await phases.time('storeWaitMs', storing);
        storing = deps.forecasts.saveHours(now, runs);
        storing.catch(() => undefined);
        for (const { hours: _, ...head } of runs) heads.push(head);
      }
      await phases.time('storeWaitMs', storing);
    } finally {
      await compute.close();
    }
    const durationMs = performance.now() - started;
    await phases.time('commitMs', deps.forecasts.commitRun({ madeAt: now, origin: firstT, horizonH: o.horizonH, series: heads.length, durationMs }));
    await phases.time('pruneMs', deps.forecasts.prune({ fullBefore: now - o.keepFullRunsMs, before: now - o.keepMs }));
    const summary = { madeAt: now, series: heads.length, lowConfidence: heads.filter((r) => r.confidence === 'low').length, durationMs: Math.round(performance.now() - started) };
    deps.logger.info({ ...summary, phases: phases.totals() }, 'forecasts refreshed');
    return summary;
  };

  return {
    run(now) {
      if (!running) running = refresh(now).finally(() => (running = null));
      return running;
    },
  };
}
