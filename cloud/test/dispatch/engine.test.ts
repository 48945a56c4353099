import { describe, expect, it } from 'vitest';
import { reload } from '../../src/dispatch/engine.ts';
import { at, engine, Harness, person, rules } from './fixtures.ts';
import type { Observation } from '@atrium/shared';

const co2Rule = { id: 'co2', kind: 'threshold', metric: 'co2', subjects: { zoneIds: ['g-atrium'] }, raise: { above: 1000, forS: 120 }, clear: { below: 900, forS: 120 }, alarm: { type: 'air_quality', severity: 'minor' } };
const busyRule = { id: 'busy', kind: 'counter', subjects: { zoneIds: ['g-restroom-w'] }, raiseAt: 100, alarm: { type: 'restroom_cleaning', severity: 'major' } };
const dispatch = { air_quality: { role: 'technician' }, restroom_cleaning: { role: 'cleaner' } };
const co2 = (m: number, mean: number): Observation => ({ kind: 'env', zoneId: 'g-atrium', metric: 'co2', minute: at(m) - 60_000, mean });

describe('engine hot reload', () => {
  it('a new rule file replaces the old one, keeping the state of unchanged rules and the targets of open orders', () => {
    const h = new Harness(engine(rules([co2Rule, busyRule], { dispatch }), [person('tech-1', ['technician'], 'g-atrium'), person('cl-1', ['cleaner'], 'g-mall-sw')]));
    for (let m = 1; m <= 3; m++) h.observe(co2(m, 1200), at(m));
    h.observe({ kind: 'footfall', zoneId: 'g-restroom-w', minute: at(3), in: 60 }, at(4));
    expect(h.order('wo-1')).toMatchObject({ type: 'air_quality', targets: { acceptS: 900 } });

    // The new file: co2 unchanged, the counter changed, technicians get a tighter accept target.
    const text = JSON.stringify({ version: 1, rules: [co2Rule, { ...busyRule, raiseAt: 80 }], dispatch: { ...dispatch, air_quality: { role: 'technician', sla: { acceptS: 300 } } } });
    const r = reload(h.state, text, at(5));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.effects).toEqual([]); // nothing was raised by the changed rule, nothing to clear
    h.state = r.state;
    // co2 is still raised (the alarm and the order stand) and clears by its own hysteresis.
    expect(h.order('wo-1')).toMatchObject({ status: 'assigned', targets: { acceptS: 900 } });
    // The counter restarted: 60 visits before the reload no longer count.
    h.observe({ kind: 'footfall', zoneId: 'g-restroom-w', minute: at(5), in: 60 }, at(6));
    expect(h.orders()).toHaveLength(1);
    h.observe({ kind: 'footfall', zoneId: 'g-restroom-w', minute: at(6), in: 20 }, at(7));
    expect(h.orders()).toHaveLength(2);
    for (let m = 8; m <= 10; m++) h.observe(co2(m, 800), at(m));
    expect(h.alarm('al-1').status).toBe('cleared');
  });

  it('refuses a bad file with the field path, the reason and the line, and keeps running the old rules', () => {
    const h = new Harness(engine(rules([co2Rule], { dispatch: { air_quality: { role: 'technician' } } }), []));
    const text = JSON.stringify({ version: 1, rules: [{ ...co2Rule, metric: 'co3' }], dispatch: { air_quality: { role: 'janitor' } } }, null, 2);
    const r = reload(h.state, text, at(1));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.state).toBe(h.state);
    expect(r.error.code).toBe('ATRIUM_RULES_INVALID');
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    expect(r.issues.map((i) => `${i.path} @${i.line}`)).toEqual([`rules.0.metric @${lineOf('"co3"')}`, `dispatch.air_quality.role @${lineOf('"janitor"')}`]);
    expect(r.error.message).toContain(`rules.0.metric: Invalid option: expected one of "tempC"|"rh"|"co2"|"pm25"|"tvoc"|"noiseDb"|"nh3" (line ${lineOf('"co3"')})`);
    // A rule naming a zone this mall does not have is refused the same way.
    const r2 = reload(h.state, { version: 1, rules: [{ ...co2Rule, subjects: { zoneIds: ['g-ballroom'] } }] }, at(1));
    expect(!r2.ok && r2.issues.map((i) => `${i.path}: ${i.message}`)).toEqual(['rules.0.subjects.zoneIds.0: no zone "g-ballroom" on site "demo-mall"', 'rules.0.subjects: matches no zone on site "demo-mall"']);
  });

  it('removing a rule clears its alarms, which cancels orders nobody has reached', () => {
    const h = new Harness(engine(rules([co2Rule], { dispatch: { air_quality: { role: 'technician' } } }), [person('tech-1', ['technician'], 'g-atrium')]));
    for (let m = 1; m <= 3; m++) h.observe(co2(m, 1200), at(m));
    const r = reload(h.state, { version: 1, rules: [] }, at(4));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.effects.map((e) => (e.kind === 'alarm' ? `alarm ${e.change} ${e.alarm.clearReason}` : e.kind === 'work_order' ? `order ${e.change}` : e.kind))).toEqual(['alarm cleared rule_removed', 'order cancel', 'notify']);
  });
});
