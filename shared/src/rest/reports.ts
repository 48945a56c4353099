import { z } from 'zod';
import { QueryEpochMs } from './query.ts';

/** GET /api/v1/reports/sla: JSON rows, or the same rows as CSV. */
export const SlaReportQuery = z.object({ from: QueryEpochMs, to: QueryEpochMs, format: z.enum(['json', 'csv']).default('json') });

export const StageStats = z.object({
  due: z.number().int(),
  met: z.number().int(),
  /** met / due, null when nothing was due */
  compliance: z.number().nullable(),
  /** mean seconds from creation, over orders that reached the stage */
  meanS: z.number().nullable(),
});
export type StageStats = z.infer<typeof StageStats>;

export const SlaRow = z.object({
  type: z.string(),
  /** local date (YYYY-MM-DD) of creation in the site's timezone, or `all` */
  day: z.string(),
  orders: z.number().int(),
  cancelled: z.number().int(),
  verified: z.number().int(),
  accept: StageStats,
  arrive: StageStats,
  resolve: StageStats,
});
export type SlaRow = z.infer<typeof SlaRow>;
