import { describe, expect, it } from 'vitest';
import { distanceM, rankCandidates, supervisorsFor, type Workload } from '../../src/dispatch/roster.ts';
import { AssignmentConfig, type Observation } from '@atrium/shared';
import { at, engine, facts, Harness, person, roster, rules, T0 } from './fixtures.ts';

const visits = (zoneId: string, m: number, n = 1): Observation => ({ kind: 'footfall', zoneId, minute: at(m) - 60_000, in: n });
/** Each restroom gets its own alarm type so priorities can differ; raiseAt 1 makes one visit raise it. */
const cleaningRules = (types: Record<string, { zone: string; priority: number }>, assignment: Record<string, unknown> = {}) =>
  rules(
    Object.entries(types).map(([type, { zone }]) => ({ id: `busy-${zone}`, kind: 'counter', subjects: { zoneIds: [zone] }, raiseAt: 1, alarm: { type, severity: 'major' } })),
    {
      dispatch: Object.fromEntries(Object.entries(types).map(([type, { priority }]) => [type, { role: 'cleaner', priority, resetOnResolve: 'cleaning', verify: { by: 'none' } }])),
      assignment,
    },
  );

describe('distance', () => {
  it('is the plan distance between zone centres plus a cost per floor', () => {
    expect(distanceM(facts, 'g-mall-sw', 'g-restroom-w', 40)).toBeCloseTo(Math.hypot(52.5, 17.5));
    expect(distanceM(facts, 'l1-restroom-w', 'g-restroom-w', 40)).toBeCloseTo(35 + 40);
    expect(distanceM(facts, 'lg-restroom-w', 'l1-restroom-w', 40)).toBeCloseTo(Math.hypot(50, 20) + 80);
    expect(distanceM(facts, null, 'g-restroom-w', 40)).toBe(10_000);
  });
});

describe('assignment', () => {
  const team = [
    person('cl-off-shift', ['cleaner'], 'g-restroom-w', { shifts: [{ from: T0 - 9 * 3600_000, to: T0 - 3600_000 }] }),
    person('cl-on-break', ['cleaner'], 'g-entry-w', { available: false }),
    person('sec-near', ['security'], 'g-restroom-w'),
    person('cl-mall', ['cleaner'], 'g-mall-sw'),
    person('cl-upstairs', ['cleaner'], 'l1-restroom-w'),
    person('cl-far', ['cleaner'], 'g-atrium'),
    person('sup-ann', ['supervisor'], null),
  ];

  it('picks the nearest on-shift, available person with the role', () => {
    const ranked = rankCandidates({ roster: roster(...team), role: 'cleaner', zoneId: 'g-restroom-w', now: at(0), excluded: [], load: new Map(), config: AssignmentConfig.parse({}), facts });
    expect(ranked.map((c) => `${c.staffId} ${c.distanceM}`)).toEqual(['cl-mall 55.3', 'cl-upstairs 75', 'cl-far 122.6']);

    const h = new Harness(engine(cleaningRules({ restroom_cleaning: { zone: 'g-restroom-w', priority: 2 } }), team));
    h.observe(visits('g-restroom-w', 1), at(1));
    expect(h.log()).toEqual([
      'alarm raised al-1 restroom_cleaning g-restroom-w',
      'order wo-1 created → open',
      'order wo-1 assign → assigned (cl-mall)',
      'notify assignee [cl-mall] wo-1 assigned',
    ]);
    expect(h.order('wo-1').history.at(-1)?.reason).toBe('nearest free (55.3 m, score 55.3)');
  });

  it('balances workload: open and recently finished orders count against the nearest person', () => {
    const two = [person('cl-a', ['cleaner'], 'g-mall-sw'), person('cl-b', ['cleaner'], 'g-atrium')];
    const h = new Harness(engine(cleaningRules({ w: { zone: 'g-restroom-w', priority: 2 }, l1w: { zone: 'l1-restroom-w', priority: 2 } }, { maxActivePerPerson: 2, loadPenaltyM: 150 }), two));
    h.observe(visits('g-restroom-w', 1), at(1));
    h.observe(visits('l1-restroom-w', 2), at(2));
    // cl-a is nearer to both (95 m vs 155 m upstairs), but already has one open order (+150 m).
    expect(h.orders().map((o) => `${o.id} ${o.zoneId} ${o.assignee}`)).toEqual(['wo-1 g-restroom-w cl-a', 'wo-2 l1-restroom-w cl-b']);

    const load = new Map<string, Workload>([['cl-mall', { active: 0, recent: 2 }]]);
    const ranked = rankCandidates({ roster: roster(...team), role: 'cleaner', zoneId: 'g-restroom-w', now: at(0), excluded: [], load, config: AssignmentConfig.parse({}), facts });
    expect(ranked.map((c) => `${c.staffId} ${c.score}`)).toEqual(['cl-upstairs 75', 'cl-mall 105.3', 'cl-far 122.6']);
  });

  it('queues by priority when nobody is free, and tells the supervisor once', () => {
    const h = new Harness(
      engine(
        cleaningRules({ low: { zone: 'g-restroom-w', priority: 3 }, mid: { zone: 'g-restroom-e', priority: 2 }, high: { zone: 'l1-restroom-c', priority: 1 } }),
        [person('cl-solo', ['cleaner'], 'g-atrium'), person('sup-ann', ['supervisor'], null)],
      ),
    );
    h.observe(visits('g-restroom-w', 1), at(1)); // low: cl-solo is free
    h.observe(visits('g-restroom-e', 2), at(2)); // mid: queued
    h.observe(visits('l1-restroom-c', 3), at(3)); // high: queued
    h.tick(at(3.5));
    expect(h.orders().map((o) => `${o.id} P${o.priority} ${o.status}`)).toEqual(['wo-1 P3 assigned', 'wo-2 P2 open', 'wo-3 P1 open']);
    expect(h.effects.filter((e) => e.kind === 'notify' && e.reason === 'unassignable').map((e) => e.kind === 'notify' && `${e.orderId} → ${e.to.join()}`)).toEqual(['wo-2 → sup-ann', 'wo-3 → sup-ann']);
    for (const action of ['accept', 'arrive', 'resolve'] as const) h.do({ kind: 'order', orderId: 'wo-1', action: { kind: action, by: 'cl-solo' } }, at(4));
    // The P1 goes first although the P2 waited longer.
    expect(h.orders().map((o) => `${o.id} ${o.status}`)).toEqual(['wo-1 verified', 'wo-2 open', 'wo-3 assigned']);
    for (const action of ['accept', 'arrive', 'resolve'] as const) h.do({ kind: 'order', orderId: 'wo-3', action: { kind: action, by: 'cl-solo' } }, at(10));
    expect(h.order('wo-2').status).toBe('assigned');
  });

  it('a decline with a reason goes to the next person, never back to the decliner', () => {
    const h = new Harness(engine(cleaningRules({ restroom_cleaning: { zone: 'g-restroom-w', priority: 2 } }), team));
    h.observe(visits('g-restroom-w', 1), at(1));
    const before = h.effects.length;
    expect(h.try({ kind: 'order', orderId: 'wo-1', action: { kind: 'decline', by: 'cl-mall', reason: '' } }, at(2))).toMatchObject({ ok: false, error: { code: 'ATRIUM_WORK_ORDER_REASON_REQUIRED' } });
    h.do({ kind: 'order', orderId: 'wo-1', action: { kind: 'decline', by: 'cl-mall', reason: 'no supplies left' } }, at(2));
    expect(h.log(before)).toEqual([
      'order wo-1 decline → open',
      'notify supervisor [sup-ann] wo-1 declined',
      'order wo-1 assign → assigned (cl-upstairs)',
      'notify assignee [cl-upstairs] wo-1 assigned',
    ]);
    expect(h.effects.find((e) => e.kind === 'notify' && e.reason === 'declined')).toMatchObject({ message: expect.stringContaining('declined by cl mall: no supplies left') });
    h.do({ kind: 'order', orderId: 'wo-1', action: { kind: 'decline', by: 'cl-upstairs', reason: 'stuck on level 1' } }, at(3));
    h.do({ kind: 'order', orderId: 'wo-1', action: { kind: 'decline', by: 'cl-far', reason: 'lunch' } }, at(4));
    expect(h.order('wo-1')).toMatchObject({ status: 'open', excluded: ['cl-mall', 'cl-upstairs', 'cl-far'] });
    expect(h.log().at(-1)).toBe('notify supervisor [sup-ann] wo-1 unassignable');
    // A supervisor can still hand it to someone by hand; a cleaner cannot, and nobody can give it to a guard.
    expect(h.try({ kind: 'order', orderId: 'wo-1', action: { kind: 'assign', staffId: 'cl-mall', by: 'cl-far' } }, at(5))).toMatchObject({ ok: false, error: { code: 'ATRIUM_NOT_SUPERVISOR' } });
    expect(h.try({ kind: 'order', orderId: 'wo-1', action: { kind: 'assign', staffId: 'sec-near', by: 'sup-ann' } }, at(5))).toMatchObject({ ok: false, error: { code: 'ATRIUM_STAFF_LACKS_ROLE' } });
    expect(h.try({ kind: 'order', orderId: 'wo-1', action: { kind: 'assign', staffId: 'cl-off-shift', by: 'sup-ann' } }, at(5))).toMatchObject({ ok: false, error: { code: 'ATRIUM_STAFF_UNAVAILABLE' } });
    h.do({ kind: 'order', orderId: 'wo-1', action: { kind: 'assign', staffId: 'cl-mall', by: 'sup-ann' } }, at(5));
    expect(h.order('wo-1')).toMatchObject({ status: 'assigned', assignee: 'cl-mall' });
  });

  it('someone going on a break gives back what they have not accepted yet', () => {
    const h = new Harness(engine(cleaningRules({ restroom_cleaning: { zone: 'g-restroom-w', priority: 2 } }), team));
    h.observe(visits('g-restroom-w', 1), at(1));
    h.do({ kind: 'set_staff', staffId: 'cl-mall', available: false }, at(2));
    expect(h.order('wo-1')).toMatchObject({ status: 'assigned', assignee: 'cl-upstairs' });
    expect(h.try({ kind: 'set_staff', staffId: 'nobody', available: false }, at(2))).toMatchObject({ ok: false, error: { code: 'ATRIUM_STAFF_NOT_FOUND' } });
    expect(h.try({ kind: 'upsert_staff', staff: { id: 'X', name: '', roles: [], shifts: [], zoneId: null, available: true } }, at(2))).toMatchObject({
      ok: false,
      error: { code: 'ATRIUM_STAFF_INVALID', message: expect.stringMatching(/id: .*name: .*roles: /) },
    });
    // Nobody can pose as the engine to skip the supervisor checks.
    expect(h.try({ kind: 'upsert_staff', staff: person('system', ['supervisor'], null) }, at(2))).toMatchObject({ ok: false, error: { message: expect.stringContaining('"system" is reserved') } });
  });

  it('supervisors on shift are notified; with none on shift, all of them', () => {
    const r = roster(person('sup-day', ['supervisor'], null), person('sup-night', ['supervisor'], null, { shifts: [{ from: T0 + 12 * 3600_000, to: T0 + 20 * 3600_000 }] }));
    expect(supervisorsFor(r, at(0))).toEqual(['sup-day']);
    expect(supervisorsFor(r, T0 + 24 * 3600_000)).toEqual(['sup-day', 'sup-night']);
  });
});

describe('the accept SLA', () => {
  const forced = rules([{ id: 'forced', kind: 'event', subjects: { deviceKinds: ['gate'] }, events: ['forced_open'], alarm: { type: 'security_breach', severity: 'critical' } }], {
    dispatch: { security_breach: { role: 'security', priority: 1, verify: { by: 'supervisor' }, resolveClearsAlarm: true, cancelOnSelfClear: false } },
  });
  const guards = [person('sec-1', ['security'], 'g-service-e'), person('sec-2', ['security'], 'g-mall-se'), person('sec-3', ['security'], 'l1-gallery'), person('sup-ann', ['supervisor'], null)];

  it('reassigns an order not accepted in time to the next person and tells the supervisor; nobody left means the queue', () => {
    const h = new Harness(engine(forced, guards));
    h.observe({ kind: 'event', deviceId: 'gt-g-east-door', type: 'forced_open', at: at(0) }, at(0));
    expect(h.order('wo-1')).toMatchObject({ priority: 1, assignee: 'sec-1', due: { acceptBy: at(2), arriveBy: at(5) } });
    expect(h.tick(at(2) - 1)).toEqual([]);
    let from = h.effects.length;
    h.tick(at(2));
    expect(h.log(from)).toEqual([
      'order wo-1 unassign → open',
      'notify assignee [sec-1] wo-1 withdrawn',
      'notify supervisor [sup-ann] wo-1 not_accepted',
      'order wo-1 sla_breach → open',
      'breach wo-1 accept',
      'notify supervisor [sup-ann] wo-1 sla_breach',
      'order wo-1 assign → assigned (sec-2)',
      'notify assignee [sec-2] wo-1 assigned',
    ]);
    // The next guard gets a full accept period of their own; the breach is recorded once.
    from = h.effects.length;
    h.tick(at(4));
    expect(h.log(from)).toEqual(['order wo-1 unassign → open', 'notify assignee [sec-2] wo-1 withdrawn', 'notify supervisor [sup-ann] wo-1 not_accepted', 'order wo-1 assign → assigned (sec-3)', 'notify assignee [sec-3] wo-1 assigned']);
    from = h.effects.length;
    h.tick(at(6));
    expect(h.log(from)).toEqual([
      'order wo-1 unassign → open',
      'notify assignee [sec-3] wo-1 withdrawn',
      'notify supervisor [sup-ann] wo-1 not_accepted',
      'order wo-1 sla_breach → open',
      'breach wo-1 arrive',
      'notify supervisor [sup-ann] wo-1 sla_breach',
      'order wo-1 queued → open',
      'notify supervisor [sup-ann] wo-1 unassignable',
    ]);
    expect(h.order('wo-1').excluded).toEqual(['sec-1', 'sec-2', 'sec-3']);
  });
});
