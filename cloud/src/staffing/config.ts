import { z } from 'zod';
import { ZONE_KINDS } from '@atrium/shared';

/**
 * The staffing model's knobs (README.md beside this file explains each). Parsed with zod so a
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
