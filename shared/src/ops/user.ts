import { z } from 'zod';
import { MerchantId, SiteId, Slug } from '../ids.ts';
import { At } from './time.ts';

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

const principalFields = {
  userId: Slug,
  role: Role,
  /** the roster entry this user acts as (staff and supervisors) */
  staffId: Slug.nullable(),
  /** the merchant whose shops this user may see (merchants) */
  merchantId: MerchantId.nullable(),
};

type PrincipalLike = { role: Role; staffId?: string | null | undefined; merchantId?: string | null | undefined };
/** The links each role needs, checked wherever a user is made or read. */
function roleLinks(p: PrincipalLike, ctx: z.RefinementCtx): void {
  if ((p.role === 'staff' || p.role === 'supervisor') && !p.staffId) ctx.addIssue({ code: 'custom', path: ['staffId'], message: `a ${p.role} must name the staff member they are` });
  if (p.role !== 'staff' && p.role !== 'supervisor' && p.staffId) ctx.addIssue({ code: 'custom', path: ['staffId'], message: 'only staff and supervisors act as a staff member' });
  if (p.role === 'merchant' && !p.merchantId) ctx.addIssue({ code: 'custom', path: ['merchantId'], message: 'a merchant user must name the merchant' });
  if (p.role !== 'merchant' && p.merchantId) ctx.addIssue({ code: 'custom', path: ['merchantId'], message: 'only merchant users belong to a merchant' });
}

/** The caller as authentication found them. */
export const Principal = z.object({ ...principalFields, siteId: SiteId }).superRefine(roleLinks);
export type Principal = z.infer<typeof Principal>;

/** POST /api/v1/users: links a role does not need are left out, not sent as null. */
/** Actors the system itself writes into audit trails and rules history; no person may take these ids. */
export const RESERVED_ACTORS = ['system', 'rules-file'] as const;

export const UserInput = z
  .strictObject({
    userId: Slug.refine((id) => !(RESERVED_ACTORS as readonly string[]).includes(id), { message: `is reserved for the system (${RESERVED_ACTORS.join(', ')})` }),
    role: Role,
    staffId: Slug.optional(),
    merchantId: MerchantId.optional(),
  })
  .superRefine(roleLinks);
export type UserInput = z.infer<typeof UserInput>;

/** A user as the API shows it (never the key or its hash). */
export const User = z.object({ ...principalFields, siteId: SiteId, disabled: z.boolean(), createdAt: At });
export type User = z.infer<typeof User>;

/** The stored row: the user plus the hash of their API key (the key itself is shown once, at creation). */
export const UserRecord = User.extend({ keyHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest') });
export type UserRecord = z.infer<typeof UserRecord>;

