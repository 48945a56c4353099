import { z } from 'zod';
import { ZONE_KINDS } from './site.ts';

/**
 * The staffing model's knobs (cloud/src/staffing/README.md explains each). Parsed with zod so a
 * bad value fails with its path; every field has a default, so `{}` is a valid config.
 */
export const StaffingConfig = z.strictObject({
  /** which forecast figure to staff for: the median, or the top of the 80% range (safer, dearer) */
  footfall: z.enum(['mean', 'hi80']).default('mean'),
  /** zone kinds whose entries are not shoppers to clean or guard for (service corridors carry staff) */
  excludeZoneKinds: z.array(z.enum(ZONE_KINDS)).default(['service']),
  cleaners: z
    .strictObject({
      /** zone entries one cleaner keeps up with in an hour */
      entriesPerCleanerHour: z.number().positive().default(2000),
      minPerFloorOpen: z.number().int().min(0).default(1),
      minPerFloorClosed: z.number().int().min(0).default(0),
    })
    .prefault({}),
  security: z
    .strictObject({
      /** floor area one guard patrols while the doors are open / shut */
      areaPerGuardM2Open: z.number().positive().default(12_000),
      areaPerGuardM2Closed: z.number().positive().default(24000),
      /** extra guards for crowds: one per this many zone entries an hour */
      entriesPerGuardHour: z.number().positive().default(5000),
      minPerFloorOpen: z.number().int().min(0).default(1),
      minPerFloorClosed: z.number().int().min(0).default(0),
    })
    .prefault({}),
});
export type StaffingConfig = z.infer<typeof StaffingConfig>;
export type StaffingConfigInput = z.input<typeof StaffingConfig>;

/** The staffing plan as the API serves it; the cloud's staffing/plan.ts builds it, types are inferred from here. */
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
