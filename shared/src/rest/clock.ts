import { z } from 'zod';

/**
 * The site's clock as the cloud runs it: SLA deadlines, alarms and rosters are on this clock,
 * which in an accelerated demo runs `rate` times faster than the wall. Pages extrapolate from
 * the last reading instead of trusting the device's own clock, so a countdown agrees with the
 * SLA timer it shows. GET /api/v1/clock and the socket's `clock` event carry it.
 */
export const SiteClockReading = z.object({
  /** the site clock, epoch ms */
  now: z.number(),
  /** site milliseconds per real millisecond: 1 live, about 60 in a 60× demo */
  rate: z.number().positive(),
  /** the site's IANA time zone: every time a page shows is in it */
  timeZone: z.string().min(1),
});
export type SiteClockReading = z.infer<typeof SiteClockReading>;
