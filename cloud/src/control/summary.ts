import type { ControlSummary, OrderStatus, WorkOrder, ZoneLive } from '@atrium/shared';
import { localDate } from '../forecast/zone-clock.ts';
import { localDayStart } from '../forecast/shop-hours.ts';
import { MS_PER_HOUR } from '../forecast/history.ts';
import type { LeadRow } from '../forecast/forecast-store.ts';

/** Orders the header counts as open: everything not yet resolved or closed. */
export const OPEN_ORDER_STATUSES: readonly OrderStatus[] = ['open', 'assigned', 'accepted', 'on_site'];
/** An order is at risk with this share (or less) of its current step's allowance left. */
export const AT_RISK_SHARE = 0.25;
/** The most open orders the header reads (far beyond any mall's day). */
export const MAX_OPEN_ORDERS = 10_000;

export interface SummarySources {
  zones: () => readonly ZoneLive[];
  /** entries per entrance in [from, to) */
  entranceTotals: (from: number, to: number) => Promise<readonly { in: number }[]>;
  /** the forecasts made `leadH` hours before each hour in [from, to), every entrance */
  entranceForecasts: (from: number, to: number) => Promise<readonly LeadRow[]>;
  openOrders: () => Promise<readonly WorkOrder[]>;
}

/**
 * The control room's header: people on site, today's entries against the forecast made a day
 * ahead for the same hours, and the open orders racing their SLA. One answer, so the strip on
 * every page shows the same figures.
 */
export async function controlSummary(src: SummarySources, now: number, timeZone: string): Promise<ControlSummary> {
  const day = localDate(timeZone, now);
  const midnight = localDayStart(timeZone, day);
  const [totals, forecasts, orders] = await Promise.all([src.entranceTotals(midnight, now), src.entranceForecasts(midnight, now + MS_PER_HOUR), src.openOrders()]);
  const counted = totals.reduce((s, t) => s + t.in, 0);
  const forecastSoFar = forecastUntil(forecasts, now);
  let people: number | null = null;
  for (const z of src.zones()) if (z.occupancy !== null) people = (people ?? 0) + z.occupancy;
  return {
    asOf: now,
    timeZone,
    peopleOnSite: people,
    footfallToday: { day, counted, forecastSoFar, vsForecast: forecastSoFar && forecastSoFar > 0 ? (counted - forecastSoFar) / forecastSoFar : null },
    orders: { open: orders.length, ...slaCounts(orders, now) },
  };
}

/**
 * The forecast for the hours up to `now`: whole hours in full, the current one pro rata (the
 * count is also part of an hour). One row per entrance and hour, the newest made (rows come
 * newest first within an hour). null when there is no forecast at all.
 */
function forecastUntil(rows: readonly LeadRow[], now: number): number | null {
  const seen = new Set<string>();
  let sum = 0;
  for (const r of rows) {
    const key = `${r.subjectId}|${r.t}`;
    if (seen.has(key) || r.t >= now) continue;
    seen.add(key);
    sum += r.mean * Math.min(1, (now - r.t) / MS_PER_HOUR);
  }
  return seen.size > 0 ? Math.round(sum) : null;
}

/** The step an order is racing and its deadline (as the board shows it), breached or at risk. */
export function slaCounts(orders: readonly WorkOrder[], now: number): { slaAtRisk: number; slaBreached: number } {
  let slaAtRisk = 0;
  let slaBreached = 0;
  for (const o of orders) {
    const stage = o.acceptedAt === null ? 'accept' : o.arrivedAt === null ? 'arrive' : 'resolve';
    const dueAt = stage === 'accept' ? o.due.acceptBy : stage === 'arrive' ? o.due.arriveBy : o.due.resolveBy;
    if (now > dueAt || o.breaches[stage] !== undefined) slaBreached++;
    else if (dueAt - now <= AT_RISK_SHARE * (dueAt - o.createdAt)) slaAtRisk++;
  }
  return { slaAtRisk, slaBreached };
}
