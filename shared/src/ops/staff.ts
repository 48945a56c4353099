import { z } from 'zod';
import { SiteId, Slug } from '../ids.ts';
import { DISPATCH_ROLES } from '../rules.ts';
import { At } from './time.ts';

/**
 * Staff and shifts. Shifts are absolute time ranges: the rota (weekly patterns in the site's
 * timezone) is expanded into them before they reach the engine, so "on shift" is a comparison
 * and a restart needs nothing but the stored ranges.
 */
export const STAFF_ROLES = [...DISPATCH_ROLES, 'supervisor'] as const;
export const StaffRole = z.enum(STAFF_ROLES);
export type StaffRole = z.infer<typeof StaffRole>;

/** Who the engine itself acts as in audit trails; no person may have this id. */
export const SYSTEM_ACTOR = 'system';

export const Shift = z.strictObject({ from: At, to: At }).refine((s) => s.to > s.from, { path: ['to'], message: 'must be after from' });
export type Shift = z.infer<typeof Shift>;

const staffFields = {
  id: Slug.refine((id) => id !== SYSTEM_ACTOR, `"${SYSTEM_ACTOR}" is reserved for the engine`),
  name: z.string().min(1).max(200),
  roles: z.array(StaffRole).min(1),
  shifts: z.array(Shift).max(1000),
  /** where they are, as last known (their phone, or the zone of the job they last arrived at) */
  zoneId: Slug.nullable(),
  /** false: on a break, off sick, busy with something outside the system */
  available: z.boolean(),
};

/** A roster entry as a client sends it: the site comes from where it is sent, never from the body. */
export const StaffInput = z.strictObject(staffFields);
export type StaffInput = z.infer<typeof StaffInput>;

export const StaffMember = z.object({ ...staffFields, siteId: SiteId });
export type StaffMember = z.infer<typeof StaffMember>;
