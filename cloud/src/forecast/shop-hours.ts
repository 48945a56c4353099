import { SHOP_HOURS_CSV_COLUMNS, type HourForecast, type ShopHour, type StoredSeriesForecast } from '@atrium/shared';
import type { LeadRow } from './forecast-store.ts';
import { MS_PER_HOUR } from './history.ts';
import { localHourStart, localLabel, utcOffsetMs } from './zone-clock.ts';

/**
 * A shop's hours with what was counted and what was forecast, for the merchant portal and its
 * CSV download. One forecast per hour, chosen so that a past hour is set against what was
 * expected beforehand and a coming hour against the newest view (FORECAST_BASES in shared):
 * the newest run from its first hour on, before that the forecast made 24 h ahead, else 72 h.
 */

const DAY_MS = 24 * MS_PER_HOUR;

/** The instant a local calendar day starts in `timeZone` (its midnight, or the first hour after a gap). */
export function localDayStart(timeZone: string, date: string): number {
  const wallMidnight = Date.parse(`${date}T00:00:00Z`);
  // The offset at the guess, then at the corrected instant: two steps settle across a DST change.
  let t = wallMidnight - utcOffsetMs(timeZone, wallMidnight);
  t = wallMidnight - utcOffsetMs(timeZone, t);
  return localHourStart(timeZone, t);
}

/** [start, end) of the local days `from`..`to` (both included). */
export function localDaysRange(timeZone: string, from: string, to: string): { start: number; end: number } {
  const after = new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
  return { start: localDayStart(timeZone, from), end: localDayStart(timeZone, after) };
}

export interface ShopHoursInput {
  timeZone: string;
  start: number;
  end: number;
  /** visitors counted in, per hour start */
  counted: readonly { t: number; in: number }[];
  newest: StoredSeriesForecast | null;
  lead24: readonly LeadRow[];
  lead72: readonly LeadRow[];
}

const fromLead = (r: LeadRow, basis: 'made24h' | 'made72h'): HourForecast => ({ mean: r.mean, lo80: r.lo80, hi80: r.hi80, lo95: r.lo95, hi95: r.hi95, madeAt: r.madeAt, basis });

/** First row per hour (the store orders each hour's rows newest-made first). */
function firstByHour(rows: readonly LeadRow[]): Map<number, LeadRow> {
  const m = new Map<number, LeadRow>();
  for (const r of rows) if (!m.has(r.t)) m.set(r.t, r);
  return m;
}

export function assembleShopHours(q: ShopHoursInput): ShopHour[] {
  const counted = new Map(q.counted.map((p) => [p.t, p.in]));
  const h24 = firstByHour(q.lead24);
  const h72 = firstByHour(q.lead72);
  const newest = new Map((q.newest?.hours ?? []).map((h) => [h.t, h]));
  const newestFrom = q.newest && q.newest.hours.length > 0 ? Math.min(...q.newest.hours.map((h) => h.t)) : Number.POSITIVE_INFINITY;
  const out: ShopHour[] = [];
  for (let t = q.start; t < q.end; t += MS_PER_HOUR) {
    const n = t >= newestFrom ? newest.get(t) : undefined;
    const r24 = h24.get(t);
    const r72 = h72.get(t);
    const forecast: HourForecast | null = n
      ? { mean: n.mean, lo80: n.lo80, hi80: n.hi80, lo95: n.lo95, hi95: n.hi95, madeAt: q.newest!.madeAt, basis: 'newest' }
      : r24
        ? fromLead(r24, 'made24h')
        : r72
          ? fromLead(r72, 'made72h')
          : null;
    out.push({ t, local: localLabel(q.timeZone, t), visitors: counted.get(t) ?? null, forecast });
  }
  return out;
}

const num = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(Math.round(v * 10) / 10));
const iso = (t: number) => new Date(t).toISOString();

/** RFC 4180 text, CRLF line ends; every cell is a number, a label or a timestamp, none needs quoting. */
export function shopHoursCsv(hours: readonly ShopHour[]): string {
  const lines = hours.map((h) => {
    const f = h.forecast;
    return [h.local, iso(h.t), num(h.visitors), num(f?.mean), num(f?.lo80), num(f?.hi80), num(f?.lo95), num(f?.hi95), f?.basis ?? '', f ? iso(f.madeAt) : ''].join(',');
  });
  return [SHOP_HOURS_CSV_COLUMNS.join(','), ...lines].join('\r\n') + '\r\n';
}
