import { ACTIVE_STATUSES, TERMINAL_STATUSES, type DispatchState, type StaffMember, type WorkOrder } from '@atrium/shared';
import { subjectKey } from '../rules/subjects.ts';
import { Table } from './table.ts';
import { awaitsSensors, nextDeadline } from './work-orders.ts';

/**
 * Dispatch's working state: the work orders held (live ones, and closed ones until they
 * retire), the roster and the order counter, plus indexes that let each operation reach the
 * orders it is about without walking the others: the queue per role, the orders people hold,
 * the live orders by alarm, by subject and by zone. Every table is persistent (table.ts), so
 * saving one order copies a few small nodes per index, never the whole collection.
 *
 * The indexes are derived: the stored form (shared DispatchState) has only orders, seq and
 * roster, and `fromStored` rebuilds them, in a shape that depends only on the orders held,
 * so a restored state deep-equals the one the running engine grew.
 */
export interface OrderBook {
  readonly orders: Table<WorkOrder>;
  readonly seq: number;
  readonly roster: Readonly<Record<string, StaffMember>>;
  readonly ix: OrderIndex;
}

/** A set of order ids (persistent too: a bucket of 10,000 orders takes one more without a copy). */
export type IdSet = Table<true>;

export interface OrderIndex {
  /** role → orders waiting in the queue (status open) */
  readonly queued: Readonly<Record<string, Table<WorkOrder>>>;
  /** assigned, accepted or on site: who carries what */
  readonly held: Table<WorkOrder>;
  /** not verified or cancelled */
  readonly live: Table<WorkOrder>;
  /** verified or cancelled, waiting to retire */
  readonly closed: Table<WorkOrder>;
  /** resolved by someone (whatever the status now): the recent-work part of their load */
  readonly resolved: Table<WorkOrder>;
  /** alarm id → the live order it belongs to */
  readonly byAlarm: Table<string>;
  /** `${type}|${subjectKey}` and `${type}@${zoneId}` → ids of live orders */
  readonly bySubject: Table<IdSet>;
  readonly byZone: Table<IdSet>;
  /** live orders by the bucket of their next deadline (work-orders.ts nextDeadline), and the buckets in use, ascending */
  readonly byDeadline: Table<IdSet>;
  readonly deadlineBuckets: readonly number[];
  /** resolved orders the sensors are to verify: looked at on every tick */
  readonly verifying: Table<WorkOrder>;
}

/** Deadlines are kept in five-minute buckets: a tick reads the buckets up to now, a day has 288. */
const BUCKET_MS = 300_000;
const bucketOf = (o: WorkOrder | undefined): number | null => {
  const t = o === undefined ? null : nextDeadline(o);
  return t === null ? null : Math.floor(t / BUCKET_MS);
};

const EMPTY_INDEX: OrderIndex = {
  queued: {},
  held: Table.empty(),
  live: Table.empty(),
  closed: Table.empty(),
  resolved: Table.empty(),
  byAlarm: Table.empty(),
  bySubject: Table.empty(),
  byZone: Table.empty(),
  byDeadline: Table.empty(),
  deadlineBuckets: [],
  verifying: Table.empty(),
};

export const emptyBook = (roster: Readonly<Record<string, StaffMember>> = {}, seq = 0): OrderBook => ({ orders: Table.empty(), seq, roster, ix: EMPTY_INDEX });

export const isLive = (o: WorkOrder) => !TERMINAL_STATUSES.includes(o.status);
export const isHeld = (o: WorkOrder) => ACTIVE_STATUSES.includes(o.status);
const subjectSlot = (o: WorkOrder) => `${o.type}|${subjectKey(o.subject)}`;
const zoneSlot = (o: WorkOrder) => `${o.type}@${o.zoneId}`;
export const subjectSlotOf = (type: string, key: string) => `${type}|${key}`;
export const zoneSlotOf = (type: string, zoneId: string) => `${type}@${zoneId}`;

/** An order's number, for sorting: wo-12 after wo-9. */
export const seqOf = (o: { id: string }) => Number(o.id.slice(3));

function member(t: Table<WorkOrder>, id: string, keep: boolean, o: WorkOrder): Table<WorkOrder> {
  return keep ? t.set(id, o) : t.delete(id);
}

function listed(t: Table<IdSet>, slot: string, id: string, keep: boolean): Table<IdSet> {
  const ids = t.get(slot) ?? Table.empty<true>();
  const next = keep ? ids.set(id, true) : ids.delete(id);
  if (next === ids) return t;
  return next.size === 0 ? t.delete(slot) : t.set(slot, next);
}

/** An empty queue leaves no trace, so the indexes depend on the orders alone. */
function withQueue(queued: OrderIndex['queued'], role: string, t: Table<WorkOrder>): OrderIndex['queued'] {
  if (t === queued[role]) return queued;
  const { [role]: _gone, ...rest } = queued;
  return t.size === 0 ? rest : { ...rest, [role]: t };
}

/** The indexes after `before` (absent: a new order) became `after` (absent: retired). */
function reindex(ix: OrderIndex, id: string, before: WorkOrder | undefined, after: WorkOrder | undefined): OrderIndex {
  const o = (after ?? before)!;
  const liveNow = after !== undefined && isLive(after);
  let { queued, bySubject, byZone, byAlarm } = ix;
  if (before?.status === 'open' && (after?.status !== 'open' || after.role !== before.role)) queued = withQueue(queued, before.role, (queued[before.role] ?? Table.empty()).delete(id));
  if (after?.status === 'open') queued = withQueue(queued, after.role, (queued[after.role] ?? Table.empty()).set(id, after));
  if (before && isLive(before) && (!liveNow || subjectSlot(before) !== subjectSlot(after!))) bySubject = listed(bySubject, subjectSlot(before), id, false);
  if (before && isLive(before) && (!liveNow || zoneSlot(before) !== zoneSlot(after!))) byZone = listed(byZone, zoneSlot(before), id, false);
  if (liveNow) {
    bySubject = listed(bySubject, subjectSlot(after), id, true);
    byZone = listed(byZone, zoneSlot(after), id, true);
  }
  let { byDeadline, deadlineBuckets } = ix;
  const [was, will] = [bucketOf(before), bucketOf(after)];
  if (was !== will) {
    if (was !== null) byDeadline = listed(byDeadline, String(was), id, false);
    if (will !== null) byDeadline = listed(byDeadline, String(will), id, true);
    if (was !== null && !byDeadline.has(String(was))) deadlineBuckets = deadlineBuckets.filter((b) => b !== was);
    if (will !== null && !deadlineBuckets.includes(will)) deadlineBuckets = [...deadlineBuckets, will].sort((a, b) => a - b);
  }
  if (before && isLive(before)) for (const a of before.alarmIds) if (!liveNow || !after.alarmIds.includes(a)) byAlarm = byAlarm.delete(a);
  if (liveNow) for (const a of after.alarmIds) if (byAlarm.get(a) !== id) byAlarm = byAlarm.set(a, id);
  return {
    queued,
    held: member(ix.held, id, after !== undefined && isHeld(after), o),
    live: member(ix.live, id, liveNow, o),
    closed: member(ix.closed, id, after !== undefined && !isLive(after), o),
    resolved: member(ix.resolved, id, after !== undefined && after.resolvedBy !== null && after.resolvedAt !== null, o),
    byAlarm,
    bySubject,
    byZone,
    byDeadline,
    deadlineBuckets,
    verifying: member(ix.verifying, id, after !== undefined && awaitsSensors(after), o),
  };
}

/** Live orders that may have something due at `now`: a deadline in a bucket up to now, or verification pending. */
export function dueOrders(b: OrderBook, now: number): WorkOrder[] {
  const out = new Map<string, WorkOrder>();
  const last = Math.floor(now / BUCKET_MS);
  for (const bucket of b.ix.deadlineBuckets) {
    if (bucket > last) break;
    b.ix.byDeadline.get(String(bucket))?.forEach((_, id) => out.set(id, b.orders.get(id)!));
  }
  b.ix.verifying.forEach((o) => out.set(o.id, o));
  return [...out.values()];
}

export function putOrder(b: OrderBook, order: WorkOrder): OrderBook {
  const before = b.orders.get(order.id);
  if (before === order) return b;
  return { ...b, orders: b.orders.set(order.id, order), ix: reindex(b.ix, order.id, before, order) };
}

export function dropOrder(b: OrderBook, id: string): OrderBook {
  const before = b.orders.get(id);
  if (!before) return b;
  return { ...b, orders: b.orders.delete(id), ix: reindex(b.ix, id, before, undefined) };
}

export function bookFromStored(s: DispatchState): OrderBook {
  let b = emptyBook(s.roster, s.seq);
  for (const o of Object.values(s.orders)) b = putOrder(b, o);
  return b;
}

export const bookToStored = (b: OrderBook): DispatchState => ({ orders: b.orders.toRecord(), seq: b.seq, roster: b.roster });
