import { z } from 'zod';
import { Slug, ZoneId } from '../ids.ts';
import { ALARM_STATUSES } from '../ops/alarm.ts';
import { StaffInput } from '../ops/staff.ts';
import { At } from '../ops/time.ts';
import { HandRaisedOrder, ORDER_STATUSES, type OrderActionKind } from '../ops/work-order.ts';
import { EmptyBody, omittable } from './common.ts';
import { csvOf, FreeText, Limit, Offset, QueryEpochMs, SearchText } from './query.ts';

/**
 * Requests of the operations API: alarms, work orders, notifications and the roster. The
 * answers are the records themselves (Alarm, WorkOrder, Notification, StaffMember).
 */

/** Engine-made ids are checked for length only: an unknown one is a 404, not a 400. */
const EngineId = z.string().min(1).max(64);

export const AlarmParams = z.object({ alarmId: EngineId });
export const AlarmListQuery = z.object({
  status: csvOf(ALARM_STATUSES).optional(),
  zoneId: ZoneId.optional(),
  type: z.string().optional(),
  /** raised at or after (epoch ms) */
  from: QueryEpochMs.optional(),
  /** raised before */
  to: QueryEpochMs.optional(),
  /** text in its id, type, rule, zone id, notes, or the name or id of a person who acted on it */
  q: SearchText.optional(),
  /** acknowledged or cleared by this person (staff or user id) */
  staff: Slug.optional(),
  limit: Limit,
  offset: Offset,
});
/** acknowledge and clear: an optional note for the alarm's history */
export const AlarmActionBody = omittable(z.object({ note: FreeText.optional() }));

export const OrderParams = z.object({ orderId: EngineId });
export const OrderListQuery = z.object({
  status: csvOf(ORDER_STATUSES).optional(),
  assignee: Slug.optional(),
  type: z.string().optional(),
  zoneId: ZoneId.optional(),
  /** created at or after (epoch ms) */
  from: QueryEpochMs.optional(),
  /** created before */
  to: QueryEpochMs.optional(),
  /** text in its id, type, zone id, notes and reasons, or the name or id of a person who acted on it */
  q: SearchText.optional(),
  /** held by this member of staff, now or at any time (assignee, or named in its audit trail) */
  staff: Slug.optional(),
  /** the order this alarm raised or joined (the alarm's detail links to it) */
  alarmId: EngineId.optional(),
  limit: Limit,
  offset: Offset,
});
/** POST /api/v1/work-orders: a work order raised by hand in the control room. */
export const RaiseOrderBody = HandRaisedOrder;
const ReasonBody = z.object({ reason: FreeText });
/** What each work-order action takes in its body. */
export const ORDER_ACTION_BODIES = {
  accept: EmptyBody,
  decline: ReasonBody,
  arrive: EmptyBody,
  resolve: omittable(z.object({ note: FreeText.optional() })),
  assign: z.object({ staffId: Slug, reason: FreeText.optional() }),
  unassign: ReasonBody,
  verify: EmptyBody,
  reopen: ReasonBody,
  cancel: ReasonBody,
} as const satisfies Record<OrderActionKind, z.ZodType>;

export const NotificationListQuery = z.object({ to: Slug.optional(), since: QueryEpochMs.optional(), limit: Limit });

export const StaffParams = z.object({ staffId: Slug });
/** PUT /api/v1/staff/:staffId: a roster entry; `id` may be left out, the path names it. */
export const StaffPutBody = StaffInput.partial({ id: true });
/** PATCH /api/v1/staff/:staffId: staff on a break, or where they are now (null: unknown). */
export const StaffPatchBody = z.object({ available: z.boolean().optional(), zoneId: ZoneId.nullable().optional() });

export const ZoneParams = z.object({ zoneId: ZoneId });
/** A routine cleaning logged: the zone's counters restarted at `resetAt`. */
export const ZoneCleaned = z.object({ zoneId: ZoneId, resetAt: At });
export type ZoneCleaned = z.infer<typeof ZoneCleaned>;
