import { describe, expect, it } from 'vitest';
import { RETENTION_MS, restoreEngine, snapshotEngine, tick } from '../../src/dispatch/engine.ts';
import { at, demo, engine, Harness, person, rules } from './fixtures.ts';

/**
 * The engine's working state holds the live work and what it still needs; closed orders and
 * cleared alarms retire from it (the store keeps them, and the API reads them from there), so
 * a month of a busy mall does not pile up in memory or in every step. The recent work of a
 * person (who gets the next job) and the alarms a live order verifies against stay while needed.
 */
const H = 3600_000;
const doors = rules(
  [
    { id: 'forced', kind: 'event', subjects: { deviceKinds: ['gate'] }, events: ['forced_open'], alarm: { type: 'security_breach', severity: 'critical' } },
    { id: 'held', kind: 'event', subjects: { deviceKinds: ['gate'] }, events: ['held_open'], alarm: { type: 'door_held_open', severity: 'minor' } },
  ],
  {
    dispatch: {
      security_breach: { role: 'security', priority: 1, verify: { by: 'none' }, resolveClearsAlarm: true, cancelOnSelfClear: false },
      door_held_open: { role: 'security', priority: 3, verify: { by: 'none' } },
    },
    assignment: { recentWindowS: 8 * 3600 },
  },
);
const guards = [person('sec-1', ['security'], 'g-service-e'), person('sec-2', ['security'], 'g-mall-se'), person('sup-ann', ['supervisor'], null)];

describe('retiring closed work from the working state', () => {
  it('keeps a resolved order while it counts in its resolver’s recent work, a cancelled one for an hour; both stay visible as stored', () => {
    const h = new Harness(engine(doors, guards));
    h.observe({ kind: 'event', deviceId: 'gt-g-east-door', type: 'forced_open', at: at(0) }, at(0));
    for (const kind of ['accept', 'arrive', 'resolve'] as const) h.do({ kind: 'order', orderId: 'wo-1', action: { kind, by: 'sec-1' } }, at(1));
    expect(h.order('wo-1').status).toBe('verified');
    h.observe({ kind: 'event', deviceId: 'gt-g-west-door', type: 'held_open', at: at(2) }, at(2));
    h.do({ kind: 'order', orderId: 'wo-2', action: { kind: 'cancel', by: 'sup-ann', reason: 'door closed on CCTV' } }, at(3));

    h.tick(at(3) + RETENTION_MS + 1);
    expect(h.state.dispatch.orders.has('wo-1')).toBe(true); // sec-1 resolved it within the recent window
    expect(h.state.dispatch.orders.has('wo-2')).toBe(false);
    expect(h.state.alarms.byId.has('al-1')).toBe(false); // cleared by the resolution an hour ago, no live order needs it
    expect(h.alarm('al-1').status).toBe('cleared');
    h.tick(at(1) + 8 * H + 1);
    expect(h.state.dispatch.orders.size).toBe(0);
    // What the control room reads is the store; the harness keeps it from the effects.
    expect(h.order('wo-1')).toMatchObject({ status: 'verified', resolvedBy: 'sec-1' });
    expect(h.order('wo-2')).toMatchObject({ status: 'cancelled' });
  });

  it('still sends the next job to the guard who did not just resolve one, an hour after the other order closed', () => {
    // Two guards in the same place: only sec-1's recent job tells them apart (else the lower id wins).
    const h = new Harness(engine(doors, [person('sec-1', ['security'], 'g-service-e'), person('sec-2', ['security'], 'g-service-e')]));
    h.observe({ kind: 'event', deviceId: 'gt-g-east-door', type: 'forced_open', at: at(0) }, at(0));
    for (const kind of ['accept', 'arrive', 'resolve'] as const) h.do({ kind: 'order', orderId: 'wo-1', action: { kind, by: 'sec-1' } }, at(1));
    h.tick(at(1) + 2 * H);
    // Both equally near the east door but for the recent-work penalty sec-1 still carries.
    const next = h.observe({ kind: 'event', deviceId: 'gt-g-east-door', type: 'forced_open', at: at(1) + 2 * H }, at(1) + 2 * H);
    expect(next.find((e) => e.kind === 'work_order' && e.change === 'assign')).toMatchObject({ order: { id: 'wo-2', assignee: 'sec-2' } });
  });

  it('restores to the very same working state, indexes included, and carries on the same', () => {
    const h = new Harness(engine(doors, guards));
    h.observe({ kind: 'event', deviceId: 'gt-g-east-door', type: 'forced_open', at: at(0) }, at(0));
    h.observe({ kind: 'event', deviceId: 'gt-g-west-door', type: 'held_open', at: at(1) }, at(1));
    h.do({ kind: 'order', orderId: 'wo-1', action: { kind: 'accept', by: h.order('wo-1').assignee! } }, at(2));
    h.tick(at(1) + RETENTION_MS + 1);
    const restored = restoreEngine(JSON.parse(JSON.stringify(snapshotEngine(h.state))), demo);
    expect(restored).toEqual(h.state);
    expect(tick(restored, at(300))).toEqual(tick(h.state, at(300)));
  });
});
