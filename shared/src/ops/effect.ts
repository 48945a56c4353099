import { z } from 'zod';
import { SiteId, Slug } from '../ids.ts';
import { Alarm, AlarmStatus } from './alarm.ts';
import { StaffMember } from './staff.ts';
import { At, RecordId } from './time.ts';
import { OrderHistoryAction, SlaStage, WorkOrder } from './work-order.ts';

/**
 * What the engine asks the world to do. The engine decides; the wiring persists and delivers.
 * Row effects carry the whole row after the change (upsert it, append the history entries not
 * yet stored), so the store and socket.io need no logic of their own.
 */
export const NOTIFY_REASONS = [
  /** to the assignee: a job for you */
  'assigned',
  /** to the former assignee: it went to someone else (accept time ran out, or a supervisor moved it) */
  'withdrawn',
  /** to the assignee: no longer needed */
  'cancelled',
  /** the rest go to supervisors */
  'not_accepted',
  'declined',
  'sla_breach',
  'unassignable',
  'reopened',
  'awaiting_verification',
] as const;
export const NotifyReason = z.enum(NOTIFY_REASONS);
export type NotifyReason = z.infer<typeof NotifyReason>;

export const AlarmEffect = z.object({ kind: z.literal('alarm'), change: AlarmStatus, alarm: Alarm });
export const WorkOrderEffect = z.object({ kind: z.literal('work_order'), change: OrderHistoryAction, order: WorkOrder });
export const NotifyEffect = z.object({
  kind: z.literal('notify'),
  siteId: SiteId,
  audience: z.enum(['assignee', 'supervisor']),
  to: z.array(Slug),
  orderId: RecordId,
  reason: NotifyReason,
  message: z.string(),
});
export const SlaBreachEffect = z.object({
  kind: z.literal('sla_breach'),
  siteId: SiteId,
  orderId: RecordId,
  type: Slug,
  priority: z.number().int(),
  stage: SlaStage,
  dueAt: At,
  at: At,
  assignee: Slug.nullable(),
});
/** counters of a zone restarted (a cleaning completed): the simulator can reset its odour, the page its counter */
export const CountersResetEffect = z.object({ kind: z.literal('counters_reset'), siteId: SiteId, zoneId: Slug, cause: Slug, at: At });
export const StaffEffect = z.object({ kind: z.literal('staff'), staff: StaffMember });

export const Effect = z.discriminatedUnion('kind', [AlarmEffect, WorkOrderEffect, NotifyEffect, SlaBreachEffect, CountersResetEffect, StaffEffect]);
export type Effect = z.infer<typeof Effect>;
export type NotifyEffect = z.infer<typeof NotifyEffect>;
export type SlaBreachEffect = z.infer<typeof SlaBreachEffect>;
export type CountersResetEffect = z.infer<typeof CountersResetEffect>;

/** A notification as kept for the person's phone and the supervisors' inbox. */
export const Notification = NotifyEffect.extend({ id: z.number().int(), at: At });
export type Notification = z.infer<typeof Notification>;
