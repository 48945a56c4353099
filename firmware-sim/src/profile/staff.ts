import type { DayContext } from './calendar.ts';

/**
 * Staff come and go on shift times, not on the shopper curve: most arrive in the hour before
 * opening, a second shift swaps over mid-afternoon, and everyone leaves within the hour after
 * closing. Security and cleaners keep a trickle going overnight, which is all a closed mall sees.
 */
export interface StaffFlow {
  /** people per hour coming on site */
  entries: number;
  /** people per hour leaving */
  exits: number;
}

const NIGHT_CREW_PER_HOUR = 2;

/** Density of a normal curve, so `n * bump(...)` integrates to n people over the day. */
const bump = (x: number, mu: number, sigma: number): number => Math.exp(-((x - mu) ** 2) / (2 * sigma * sigma)) / (sigma * Math.sqrt(2 * Math.PI));

export function staffFlow(ctx: DayContext, staffOnShift: number, tradingDay: boolean): StaffFlow {
  if (!tradingDay) return { entries: NIGHT_CREW_PER_HOUR, exits: NIGHT_CREW_PER_HOUR };
  const open = ctx.sinceOpenH;
  const close = ctx.sinceCloseH;
  const midShift = open - (open - close) / 2; // halfway through the trading day
  const entries = staffOnShift * (0.75 * bump(open, -0.75, 0.35) + 0.25 * bump(midShift, 0.25, 0.35));
  const exits = staffOnShift * (0.25 * bump(midShift, 0.5, 0.35) + 0.75 * bump(close, 0.5, 0.3));
  return { entries: entries + NIGHT_CREW_PER_HOUR, exits: exits + NIGHT_CREW_PER_HOUR };
}
