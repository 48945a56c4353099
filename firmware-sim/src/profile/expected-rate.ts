import type { Subject } from '@atrium/shared';
import { isShopClosingHoliday } from './holidays.ts';
import { createCalendar, type Calendar, type CalendarInput, type DayContext } from './calendar.ts';
import { staffFlow, type StaffFlow } from './staff.ts';
import { melbourneWeek, type WeekProfile } from './week-profile.ts';
import { computeWeights, subjectKey, type SiteLike, type Weights } from './weights.ts';

/**
 * Expected footfall: the real Melbourne week shape, cut to the mall's trading hours, spread
 * over zones, entrances and shops by their weights, bent by time of day where a place has
 * its own rhythm (food at lunch, groceries after work), plus the staff who are there when
 * nobody else is. Everything here is a pure function of its inputs and the clock.
 */
export interface FootfallOptions extends Pick<CalendarInput, 'holidays' | 'events'> {
  profile?: WeekProfile;
  /** average shopper arrivals per trading hour over an ordinary week */
  visitorsPerOpenHour?: number;
}

export interface FootfallModel {
  calendar: Calendar;
  profile: WeekProfile;
  weights: Weights;
  visitorsPerOpenHour: number;
  /** mean of the profile over trading hours, so `visitorsPerOpenHour` is the trading-hour mean */
  openMean: number;
  /** how many shops share the staff who walk to shops */
  shopCount: number;
}

export const DEFAULT_VISITORS_PER_OPEN_HOUR = 2400;

export function createFootfallModel(site: SiteLike, opts: FootfallOptions = {}): FootfallModel {
  const calendar = createCalendar({ timezone: site.timezone, openingHours: site.openingHours, holidays: opts.holidays, events: opts.events });
  const profile = opts.profile ?? melbourneWeek();
  let sum = 0;
  let n = 0;
  for (let h = 0; h < 168; h++) {
    const hourOfDay = (h % 24) + 0.5;
    if (hourOfDay >= calendar.openH && hourOfDay < calendar.closeH) {
      sum += shapeAt(profile, h + 0.5);
      n++;
    }
  }
  return {
    calendar,
    profile,
    weights: computeWeights(site),
    visitorsPerOpenHour: opts.visitorsPerOpenHour ?? DEFAULT_VISITORS_PER_OPEN_HOUR,
    openMean: n > 0 ? sum / n : 1,
    shopCount: site.shops.length,
  };
}

/** Profile value at a fractional hour of week, linear between bucket centres (no hourly steps). */
export function shapeAt(profile: WeekProfile, hourOfWeek: number): number {
  const x = hourOfWeek - 0.5;
  const i = Math.floor(x);
  const f = x - i;
  const at = (k: number) => profile.hourOfWeek[((k % 168) + 168) % 168] ?? 0;
  return at(i) * (1 - f) + at(i + 1) * f;
}

/** A day the doors open at all; staff stay home on the days the law shuts the shops. */
const tradingDay = (ctx: DayContext): boolean => ctx.holiday === undefined || !isShopClosingHoliday(ctx.holiday);

function eventMultiplier(ctx: DayContext, zoneId: string | undefined): number {
  let m = 1;
  for (const e of ctx.events) if (!e.zoneIds || (zoneId !== undefined && e.zoneIds.includes(zoneId))) m *= e.multiplier;
  return m;
}

/** Shoppers arriving at the site per hour (0 while the doors are shut). */
export function visitorArrivals(model: FootfallModel, ctx: DayContext): number {
  if (!ctx.trading) return 0;
  const holiday = ctx.holiday ? model.profile.holidayFactor : 1;
  return (model.visitorsPerOpenHour * shapeAt(model.profile, ctx.local.hourOfWeek) * holiday) / model.openMean;
}

export const staffAt = (model: FootfallModel, ctx: DayContext): StaffFlow => staffFlow(ctx, model.weights.staffOnShift, tradingDay(ctx));

const peak = (h: number, mu: number, sigma: number): number => Math.exp(-((h - mu) ** 2) / (2 * sigma * sigma));

/** Time-of-day rhythm of a place relative to the site as a whole. */
function rhythm(model: FootfallModel, subject: Subject, hourOfDay: number): number {
  const meal = () => 0.4 + 1.1 * peak(hourOfDay, 12.75, 0.8) + 0.6 * peak(hourOfDay, 18.5, 0.9);
  if (subject.kind === 'zone') return model.weights.kind.get(subject.id) === 'foodcourt' ? meal() : 1;
  if (subject.kind === 'shop') {
    switch (model.weights.category.get(subject.id)) {
      case 'fast food':
        return meal();
      case 'cafe':
        return 0.6 + 0.7 * peak(hourOfDay, 10.75, 0.8) + 0.6 * peak(hourOfDay, 13, 1);
      case 'supermarket':
      case 'fresh food':
        return 0.8 + 0.6 * peak(hourOfDay, 17.75, 1);
      default:
        return 1;
    }
  }
  return 1;
}

/** Share of staff movements that cross a subject: staff use service corridors and walk to shops. */
function staffShare(model: FootfallModel, subject: Subject): number {
  if (subject.kind === 'shop') return model.shopCount > 0 ? 1 / model.shopCount : 0;
  const share = model.weights.share.get(subjectKey(subject)) ?? 0;
  if (subject.kind === 'entrance') return 0.2 * share;
  switch (model.weights.kind.get(subject.id)) {
    case 'service':
      return 1 / Math.max(1, model.weights.zonesOfKind.get('service') ?? 0);
    case 'concourse':
    case 'atrium':
    case 'foodcourt':
      return 0.25 * share;
    case 'carpark':
      return share;
    default:
      return 0.1 * share;
  }
}

/** People per hour crossing into `subject` at `simTimeMs` (shoppers plus staff). */
export function expectedRate(model: FootfallModel, subject: Subject, simTimeMs: number): number {
  const ctx = model.calendar.at(simTimeMs);
  return rateIn(model, subject, ctx);
}

export function rateIn(model: FootfallModel, subject: Subject, ctx: DayContext): number {
  const key = subjectKey(subject);
  const shoppers = visitorArrivals(model, ctx) * (model.weights.share.get(key) ?? 0) * rhythm(model, subject, ctx.local.hourOfDay);
  const staff = staffAt(model, ctx);
  return (shoppers + (staff.entries + staff.exits) * staffShare(model, subject)) * eventMultiplier(ctx, model.weights.zoneOf.get(key));
}

const ZONE_DWELL_MIN: Readonly<Record<string, number>> = {
  entrance: 1.5,
  concourse: 12,
  atrium: 8,
  foodcourt: 25,
  restroom: 5,
  carpark: 4,
  lockers: 3,
  service: 20,
};
const SHOP_DWELL_MIN: Readonly<Record<string, number>> = {
  supermarket: 22,
  'department store': 25,
  cafe: 25,
  'fast food': 10,
  'fresh food': 8,
  services: 8,
  fashion: 14,
  electronics: 12,
};
/** A visit to the mall: from coming in through an entrance to leaving through one. */
export const VISIT_DWELL_MIN = 75;

/** Mean minutes a person spends inside a subject once counted in (Little's law W). */
export function dwellMinutes(model: FootfallModel, subject: Subject): number {
  if (subject.kind === 'entrance') return VISIT_DWELL_MIN;
  if (subject.kind === 'shop') return SHOP_DWELL_MIN[model.weights.category.get(subject.id) ?? ''] ?? 10;
  return ZONE_DWELL_MIN[model.weights.kind.get(subject.id) ?? ''] ?? 10;
}

/** People inside at steady state, Little's law L = λW with λ taken half a dwell earlier. */
export function expectedOccupancy(model: FootfallModel, subject: Subject, simTimeMs: number): number {
  const w = dwellMinutes(model, subject);
  return (expectedRate(model, subject, simTimeMs - (w * 60_000) / 2) * w) / 60;
}
