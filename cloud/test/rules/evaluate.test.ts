import { describe, expect, it } from 'vitest';
import { miniSite } from '../../../tests/support/mini-site.ts';
import { activeSubjects, createRulesState, evaluate, reloadRules, restoreRules, snapshotRules } from '../../src/rules/evaluate.ts';
import { parseRuleSet } from '../../src/rules/load.ts';
import { siteFacts } from '../../src/rules/subjects.ts';
import { brief, lcg, MIN, ruleSet, run, T0 } from './helpers.ts';
import type { Observation } from '@atrium/shared';

const co2Rule = {
  id: 'co2', kind: 'threshold', metric: 'co2', subjects: { zoneIds: ['hall'] },
  raise: { above: 1000, forS: 600 }, clear: { below: 900, forS: 300 }, alarm: { type: 'air_quality', severity: 'minor' },
} as const;
const co2 = (m: number, mean: number, count = 1): Observation => ({ kind: 'env', zoneId: 'hall', metric: 'co2', minute: T0 + m * MIN, mean, count });
const visits = (m: number, n: number, zoneId = 'wc'): Observation => ({ kind: 'footfall', zoneId, minute: T0 + m * MIN, in: n });

describe('threshold rules', () => {
  it('do not flap on a noisy signal around either threshold, and raise and clear once on a real excursion', () => {
    const rnd = lcg(7);
    const values: number[] = [];
    // 60 min of noise around the raise threshold (no excursion above lasts 10 min) …
    for (let m = 0; m < 60; m++) values.push(m % 8 === 7 ? 970 : 1000 + (rnd() - 0.5) * 100);
    // … 15 min clearly above …
    for (let m = 0; m < 15; m++) values.push(1150 + (rnd() - 0.5) * 60);
    // … 40 min of noise around the clear threshold (never 5 min in a row below) …
    for (let m = 0; m < 40; m++) values.push(m % 4 === 3 ? 930 : 900 + (rnd() - 0.5) * 120);
    // … and 6 min clearly below.
    for (let m = 0; m < 6; m++) values.push(850 + (rnd() - 0.5) * 40);
    const naiveFlips = values.slice(1).filter((v, i) => v > 1000 !== values[i]! > 1000).length;
    expect(naiveFlips).toBeGreaterThan(20);

    const { transitions } = run(createRulesState(ruleSet([co2Rule]), miniSite, T0), values.map((v, m) => co2(m, v)));
    expect(brief(transitions)).toEqual(['raise co2 hall @70m', 'clear co2 hall @120m']);
    expect(transitions[0]).toMatchObject({ alarm: { type: 'air_quality', severity: 'minor' }, reason: 'condition', subject: { kind: 'zone', id: 'hall' } });
    expect(transitions[0]!.value).toBeGreaterThan(1000);
  });

  it('need the full minimum duration without a break', () => {
    const s0 = createRulesState(ruleSet([co2Rule]), miniSite, T0);
    const nineThenBreak = [...Array.from({ length: 9 }, (_, m) => co2(m, 1100)), co2(9, 999)];
    expect(run(s0, nineThenBreak).transitions).toEqual([]);
    const ten = [...nineThenBreak, ...Array.from({ length: 10 }, (_, m) => co2(10 + m, 1100))];
    expect(brief(run(s0, ten).transitions)).toEqual(['raise co2 hall @20m']);
  });

  it('merge a late record for the same minute, ignore an older minute, and restart after a gap in the data', () => {
    const s0 = createRulesState(ruleSet([co2Rule]), miniSite, T0);
    // Minute 5: one sensor says 1200, a late second record (3 samples at 800) makes the mean 900: the run breaks.
    const merged = [...Array.from({ length: 5 }, (_, m) => co2(m, 1100)), co2(5, 1200), co2(5, 800, 3), ...Array.from({ length: 9 }, (_, m) => co2(6 + m, 1100))];
    expect(run(s0, merged).transitions).toEqual([]);
    // A stale minute after newer ones changes nothing.
    const r = run(s0, [...Array.from({ length: 9 }, (_, m) => co2(m, 1100)), co2(3, 500), co2(9, 1100)]);
    expect(brief(r.transitions)).toEqual(['raise co2 hall @10m']);
    // Five minutes above, ten minutes of silence, five above: the silence is not evidence.
    const gap = [...Array.from({ length: 5 }, (_, m) => co2(m, 1100)), ...Array.from({ length: 5 }, (_, m) => co2(15 + m, 1100))];
    expect(run(s0, gap).transitions).toEqual([]);
    expect(brief(run(s0, [...gap, ...Array.from({ length: 5 }, (_, m) => co2(20 + m, 1100))]).transitions)).toEqual(['raise co2 hall @25m']);
  });

  it('can raise below and clear above (too cold)', () => {
    const cold = { id: 'cold', kind: 'threshold', metric: 'tempC', raise: { below: 18, forS: 120 }, clear: { above: 19, forS: 120 }, alarm: { type: 'comfort', severity: 'info' } } as const;
    const t = (m: number, v: number): Observation => ({ kind: 'env', zoneId: 'wc', metric: 'tempC', minute: T0 + m * MIN, mean: v });
    const r = run(createRulesState(ruleSet([cold]), miniSite, T0), [t(0, 17), t(1, 17), t(2, 18.5), t(3, 19.5), t(4, 19.5)]);
    expect(brief(r.transitions)).toEqual(['raise cold wc @2m', 'clear cold wc @5m']);
  });
});

describe('counter rules', () => {
  const rule = { id: 'wc-visits', kind: 'counter', subjects: { zoneKinds: ['restroom'] }, raiseAt: 50, alarm: { type: 'restroom_cleaning', severity: 'major' } } as const;

  it('count visits since the last cleaning and reset on a cleaning completion only', () => {
    const s0 = createRulesState(ruleSet([rule]), miniSite, T0);
    let r = run(s0, [visits(0, 10), visits(1, 10), visits(1, 5), visits(2, 10), visits(3, 10), visits(0, 100, 'hall')]);
    expect(r.transitions).toEqual([]);
    expect(r.state.subjects['wc-visits']?.['zone:wc']).toMatchObject({ count: 45, active: false });
    r = run(r.state, [visits(4, 10), visits(5, 10)]);
    expect(brief(r.transitions)).toEqual(['raise wc-visits wc @5m']);
    expect(r.transitions[0]!.value).toBe(55);
    // Not a cleaning: nothing happens. A cleaning: the counter clears and starts again.
    r = run(r.state, [{ kind: 'reset', zoneId: 'wc', cause: 'inspection', at: T0 + 6 * MIN }]);
    expect(r.transitions).toEqual([]);
    r = run(r.state, [{ kind: 'reset', zoneId: 'wc', cause: 'cleaning', at: T0 + 6 * MIN + 30_000 }]);
    expect(r.transitions.map((t) => `${t.change} ${t.reason}`)).toEqual(['clear reset']);
    // A late record of a minute before the cleaning belongs to the old cycle; the minute the cleaning happened in counts.
    r = run(r.state, [visits(5, 30), visits(6, 7), visits(7, 3)]);
    expect(r.state.subjects['wc-visits']?.['zone:wc']).toMatchObject({ count: 10, active: false, since: T0 + 6 * MIN + 30_000 });
  });
});

describe('density rules', () => {
  it('raise on people per m2 held for the minimum duration, with hysteresis', () => {
    const rule = { id: 'crowd', kind: 'density', subjects: { zoneIds: ['hall'] }, raise: { above: 1.0, forS: 60 }, clear: { below: 0.5, forS: 60 }, alarm: { type: 'crowding', severity: 'major' } } as const;
    const occ = (s: number, n: number): Observation => ({ kind: 'occupancy', zoneId: 'hall', occupancy: n, at: T0 + s * 1000 });
    const series: Observation[] = [];
    const add = (from: number, to: number, n: number) => {
      for (let s = from; s < to; s += 10) series.push(occ(s, n));
    };
    add(0, 50, 210); // 1.05/m2 for 40 s, then a dip
    add(50, 60, 190);
    add(60, 140, 210); // 80 s above: raises at 60 s in
    add(140, 300, 150); // 0.75/m2: inside the band, stays raised
    add(300, 400, 90); // 0.45/m2: clears after 60 s
    const r = run(createRulesState(ruleSet([rule]), miniSite, T0), series);
    expect(r.transitions.map((t) => `${t.change} @${(t.at - T0) / 1000}s`)).toEqual(['raise @120s', 'clear @360s']);
  });
});

describe('event rules', () => {
  const forced = { id: 'forced', kind: 'event', subjects: { deviceKinds: ['gate'] }, events: ['forced_open'], alarm: { type: 'security_breach', severity: 'critical' } } as const;
  const tailgating = { id: 'tail', kind: 'event', subjects: { deviceKinds: ['gate'] }, events: ['tailgating'], count: { atLeast: 3, withinS: 600 }, clear: { afterQuietS: 1800 }, alarm: { type: 'tailgating', severity: 'minor' } } as const;
  const leftOpen = { id: 'left-open', kind: 'event', subjects: { deviceKinds: ['locker'] }, events: ['door_left_open'], clear: { onEvents: ['door_close'] }, alarm: { type: 'locker_door_open', severity: 'minor' } } as const;
  const ev = (deviceId: string, type: string, s: number): Observation => ({ kind: 'event', deviceId, type, at: T0 + s * 1000 });

  it('raise on the event, once while open, and clear only by a person unless told otherwise', () => {
    const s0 = createRulesState(ruleSet([forced]), miniSite, T0);
    let r = run(s0, [ev('gate-staff', 'entry', 0), ev('gate-staff', 'forced_open', 10), ev('gate-staff', 'forced_open', 20), ev('locker-1', 'forced_open', 30)]);
    expect(r.transitions.map((t) => `${t.change} ${t.subject.id} ${t.alarm.severity}`)).toEqual(['raise gate-staff critical']);
    r = run(r.state, [[{ kind: 'tick' }, T0 + 86_400_000]]);
    expect(r.transitions).toEqual([]);
    r = run(r.state, [{ kind: 'clear', ruleId: 'forced', subject: { kind: 'device', id: 'gate-staff' }, at: T0 + 100_000 }]);
    expect(r.transitions.map((t) => `${t.change} ${t.reason}`)).toEqual(['clear manual']);
    expect(brief(run(r.state, [ev('gate-staff', 'forced_open', 200)]).transitions)).toEqual(['raise forced gate-staff @3.3333333333333335m']);
  });

  it('debounce with a count in a window and clear after a quiet period', () => {
    const s0 = createRulesState(ruleSet([tailgating]), miniSite, T0);
    let r = run(s0, [ev('gate-staff', 'tailgating', 0), ev('gate-staff', 'tailgating', 400), ev('gate-staff', 'tailgating', 900)]);
    expect(r.transitions).toEqual([]); // the first fell out of the 10-minute window
    r = run(r.state, [ev('gate-staff', 'tailgating', 1000), ev('gate-staff', 'tailgating', 1500)]);
    expect(r.transitions.map((t) => `${t.change} @${(t.at - T0) / 1000}s`)).toEqual(['raise @1000s']);
    // The repeat at 1500 s keeps it open: quiet until 3300 s.
    r = run(r.state, [[{ kind: 'tick' }, T0 + 3_299_000]]);
    expect(r.transitions).toEqual([]);
    r = run(r.state, [[{ kind: 'tick' }, T0 + 3_400_000]]);
    expect(r.transitions.map((t) => `${t.change} ${t.reason} @${(t.at - T0) / 1000}s`)).toEqual(['clear quiet @3300s']);
  });

  it('clear on a closing event that follows, not one from before', () => {
    const s0 = createRulesState(ruleSet([leftOpen]), miniSite, T0);
    const r = run(s0, [ev('locker-1', 'door_left_open', 100), ev('locker-1', 'door_close', 50), ev('locker-1', 'door_close', 160)]);
    expect(r.transitions.map((t) => `${t.change} @${(t.at - T0) / 1000}s`)).toEqual(['raise @100s', 'clear @160s']);
  });
});

describe('silence rules', () => {
  const rule = { id: 'silent', kind: 'silence', subjects: {}, factor: 3, minQuietS: 180, clear: { heardForS: 120 }, alarm: { type: 'device_offline', severity: 'minor' } } as const;
  const seen = (deviceId: string, s: number): Observation => ({ kind: 'seen', deviceId, at: T0 + s * 1000 });
  const tick = (s: number): [Observation, number] => [{ kind: 'tick' }, T0 + s * 1000];

  it('raise after factor × report interval (never sooner than minQuietS), with grace from the rule load, and clear once heard long enough', () => {
    const s0 = createRulesState(ruleSet([rule]), miniSite, T0);
    // Everybody but the gate and the radar reports regularly.
    const alive = (s: number) => miniSite.devices.filter((d) => d.id !== 'gate-staff' && d.id !== 'radar-wc').map((d) => seen(d.id, s));
    let r = run(s0, [seen('radar-wc', 0), ...alive(60), tick(179), ...alive(120), tick(180)]);
    // radar: 3 × 30 s = 90 s, but at least 180 s
    expect(r.transitions.map((t) => `${t.change} ${t.subject.id} @${(t.at - T0) / 1000}s`)).toEqual(['raise radar-wc @180s']);
    r = run(r.state, [...alive(180), ...alive(240), ...alive(300), ...alive(360), ...alive(420), ...alive(480), ...alive(540), ...alive(600), ...alive(660), ...alive(720), ...alive(780), ...alive(840), tick(899), ...alive(890), tick(900)]);
    // gate: 3 × 300 s from the rule load (it has never been heard)
    expect(r.transitions.map((t) => `${t.change} ${t.subject.id} @${(t.at - T0) / 1000}s`)).toEqual(['raise gate-staff @900s']);
    // Heard again, then a 4-minute silence restarts the "heard for" clock; clear after 120 s heard.
    r = run(r.state, [seen('radar-wc', 1000), seen('radar-wc', 1060), seen('radar-wc', 1300), seen('radar-wc', 1360), seen('radar-wc', 1420)]);
    expect(r.transitions.map((t) => `${t.change} ${t.subject.id} @${(t.at - T0) / 1000}s`)).toEqual(['clear radar-wc @1420s']);
    expect(activeSubjects(r.state, 'silent')).toEqual(['device:gate-staff']);
  });

  it('an event is proof of life', () => {
    const s0 = createRulesState(ruleSet([rule]), miniSite, T0);
    const r = run(s0, [{ kind: 'event', deviceId: 'gate-staff', type: 'entry', at: T0 + 800_000 }, tick(1000)]);
    expect(r.transitions.map((t) => t.subject.id)).not.toContain('gate-staff');
  });
});

describe('composite rules', () => {
  const rules = ruleSet([
    { id: 'odour', kind: 'threshold', metric: 'nh3', subjects: { zoneKinds: ['restroom'] }, raise: { above: 4, forS: 120 }, clear: { below: 2.5, forS: 120 } },
    { id: 'busy', kind: 'counter', subjects: { zoneKinds: ['restroom'] }, raiseAt: 20 },
    { id: 'severe', kind: 'threshold', metric: 'nh3', subjects: { zoneKinds: ['restroom'] }, raise: { above: 8, forS: 60 }, clear: { below: 4, forS: 60 } },
    { id: 'odour-and-busy', kind: 'composite', op: 'all', of: ['odour', 'busy'] },
    { id: 'needs-cleaning', kind: 'composite', op: 'any', of: ['odour-and-busy', 'severe'], alarm: { type: 'restroom_cleaning', severity: 'major' } },
  ]);
  const nh3 = (m: number, v: number): Observation => ({ kind: 'env', zoneId: 'wc', metric: 'nh3', minute: T0 + m * MIN, mean: v });

  it('raise when their parts hold together (AND inside OR), per subject, and only the composite alarms', () => {
    const s0 = createRulesState(rules, miniSite, T0);
    // Odour high first: no alarm without visits behind it.
    let r = run(s0, [nh3(0, 5), nh3(1, 5), nh3(2, 5), visits(2, 10)]);
    expect(activeSubjects(r.state, 'odour')).toEqual(['zone:wc']);
    expect(r.transitions).toEqual([]);
    r = run(r.state, [visits(3, 10)]);
    expect(brief(r.transitions)).toEqual(['raise needs-cleaning wc @4m']);
    // Severe odour as well: still one alarm.
    r = run(r.state, [nh3(4, 9), nh3(5, 9)]);
    expect(r.transitions).toEqual([]);
    // A cleaning resets visits: AND fails, but severe still holds the OR.
    r = run(r.state, [{ kind: 'reset', zoneId: 'wc', cause: 'cleaning', at: T0 + 6 * MIN }]);
    expect(r.transitions).toEqual([]);
    r = run(r.state, [nh3(6, 1), nh3(7, 1), nh3(8, 1)]);
    expect(brief(r.transitions)).toEqual(['clear needs-cleaning wc @7m']);
  });
});

describe('hot reload', () => {
  const counter = { id: 'busy', kind: 'counter', subjects: { zoneKinds: ['restroom'] }, raiseAt: 50, alarm: { type: 'restroom_cleaning', severity: 'major' } } as const;
  const gone = { id: 'gone', kind: 'counter', subjects: { zoneKinds: ['restroom'] }, raiseAt: 5, alarm: { type: 'x', severity: 'info' } } as const;

  it('keeps the state of unchanged rules, restarts changed ones and clears what changed or removed rules had raised', () => {
    const s0 = createRulesState(ruleSet([co2Rule, counter, gone]), miniSite, T0);
    let r = run(s0, [...Array.from({ length: 10 }, (_, m) => co2(m, 1100)), visits(9, 30)]);
    expect(brief(r.transitions)).toEqual(['raise co2 hall @10m', 'raise gone wc @10m']);
    const reloaded = reloadRules(r.state, ruleSet([{ ...counter, raiseAt: 40 }, co2Rule]), T0 + 11 * MIN);
    expect(reloaded.transitions.map((t) => `${t.change} ${t.ruleId} ${t.reason}`)).toEqual(['clear gone rule_removed']);
    // co2 is still raised and clears by its own hysteresis; the changed counter started again at 0.
    expect(activeSubjects(reloaded.state, 'co2')).toEqual(['zone:hall']);
    expect(reloaded.state.since.busy).toBe(T0 + 11 * MIN);
    r = run(reloaded.state, [visits(11, 39), ...Array.from({ length: 5 }, (_, m) => co2(11 + m, 800))]);
    expect(brief(r.transitions)).toEqual(['clear co2 hall @16m']);
    // Changing a raised rule clears its alarm.
    const again = reloadRules(reloaded.state, ruleSet([{ ...co2Rule, raise: { above: 1200, forS: 600 } }]), T0 + 12 * MIN);
    expect(again.transitions.map((t) => `${t.change} ${t.ruleId} ${t.reason}`)).toEqual(['clear co2 rule_changed']);
    expect(activeSubjects(again.state, 'co2')).toEqual([]);
  });

  it('refuses a bad file with the field path, so the running rules stay', () => {
    const bad = JSON.stringify({ version: 1, rules: [{ ...co2Rule, raise: { above: 1000, forS: '10m' } }] }, null, 2);
    const r = parseRuleSet(bad, siteFacts(miniSite));
    expect(!r.ok && r.issues.map((i) => i.path)).toEqual(['rules.0.raise.forS']);
  });
});

describe('restart', () => {
  it('a snapshot through JSON continues exactly where the live state was', () => {
    const rules = ruleSet([co2Rule, { id: 'silent', kind: 'silence', subjects: { deviceKinds: ['gate'] }, alarm: { type: 'device_offline', severity: 'minor' } }]);
    const first = Array.from({ length: 6 }, (_, m) => co2(m, 1100));
    const rest: Array<Observation | [Observation, number]> = [...Array.from({ length: 6 }, (_, m) => co2(6 + m, 1100)), [{ kind: 'tick' }, T0 + 900_000]];
    const live = run(createRulesState(rules, miniSite, T0), [...first, ...rest]);
    const half = run(createRulesState(rules, miniSite, T0), first);
    const restored = restoreRules(JSON.parse(JSON.stringify(snapshotRules(half.state))), miniSite);
    expect(run(restored, rest).transitions).toEqual(live.transitions);
    expect(brief(live.transitions)).toEqual(['raise co2 hall @10m', 'raise silent gate-staff @15m']);
  });

  it('evaluating an observation no rule watches returns the same state', () => {
    const s0 = createRulesState(ruleSet([co2Rule]), miniSite, T0);
    expect(evaluate(s0, { kind: 'env', zoneId: 'hall', metric: 'rh', minute: T0, mean: 40 }, T0).state).toBe(s0);
    expect(evaluate(s0, { kind: 'tick' }, T0).state).toBe(s0);
  });
});
