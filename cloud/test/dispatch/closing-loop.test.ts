import { describe, expect, it } from 'vitest';
import { at, engine, Harness, person, rules } from './fixtures.ts';
import type { Observation } from '@atrium/shared';

const co2 = (zoneId: string, m: number, mean: number): Observation => ({ kind: 'env', zoneId, metric: 'co2', minute: at(m) - 60_000, mean });
const visits = (zoneId: string, m: number, n: number): Observation => ({ kind: 'footfall', zoneId, minute: at(m) - 60_000, in: n });

const air = rules([{ id: 'co2', kind: 'threshold', metric: 'co2', subjects: { zoneIds: ['g-atrium'] }, raise: { above: 1000, forS: 120 }, clear: { below: 900, forS: 120 }, alarm: { type: 'air_quality', severity: 'minor' } }], {
  dispatch: { air_quality: { role: 'technician', verify: { by: 'sensors', clearForS: 600, withinS: 3600 } } },
});
const restroom = rules([{ id: 'busy', kind: 'counter', subjects: { zoneIds: ['g-restroom-w'] }, raiseAt: 50, alarm: { type: 'restroom_cleaning', severity: 'major' } }], {
  dispatch: { restroom_cleaning: { role: 'cleaner', resetOnResolve: 'cleaning', verify: { by: 'sensors', clearForS: 600 } } },
});
const staff = [person('tech-1', ['technician'], 'g-service-e'), person('tech-2', ['technician'], 'l1-service-e'), person('cl-1', ['cleaner'], 'g-mall-sw'), person('sup-ann', ['supervisor'], null)];
const act = (h: Harness, orderId: string, by: string, m: number, ...actions: Array<'accept' | 'arrive' | 'resolve'>) => {
  for (const kind of actions) h.do({ kind: 'order', orderId, action: { kind, by } }, at(m));
};

describe('closing the loop', () => {
  it('a cleaning completion resets the restroom counter; the order is verified when the alarm stayed clear long enough', () => {
    const h = new Harness(engine(restroom, staff));
    h.observe(visits('g-restroom-w', 1, 30), at(1));
    h.observe(visits('g-restroom-w', 2, 30), at(2));
    expect(h.order('wo-1')).toMatchObject({ status: 'assigned', assignee: 'cl-1' });
    const from = h.effects.length;
    act(h, 'wo-1', 'cl-1', 10, 'accept', 'arrive', 'resolve');
    expect(h.log(from)).toEqual([
      'order wo-1 accept → accepted (cl-1)',
      'order wo-1 arrive → on_site (cl-1)',
      'staff cl-1 @g-restroom-w',
      'order wo-1 resolve → resolved (cl-1)',
      'reset g-restroom-w cleaning',
      'alarm cleared al-1 restroom_cleaning g-restroom-w',
    ]);
    expect(h.alarm('al-1')).toMatchObject({ clearedBy: 'system', clearReason: 'reset' });
    // Visits keep coming (below the threshold); the alarm stays clear for 10 minutes.
    h.observe(visits('g-restroom-w', 15, 20), at(15));
    expect(h.tick(at(20) - 1)).toEqual([]);
    h.tick(at(20));
    expect(h.order('wo-1')).toMatchObject({ status: 'verified', closedAt: at(20) });
    expect(h.order('wo-1').history.at(-1)).toMatchObject({ action: 'verify', by: 'system', reason: 'sensors' });
  });

  it('a problem back before verification reopens the same order (verification failed)', () => {
    const h = new Harness(engine(restroom, staff));
    h.observe(visits('g-restroom-w', 1, 60), at(1));
    act(h, 'wo-1', 'cl-1', 5, 'accept', 'arrive', 'resolve');
    h.observe(visits('g-restroom-w', 8, 60), at(8)); // a coach party: over the threshold again within 10 minutes
    expect(h.orders()).toHaveLength(1);
    expect(h.order('wo-1')).toMatchObject({ status: 'assigned', assignee: 'cl-1', alarmIds: ['al-1', 'al-2'] });
    expect(h.order('wo-1').history.map((x) => x.action).slice(-3)).toEqual(['resolve', 'reopen', 'assign']);
    expect(h.log()).toContain('notify supervisor [sup-ann] wo-1 reopened');
  });

  it('an order whose sensors still show the problem long after resolution is reopened', () => {
    const h = new Harness(engine(air, staff));
    for (let m = 1; m <= 3; m++) h.observe(co2('g-atrium', m, 1200), at(m));
    act(h, 'wo-1', 'tech-1', 4, 'accept', 'arrive', 'resolve');
    for (let m = 5; m <= 64; m++) h.observe(co2('g-atrium', m, 1150), at(m));
    h.tick(at(63));
    expect(h.order('wo-1').status).toBe('resolved');
    h.tick(at(4) + 3600_000);
    expect(h.order('wo-1')).toMatchObject({ status: 'assigned' });
    expect(h.order('wo-1').history.find((x) => x.action === 'reopen')?.reason).toBe('sensors still show the problem 60 min after resolution');
  });

  it('a problem that clears by itself before anyone arrives cancels the order and tells the assignee', () => {
    const h = new Harness(engine(air, staff));
    for (let m = 1; m <= 3; m++) h.observe(co2('g-atrium', m, 1200), at(m));
    expect(h.order('wo-1')).toMatchObject({ assignee: 'tech-1', status: 'assigned' });
    act(h, 'wo-1', 'tech-1', 4, 'accept');
    const from = h.effects.length;
    for (let m = 4; m <= 6; m++) h.observe(co2('g-atrium', m, 850), at(m));
    expect(h.log(from)).toEqual(['alarm cleared al-1 air_quality g-atrium', 'order wo-1 cancel → cancelled (tech-1)', 'notify assignee [tech-1] wo-1 cancelled']);
    expect(h.order('wo-1').history.at(-1)?.reason).toBe('cleared by itself before anyone arrived');

    // Once someone is on site, the order runs its course.
    for (let m = 7; m <= 9; m++) h.observe(co2('g-atrium', m, 1200), at(m));
    act(h, 'wo-2', 'tech-1', 10, 'accept', 'arrive');
    for (let m = 10; m <= 12; m++) h.observe(co2('g-atrium', m, 850), at(m));
    expect(h.order('wo-2').status).toBe('on_site');
  });

  it('an operator clearing an alarm makes the rule forget it too, and the order goes if nobody is there yet', () => {
    const tail = rules([{ id: 'tail', kind: 'event', subjects: { deviceKinds: ['gate'] }, events: ['tailgating'], alarm: { type: 'tailgating', severity: 'minor' } }], { dispatch: { tailgating: { role: 'security' } } });
    const h = new Harness(engine(tail, [person('sec-1', ['security'], 'g-atrium'), person('sup-ann', ['supervisor'], null)]));
    h.observe({ kind: 'event', deviceId: 'gt-g-west-door', type: 'tailgating', at: at(1) }, at(1));
    h.do({ kind: 'acknowledge_alarm', alarmId: 'al-1', by: 'sup-ann', note: 'watching CCTV' }, at(2));
    h.do({ kind: 'clear_alarm', alarmId: 'al-1', by: 'sup-ann', note: 'a known contractor' }, at(3));
    expect(h.alarm('al-1')).toMatchObject({ status: 'cleared', clearedBy: 'sup-ann', clearReason: 'manual' });
    expect(h.order('wo-1')).toMatchObject({ status: 'cancelled' });
    expect(h.order('wo-1').history.at(-1)?.reason).toBe('alarm cleared by sup-ann');
    expect(h.try({ kind: 'clear_alarm', alarmId: 'al-1', by: 'sup-ann' }, at(4))).toMatchObject({ ok: false, error: { code: 'ATRIUM_ALARM_INVALID_TRANSITION' } });
    // The rule raises again on the next event.
    h.observe({ kind: 'event', deviceId: 'gt-g-west-door', type: 'tailgating', at: at(5) }, at(5));
    expect(h.alarm('al-2')).toMatchObject({ status: 'raised' });
  });
});
