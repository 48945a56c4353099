import { hoursOf, localTime, type LocalTime } from '../local-time.ts';
import { createHolidayCalendar, isShopClosingHoliday, type Holiday } from './holidays.ts';

/** A promotion, concert or sale: footfall times `multiplier` on local dates from..to inclusive. */
export interface MallEvent {
  name: string;
  /** YYYY-MM-DD, local */
  from: string;
  /** YYYY-MM-DD, local, inclusive */
  to: string;
  multiplier: number;
  /** limit the boost to these zones (and their shops and entrances); the whole site if absent */
  zoneIds?: readonly string[];
}

export interface CalendarInput {
  timezone: string;
  openingHours: { open: string; close: string };
  /** extra holidays on top of the computed Victorian ones (or overrides by date) */
  holidays?: readonly Holiday[];
  events?: readonly MallEvent[];
}

/** What the clock means for footfall at one instant. */
export interface DayContext {
  local: LocalTime;
  holiday: Holiday | undefined;
  /** doors open to the public */
  trading: boolean;
  /** hours into the trading day (negative before opening) */
  sinceOpenH: number;
  /** hours since closing (negative before closing) */
  sinceCloseH: number;
  /** events active today, for zone-specific multipliers */
  events: readonly MallEvent[];
}

export interface Calendar {
  readonly timezone: string;
  readonly openH: number;
  readonly closeH: number;
  at(ms: number): DayContext;
}

export function createCalendar(input: CalendarInput): Calendar {
  const openH = hoursOf(input.openingHours.open);
  const closeH = hoursOf(input.openingHours.close);
  if (!(closeH > openH)) throw new RangeError(`opening hours ${input.openingHours.open}-${input.openingHours.close} must close after they open on the same day`);
  const holidayOf = createHolidayCalendar(input.holidays);
  const events = input.events ?? [];
  return {
    timezone: input.timezone,
    openH,
    closeH,
    at(ms) {
      const local = localTime(input.timezone, ms);
      const holiday = holidayOf(local.date);
      const shut = holiday !== undefined && isShopClosingHoliday(holiday);
      const trading = !shut && local.hourOfDay >= openH && local.hourOfDay < closeH;
      return {
        local,
        holiday,
        trading,
        sinceOpenH: local.hourOfDay - openH,
        sinceCloseH: local.hourOfDay - closeH,
        events: events.filter((e) => e.from <= local.date && local.date <= e.to),
      };
    },
  };
}
