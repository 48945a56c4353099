import { afterEach, describe, expect, it } from 'vitest';
import { snapshotEngine, restoreEngine, tick } from '../src/dispatch/engine.ts';
import type { ResolvedPolicy } from '../src/dispatch/policy.ts';
import { applyOrderAction, createWorkOrder } from '../src/dispatch/work-orders.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import type { OpsStore } from '../src/ops/ops-store.ts';
import { isUniqueViolation } from '../src/db/sql-client.ts';
import { createSqlOpsStore } from '../src/ops/sql-ops-store.ts';
import { at, demo, engine, Harness, person, rules, T0 } from './dispatch/fixtures.ts';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Alarm, AlarmHistoryEntry, Effect, Observation, OrderAction, SlaStage, UserRecord, WorkOrder } from '@atrium/shared';

export interface OpsStoreFixture {
  /** The engine fresh stores are opened on (adapters may reuse one engine or server; the contract empties it per test). */
  db(): Promise<SqlClient>;
  /** An empty store on durable data, and a way to open another on the same data (after closing the first), as a cloud restart does. */
  durable(): Promise<{ store: OpsStore; reopen(): Promise<OpsStore> }>;
}

const MIN = 60_000;
const SITE = demo.id;
/** A key hash as the users module makes them (SHA-256 hex): the stored row is checked for that shape. */
const kh = (key: string) => createHash('sha256').update(key).digest('hex');

/** Empties every table of the operational store (and restarts its numbering): a fresh store on a shared engine. */
export const emptyOpsTables = (sql: SqlClient) =>
  sql.exec('truncate alarms, alarm_history, work_orders, work_order_history, staff, notifications, sla_breaches, engine_snapshot, engine_journal, rules_versions, users restart identity');

function alarm(id: string, p: { zoneId: string | null; type: string; raisedAt: number; status?: Alarm['status'] }): Alarm {
  const history: AlarmHistoryEntry[] = [{ at: p.raisedAt, action: 'raised', by: 'system', note: 'value 61' }];
  const a: Alarm = {
    id, siteId: SITE, ruleId: `rule-${p.type}`, subject: { kind: 'zone', id: p.zoneId ?? 'gone' }, zoneId: p.zoneId, type: p.type, severity: 'major', status: 'raised',
    raisedAt: p.raisedAt, observedAt: p.raisedAt - MIN, value: 61.5, acknowledgedAt: null, acknowledgedBy: null, clearedAt: null, clearedBy: null, clearReason: null, history,
  };
  if (p.status === 'acknowledged' || p.status === 'cleared') {
    Object.assign(a, { status: 'acknowledged', acknowledgedAt: p.raisedAt + MIN, acknowledgedBy: 'op-1' });
    a.history = [...a.history, { at: p.raisedAt + MIN, action: 'acknowledged', by: 'op-1', note: null }];
  }
  if (p.status === 'cleared') {
    Object.assign(a, { status: 'cleared', clearedAt: p.raisedAt + 2 * MIN, clearedBy: 'system', clearReason: 'below' });
    a.history = [...a.history, { at: p.raisedAt + 2 * MIN, action: 'cleared', by: 'system', note: 'below' }];
  }
  return a;
}

const cleaning: ResolvedPolicy = {
  type: 'restroom_cleaning', role: 'cleaner', priority: 2, sla: { acceptS: 300, arriveS: 900, resolveS: 2700 }, verify: { by: 'none', clearForS: 600, withinS: 3600 },
  cancelOnSelfClear: true, resolveClearsAlarm: false, resetOnResolve: 'cleaning', groupWithinS: 0,
};
function order(id: string, p: { zoneId?: string; type?: string; createdAt: number }): WorkOrder {
  return createWorkOrder({ id, siteId: SITE, policy: { ...cleaning, type: p.type ?? cleaning.type }, alarmId: `al-${id}`, subject: { kind: 'zone', id: p.zoneId ?? 'g-restroom-w' }, zoneId: p.zoneId ?? 'g-restroom-w', floorId: 'g', now: p.createdAt });
}
/** Real lifecycle transitions (the reducer the engine uses), each at its own minute. */
function advance(o: WorkOrder, start: number, ...actions: OrderAction[]): WorkOrder[] {
  const rows: WorkOrder[] = [];
  let cur = o;
  actions.forEach((a, i) => {
    const r = applyOrderAction(cur, a, start + i * MIN);
    if (!r.ok) throw new Error(r.error.message);
    cur = r.order;
    rows.push(cur);
  });
  return rows;
}
const alarmFx = (a: Alarm): Effect => ({ kind: 'alarm', change: a.history.at(-1)!.action, alarm: a });
const orderFx = (o: WorkOrder): Effect => ({ kind: 'work_order', change: o.history.at(-1)!.action, order: o });
const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id);

/** A restroom that gets busy, a cleaner who takes the job and sensors that confirm it: each engine step recorded with its snapshot. */
async function playCleaning(store: OpsStore): Promise<Harness> {
  const restroom = rules([{ id: 'busy', kind: 'counter', subjects: { zoneIds: ['g-restroom-w'] }, raiseAt: 50, alarm: { type: 'restroom_cleaning', severity: 'major' } }], {
    dispatch: { restroom_cleaning: { role: 'cleaner', resetOnResolve: 'cleaning', verify: { by: 'sensors', clearForS: 600 } } },
  });
  const h = new Harness(engine(restroom, [person('cl-1', ['cleaner'], 'g-mall-sw'), person('cl-2', ['cleaner'], 'l1-restroom-w'), person('sup-ann', ['supervisor'], null)]));
  const save = (effects: Effect[], now: number) => store.record({ effects, snapshot: snapshotEngine(h.state), at: now });
  const visits = (m: number, n: number): Observation => ({ kind: 'footfall', zoneId: 'g-restroom-w', minute: at(m) - MIN, in: n });
  await save(h.observe(visits(1, 30), at(1)), at(1));
  await save(h.observe(visits(2, 30), at(2)), at(2));
  await save(h.do({ kind: 'order', orderId: 'wo-1', action: { kind: 'decline', by: 'cl-1', reason: 'on my break' } }, at(3)), at(3));
  for (const [i, kind] of (['accept', 'arrive', 'resolve'] as const).entries()) await save(h.do({ kind: 'order', orderId: 'wo-1', action: { kind, by: 'cl-2' } }, at(5 + i)), at(5 + i));
  await save(h.tick(at(18)), at(18));
  return h;
}

export function opsStoreContract(name: string, fixture: OpsStoreFixture) {
  describe(`operational store contract: ${name}`, () => {
    const open: OpsStore[] = [];
    const fresh = async (siteId = SITE) => {
      const db = await fixture.db();
      const s = await createSqlOpsStore(db, { siteId });
      await emptyOpsTables(db);
      open.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });

    it('answers the control room’s alarm queries by status, zone, type and time, newest first, limited', async () => {
      const store = await fresh();
      const rows = [
        alarm('al-1', { zoneId: 'g-restroom-w', type: 'odour', raisedAt: T0 }),
        alarm('al-2', { zoneId: 'g-entry-w', type: 'gate_forced', raisedAt: T0 + 10 * MIN, status: 'acknowledged' }),
        alarm('al-3', { zoneId: 'g-restroom-w', type: 'odour', raisedAt: T0 + 20 * MIN, status: 'cleared' }),
        // the same millisecond as al-3 but stored after it: newer
        alarm('al-4', { zoneId: 'g-restroom-w', type: 'co2', raisedAt: T0 + 20 * MIN }),
        alarm('al-5', { zoneId: null, type: 'silence', raisedAt: T0 + 30 * MIN }),
      ];
      await store.record({ effects: rows.map(alarmFx), at: T0 + 30 * MIN });

      expect(ids(await store.listAlarms({ limit: 50 }))).toEqual(['al-5', 'al-4', 'al-3', 'al-2', 'al-1']);
      expect(ids(await store.listAlarms({ status: ['raised', 'acknowledged'], limit: 50 }))).toEqual(['al-5', 'al-4', 'al-2', 'al-1']);
      expect(ids(await store.listAlarms({ zoneId: 'g-restroom-w', limit: 50 }))).toEqual(['al-4', 'al-3', 'al-1']);
      expect(ids(await store.listAlarms({ zoneId: 'g-restroom-w', status: ['raised'], limit: 50 }))).toEqual(['al-4', 'al-1']);
      expect(ids(await store.listAlarms({ type: 'odour', limit: 50 }))).toEqual(['al-3', 'al-1']);
      expect(ids(await store.listAlarms({ from: T0 + 10 * MIN, to: T0 + 20 * MIN, limit: 50 }))).toEqual(['al-2']);
      expect(ids(await store.listAlarms({ from: T0 + 20 * MIN, limit: 50 }))).toEqual(['al-5', 'al-4', 'al-3']);
      expect(ids(await store.listAlarms({ limit: 2 }))).toEqual(['al-5', 'al-4']);
      expect(await store.listAlarms({ status: ['cleared'], type: 'co2', limit: 50 })).toEqual([]);
      expect(await store.getAlarm('al-3')).toEqual(rows[2]);
      expect(await store.getAlarm('al-404')).toBeNull();
    });

    it('answers work-order queries by status, assignee, type, zone and time, newest first, limited', async () => {
      const store = await fresh();
      const [w1] = advance(order('wo-1', { createdAt: T0 }), T0, { kind: 'assign', staffId: 'cl-1', by: 'system' });
      const w2 = advance(order('wo-2', { zoneId: 'l1-restroom-w', createdAt: T0 + 10 * MIN }), T0 + 11 * MIN, { kind: 'assign', staffId: 'cl-2', by: 'system' }, { kind: 'accept', by: 'cl-2' }).at(-1)!;
      const w3 = order('wo-3', { type: 'spill', createdAt: T0 + 20 * MIN });
      const [w4] = advance(order('wo-4', { createdAt: T0 + 20 * MIN }), T0 + 21 * MIN, { kind: 'assign', staffId: 'cl-1', by: 'system' });
      await store.record({ effects: [w1!, w2, w3, w4!].map(orderFx), at: T0 + 25 * MIN });

      expect(ids(await store.listOrders({ limit: 50 }))).toEqual(['wo-4', 'wo-3', 'wo-2', 'wo-1']);
      expect(ids(await store.listOrders({ status: ['assigned', 'accepted'], limit: 50 }))).toEqual(['wo-4', 'wo-2', 'wo-1']);
      expect(ids(await store.listOrders({ assignee: 'cl-1', limit: 50 }))).toEqual(['wo-4', 'wo-1']);
      expect(ids(await store.listOrders({ type: 'spill', limit: 50 }))).toEqual(['wo-3']);
      expect(ids(await store.listOrders({ zoneId: 'l1-restroom-w', limit: 50 }))).toEqual(['wo-2']);
      expect(ids(await store.listOrders({ from: T0 + 10 * MIN, to: T0 + 20 * MIN, limit: 50 }))).toEqual(['wo-2']);
      expect(ids(await store.listOrders({ assignee: 'cl-1', limit: 1 }))).toEqual(['wo-4']);
      expect(await store.getOrder('wo-2')).toEqual(w2);
      expect(await store.getOrder('wo-404')).toBeNull();
    });

    it('keeps one row per id, the latest, and appends each history entry once however often a row is recorded', async () => {
      const store = await fresh();
      const created = order('wo-1', { createdAt: T0 });
      const [assigned, accepted] = advance(created, T0 + MIN, { kind: 'assign', staffId: 'cl-1', by: 'system' }, { kind: 'accept', by: 'cl-1' });
      await store.record({ effects: [orderFx(created)], at: T0 });
      const step = { effects: [orderFx(assigned!), orderFx(accepted!)], at: T0 + 2 * MIN };
      await store.record(step);
      await store.record(step); // a retried write
      await store.record({ effects: [orderFx(created)], at: T0 + 3 * MIN }); // an older row arriving late changes nothing
      expect(await store.listOrders({ limit: 50 })).toEqual([accepted]);
      expect(await store.orderAudit('wo-1')).toEqual(accepted!.history);
      expect((await store.orderAudit('wo-1')).map((h) => h.action)).toEqual(['created', 'assign', 'accept']);

      const raised = alarm('al-1', { zoneId: 'g-atrium', type: 'co2', raisedAt: T0 });
      const cleared = alarm('al-1', { zoneId: 'g-atrium', type: 'co2', raisedAt: T0, status: 'cleared' });
      await store.record({ effects: [alarmFx(raised)], at: T0 });
      await store.record({ effects: [alarmFx(raised), alarmFx(cleared)], at: T0 + 2 * MIN });
      await store.record({ effects: [alarmFx(cleared)], at: T0 + 2 * MIN });
      expect(await store.listAlarms({ limit: 50 })).toEqual([cleared]);
      expect(await store.alarmAudit('al-1')).toEqual(cleared.history);
      expect(await store.alarmAudit('al-404')).toEqual([]);
    });

    it('keeps what the engine emits, step by step: alarms, orders with their audit trail, staff, notifications', async () => {
      const store = await fresh();
      const h = await playCleaning(store);
      const wo1 = h.order('wo-1');
      expect(wo1.status).toBe('verified'); // the scenario did what it is meant to
      expect(await store.listOrders({ limit: 50 })).toEqual([wo1]);
      expect(await store.orderAudit('wo-1')).toEqual(wo1.history);
      expect((await store.orderAudit('wo-1')).map((e) => `${e.action} ${e.by}`)).toEqual([
        'created system', 'assign system', 'decline cl-1', 'assign system', 'accept cl-2', 'arrive cl-2', 'resolve cl-2', 'verify system',
      ]);
      expect(await store.listAlarms({ limit: 50 })).toEqual([h.alarm('al-1')]);
      expect(await store.alarmAudit('al-1')).toEqual(h.alarm('al-1').history);
      // cl-2 is where the job was: the roster entry the engine changed is stored whole
      expect(await store.listStaff()).toEqual([h.state.dispatch.roster['cl-2']]);
      expect((await store.notifications({ to: 'cl-2', limit: 10 })).map((n) => n.reason)).toEqual(['assigned']);
      expect((await store.notifications({ to: 'sup-ann', limit: 10 })).map((n) => n.reason)).toContain('declined');
    });

    it('stores a step all or nothing: a row the database refuses leaves nothing of its batch, and the store keeps working', async () => {
      const store = await fresh();
      const before = alarm('al-1', { zoneId: 'g-atrium', type: 'co2', raisedAt: T0 });
      const snapBefore = snapshotEngine(engine(rules([]), []));
      await store.record({ effects: [alarmFx(before)], snapshot: snapBefore, at: T0 });

      const [assigned] = advance(order('wo-1', { createdAt: T0 + MIN }), T0 + MIN, { kind: 'assign', staffId: 'cl-1', by: 'system' });
      const good: Effect[] = [
        alarmFx(alarm('al-2', { zoneId: 'g-restroom-w', type: 'odour', raisedAt: T0 + MIN })),
        orderFx(assigned!),
        { kind: 'staff', staff: person('cl-1', ['cleaner'], 'g-restroom-w') },
        { kind: 'notify', siteId: SITE, audience: 'assignee', to: ['cl-1'], orderId: 'wo-1', reason: 'assigned', message: 'wo-1 restroom_cleaning P2: a job for you' },
      ];
      // A breach with no stage: the database refuses it, after every other row of the step was written.
      const refused: Effect = { kind: 'sla_breach', siteId: SITE, orderId: 'wo-1', type: 'restroom_cleaning', priority: 2, stage: null as unknown as SlaStage, dueAt: T0, at: T0 + 2 * MIN, assignee: 'cl-1' };
      const snapAfter = snapshotEngine(engine(rules([]), [person('cl-1', ['cleaner'], 'g-restroom-w')]));
      await expect(store.record({ effects: [...good, refused], snapshot: snapAfter, at: T0 + 2 * MIN })).rejects.toThrow();

      expect(await store.listAlarms({ limit: 50 })).toEqual([before]);
      expect(await store.getOrder('wo-1')).toBeNull();
      expect(await store.orderAudit('wo-1')).toEqual([]);
      expect(await store.listStaff()).toEqual([]);
      expect(await store.notifications({ limit: 50 })).toEqual([]);
      expect(await store.loadSnapshot()).toEqual({ snapshot: snapBefore, savedAt: T0, journal: [] });

      await store.record({ effects: good, snapshot: snapAfter, at: T0 + 3 * MIN });
      expect(ids(await store.listAlarms({ limit: 50 }))).toEqual(['al-2', 'al-1']);
      expect(await store.getOrder('wo-1')).toEqual(assigned);
      expect(await store.loadSnapshot()).toEqual({ snapshot: snapAfter, savedAt: T0 + 3 * MIN, journal: [] });
    });

    it('gives back exactly the engine snapshot it saved last, and the restored engine carries on as the original would', async () => {
      const store = await fresh();
      expect(await store.loadSnapshot()).toBeNull();
      const h = await playCleaning(store);
      const loaded = await store.loadSnapshot();
      expect(loaded).toEqual({ snapshot: snapshotEngine(h.state), savedAt: at(18), journal: [] });
      // SLA clocks and counters continue from the stored state: the next tick is the same either way.
      const later = at(90);
      expect(tick(restoreEngine(loaded!.snapshot, demo), later)).toEqual(tick(h.state, later));
    });

    it('keeps notifications per recipient, newest first', async () => {
      const store = await fresh();
      const notify = (to: string[], audience: 'assignee' | 'supervisor', reason: 'assigned' | 'not_accepted', orderId: string): Effect => ({ kind: 'notify', siteId: SITE, audience, to, orderId, reason, message: `${orderId} ${reason}` });
      await store.record({ effects: [notify(['cl-1'], 'assignee', 'assigned', 'wo-1')], at: T0 });
      await store.record({ effects: [notify(['sup-a', 'sup-b'], 'supervisor', 'not_accepted', 'wo-1'), notify(['cl-2'], 'assignee', 'assigned', 'wo-1')], at: T0 + 5 * MIN });
      await store.record({ effects: [notify(['cl-1'], 'assignee', 'assigned', 'wo-2')], at: T0 + 9 * MIN });

      const all = await store.notifications({ limit: 50 });
      expect(all.map((n) => `${n.orderId} ${n.to.join('+')}`)).toEqual(['wo-2 cl-1', 'wo-1 cl-2', 'wo-1 sup-a+sup-b', 'wo-1 cl-1']);
      expect(new Set(all.map((n) => n.id)).size).toBe(4);
      expect(await store.notifications({ to: 'sup-b', limit: 50 })).toEqual([
        { kind: 'notify', siteId: SITE, id: all[2]!.id, at: T0 + 5 * MIN, audience: 'supervisor', to: ['sup-a', 'sup-b'], orderId: 'wo-1', reason: 'not_accepted', message: 'wo-1 not_accepted' },
      ]);
      expect((await store.notifications({ to: 'cl-1', limit: 50 })).map((n) => n.orderId)).toEqual(['wo-2', 'wo-1']);
      expect((await store.notifications({ to: 'cl-1', limit: 1 })).map((n) => n.orderId)).toEqual(['wo-2']);
      expect((await store.notifications({ since: T0 + 5 * MIN, limit: 50 })).map((n) => n.orderId)).toEqual(['wo-2', 'wo-1', 'wo-1']);
      expect(await store.notifications({ to: 'nobody-here', limit: 50 })).toEqual([]);
    });

    it('numbers rules versions upwards; the current rules are the latest saved', async () => {
      const store = await fresh();
      expect(await store.currentRules()).toBeNull();
      expect(await store.rulesHistory(10)).toEqual([]);
      const v1 = await store.saveRules({ text: '{"version":1,"rules":[]}', savedAt: T0, savedBy: 'rules-file' });
      const v2 = await store.saveRules({ text: '{"version":1,"rules":[{"id":"a"}]}', savedAt: T0 + MIN, savedBy: 'admin' });
      const v3 = await store.saveRules({ text: '{"version":1,"rules":[{"id":"b"}]}', savedAt: T0 + 2 * MIN, savedBy: 'admin' });
      expect(v2.version).toBeGreaterThan(v1.version);
      expect(v3.version).toBeGreaterThan(v2.version);
      expect(v3).toEqual({ siteId: SITE, version: v3.version, text: '{"version":1,"rules":[{"id":"b"}]}', savedAt: T0 + 2 * MIN, savedBy: 'admin' });
      expect(await store.currentRules()).toEqual(v3);
      expect(await store.rulesHistory(2)).toEqual([
        { siteId: SITE, version: v3.version, savedAt: T0 + 2 * MIN, savedBy: 'admin' },
        { siteId: SITE, version: v2.version, savedAt: T0 + MIN, savedBy: 'admin' },
      ]);
    });

    it('keeps users: found by key hash, disabled, keys rotated, a taken id or key refused', async () => {
      const store = await fresh();
      const admin: UserRecord = { siteId: SITE, userId: 'admin', role: 'admin', staffId: null, merchantId: null, keyHash: kh('admin'), disabled: false, createdAt: T0 };
      const cleaner: UserRecord = { siteId: SITE, userId: 'ann', role: 'staff', staffId: 'cl-1', merchantId: null, keyHash: kh('ann'), disabled: false, createdAt: T0 + 1 };
      const shop: UserRecord = { siteId: SITE, userId: 'bakery', role: 'merchant', staffId: null, merchantId: 'm-bakery', keyHash: kh('bakery'), disabled: false, createdAt: T0 + 2 };
      for (const u of [shop, admin, cleaner]) await store.addUser(u);

      const taken = await store.addUser({ ...cleaner, keyHash: kh('other') }).then(() => null, (err: unknown) => err);
      expect(isUniqueViolation(taken)).toBe(true);
      const sameKey = await store.addUser({ ...cleaner, userId: 'ann-2' }).then(() => null, (err: unknown) => err);
      expect(isUniqueViolation(sameKey)).toBe(true);
      expect(await store.listUsers()).toEqual([admin, cleaner, shop]);

      expect(await store.userByKeyHash(kh('ann'))).toEqual(cleaner);
      expect(await store.userByKeyHash(kh('nobody'))).toBeNull();
      expect(await store.setUserDisabled('ann', true)).toBe(true);
      expect(await store.userByKeyHash(kh('ann'))).toEqual({ ...cleaner, disabled: true });
      expect(await store.setUserDisabled('ghost', true)).toBe(false);

      expect(await store.setUserKeyHash('ann', kh('ann-2'))).toBe(true);
      expect(await store.userByKeyHash(kh('ann'))).toBeNull();
      expect(await store.userByKeyHash(kh('ann-2'))).toEqual({ ...cleaner, keyHash: kh('ann-2'), disabled: true });
      expect(await store.setUserKeyHash('ghost', kh('x'))).toBe(false);
      expect(isUniqueViolation(await store.setUserKeyHash('bakery', kh('admin')).then(() => null, (err: unknown) => err))).toBe(true);
    });

    it('reports orders resolved or closed within [from, to), and no others', async () => {
      const store = await fresh();
      const from = T0 + 60 * MIN;
      const to = T0 + 120 * MIN;
      const work = [{ kind: 'assign', staffId: 'cl-1', by: 'system' }, { kind: 'accept', by: 'cl-1' }, { kind: 'arrive', by: 'cl-1' }, { kind: 'resolve', by: 'cl-1' }] as const satisfies OrderAction[];
      const verify = { kind: 'verify', by: 'system', method: 'sensors' } as const;
      const cancel = { kind: 'cancel', by: 'sup-ann', reason: 'cleared by itself' } as const;
      // Each order ends exactly where its case needs it: resolved and/or closed at a given time.
      const ending = (id: string, resolveAt: number | null, close: { at: number; how: 'verify' | 'cancel' } | null): WorkOrder => {
        let cur = advance(order(id, { createdAt: T0 }), T0, work[0], work[1], work[2]).at(-1)!;
        if (resolveAt !== null) cur = applyOk(cur, work[3], resolveAt);
        if (close) cur = applyOk(cur, close.how === 'verify' ? verify : cancel, close.at);
        return cur;
      };
      const cases = [
        ending('resolved-inside', from + MIN, null),
        ending('resolved-at-from', from, null),
        ending('resolved-at-to', to, null),
        ending('verified-inside', from - 10 * MIN, { at: from + 10 * MIN, how: 'verify' }),
        ending('cancelled-inside', null, { at: to - 1, how: 'cancel' }),
        ending('cancelled-at-to', null, { at: to, how: 'cancel' }),
        ending('verified-before', from - 20 * MIN, { at: from - 1, how: 'verify' }),
        ending('resolved-after', to + MIN, null),
        ending('still-on-site', null, null),
      ];
      await store.record({ effects: cases.map(orderFx), at: to + 10 * MIN });
      expect(ids(await store.ordersForReport({ from, to })).sort()).toEqual(['cancelled-inside', 'resolved-at-from', 'resolved-inside', 'verified-inside']);
      expect(await store.ordersForReport({ from: to + 2 * MIN, to: to + 3 * MIN })).toEqual([]);
    });

    it('keeps everything across a restart and carries on appending where it left off', async () => {
      const { store: first, reopen } = await fixture.durable();
      const h = await playCleaning(first);
      const user: UserRecord = { siteId: SITE, userId: 'ann', role: 'supervisor', staffId: 'sup-ann', merchantId: null, keyHash: kh('ann'), disabled: false, createdAt: T0 };
      await first.addUser(user);
      const rules = await first.saveRules({ text: '{"version":1,"rules":[]}', savedAt: T0, savedBy: 'rules-file' });
      const before = {
        alarms: await first.listAlarms({ limit: 50 }),
        orders: await first.listOrders({ limit: 50 }),
        audit: await first.orderAudit('wo-1'),
        staff: await first.listStaff(),
        notifications: await first.notifications({ limit: 50 }),
        snapshot: await first.loadSnapshot(),
      };
      expect(before.orders).toHaveLength(1);

      const second = await reopen();
      open.push(second);
      expect({
        alarms: await second.listAlarms({ limit: 50 }),
        orders: await second.listOrders({ limit: 50 }),
        audit: await second.orderAudit('wo-1'),
        staff: await second.listStaff(),
        notifications: await second.notifications({ limit: 50 }),
        snapshot: await second.loadSnapshot(),
      }).toEqual(before);
      expect(await second.userByKeyHash(kh('ann'))).toEqual(user);
      expect(await second.currentRules()).toEqual(rules);

      // The next step after the restart: a new order, and rules and notifications numbered on.
      const [assigned] = advance(order('wo-2', { createdAt: at(30) }), at(30), { kind: 'assign', staffId: 'cl-1', by: 'system' });
      await second.record({ effects: [orderFx(assigned!), { kind: 'notify', siteId: SITE, audience: 'assignee', to: ['cl-1'], orderId: 'wo-2', reason: 'assigned', message: 'wo-2' }], at: at(30) });
      expect(ids(await second.listOrders({ limit: 50 }))).toEqual(['wo-2', 'wo-1']);
      expect(await second.orderAudit('wo-2')).toEqual(assigned!.history);
      const newest = (await second.notifications({ limit: 1 }))[0]!;
      expect(newest.orderId).toBe('wo-2');
      expect(newest.id).toBeGreaterThan(Math.max(...before.notifications.map((n) => n.id)));
      expect((await second.saveRules({ text: 'x', savedAt: at(31), savedBy: 'admin' })).version).toBeGreaterThan(rules.version);
    });

    it('reads every record back through its schema, and names the table, id and field of a row that does not parse', async () => {
      const store = await fresh();
      await store.record({ effects: [alarmFx(alarm('al-1', { zoneId: 'g-atrium', type: 'co2', raisedAt: T0 })), alarmFx(alarm('al-2', { zoneId: 'g-atrium', type: 'co2', raisedAt: T0 + MIN }))], at: T0 });
      const db = await fixture.db();
      // A row a newer build or a hand edit left in a shape this build does not know.
      await db.query(`update alarms set data = jsonb_set(data, '{status}', '"exploded"') where id = 'al-2'`);
      const err = await store.listAlarms({ limit: 10 }).then(() => null, (e: unknown) => e as Error & { code?: string });
      expect(err?.code).toBe('ATRIUM_STORED_ROW_INVALID');
      expect(err?.message).toMatch(/alarms row "al-2".*status/);
      expect(await store.getAlarm('al-1')).toMatchObject({ id: 'al-1', status: 'raised' });
      await db.query(`insert into users (site_id, id, role, key_hash, disabled, created_at) values ($1, 'zed', 'staff', 'nohash', false, 1)`, [SITE]);
      await expect(store.listUsers()).rejects.toThrow(/users row "zed".*(keyHash|staffId)/);
    });

    it('keeps each site to itself: another site on the same database sees none of its records, and ids may repeat across sites', async () => {
      const a = await fresh();
      const b = await createSqlOpsStore(await fixture.db(), { siteId: 'other-mall' });
      open.push(b);
      await a.record({ effects: [alarmFx(alarm('al-1', { zoneId: 'g-atrium', type: 'co2', raisedAt: T0 }))], snapshot: snapshotEngine(engine(rules([]), [])), at: T0 });
      await a.saveRules({ text: 'a', savedAt: T0, savedBy: 'admin' });
      await a.addUser({ siteId: SITE, userId: 'ann', role: 'operator', staffId: null, merchantId: null, keyHash: kh('ann'), disabled: false, createdAt: T0 });
      expect(await b.listAlarms({ limit: 10 })).toEqual([]);
      expect(await b.getAlarm('al-1')).toBeNull();
      expect(await b.loadSnapshot()).toBeNull();
      expect(await b.currentRules()).toBeNull();
      expect(await b.listUsers()).toEqual([]);
      expect(await b.setUserDisabled('ann', true)).toBe(false);
      const theirs = { ...alarm('al-1', { zoneId: 'l1-food', type: 'odour', raisedAt: T0 }), siteId: 'other-mall' };
      await b.record({ effects: [alarmFx(theirs)], at: T0 });
      expect((await b.saveRules({ text: 'b', savedAt: T0, savedBy: 'admin' })).version).toBe(1);
      expect(await b.getAlarm('al-1')).toEqual(theirs);
      expect((await a.getAlarm('al-1'))?.type).toBe('co2');
      // A row of one site handed to another site's store is a wiring bug, refused before anything is written.
      await expect(a.record({ effects: [alarmFx(theirs)], at: T0 })).rejects.toThrow(/belongs to site "other-mall"/);
    });

    it('restores an engine snapshot written by the previous version (no format version, records without a site)', async () => {
      const store = await fresh();
      const v1 = JSON.parse(readFileSync(new URL('./fixtures/engine-snapshot-v1.json', import.meta.url), 'utf8')) as { version?: unknown; alarms: { byId: Record<string, object> } };
      expect(v1.version).toBeUndefined();
      await (await fixture.db()).query('insert into engine_snapshot (site_id, snapshot, saved_at) values ($1, $2::jsonb, $3)', [SITE, JSON.stringify(v1), T0]);
      const loaded = (await store.loadSnapshot())!;
      expect(loaded.snapshot.version).toBe(2);
      expect(Object.values(loaded.snapshot.alarms.byId).map((a) => [a.id, a.siteId])).toEqual([['al-1', SITE]]);
      expect(Object.values(loaded.snapshot.dispatch.orders).map((o) => [o.id, o.siteId, o.status, o.assignee])).toEqual([['wo-1', SITE, 'accepted', 'sec-1']]);
      // The restored engine carries on: the guard who accepted can arrive and resolve.
      const h = new Harness(restoreEngine(loaded.snapshot, demo));
      h.do({ kind: 'order', orderId: 'wo-1', action: { kind: 'arrive', by: 'sec-1' } }, at(20));
      h.do({ kind: 'order', orderId: 'wo-1', action: { kind: 'resolve', by: 'sec-1' } }, at(21));
      expect(h.order('wo-1').status).toMatch(/^(resolved|verified)$/);
    });

    it('adopts rows stored before records named their site, once, for the site that opens the store', async () => {
      const db = await fixture.db();
      await fresh();
      const legacy = alarm('al-9', { zoneId: 'g-atrium', type: 'co2', raisedAt: T0 });
      const { siteId: _site, ...withoutSite } = legacy;
      await db.query(`insert into alarms (site_id, id, rule_id, type, severity, status, zone_id, raised_at, data) values ('', 'al-9', 'r', 'co2', 'major', 'raised', 'g-atrium', $1, $2::jsonb)`, [T0, JSON.stringify(withoutSite)]);
      await db.query(`insert into alarm_history (site_id, alarm_id, seq, at, action, actor) values ('', 'al-9', 1, $1, 'raised', 'system')`, [T0]);
      const store = await createSqlOpsStore(db, { siteId: SITE });
      open.push(store);
      expect(await store.getAlarm('al-9')).toEqual(legacy);
      expect(await store.alarmAudit('al-9')).toEqual([{ at: T0, action: 'raised', by: 'system', note: null }]);
      const other = await createSqlOpsStore(db, { siteId: 'other-mall' });
      open.push(other);
      expect(await other.getAlarm('al-9')).toBeNull();
    });
  });
}

function applyOk(o: WorkOrder, a: OrderAction, now: number): WorkOrder {
  const r = applyOrderAction(o, a, now);
  if (!r.ok) throw new Error(r.error.message);
  return r.order;
}
