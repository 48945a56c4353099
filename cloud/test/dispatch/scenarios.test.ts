import { describe, expect, it } from 'vitest';
import { restoreEngine, snapshotEngine, step, tick, type EngineState } from '../../src/dispatch/engine.ts';
import { at, defaultRules, demo, describe as line, engine, Harness, person, T0 } from './fixtures.ts';
import type { Effect, Observation } from '@atrium/shared';

/**
 * End-to-end through the pure engine with the default rule set on the demo mall. Every
 * device reports each minute (so the silence rule stays quiet, as in a healthy mall) and the
 * engine ticks every minute, as the wiring will.
 */
function minute(h: Harness, m: number, extra: () => void = () => {}) {
  // As the runtime hands it on: the gateway's uplink reached the cloud, with every device's proof of life.
  const heard: Observation[] = demo.devices.map((d) => ({ kind: 'seen', deviceId: d.id, at: at(m) - 1000, gatewayId: 'gw-1' }));
  h.do({ kind: 'observe_batch', observations: [{ kind: 'gateway_seen', gatewayId: 'gw-1', at: at(m) }, ...heard] }, at(m));
  extra();
  h.tick(at(m));
}
const important = (effects: Effect[]) => effects.filter((e) => !(e.kind === 'notify' && e.reason === 'sla_breach')).map(line);

describe('scenario: a busy restroom', () => {
  it('restroom traffic and odour → a cleaning order → the nearest cleaner accepts and resolves → verified by the sensors', () => {
    const h = new Harness(
      engine(defaultRules(), [
        person('cl-ground', ['cleaner'], 'g-mall-sw'),
        person('cl-level1', ['cleaner'], 'l1-foodcourt'),
        person('tech-1', ['technician'], 'lg-plant'),
        person('sup-ann', ['supervisor'], null),
      ]),
    );
    // 12 visits a minute to the ground-floor west restroom; odour builds with each visit since
    // the last cleaning, as the simulator models it, and the cleaning (the engine's
    // counters_reset effect, which the wiring hands to the simulator) starts it again.
    let sinceCleaning = 0;
    const act = (m: number, kind: 'accept' | 'arrive' | 'resolve') => {
      const effects = h.do({ kind: 'order', orderId: 'wo-1', action: { kind, by: 'cl-ground' } }, at(m));
      if (effects.some((e) => e.kind === 'counters_reset' && e.zoneId === 'g-restroom-w')) sinceCleaning = 0;
    };
    const traffic = (m: number) => {
      sinceCleaning += 12;
      h.do({
        kind: 'observe_batch',
        observations: [
          { kind: 'footfall', zoneId: 'g-restroom-w', minute: at(m - 1), in: 12 },
          { kind: 'env', zoneId: 'g-restroom-w', metric: 'nh3', minute: at(m - 1), mean: 0.2 + 0.015 * sinceCleaning },
        ],
      }, at(m));
    };
    let raisedAt = -1;
    for (let m = 1; m <= 40 && raisedAt < 0; m++) {
      minute(h, m, () => traffic(m));
      if (h.state.alarms.byId.has('al-1')) raisedAt = m;
    }
    // Busy (150 visits) from minute 13; odour above 4 ppm from minute 22 (264 visits), held 10 minutes.
    expect(raisedAt).toBe(31);
    expect(h.log()).toEqual([
      'alarm raised al-1 restroom_cleaning g-restroom-w',
      'order wo-1 created → open',
      'order wo-1 assign → assigned (cl-ground)',
      'notify assignee [cl-ground] wo-1 assigned',
    ]);
    expect(h.alarm('al-1')).toMatchObject({ ruleId: 'restroom-needs-cleaning', severity: 'major', zoneId: 'g-restroom-w' });
    expect(h.order('wo-1')).toMatchObject({ role: 'cleaner', priority: 2, targets: { acceptS: 300, arriveS: 900, resolveS: 2700 } });

    const from = h.effects.length;
    for (let m = 32; m <= 66; m++) {
      minute(h, m, () => {
        if (m === 33) act(m, 'accept');
        if (m === 38) act(m, 'arrive');
        if (m === 50) act(m, 'resolve');
        traffic(m);
      });
    }
    // By minute 50 the odour is severe (above 8 ppm since minute 44): the alarm clears only once
    // the cleaned restroom's odour has stayed below 4 ppm for 5 minutes, and the order is verified
    // after 10 more clear minutes.
    expect(important(h.effects.slice(from))).toEqual([
      'order wo-1 accept → accepted (cl-ground)',
      'order wo-1 arrive → on_site (cl-ground)',
      'staff cl-ground @g-restroom-w',
      'order wo-1 resolve → resolved (cl-ground)',
      'reset g-restroom-w cleaning',
      'alarm cleared al-1 restroom_cleaning g-restroom-w',
      'order wo-1 verify → verified (cl-ground)',
    ]);
    expect(h.alarm('al-1').clearedAt).toBe(at(54));
    const o = h.order('wo-1');
    expect(o).toMatchObject({ status: 'verified', acceptedAt: at(33), arrivedAt: at(38), resolvedAt: at(50), closedAt: at(64), breaches: {} });
    // The visit counter restarted at the cleaning (the minute that ended as it was resolved belongs to the old cycle).
    expect(h.state.rules.subjects['restroom-busy']?.['zone:g-restroom-w']).toMatchObject({ since: at(50), count: 16 * 12 });
  });
});

describe('scenario: a forced staff door', () => {
  it('forced gate → security P1 → the first guard does not accept → escalates to the next guard → resolved and signed off', () => {
    const h = new Harness(
      engine(defaultRules(), [
        person('sec-east', ['security'], 'g-service-e'),
        person('sec-atrium', ['security'], 'g-atrium'),
        person('sec-level1', ['security'], 'l1-gallery'),
        person('sup-ann', ['supervisor'], null),
      ]),
    );
    for (let m = 1; m <= 5; m++) minute(h, m);
    expect(h.effects).toEqual([]);
    minute(h, 6, () => h.observe({ kind: 'event', deviceId: 'gt-g-east-door', type: 'forced_open', at: at(6) - 500 }, at(6)));
    expect(h.log()).toEqual([
      'alarm raised al-1 security_breach gt-g-east-door',
      'order wo-1 created → open',
      'order wo-1 assign → assigned (sec-east)',
      'notify assignee [sec-east] wo-1 assigned',
    ]);
    expect(h.alarm('al-1')).toMatchObject({ severity: 'critical', zoneId: 'g-service-e', observedAt: at(6) - 500 });
    expect(h.order('wo-1')).toMatchObject({ priority: 1, due: { acceptBy: at(8), arriveBy: at(11) } });

    let from = h.effects.length;
    minute(h, 7);
    minute(h, 8);
    expect(h.log(from)).toEqual([
      'order wo-1 unassign → open',
      'notify assignee [sec-east] wo-1 withdrawn',
      'notify supervisor [sup-ann] wo-1 not_accepted',
      'order wo-1 sla_breach → open',
      'breach wo-1 accept',
      'notify supervisor [sup-ann] wo-1 sla_breach',
      'order wo-1 assign → assigned (sec-atrium)',
      'notify assignee [sec-atrium] wo-1 assigned',
    ]);
    from = h.effects.length;
    h.do({ kind: 'order', orderId: 'wo-1', action: { kind: 'accept', by: 'sec-atrium' } }, at(8.5));
    minute(h, 9);
    h.do({ kind: 'order', orderId: 'wo-1', action: { kind: 'arrive', by: 'sec-atrium' } }, at(10.5));
    for (let m = 10; m <= 20; m++) minute(h, m);
    h.do({ kind: 'order', orderId: 'wo-1', action: { kind: 'resolve', by: 'sec-atrium', note: 'door secured, nobody found' } }, at(20.5));
    expect(h.try({ kind: 'order', orderId: 'wo-1', action: { kind: 'verify', by: 'sec-atrium', method: 'supervisor' } }, at(21))).toMatchObject({ ok: false, error: { code: 'ATRIUM_NOT_SUPERVISOR' } });
    h.do({ kind: 'order', orderId: 'wo-1', action: { kind: 'verify', by: 'sup-ann', method: 'supervisor' } }, at(25));
    expect(h.log(from)).toEqual([
      'order wo-1 accept → accepted (sec-atrium)',
      'order wo-1 arrive → on_site (sec-atrium)',
      'staff sec-atrium @g-service-e',
      'order wo-1 resolve → resolved (sec-atrium)',
      'notify supervisor [sup-ann] wo-1 awaiting_verification',
      'alarm cleared al-1 security_breach gt-g-east-door',
      'order wo-1 verify → verified (sec-atrium)',
    ]);
    expect(h.alarm('al-1')).toMatchObject({ clearedBy: 'sec-atrium', clearReason: 'resolved in wo-1' });
    expect(h.order('wo-1').breaches).toEqual({ accept: at(8) });
    // The door rule forgot the event with the alarm, so the next forced opening is a new alarm.
    h.observe({ kind: 'event', deviceId: 'gt-g-east-door', type: 'forced_open', at: at(30) }, at(30));
    expect(h.alarm('al-2').status).toBe('raised');
  });
});

describe('restart', () => {
  it('an engine restored from a JSON snapshot produces the same effects as the one that kept running', () => {
    const staff = [person('sec-east', ['security'], 'g-service-e'), person('sec-atrium', ['security'], 'g-atrium'), person('sup-ann', ['supervisor'], null)];
    const h = new Harness(engine(defaultRules(), staff));
    minute(h, 1, () => h.observe({ kind: 'event', deviceId: 'gt-g-east-door', type: 'forced_open', at: at(1) }, at(1)));
    const restored: EngineState = restoreEngine(JSON.parse(JSON.stringify(snapshotEngine(h.state))), demo);
    // The accept time runs out at minute 3 (a timer would have been lost with the process; the stored deadline is not).
    const live = tick(h.state, at(3));
    const again = tick(restored, at(3));
    expect(again.effects).toEqual(live.effects);
    expect(live.effects.map(line)).toContain('order wo-1 assign → assigned (sec-atrium)');
    // The gateway keeps delivering (the restored engine knows it from the snapshot), but radars and env sensors
    // last heard just before minute 1 are silent 3 minutes later (gates and lockers report every 5), in both.
    const gatewayStillDelivers = (s: EngineState) => step(s, { kind: 'observe', observation: { kind: 'gateway_seen', gatewayId: 'gw-1', at: at(3) } }, at(3)).state;
    const silent = (s: EngineState) => tick(gatewayStillDelivers(s), at(4)).effects.filter((e) => e.kind === 'alarm' && e.alarm.type === 'device_offline').length;
    expect(silent(again.state)).toBe(silent(live.state));
    expect(silent(live.state)).toBe(demo.devices.filter((d) => d.kind === 'radar' || d.kind === 'env').length);
    expect(T0).toBe(at(0));
  });
});
