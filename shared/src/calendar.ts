import { z } from 'zod';

/**
 * The operator's holiday and event calendar. A holiday tells the forecaster "this day runs like
 * a public holiday" (it learns how each named holiday differs from a Sunday); an event
 * (a sale, a concert) is an ordinary day that an expected factor scales. Either may carry a
 * factor: the forecast for that local day is multiplied by it, and the same day in the history
 * is divided by it, so last year's sale does not inflate next week's base.
 */
export const CALENDAR_KINDS = ['holiday', 'event'] as const;
export const CalendarKind = z.enum(CALENDAR_KINDS);

/** zod's ISO date knows month lengths and leap years, so 2025-02-29 is refused like 2025-13-01. */
export const LocalDate = z.iso.date({ error: 'expected a calendar date as YYYY-MM-DD' });

export const CalendarEntryInput = z.strictObject({
  /** local date in the site's timezone */
  date: LocalDate,
  name: z.string().trim().min(1, 'must not be empty').max(200),
  kind: CalendarKind,
  /** expected footfall relative to an ordinary day (0 = closed, 1.5 = half as busy again) */
  factor: z.number().min(0).max(10).optional(),
});

export const CalendarEntry = z.object({
  id: z.number().int(),
  date: z.string(),
  name: z.string(),
  kind: CalendarKind,
  factor: z.number().nullable(),
  createdAt: z.number(),
  createdBy: z.string(),
});

export const CalendarQuery = z.strictObject({ from: LocalDate.optional(), to: LocalDate.optional() });

export type CalendarEntryInput = z.infer<typeof CalendarEntryInput>;
export type CalendarEntry = z.infer<typeof CalendarEntry>;
