import { z } from 'zod';
import { MerchantId, Slug } from '@atrium/shared';

/**
 * Who is calling. Roles are what the control room, staff phones and merchants need:
 * - admin: users, rules and everything an operator can do
 * - operator: the control room (alarms, work orders, staff, reports)
 * - supervisor: an operator who is also a staff member (reassign, verify, cancel)
 * - staff: their own work orders only (accept, decline, arrive, resolve)
 * - merchant: their own shops' traffic, forecasts and alerts only
 */
export const ROLES = ['admin', 'operator', 'supervisor', 'staff', 'merchant'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const Principal = z
  .strictObject({
    userId: Slug,
    role: Role,
    /** the roster entry this user acts as (staff and supervisors) */
    staffId: Slug.nullable(),
    /** the merchant whose shops this user may see (merchants) */
    merchantId: MerchantId.nullable(),
  })
  .superRefine((p, ctx) => {
    if ((p.role === 'staff' || p.role === 'supervisor') && !p.staffId) ctx.addIssue({ code: 'custom', path: ['staffId'], message: `a ${p.role} must name the staff member they are` });
    if (p.role === 'merchant' && !p.merchantId) ctx.addIssue({ code: 'custom', path: ['merchantId'], message: 'a merchant user must name the merchant' });
    if (p.role !== 'merchant' && p.merchantId) ctx.addIssue({ code: 'custom', path: ['merchantId'], message: 'only merchant users belong to a merchant' });
  });
export type Principal = z.infer<typeof Principal>;
