import { z } from 'zod';
import { StaffingConfig } from './config.ts';

/** The staffing plan as the API serves it; plan.ts builds it, types are inferred from here. */
export const PLANNED_ROLES = ['cleaner', 'security'] as const;

/** gap = recommended − rostered: positive is a shortfall, negative a surplus */
export const Cover = z.object({ recommended: z.number().int(), rostered: z.number(), gap: z.number() });
const ByRole = z.object({ cleaner: z.number(), security: z.number() });

export const StaffingHour = z.object({
  t: z.number(),
  local: z.string(),
  open: z.boolean(),
  site: z.object({ entries: z.number(), cleaners: Cover, security: Cover }),
  floors: z.array(z.object({ floorId: z.string(), entries: z.number(), cleaners: Cover, security: Cover })),
  /** rostered with no known zone, so counted site-wide only */
  unplaced: ByRole,
});

export const StaffingPlan = z.object({
  forecastMadeAt: z.number().nullable(),
  config: StaffingConfig,
  hours: z.array(StaffingHour),
  /** hours with a site-wide shortfall, per role */
  shortHours: ByRole,
});

export type PlannedRole = (typeof PLANNED_ROLES)[number];
export type Cover = z.infer<typeof Cover>;
export type StaffingHour = z.infer<typeof StaffingHour>;
export type StaffingPlan = z.infer<typeof StaffingPlan>;
