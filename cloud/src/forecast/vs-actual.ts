import type { SiteModel, SubjectKind } from '@atrium/shared';
import { Errors } from '../errors.ts';
import type { SeriesStore } from '../series/series-store.ts';
import type { ForecastStore, LeadRow } from './forecast-store.ts';
import type { Accuracy, MadeEarlier, VsActualHour } from '@atrium/shared';
import { MS_PER_HOUR } from './history.ts';
import { localHourStart, localLabel } from './zone-clock.ts';

/**
 * Forecast against what happened: per series, the forecast made 24 h and 72 h before each hour
 * next to the counted footfall, and the live accuracy (WAPE over the last 4 weeks, the
 * backtest's measure, so the figures compare with cloud/src/forecast/README.md).
 */
export const ACCURACY_WINDOW_MS = 28 * 24 * MS_PER_HOUR;
export const MAX_VS_ACTUAL_MS = 35 * 24 * MS_PER_HOUR;

const madeEarlier = (r: LeadRow): MadeEarlier => ({ madeAt: r.madeAt, mean: r.mean, lo80: r.lo80, hi80: r.hi80, lo95: r.lo95, hi95: r.hi95 });

/** First row per hour (rows come newest-made first within an hour). */
function byHour(rows: readonly LeadRow[]): Map<number, LeadRow> {
  const m = new Map<number, LeadRow>();
  for (const r of rows) if (!m.has(r.t)) m.set(r.t, r);
  return m;
}

export function scoreWape(actual: ReadonlyMap<number, number>, forecasts: ReadonlyMap<number, LeadRow>): { wape: number | null; hours: number; coverage80: number | null } {
  let err = 0;
  let sum = 0;
  let n = 0;
  let inside = 0;
  for (const [t, f] of forecasts) {
    const a = actual.get(t);
    if (a === undefined) continue;
    err += Math.abs(a - f.mean);
    sum += a;
    n++;
    if (a >= f.lo80 && a <= f.hi80) inside++;
  }
  return { wape: sum > 0 ? err / sum : null, hours: n, coverage80: n > 0 ? inside / n : null };
}

export function createForecastReports(deps: { site: SiteModel; series: Pick<SeriesStore, 'footfall'>; forecasts: ForecastStore }) {
  const { site } = deps;
  const actuals = async (subjectKind: SubjectKind, subjectId: string | undefined, from: number, to: number) => {
    const points = await deps.series.footfall({ siteId: site.id, subjectKind, subjectId, from, to, everyMs: MS_PER_HOUR });
    const out = new Map<string, Map<number, number>>();
    for (const p of points) {
      let m = out.get(p.subjectId);
      if (!m) out.set(p.subjectId, (m = new Map()));
      m.set(p.t, p.in);
    }
    return out;
  };
  // Forecast rows start on local hours (the same as UTC hours wherever offsets are whole hours).
  const hourFloor = (t: number) => localHourStart(site.timezone, t);

  return {
    /** Hours in [from, to), at most 35 days (what is kept). */
    async vsActual(q: { subjectKind: SubjectKind; subjectId: string; from: number; to: number }): Promise<VsActualHour[]> {
      const from = hourFloor(q.from);
      const to = hourFloor(q.to + MS_PER_HOUR - 1);
      if (!(to > from)) throw new Errors.InvalidRequest('to: must be after from');
      if (to - from > MAX_VS_ACTUAL_MS) throw new Errors.RangeTooLarge((to - from) / MS_PER_HOUR, MAX_VS_ACTUAL_MS / MS_PER_HOUR);
      const [actual, f24, f72] = await Promise.all([
        actuals(q.subjectKind, q.subjectId, from, to),
        deps.forecasts.atLead({ subjectKind: q.subjectKind, subjectId: q.subjectId, leadH: 24, from, to }),
        deps.forecasts.atLead({ subjectKind: q.subjectKind, subjectId: q.subjectId, leadH: 72, from, to }),
      ]);
      const a = actual.get(q.subjectId) ?? new Map<number, number>();
      const h24 = byHour(f24);
      const h72 = byHour(f72);
      const out: VsActualHour[] = [];
      for (let t = from; t < to; t += MS_PER_HOUR) {
        const r24 = h24.get(t);
        const r72 = h72.get(t);
        out.push({ t, local: localLabel(site.timezone, t), actual: a.get(t) ?? null, made24h: r24 ? madeEarlier(r24) : null, made72h: r72 ? madeEarlier(r72) : null });
      }
      return out;
    },

    /** WAPE of the 24 h and 72 h forecasts over the 4 weeks before `now`, per series. */
    async accuracy(q: { now: number; subjectKind: SubjectKind; subjectId?: string | undefined }): Promise<Accuracy[]> {
      const to = hourFloor(q.now);
      const from = to - ACCURACY_WINDOW_MS;
      const [actual, f24, f72] = await Promise.all([
        actuals(q.subjectKind, q.subjectId, from, to),
        deps.forecasts.atLead({ subjectKind: q.subjectKind, subjectId: q.subjectId, leadH: 24, from, to }),
        deps.forecasts.atLead({ subjectKind: q.subjectKind, subjectId: q.subjectId, leadH: 72, from, to }),
      ]);
      const split = (rows: LeadRow[]) => {
        const m = new Map<string, LeadRow[]>();
        for (const r of rows) {
          const list = m.get(r.subjectId);
          if (list) list.push(r);
          else m.set(r.subjectId, [r]);
        }
        return m;
      };
      const s24 = split(f24);
      const s72 = split(f72);
      const ids = q.subjectId ? [q.subjectId] : [...new Set([...s24.keys(), ...s72.keys()])].sort();
      return ids.map((id) => {
        const a = actual.get(id) ?? new Map<number, number>();
        const w24 = scoreWape(a, byHour(s24.get(id) ?? []));
        const w72 = scoreWape(a, byHour(s72.get(id) ?? []));
        return { subjectKind: q.subjectKind, subjectId: id, wape24h: w24.wape, wape72h: w72.wape, hours24h: w24.hours, hours72h: w72.hours, coverage80_24h: w24.coverage80 };
      });
    },
  };
}

export type ForecastReports = ReturnType<typeof createForecastReports>;
