import { z } from 'zod';
import { SubjectKind } from '../uplink.ts';

/** GET /api/v1/series/footfall/totals: total crossings per subject over a range (epoch ms). */
export const FootfallTotalsQuery = z.strictObject({
  subjectKind: SubjectKind.default('zone'),
  from: z.coerce.number().int().optional(),
  to: z.coerce.number().int().optional(),
});
export const FootfallTotal = z.object({ subjectId: z.string(), in: z.number(), out: z.number() });
export type FootfallTotal = z.infer<typeof FootfallTotal>;
