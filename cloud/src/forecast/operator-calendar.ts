import type { CalendarEntry } from '@atrium/shared';
import type { Calendar } from './calendar.ts';
import { parseDay } from './clock.ts';

/** What the refresh hands the model: holidays by day, and the operator's factors by day. */
export interface OperatorCalendar {
  calendar: Calendar;
  /** day number → product of the factors of that day's entries (absent = 1) */
  factors: ReadonlyMap<number, number>;
}

export function toOperatorCalendar(entries: readonly Pick<CalendarEntry, 'date' | 'name' | 'kind' | 'factor'>[]): OperatorCalendar {
  const holidays = new Map<number, string>();
  const factors = new Map<number, number>();
  for (const e of entries) {
    const day = parseDay(e.date);
    if (typeof day === 'string') continue; // stored entries were validated on the way in
    // Two holidays on one day (a holiday and its observance) are one holiday to the model.
    if (e.kind === 'holiday' && !holidays.has(day)) holidays.set(day, e.name);
    if (e.factor !== null && e.factor !== undefined) factors.set(day, (factors.get(day) ?? 1) * e.factor);
  }
  return { calendar: { holidays }, factors };
}
