import { describe, expect, it } from 'vitest';
import type { ResolvedPolicy } from '../../cloud/src/dispatch/policy.ts';
import { applyOrderAction, createWorkOrder } from '../../cloud/src/dispatch/work-orders.ts';
import type { Alarm, OrderAction, StaffMember, WorkOrder } from '@atrium/shared';

/**
 * The pure helpers behind the control room's alarms and orders panels and the staff page
 * (dashboards/public/dispatch-model.js, plain browser JS loaded by URL like live-model.js).
 * Orders are made and moved by the cloud's own lifecycle code, so the rows are real ones.
 */
interface LiveRows<T> {
  hold(): void;
  adopt(list: readonly T[]): void;
  release(): void;
  push(row: T): void;
  values(): IterableIterator<T>;
}
interface ApiErrorLike {
  kind: string;
  status: number;
  code: string;
  said: string;
}
interface DispatchModel {
  slaView(o: WorkOrder, now: number): { text: string; breached: boolean; stage: string | null };
  compareAlarms(a: Alarm, b: Alarm): number;
  compareOrders(a: WorkOrder, b: WorkOrder): number;
  fmtDuration(ms: number): string;
  typeLabel(type: string): string;
  createLiveRows<T extends { id: string; history: readonly unknown[] }>(shown: (row: T) => boolean): LiveRows<T>;
  reassignCandidates(roster: readonly StaffMember[], order: WorkOrder, active: ReadonlyMap<string, number>, now: number): StaffMember[];
  staffSteps(o: WorkOrder): string[];
  explainError(err: ApiErrorLike, doing: string): string;
}
const model = (await import(new URL('../public/dispatch-model.js', import.meta.url).href)) as DispatchModel;

const T0 = Date.UTC(2025, 2, 1, 2, 0, 0);
const SECURITY: ResolvedPolicy = {
  type: 'security_breach',
  role: 'security',
  priority: 1,
  sla: { acceptS: 120, arriveS: 300, resolveS: 1800 },
  verify: { by: 'supervisor', clearForS: 600, withinS: 3600 },
  cancelOnSelfClear: false,
  resolveClearsAlarm: true,
  resetOnResolve: null,
  groupWithinS: 0,
};
const order = (id = 'wo-1', policy = SECURITY, now = T0) => createWorkOrder({ id, siteId: 'demo-mall', policy, alarmId: 'al-1', subject: { kind: 'device', id: 'gate-staff' }, zoneId: 'hall', floorId: 'g', now });
function step(o: WorkOrder, action: OrderAction, at: number): WorkOrder {
  const r = applyOrderAction(o, action, at);
  if (!r.ok) throw new Error(r.error.message);
  return r.order;
}
const alarm = (id: string, severity: Alarm['severity'], raisedAt: number): Alarm => ({
  id,
  siteId: 'demo-mall',
  ruleId: 'r',
  subject: { kind: 'zone', id: 'hall' },
  zoneId: 'hall',
  type: 'crowding',
  severity,
  status: 'raised',
  raisedAt,
  observedAt: raisedAt,
  value: null,
  acknowledgedAt: null,
  acknowledgedBy: null,
  clearedAt: null,
  clearedBy: null,
  clearReason: null,
  history: [{ at: raisedAt, action: 'raised', by: 'system', note: null }],
});

describe('the SLA clock shown for an order', () => {
  it('counts down to accept, then arrive, then resolve, and says when a step is late', () => {
    let o = step(order(), { kind: 'assign', staffId: 'guard-1', by: 'system' }, T0);
    expect(model.slaView(o, T0 + 5_000)).toEqual({ text: 'Accept in 1:55', breached: false, stage: 'accept' });
    expect(model.slaView(o, T0 + 130_000)).toEqual({ text: 'Accept overdue 0:10', breached: true, stage: 'accept' });

    o = step(o, { kind: 'accept', by: 'guard-1' }, T0 + 30_000);
    expect(model.slaView(o, T0 + 60_000)).toEqual({ text: 'Arrive in 4:00', breached: false, stage: 'arrive' });
    expect(model.slaView(o, T0 + 310_000).text).toBe('Arrive overdue 0:10');

    o = step(o, { kind: 'arrive', by: 'guard-1' }, T0 + 200_000);
    expect(model.slaView(o, T0 + 200_000)).toEqual({ text: 'Resolve in 26:40', breached: false, stage: 'resolve' });

    o = step(o, { kind: 'resolve', by: 'guard-1' }, T0 + 400_000);
    expect(model.slaView(o, T0 + 400_000)).toEqual({ text: 'Awaiting verification', breached: false, stage: null });
  });

  it('shows a breach the cloud recorded even when this screen’s clock says there is time left', () => {
    const o = { ...order(), breaches: { accept: T0 + 120_000 } };
    expect(model.slaView(o, T0 + 60_000)).toMatchObject({ text: 'Accept in 1:00', breached: true });
  });

  it('formats durations as m:ss, h:mm:ss, or days and hours', () => {
    expect(model.fmtDuration(95_000)).toBe('1:35');
    expect(model.fmtDuration(4_000_000)).toBe('1:06:40');
    expect(model.fmtDuration(2 * 86_400_000 + 3 * 3_600_000)).toBe('2 d 3 h');
  });
});

describe('ordering', () => {
  it('puts alarms most severe first, then newest', () => {
    const list = [alarm('al-1', 'minor', T0 + 9), alarm('al-2', 'critical', T0), alarm('al-3', 'critical', T0 + 5), alarm('al-4', 'major', T0 + 1)];
    expect(list.sort(model.compareAlarms).map((a) => a.id)).toEqual(['al-3', 'al-2', 'al-4', 'al-1']);
  });

  it('puts orders by priority, then the nearest deadline, and those awaiting verification last', () => {
    const cleaning: ResolvedPolicy = { ...SECURITY, type: 'restroom_cleaning', role: 'cleaner', priority: 2, sla: { acceptS: 300, arriveS: 900, resolveS: 2700 } };
    const p2 = order('wo-1', cleaning, T0);
    const p1late = order('wo-2', SECURITY, T0 + 60_000);
    const p1early = order('wo-3', SECURITY, T0);
    let done = step(order('wo-4', SECURITY, T0 - 1), { kind: 'assign', staffId: 'g', by: 'system' }, T0);
    for (const kind of ['accept', 'arrive', 'resolve'] as const) done = step(done, { kind, by: 'g' }, T0);
    expect([p2, done, p1late, p1early].sort(model.compareOrders).map((o) => o.id)).toEqual(['wo-3', 'wo-2', 'wo-1', 'wo-4']);
  });

  it('names types in words', () => {
    expect(model.typeLabel('security_breach')).toBe('Security breach');
    expect(model.typeLabel('door-held-open')).toBe('Door held open');
  });
});

describe('rows kept live from a list load and pushes', () => {
  const open = (o: WorkOrder) => o.status !== 'verified' && o.status !== 'cancelled';
  const ids = (rows: LiveRows<WorkOrder>) => [...rows.values()].map((o) => `${o.id}:${o.status}`);

  it('a push that arrives while the list loads is applied on top of the list', () => {
    const rows = model.createLiveRows(open);
    const o = order();
    const assigned = step(o, { kind: 'assign', staffId: 'guard-1', by: 'system' }, T0);
    rows.hold();
    rows.push(assigned); // pushed after the list was read
    rows.adopt([o]);
    expect(ids(rows)).toEqual(['wo-1:assigned']);
  });

  it('a list older than a push already shown does not undo it, and a late copy of a closed row does not bring it back', () => {
    const rows = model.createLiveRows(open);
    const o = order();
    const assigned = step(o, { kind: 'assign', staffId: 'guard-1', by: 'system' }, T0);
    rows.push(assigned);
    rows.hold();
    rows.adopt([o]);
    expect(ids(rows)).toEqual(['wo-1:assigned']);
    rows.push(step(assigned, { kind: 'cancel', by: 'admin', reason: 'test' }, T0 + 1));
    expect(ids(rows)).toEqual([]);
    rows.push(assigned); // a slow duplicate of an earlier push
    expect(ids(rows)).toEqual([]);
  });

  it('a failed load still applies the pushes it held', () => {
    const rows = model.createLiveRows(open);
    rows.hold();
    rows.push(order('wo-7'));
    expect(ids(rows)).toEqual([]);
    rows.release();
    expect(ids(rows)).toEqual(['wo-7:open']);
  });
});

describe('people and steps', () => {
  const shift = [{ from: T0 - 3_600_000, to: T0 + 3_600_000 }];
  const person = (id: string, name: string, over: Partial<StaffMember> = {}): StaffMember => ({ siteId: 'demo-mall', id, name, roles: ['security'], shifts: shift, zoneId: null, available: true, ...over });

  it('offers for reassignment only available people with the role, on shift, not the current assignee, least busy first', () => {
    const o = step(order(), { kind: 'assign', staffId: 'g1', by: 'system' }, T0);
    const roster = [
      person('g1', 'Gita'),
      person('g2', 'Bo'),
      person('g3', 'Ann'),
      person('g4', 'On break', { available: false }),
      person('g5', 'Off shift', { shifts: [{ from: T0 + 3_600_000, to: T0 + 7_200_000 }] }),
      person('c1', 'Cleaner', { roles: ['cleaner'] }),
    ];
    const picked = model.reassignCandidates(roster, o, new Map([['g3', 1]]), T0);
    expect(picked.map((m) => m.id)).toEqual(['g2', 'g3']);
  });

  it('gives staff the next step of each job', () => {
    let o = step(order(), { kind: 'assign', staffId: 'g1', by: 'system' }, T0);
    expect(model.staffSteps(o)).toEqual(['accept', 'decline']);
    o = step(o, { kind: 'accept', by: 'g1' }, T0);
    expect(model.staffSteps(o)).toEqual(['arrive', 'decline']);
    o = step(o, { kind: 'arrive', by: 'g1' }, T0);
    expect(model.staffSteps(o)).toEqual(['resolve']);
    o = step(o, { kind: 'resolve', by: 'g1' }, T0);
    expect(model.staffSteps(o)).toEqual([]);
  });

  it('puts refusals and lost connections in words, with what the cloud said', () => {
    const reason = model.explainError({ kind: 'http', status: 400, code: 'ATRIUM_INVALID_REQUEST', said: 'invalid body: reason: Too small' }, 'decline this job');
    expect(reason).toBe('A reason is needed to decline this job: write a few words about why, then send it again. (The cloud said: “invalid body: reason: Too small”.)');
    expect(model.explainError({ kind: 'http', status: 409, code: 'ATRIUM_WORK_ORDER_INVALID_TRANSITION', said: 'work order "wo-1" is cancelled: cannot accept it' }, 'accept this job')).toMatch(
      /^Could not accept this job: it has changed in the meantime/,
    );
    expect(model.explainError({ kind: 'network', status: 0, code: '', said: '' }, 'accept this job')).toBe('Could not accept this job: no connection to the Atrium cloud. Check the network and try again.');
  });
});
