import { ACTIVE_STATUSES, TERMINAL_STATUSES, type DispatchRole, type OrderAction, type OrderActionKind, type OrderHistoryEntry, type OrderNote, type OrderStatus, type SlaStage, type SubjectRef, type WorkOrder } from '@atrium/shared';
import { dispatchError, type Result } from './errors.ts';
import type { ResolvedPolicy } from './policy.ts';

/**
 * One work order's lifecycle, as a table: which action is allowed from which status, who may
 * take it, and what it records. Every transition is timestamped, names who did it and lands
 * in the order's audit trail; anything else is refused with a catalogue error and the order
 * is left as it was.
 *
 *   open → assigned → accepted → on_site → resolved → verified
 *     ↑       │           │                    │
 *     └───────┴───────────┘ (decline, accept   └→ open (reopened: sensors still see the problem)
 *          timeout, reassignment)
 *   open | assigned | accepted | on_site → cancelled
 */
const FROM: Readonly<Record<OrderActionKind, readonly OrderStatus[]>> = {
  assign: ['open'],
  unassign: ['assigned', 'accepted'],
  accept: ['assigned'],
  decline: ['assigned', 'accepted'],
  arrive: ['accepted'],
  resolve: ['on_site'],
  verify: ['resolved'],
  reopen: ['resolved'],
  cancel: ['open', 'assigned', 'accepted', 'on_site'],
};
const TO: Readonly<Record<OrderActionKind, OrderStatus>> = {
  assign: 'assigned',
  unassign: 'open',
  accept: 'accepted',
  decline: 'open',
  arrive: 'on_site',
  resolve: 'resolved',
  verify: 'verified',
  reopen: 'open',
  cancel: 'cancelled',
};
/** Only the person it is assigned to can say they took it, got there or fixed it. */
const ASSIGNEE_ONLY: ReadonlySet<OrderActionKind> = new Set(['accept', 'decline', 'arrive', 'resolve']);
const NEEDS_REASON: ReadonlySet<OrderActionKind> = new Set(['unassign', 'decline', 'reopen', 'cancel']);

/**
 * A new order, open: raised by an alarm (`alarmId`), or by a person by hand (`alarmId` null,
 * `by` who, `note` what they know, kept as the reason of the audit trail's first entry).
 */
export function createWorkOrder(p: {
  id: string;
  siteId: string;
  policy: ResolvedPolicy;
  alarmId: string | null;
  subject: SubjectRef;
  zoneId: string;
  floorId: string;
  now: number;
  by?: string;
  note?: string | null;
}): WorkOrder {
  const { policy, now } = p;
  return {
    id: p.id,
    siteId: p.siteId,
    type: policy.type,
    alarmIds: p.alarmId === null ? [] : [p.alarmId],
    subject: p.subject,
    zoneId: p.zoneId,
    floorId: p.floorId,
    role: policy.role,
    priority: policy.priority,
    status: 'open',
    createdAt: now,
    targets: policy.sla,
    due: { acceptBy: now + policy.sla.acceptS * 1000, arriveBy: now + policy.sla.arriveS * 1000, resolveBy: now + policy.sla.resolveS * 1000 },
    verify: policy.verify,
    cancelOnSelfClear: policy.cancelOnSelfClear,
    resolveClearsAlarm: policy.resolveClearsAlarm,
    resetOnResolve: policy.resetOnResolve,
    assignee: null,
    assignedAt: null,
    excluded: [],
    acceptedAt: null,
    arrivedAt: null,
    resolvedAt: null,
    resolvedBy: null,
    closedAt: null,
    breaches: {},
    history: [{ at: now, by: p.by ?? 'system', action: 'created', from: null, to: 'open', staffId: null, reason: p.alarmId === null ? (p.note ?? 'raised by hand') : `alarm ${p.alarmId}` }],
  };
}

/** Applies one lifecycle action; permission beyond "is it the assignee" (supervisor) is the caller's. */
export function applyOrderAction(order: WorkOrder, action: OrderAction, now: number): Result<{ order: WorkOrder }> {
  if (!FROM[action.kind].includes(order.status)) {
    return { ok: false, error: dispatchError('WORK_ORDER_INVALID_TRANSITION', order.id, order.status, action.kind) };
  }
  if (ASSIGNEE_ONLY.has(action.kind) && action.by !== order.assignee) {
    return { ok: false, error: dispatchError('WORK_ORDER_NOT_ASSIGNEE', order.id, action.by) };
  }
  const reason = 'reason' in action ? (action.reason?.trim() ?? '') : '';
  if (NEEDS_REASON.has(action.kind) && reason === '') return { ok: false, error: dispatchError('WORK_ORDER_REASON_REQUIRED', action.kind) };

  const to = TO[action.kind];
  const entry: OrderHistoryEntry = {
    at: now,
    by: action.by,
    action: action.kind,
    from: order.status,
    to,
    staffId: action.kind === 'assign' ? action.staffId : order.assignee,
    reason: reason !== '' ? reason : action.kind === 'verify' ? action.method : action.kind === 'resolve' ? (action.note ?? null) : null,
  };
  const next: WorkOrder = { ...order, status: to, history: [...order.history, entry] };
  switch (action.kind) {
    case 'assign':
      next.assignee = action.staffId;
      next.assignedAt = now;
      break;
    case 'unassign':
    case 'decline':
      // Whoever let it go is not offered it again; a supervisor can still assign them by hand.
      if (order.assignee && !next.excluded.includes(order.assignee)) next.excluded = [...next.excluded, order.assignee];
      next.assignee = null;
      next.assignedAt = null;
      break;
    case 'accept':
      next.acceptedAt ??= now;
      break;
    case 'arrive':
      next.arrivedAt ??= now;
      break;
    case 'resolve':
      next.resolvedAt = now;
      next.resolvedBy = action.by;
      break;
    case 'reopen':
      // Back to the queue for anyone of the role; the one who resolved it may well be nearest.
      next.assignee = null;
      next.assignedAt = null;
      next.excluded = [];
      next.resolvedAt = null;
      break;
    case 'verify':
    case 'cancel':
      next.closedAt = now;
      break;
  }
  return { ok: true, order: next };
}

/** A note in the audit trail that changes no status (an SLA breach, a further alarm linked). */
export function noteOnOrder(order: WorkOrder, note: { at: number; action: OrderNote; reason: string }): WorkOrder {
  return { ...order, history: [...order.history, { at: note.at, by: 'system', action: note.action, from: order.status, to: order.status, staffId: order.assignee, reason: note.reason }] };
}

export const isActive = (o: WorkOrder) => ACTIVE_STATUSES.includes(o.status);
export const isTerminal = (o: WorkOrder) => TERMINAL_STATUSES.includes(o.status);

export const SLA_STAGES: ReadonlyArray<{ stage: SlaStage; due: 'acceptBy' | 'arriveBy' | 'resolveBy'; done: 'acceptedAt' | 'arrivedAt' | 'resolvedAt' }> = [
  { stage: 'accept', due: 'acceptBy', done: 'acceptedAt' },
  { stage: 'arrive', due: 'arriveBy', done: 'arrivedAt' },
  { stage: 'resolve', due: 'resolveBy', done: 'resolvedAt' },
];

/**
 * The next moment the clock has something to do for this order: its accept time running out,
 * or an SLA stage falling due unreached and not yet recorded as breached. null: nothing (closed,
 * or every stage reached or recorded). Verification by sensors is judged at every tick instead.
 */
export function nextDeadline(o: WorkOrder): number | null {
  if (isTerminal(o)) return null;
  let t = Number.POSITIVE_INFINITY;
  if (o.status === 'assigned' && o.assignedAt !== null) t = o.assignedAt + o.targets.acceptS * 1000;
  for (const { stage, due, done } of SLA_STAGES) {
    // A reopened order keeps its first resolution time for the report; "resolved" here means now.
    const reached = stage === 'resolve' ? o.status === 'resolved' : o[done] !== null;
    if (!reached && o.breaches[stage] === undefined) t = Math.min(t, o.due[due]);
  }
  return Number.isFinite(t) ? t : null;
}

export const awaitsSensors = (o: WorkOrder) => o.status === 'resolved' && o.verify.by === 'sensors';

/** Whether the clock has anything to do for this order now (what tickDispatch would change). */
export function hasDue(o: WorkOrder, now: number): boolean {
  if (awaitsSensors(o)) return true;
  const t = nextDeadline(o);
  return t !== null && now >= t;
}
