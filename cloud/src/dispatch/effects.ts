import type { Alarm } from './alarms.ts';
import type { StaffMember } from './roster.ts';
import type { OrderHistoryEntry, SlaStage, WorkOrder } from './work-orders.ts';

/**
 * What the engine asks the world to do. The engine decides; the wiring persists and
 * delivers. Row effects carry the whole row after the change (upsert it, append the last
 * history entry), so the store and socket.io need no logic of their own.
 */
export type NotifyReason =
  /** to the assignee: a job for you */
  | 'assigned'
  /** to the former assignee: it went to someone else (accept time ran out, or a supervisor moved it) */
  | 'withdrawn'
  /** to the assignee: no longer needed */
  | 'cancelled'
  /** to supervisors */
  | 'not_accepted'
  | 'declined'
  | 'sla_breach'
  | 'unassignable'
  | 'reopened'
  | 'awaiting_verification';

export type Effect =
  | { kind: 'alarm'; change: 'raised' | 'acknowledged' | 'cleared'; alarm: Alarm }
  | { kind: 'work_order'; change: OrderHistoryEntry['action']; order: WorkOrder }
  | { kind: 'notify'; audience: 'assignee' | 'supervisor'; to: string[]; orderId: string; reason: NotifyReason; message: string }
  | { kind: 'sla_breach'; orderId: string; type: string; priority: number; stage: SlaStage; dueAt: number; at: number; assignee: string | null }
  /** counters of a zone restarted (a cleaning completed): the simulator can reset its odour, the page its counter */
  | { kind: 'counters_reset'; zoneId: string; cause: string; at: number }
  | { kind: 'staff'; staff: StaffMember };
