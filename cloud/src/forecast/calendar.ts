import { basename } from 'node:path';
import { z } from 'zod';
import { formatDay, parseDay } from './clock.ts';
import { parsedCell, readCsvRecords, readLines, rowError } from './csv.ts';

/**
 * The operator's holiday calendar (`date,name`, one public holiday per line).
 * Holidays change footfall more than anything else we can know in advance, so the model
 * asks the calendar about every day it forecasts and every day it learns from.
 */

const HolidayRowSchema = z.object({
  date: parsedCell(parseDay),
  name: z.string().trim().min(1, 'holiday name is empty'),
});

export interface Calendar {
  /** Day number (days since 1970-01-01) → holiday name. */
  holidays: ReadonlyMap<number, string>;
}

export const EMPTY_CALENDAR: Calendar = { holidays: new Map() };

export function isHoliday(calendar: Calendar, day: number): boolean {
  const mask = maskOf(calendar);
  return mask.bits[day - mask.first] === 1;
}

/**
 * The model asks about a day tens of millions of times in a refresh (every weekly step back of
 * every base, for every series), and nearly always of the same calendar: a byte per day from
 * its first holiday to its last answers that faster than the map. Kept for the last calendar
 * asked about (a forecast uses one), rebuilt when another one, or a changed map, is asked about.
 */
let cached: { holidays: ReadonlyMap<number, string>; size: number; first: number; bits: Uint8Array } = { holidays: new Map(), size: 0, first: 0, bits: new Uint8Array(0) };

function maskOf(calendar: Calendar): { first: number; bits: Uint8Array } {
  const h = calendar.holidays;
  if (cached.holidays === h && cached.size === h.size) return cached;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const day of h.keys()) {
    first = Math.min(first, day);
    last = Math.max(last, day);
  }
  // Whole day numbers only (parseDay's): any other key could never match a day the model asks about.
  const bits = new Uint8Array(h.size > 0 && Number.isInteger(first) && Number.isInteger(last) ? last - first + 1 : 0);
  for (const day of h.keys()) if (Number.isInteger(day)) bits[day - first] = 1;
  cached = { holidays: h, size: h.size, first: bits.length > 0 ? first : 0, bits };
  return cached;
}

export async function parseCalendarLines(lines: AsyncIterable<string> | Iterable<string>, source = 'calendar'): Promise<Calendar> {
  const holidays = new Map<number, string>();
  for await (const rec of readCsvRecords(lines, ['date', 'name'], source)) {
    const parsed = HolidayRowSchema.safeParse(rec.values);
    if (!parsed.success) throw rowError(source, rec.line, parsed.error, rec.values);
    // Two names for one day (e.g. a holiday and its observance) is still one holiday.
    if (!holidays.has(parsed.data.date)) holidays.set(parsed.data.date, parsed.data.name);
  }
  return { holidays };
}

export function readCalendarCsv(path: string): Promise<Calendar> {
  return parseCalendarLines(readLines(path), basename(path));
}

/** Builds a calendar from `YYYY-MM-DD` strings (handy for tests and callers holding a list). */
export function calendarFromDates(dates: readonly string[]): Calendar {
  const holidays = new Map<number, string>();
  for (const d of dates) {
    const day = parseDay(d);
    if (typeof day === 'string') throw new Error(`bad holiday date "${d}": ${day}`);
    holidays.set(day, formatDay(day));
  }
  return { holidays };
}
