import { z } from 'zod';
import { SiteId, Slug } from '../ids.ts';
import { DISPATCH_ROLES } from '../rules.ts';
import { SubjectRef } from './alarm.ts';
import { At, RecordId } from './time.ts';

/**
 * A work order and its audit trail. The lifecycle (which action is allowed from which status)
 * lives with the engine in the cloud; this is the shape every side agrees on.
 */
export const ORDER_STATUSES = ['open', 'assigned', 'accepted', 'on_site', 'resolved', 'verified', 'cancelled'] as const;
export const OrderStatus = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatus>;
export const ACTIVE_STATUSES: readonly OrderStatus[] = ['assigned', 'accepted', 'on_site'];
export const TERMINAL_STATUSES: readonly OrderStatus[] = ['verified', 'cancelled'];

/** Lifecycle actions a person or the engine takes on an order. */
export const ORDER_ACTION_KINDS = ['assign', 'unassign', 'accept', 'decline', 'arrive', 'resolve', 'verify', 'reopen', 'cancel'] as const;
export type OrderActionKind = (typeof ORDER_ACTION_KINDS)[number];
/** Audit entries that change no status: an SLA breach, a further alarm linked, a job waiting for someone free. */
export const ORDER_NOTES = ['sla_breach', 'alarm_linked', 'queued'] as const;
export type OrderNote = (typeof ORDER_NOTES)[number];
export const OrderHistoryAction = z.enum([...ORDER_ACTION_KINDS, 'created', ...ORDER_NOTES]);
export type OrderHistoryAction = z.infer<typeof OrderHistoryAction>;

export const SLA_STAGES = ['accept', 'arrive', 'resolve'] as const;
export const SlaStage = z.enum(SLA_STAGES);
export type SlaStage = z.infer<typeof SlaStage>;

export const OrderHistoryEntry = z.object({
  at: At,
  by: z.string().min(1),
  action: OrderHistoryAction,
  from: OrderStatus.nullable(),
  to: OrderStatus,
  staffId: z.string().nullable(),
  reason: z.string().nullable(),
});
export type OrderHistoryEntry = z.infer<typeof OrderHistoryEntry>;

/** SLA targets in seconds, measured from the work order's creation. */
export const SlaTargets = z.object({ acceptS: z.number().int().min(0), arriveS: z.number().int().min(0), resolveS: z.number().int().min(0) });
export type SlaTargets = z.infer<typeof SlaTargets>;

/** How a resolved order is confirmed (the rules file's dispatch policy, defaults filled in). */
export const VerifyPolicy = z.object({ by: z.enum(['sensors', 'supervisor', 'none']), clearForS: z.number().int().min(0), withinS: z.number().int().min(1) });
export type VerifyPolicy = z.infer<typeof VerifyPolicy>;

export const WorkOrder = z.object({
  id: RecordId,
  siteId: SiteId,
  /** the alarm type it answers */
  type: Slug,
  alarmIds: z.array(RecordId),
  subject: SubjectRef,
  zoneId: Slug,
  floorId: Slug,
  role: z.enum(DISPATCH_ROLES),
  priority: z.number().int().min(1).max(4),
  status: OrderStatus,
  createdAt: At,
  /** targets as they were when created (a later policy change does not move old goalposts) */
  targets: SlaTargets,
  due: z.object({ acceptBy: At, arriveBy: At, resolveBy: At }),
  verify: VerifyPolicy,
  cancelOnSelfClear: z.boolean(),
  resolveClearsAlarm: z.boolean(),
  resetOnResolve: Slug.nullable(),
  assignee: Slug.nullable(),
  assignedAt: At.nullable(),
  /** who may not be offered it again (declined, or let the accept time run out) */
  excluded: z.array(Slug),
  acceptedAt: At.nullable(),
  arrivedAt: At.nullable(),
  resolvedAt: At.nullable(),
  resolvedBy: z.string().nullable(),
  closedAt: At.nullable(),
  breaches: z.partialRecord(SlaStage, At),
  history: z.array(OrderHistoryEntry),
});
export type WorkOrder = z.infer<typeof WorkOrder>;

/**
 * Kinds of job the control room raises by hand most often, offered first in its form; any
 * other slug is accepted too (a rules-file alarm type, or a kind of job the site names itself).
 */
export const HAND_RAISED_TYPES = ['spill', 'cleaning', 'repair', 'security_check', 'assistance', 'lost_property'] as const;

/**
 * A work order a person raises by hand: where, what kind of job, who should go and how urgent.
 * No alarm stands behind it, so a person signs it off (verification by a supervisor). Priority
 * and SLA targets default from the type's dispatch policy if the rules file has one, else by role.
 */
export const HandRaisedOrder = z.strictObject({
  zoneId: Slug,
  type: Slug,
  role: z.enum(DISPATCH_ROLES),
  priority: z.number().int().min(1).max(4).optional(),
  /** what the person who raised it knows (the caller's words, what the camera shows) */
  note: z.string().trim().min(1).max(2000).optional(),
});
export type HandRaisedOrder = z.infer<typeof HandRaisedOrder>;
