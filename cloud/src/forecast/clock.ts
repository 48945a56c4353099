/**
 * Local wall-clock hours as plain integers.
 *
 * The forecaster indexes time by what a person in the mall reads on the clock, not by UTC:
 * footfall follows opening hours, so 09:00 must stay 09:00 across daylight-saving changes.
 * We therefore pretend the wall-clock reading is UTC and count hours since 1970-01-01T00:00.
 * Every day is then exactly 24 slots: an hour skipped by DST is simply a slot with no count,
 * and an hour that occurs twice maps to one slot (the loader keeps the first count).
 */

export const HOURS_PER_DAY = 24;
export const HOURS_PER_WEEK = 168;

const MS_PER_HOUR = 3_600_000;

const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DDTHH:00` to a wall-clock hour number, or returns a reason it cannot. */
export function parseWallClockHour(text: string): number | string {
  const m = WALL_CLOCK.exec(text);
  if (!m) return 'expected local time as YYYY-MM-DDTHH:MM';
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (mi !== 0) return 'expected the start of an hour (minutes 00)';
  if (h > 23) return 'hour out of range';
  const ms = Date.UTC(y, mo - 1, d, h);
  const back = new Date(ms);
  // Date.UTC silently rolls 2014-02-30 into March; refuse instead of shifting data by days.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return 'not a calendar date';
  return ms / MS_PER_HOUR;
}

/** Parses `YYYY-MM-DD` to a day number (days since 1970-01-01), or returns a reason it cannot. */
export function parseDay(text: string): number | string {
  const m = DATE_ONLY.exec(text);
  if (!m) return 'expected a date as YYYY-MM-DD';
  const [y, mo, d] = m.slice(1).map(Number) as [number, number, number];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return 'not a calendar date';
  return ms / (MS_PER_HOUR * HOURS_PER_DAY);
}

/** Wall-clock hour number → `YYYY-MM-DDTHH:00`. */
export function formatWallClockHour(hour: number): string {
  return new Date(hour * MS_PER_HOUR).toISOString().slice(0, 16);
}

/** Day number → `YYYY-MM-DD`. */
export function formatDay(day: number): string {
  return new Date(day * HOURS_PER_DAY * MS_PER_HOUR).toISOString().slice(0, 10);
}

export function dayOf(hour: number): number {
  return Math.floor(hour / HOURS_PER_DAY);
}

export function hourOfDay(hour: number): number {
  return ((hour % HOURS_PER_DAY) + HOURS_PER_DAY) % HOURS_PER_DAY;
}

/** 0 = Sunday … 6 = Saturday (day 0, 1970-01-01, was a Thursday). */
export function weekdayOfDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}
