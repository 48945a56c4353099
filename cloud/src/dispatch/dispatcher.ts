import { type Alarm, type Effect, type HandRaisedOrder, type OrderAction, parseWith, type RuleSet, type SlaStage, StaffInput, type StaffMember, SYSTEM_ACTOR, type WorkOrder } from '@atrium/shared';
import { subjectKey, zoneOfSubject, type SiteFacts } from '../rules/subjects.ts';
import { isOpen, type AlarmsHot } from './alarms.ts';
import { dispatchError, type Result } from './errors.ts';
import { dropOrder, dueOrders, emptyBook, putOrder, seqOf, subjectSlotOf, zoneSlotOf, type OrderBook } from './order-book.ts';
import { isReservedId, own } from './own.ts';
import { handRaisedPolicy, policyFor } from './policy.ts';
import { onShift, rankCandidates, supervisorsFor, type Roster, type Workload } from './roster.ts';
import { createWording, type NotifyDetail, typeWords } from './wording.ts';
import { applyOrderAction, createWorkOrder, hasDue, isTerminal, noteOnOrder, SLA_STAGES } from './work-orders.ts';

/**
 * Dispatch: turns alarms into work orders, gives them to people, and keeps the SLA clock.
 * Every function takes the state and `now` and returns the new state, the effects for the
 * world and follow-ups for the rules and alarms (a cleaning resets counters; resolving a
 * forced door clears its alarm); the engine routes those. The clock is only ever `now`
 * compared with absolute deadlines stored on the orders: nothing to re-arm after a restart.
 *
 * An operation reaches the orders it is about through the order book's indexes (order-book.ts)
 * and saves only those: a step costs what it changes, not what the book holds.
 */
export interface DispatchContext {
  facts: SiteFacts;
  ruleSet: RuleSet;
}

export type FollowUp = { kind: 'reset'; zoneId: string; cause: string; at: number } | { kind: 'clear_alarm'; alarmId: string; by: string; reason: string };

export interface DispatchOut {
  state: OrderBook;
  effects: Effect[];
  followUps: FollowUp[];
}

export const initialDispatch = (roster: Roster = {}, seq = 0): OrderBook => emptyBook(roster, seq);

/** `by` of what the engine does itself; the REST layer must take `by` from authentication, never from a body. */
const SYSTEM = SYSTEM_ACTOR;

/**
 * Scratch for one operation: the book as it stands so far (persistent, so the input state is
 * never touched and nothing is copied up front), the effects and follow-ups.
 */
class Op {
  book: OrderBook;
  effects: Effect[] = [];
  followUps: FollowUp[] = [];
  /** orders that became (or stayed) open in this operation: the queue's newcomers */
  readonly opened = new Set<string>();
  constructor(
    s: OrderBook,
    readonly ctx: DispatchContext,
    readonly now: number,
  ) {
    this.book = s;
  }
  get roster(): Roster {
    return this.book.roster;
  }
  order(id: string): WorkOrder | undefined {
    return this.book.orders.get(id);
  }
  setMember(m: StaffMember) {
    this.book = { ...this.book, roster: { ...this.book.roster, [m.id]: m } };
  }
  nextId(): string {
    this.book = { ...this.book, seq: this.book.seq + 1 };
    return `wo-${this.book.seq}`;
  }
  out(): DispatchOut {
    return { state: this.book, effects: this.effects, followUps: this.followUps };
  }
  save(order: WorkOrder) {
    this.book = putOrder(this.book, order);
    if (order.status === 'open') this.opened.add(order.id);
    const last = order.history[order.history.length - 1]!;
    this.effects.push({ kind: 'work_order', change: last.action, order });
  }
  /** Applies a lifecycle action the engine itself decided on; those are valid by construction. */
  act(order: WorkOrder, action: OrderAction): WorkOrder {
    const r = applyOrderAction(order, action, this.now);
    if (!r.ok) throw new Error(`dispatch bug: ${r.error.message}`);
    this.save(r.order);
    return r.order;
  }
  notify(audience: 'assignee' | 'supervisor', to: string[], order: WorkOrder, detail: NotifyDetail) {
    const recipients = audience === 'supervisor' ? supervisorsFor(this.roster, this.now) : to;
    const message = createWording(this.ctx.facts, (id) => own(this.roster, id)?.name).message(order, detail);
    this.effects.push({ kind: 'notify', siteId: this.ctx.facts.siteId, audience, to: recipients, orderId: order.id, reason: detail.reason, message });
  }
}

const byQueueOrder = (a: WorkOrder, b: WorkOrder) => a.priority - b.priority || a.createdAt - b.createdAt || seqOf(a) - seqOf(b);
const minutes = (s: number) => `${Math.round(s / 6) / 10} min`;
/** When the person just given an order must accept it by: the accept target runs from the assignment. */
const acceptBy = (o: WorkOrder) => (o.assignedAt ?? o.createdAt) + o.targets.acceptS * 1000;

// ── alarms in ───────────────────────────────────────────────────────────────────────────────

/**
 * A new alarm: joins the open order for the same type and subject if there is one (two rules
 * about one dirty restroom are one job) or, where the policy groups, for the same type in the
 * same zone created within its window (three dead sensors in one corridor are one trip);
 * reopens one awaiting verification (the problem came back: verification failed); or creates
 * an order and tries to give it to someone.
 */
export function onAlarmRaised(s: OrderBook, alarm: Alarm, ctx: DispatchContext, now: number): DispatchOut {
  const policy = policyFor(ctx.ruleSet, alarm.type);
  const op = new Op(s, ctx, now);
  if (!policy) return op.out();
  const key = subjectKey(alarm.subject);
  const zoneId = zoneOfSubject(alarm.subject, ctx.facts)?.id;
  const joins = (o: WorkOrder) =>
    subjectKey(o.subject) === key || (policy.groupWithinS > 0 && o.zoneId === zoneId && o.status !== 'resolved' && now - o.createdAt <= policy.groupWithinS * 1000);
  // Only live orders of the type about this subject, or in this zone, can take the alarm in.
  const near = new Set(op.book.ix.bySubject.get(subjectSlotOf(alarm.type, key))?.keys());
  if (policy.groupWithinS > 0 && zoneId) op.book.ix.byZone.get(zoneSlotOf(alarm.type, zoneId))?.forEach((_, id) => near.add(id));
  const existing = [...near]
    .map((id) => op.order(id)!)
    .filter((o) => o.type === alarm.type && !isTerminal(o) && joins(o))
    .sort(byQueueOrder)[0];
  if (existing) {
    let order: WorkOrder = { ...existing, alarmIds: existing.alarmIds.includes(alarm.id) ? existing.alarmIds : [...existing.alarmIds, alarm.id] };
    if (order.status === 'resolved') {
      order = op.act(order, { kind: 'reopen', by: SYSTEM, reason: `verification failed: alarm ${alarm.id} raised again` });
      op.notify('supervisor', [], order, { reason: 'reopened', why: `${typeWords(alarm.type)} raised again` });
    } else op.save(noteOnOrder(order, { at: now, action: 'alarm_linked', reason: `alarm ${alarm.id}` }));
  } else {
    const zone = zoneOfSubject(alarm.subject, ctx.facts);
    if (!zone) return op.out(); // the site no longer has it: nothing to send anyone to
    op.save(createWorkOrder({ id: op.nextId(), siteId: ctx.facts.siteId, policy, alarmId: alarm.id, subject: alarm.subject, zoneId: zone.id, floorId: zone.floorId, now }));
  }
  drain(op);
  return op.out();
}

/**
 * A person raises an order by hand (the control room took a call). It is a new order about
 * the zone, queued and given to the nearest free person with the role like any other; an
 * alarm of its type about the zone that follows joins it rather than making a second job.
 */
export function raiseOrder(s: OrderBook, p: { order: HandRaisedOrder; by: string }, ctx: DispatchContext, now: number): Result<DispatchOut> {
  const zone = ctx.facts.zones.get(p.order.zoneId);
  if (!zone) return { ok: false, error: dispatchError('WORK_ORDER_ZONE_UNKNOWN', p.order.zoneId) };
  const op = new Op(s, ctx, now);
  const policy = handRaisedPolicy(ctx.ruleSet, p.order);
  op.save(createWorkOrder({ id: op.nextId(), siteId: ctx.facts.siteId, policy, alarmId: null, subject: { kind: 'zone', id: zone.id }, zoneId: zone.id, floorId: zone.floorId, now, by: p.by, note: p.order.note ?? null }));
  drain(op);
  return { ok: true, ...op.out() };
}

/**
 * An alarm cleared. If every alarm behind an order is clear before anyone is on site, the
 * problem went away by itself: the order is cancelled and whoever was on the way told.
 * Once on site the order runs its course, and verification judges it after resolution.
 */
export function onAlarmCleared(s: OrderBook, alarm: Alarm, alarms: AlarmsHot, ctx: DispatchContext, now: number): DispatchOut {
  const op = new Op(s, ctx, now);
  // An alarm belongs to one order: the one it raised or joined.
  const orderId = op.book.ix.byAlarm.get(alarm.id);
  const o = orderId === undefined ? undefined : op.order(orderId);
  const othersOpen = (w: WorkOrder) =>
    w.alarmIds.some((id) => {
      const other = id === alarm.id ? undefined : alarms.byId.get(id);
      return other !== undefined && isOpen(other);
    });
  if (o && o.alarmIds.includes(alarm.id) && o.cancelOnSelfClear && ['open', 'assigned', 'accepted'].includes(o.status) && !othersOpen(o)) {
    const assignee = o.assignee;
    const why = alarm.clearedBy === SYSTEM ? 'cleared by itself before anyone arrived' : `alarm cleared by ${alarm.clearedBy}`;
    const cancelled = op.act(o, { kind: 'cancel', by: SYSTEM, reason: why });
    if (assignee) op.notify('assignee', [assignee], cancelled, { reason: 'cancelled', why });
  }
  drain(op);
  return op.out();
}

// ── people in ───────────────────────────────────────────────────────────────────────────────

/**
 * `authority: 'operator'`: the control room (an authenticated operator or admin) may do what a
 * supervisor on shift may, without being on the roster; the REST layer sets it from the
 * caller's role, never from a request body.
 */
export type OrderCommand = { orderId: string; action: OrderAction; authority?: 'operator' | undefined };

/**
 * A person acts on an order (phone view, control room). Refusals come back as catalogue
 * errors with the state untouched. Supervisor-only: assigning by hand, verifying, cancelling.
 */
export function orderCommand(s: OrderBook, cmd: OrderCommand, ctx: DispatchContext, now: number): Result<DispatchOut> {
  const order = s.orders.get(cmd.orderId);
  if (!order) return { ok: false, error: dispatchError('WORK_ORDER_NOT_FOUND', cmd.orderId) };
  // A person signing off is a supervisor verification whatever the request claims.
  const a: OrderAction = cmd.action.kind === 'verify' && cmd.action.by !== SYSTEM ? { ...cmd.action, method: 'supervisor' } : cmd.action;
  const supervisorOnly = a.kind === 'assign' || a.kind === 'unassign' || a.kind === 'verify' || a.kind === 'cancel' || a.kind === 'reopen';
  if (supervisorOnly && a.by !== SYSTEM && cmd.authority !== 'operator') {
    const who = own(s.roster, a.by);
    if (!who || !who.roles.includes('supervisor') || !onShift(who, now)) return { ok: false, error: dispatchError('NOT_SUPERVISOR', a.by, a.kind) };
  }
  const op = new Op(s, ctx, now);
  let current = order;
  if (a.kind === 'assign') {
    const staff = own(s.roster, a.staffId);
    if (!staff) return { ok: false, error: dispatchError('STAFF_NOT_FOUND', a.staffId) };
    if (!staff.roles.includes(order.role)) return { ok: false, error: dispatchError('STAFF_LACKS_ROLE', a.staffId, order.role) };
    if (!staff.available || !onShift(staff, now)) return { ok: false, error: dispatchError('STAFF_UNAVAILABLE', a.staffId) };
    // A supervisor moving a job someone holds takes it from them first.
    if (order.status === 'assigned' || order.status === 'accepted') {
      const from = order.assignee;
      current = op.act(order, { kind: 'unassign', by: a.by, reason: `reassigned to ${a.staffId}` });
      if (from) op.notify('assignee', [from], current, { reason: 'withdrawn' });
    }
  }
  const r = applyOrderAction(current, a, now);
  if (!r.ok) return r;
  op.save(r.order);
  const next = r.order;
  switch (a.kind) {
    case 'assign':
      op.notify('assignee', [a.staffId], next, { reason: 'assigned', acceptBy: acceptBy(next), by: a.by });
      break;
    case 'decline':
      op.notify('supervisor', [], next, { reason: 'declined', by: a.by, why: a.reason });
      break;
    case 'unassign':
      if (order.assignee) op.notify('assignee', [order.assignee], next, { reason: 'withdrawn' });
      break;
    case 'cancel':
      if (order.assignee) op.notify('assignee', [order.assignee], next, { reason: 'cancelled', why: a.reason });
      break;
    case 'arrive': {
      // Where they are now is where the job is: the next assignment starts from here.
      const staff = own(op.roster, a.by);
      if (staff) {
        const moved = { ...staff, zoneId: next.zoneId };
        op.setMember(moved);
        op.effects.push({ kind: 'staff', staff: moved });
      }
      break;
    }
    case 'resolve':
      resolved(op, next);
      break;
  }
  drain(op);
  return { ok: true, ...op.out() };
}

/** Resolution closes the loop: counters reset, event alarms cleared, verification begins. */
function resolved(op: Op, order: WorkOrder) {
  if (order.resetOnResolve) op.followUps.push({ kind: 'reset', zoneId: order.zoneId, cause: order.resetOnResolve, at: op.now });
  if (order.resolveClearsAlarm) for (const id of order.alarmIds) op.followUps.push({ kind: 'clear_alarm', alarmId: id, by: order.resolvedBy ?? SYSTEM, reason: `resolved in ${order.id}` });
  if (order.verify.by === 'none') op.act(order, { kind: 'verify', by: SYSTEM, method: 'auto' });
  else if (order.verify.by === 'supervisor') op.notify('supervisor', [], order, { reason: 'awaiting_verification', by: order.resolvedBy });
}

export function upsertStaff(s: OrderBook, input: unknown, ctx: DispatchContext, now: number): Result<DispatchOut> {
  const parsed = parseWith(StaffInput, input);
  if (!parsed.ok) return { ok: false, error: dispatchError('STAFF_INVALID', parsed.reason) };
  if (isReservedId(parsed.value.id)) return { ok: false, error: dispatchError('STAFF_INVALID', `id: "${parsed.value.id}" is reserved`) };
  const member: StaffMember = { ...parsed.value, siteId: ctx.facts.siteId };
  const op = new Op(s, ctx, now);
  op.setMember(member);
  op.effects.push({ kind: 'staff', staff: member });
  release(op, member.id);
  drain(op);
  return { ok: true, ...op.out() };
}

export function setStaff(s: OrderBook, p: { staffId: string; available?: boolean; zoneId?: string | null }, ctx: DispatchContext, now: number): Result<DispatchOut> {
  const staff = own(s.roster, p.staffId);
  if (!staff) return { ok: false, error: dispatchError('STAFF_NOT_FOUND', p.staffId) };
  const op = new Op(s, ctx, now);
  const next = { ...staff, ...(p.available !== undefined ? { available: p.available } : {}), ...(p.zoneId !== undefined ? { zoneId: p.zoneId } : {}) };
  op.setMember(next);
  op.effects.push({ kind: 'staff', staff: next });
  release(op, p.staffId);
  drain(op);
  return { ok: true, ...op.out() };
}

/** Someone who can no longer take work gives back what they have not accepted yet. */
function release(op: Op, staffId: string) {
  const m = own(op.roster, staffId);
  if (m && m.available && onShift(m, op.now)) return;
  for (const o of op.book.ix.held.values().sort(byQueueOrder)) {
    if (o.status !== 'assigned' || o.assignee !== staffId) continue;
    op.act(o, { kind: 'unassign', by: SYSTEM, reason: `${staffId} is no longer available` });
  }
}

// ── the clock ───────────────────────────────────────────────────────────────────────────────

/**
 * Time passing: unaccepted orders past their accept time go to the next person (the
 * supervisor hears of it), SLA breaches are recorded once per stage, resolved orders are
 * verified by the sensors or reopened, and queued orders are given to whoever came free.
 */
export function tickDispatch(s: OrderBook, alarms: AlarmsHot, ctx: DispatchContext, now: number): DispatchOut {
  const op = new Op(s, ctx, now);
  // Only orders with a deadline passed (found by their next deadline) or a verification
  // pending are looked at: orders waiting for a later deadline are not even visited.
  const due = dueOrders(s, now).filter((o) => hasDue(o, now));
  for (const o0 of due.sort(byQueueOrder)) {
    let o = o0;
    if (o.status === 'assigned' && o.assignedAt !== null && now >= o.assignedAt + o.targets.acceptS * 1000) {
      const from = o.assignee!;
      o = op.act(o, { kind: 'unassign', by: SYSTEM, reason: `not accepted within ${minutes(o.targets.acceptS)}` });
      op.notify('assignee', [from], o, { reason: 'withdrawn' });
      op.notify('supervisor', [], o, { reason: 'not_accepted', from });
    }
    o = breaches(op, o);
    if (o.status === 'resolved' && o.verify.by === 'sensors') verifyBySensors(op, o, alarms);
  }
  drain(op);
  return op.out();
}

function breaches(op: Op, order: WorkOrder): WorkOrder {
  let o = order;
  if (isTerminal(o)) return o;
  for (const { stage, due, done } of SLA_STAGES) {
    // A reopened order keeps its first resolution time for the report; "resolved" here means now.
    const reached = stage === 'resolve' ? o.status === 'resolved' : o[done] !== null;
    if (reached || o.breaches[stage] !== undefined || op.now < o.due[due]) continue;
    o = noteOnOrder({ ...o, breaches: { ...o.breaches, [stage]: op.now } }, { at: op.now, action: 'sla_breach', reason: `${stage} target ${minutes(o.targets[`${stage}S`])}` });
    op.save(o);
    op.effects.push({ kind: 'sla_breach', siteId: o.siteId, orderId: o.id, type: o.type, priority: o.priority, stage, dueAt: o.due[due], at: op.now, assignee: o.assignee });
    op.notify('supervisor', [], o, { reason: 'sla_breach', stage, dueAt: o.due[due] });
  }
  return o;
}

function verifyBySensors(op: Op, o: WorkOrder, alarms: AlarmsHot) {
  const linked = o.alarmIds.map((id) => alarms.byId.get(id));
  const stillOpen = linked.some((a) => a !== undefined && a.status !== 'cleared');
  const resolvedAt = o.resolvedAt ?? op.now;
  if (!stillOpen) {
    const lastClear = Math.max(resolvedAt, ...linked.map((a) => a?.clearedAt ?? 0));
    if (op.now >= lastClear + o.verify.clearForS * 1000) op.act(o, { kind: 'verify', by: SYSTEM, method: 'sensors' });
  } else if (op.now >= resolvedAt + o.verify.withinS * 1000) {
    const r = op.act(o, { kind: 'reopen', by: SYSTEM, reason: `sensors still show the problem ${minutes(o.verify.withinS)} after resolution` });
    op.notify('supervisor', [], r, { reason: 'reopened', why: 'the sensors still show the problem' });
  }
}

/**
 * Gives open orders to people, most urgent first (priority, then age). An order nobody can
 * take waits in the queue; its supervisor hears of it once per wait. Only the queues of roles
 * someone could take work in are looked at, plus orders opened by this operation (to tell the
 * supervisor): a queue of 10,000 with nobody free costs nothing until someone is.
 */
function drain(op: Op) {
  const { queued } = op.book.ix;
  if (op.opened.size === 0 && Object.keys(queued).length === 0) return;
  const load = workload(op);
  const { maxActivePerPerson } = op.ctx.ruleSet.assignment;
  const roles = new Set<string>();
  for (const m of Object.values(op.roster)) if (m.available && onShift(m, op.now) && (load.get(m.id)?.active ?? 0) < maxActivePerPerson) for (const r of m.roles) roles.add(r);
  const waiting = new Map<string, WorkOrder>();
  for (const r of roles) for (const o of queued[r]?.values() ?? []) waiting.set(o.id, o);
  for (const id of op.opened) {
    const o = op.order(id);
    if (o?.status === 'open') waiting.set(id, o);
  }
  for (const o of [...waiting.values()].sort(byQueueOrder)) {
    const [best] = rankCandidates({ roster: op.roster, role: o.role, zoneId: o.zoneId, now: op.now, excluded: o.excluded, load, config: op.ctx.ruleSet.assignment, facts: op.ctx.facts });
    if (!best) {
      if (!queuedSinceOpen(o)) {
        op.save(noteOnOrder(o, { at: op.now, action: 'queued', reason: `nobody free with the role ${o.role}` }));
        op.notify('supervisor', [], o, { reason: 'unassignable', role: o.role });
      }
      continue;
    }
    const assigned = op.act(o, { kind: 'assign', staffId: best.staffId, by: SYSTEM, reason: `nearest free (${best.distanceM} m, score ${best.score})` });
    op.notify('assignee', [best.staffId], assigned, { reason: 'assigned', acceptBy: acceptBy(assigned) });
    const l = load.get(best.staffId) ?? { active: 0, recent: 0 };
    load.set(best.staffId, { ...l, active: l.active + 1 });
  }
}

/** Whether the supervisor was already told about this stay in the queue. */
function queuedSinceOpen(o: WorkOrder): boolean {
  for (let i = o.history.length - 1; i >= 0; i--) {
    const h = o.history[i]!;
    if (h.action === 'queued') return true;
    if (h.from !== h.to) return false;
  }
  return false;
}

/** Who carries what: orders held now, and orders resolved within the recent window. */
function workload(op: Op): Map<string, Workload> {
  const load = new Map<string, Workload>();
  const since = op.now - op.ctx.ruleSet.assignment.recentWindowS * 1000;
  const get = (id: string) => load.get(id) ?? { active: 0, recent: 0 };
  for (const o of op.book.ix.held.values()) if (o.assignee) load.set(o.assignee, { ...get(o.assignee), active: get(o.assignee).active + 1 });
  for (const o of op.book.ix.resolved.values()) {
    if (o.resolvedBy && o.resolvedAt !== null && o.resolvedAt >= since) load.set(o.resolvedBy, { ...get(o.resolvedBy), recent: get(o.resolvedBy).recent + 1 });
  }
  return load;
}

/**
 * Retires orders closed before `before` from the working state, except those still counting
 * in someone's recent work (resolved at or after `recentSince`). The store keeps them all:
 * the API reads orders from there.
 */
export function pruneOrders(s: OrderBook, before: number, recentSince: number): OrderBook {
  let b = s;
  for (const o of s.ix.closed.values()) {
    if ((o.closedAt ?? 0) >= before) continue;
    if (o.resolvedBy !== null && o.resolvedAt !== null && o.resolvedAt >= recentSince) continue;
    b = dropOrder(b, o.id);
  }
  return b;
}
