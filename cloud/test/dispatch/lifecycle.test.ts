import { describe, expect, it } from 'vitest';
import { applyAlarm, initialAlarms } from '../../src/dispatch/alarms.ts';
import { DISPATCH_ERRORS, dispatchError } from '../../src/dispatch/errors.ts';
import { policyFor, ROLE_DEFAULTS } from '../../src/dispatch/policy.ts';
import { applyOrderAction, createWorkOrder } from '../../src/dispatch/work-orders.ts';
import type { RuleTransition } from '../../src/rules/evaluate.ts';
import { at, defaultRules, T0 } from './fixtures.ts';
import type { OrderAction, WorkOrder } from '@atrium/shared';

const raise = (ruleId: string, id: string, t = T0): RuleTransition => ({
  ruleId, subject: { kind: 'device', id }, change: 'raise', at: t, alarm: { type: 'security_breach', severity: 'critical' }, reason: 'condition', value: null,
});

describe('alarms', () => {
  it('go raised → acknowledged → cleared, one open per rule and subject, with who and when', () => {
    let s = initialAlarms();
    let r = applyAlarm(s, { kind: 'raise', transition: raise('forced', 'gt-g-east-door'), zoneId: 'g-service-e', siteId: 'demo-mall' }, at(0));
    expect(r.ok && r.alarm).toMatchObject({ id: 'al-1', status: 'raised', severity: 'critical', zoneId: 'g-service-e', raisedAt: at(0) });
    s = r.ok ? r.state : s;
    // The same rule and subject again: still the one alarm.
    r = applyAlarm(s, { kind: 'raise', transition: raise('forced', 'gt-g-east-door', at(1)), zoneId: 'g-service-e', siteId: 'demo-mall' }, at(1));
    expect(r.ok && r.changed).toBe(false);
    expect(r.ok && r.state).toBe(s);
    // Another subject is another alarm.
    r = applyAlarm(s, { kind: 'raise', transition: raise('forced', 'gt-g-west-door'), zoneId: 'g-service-w', siteId: 'demo-mall' }, at(1));
    expect(r.ok && r.alarm?.id).toBe('al-2');
    s = r.ok ? r.state : s;
    r = applyAlarm(s, { kind: 'acknowledge', alarmId: 'al-1', by: 'sup-ann', note: 'on CCTV' }, at(2));
    s = r.ok ? r.state : s;
    expect(applyAlarm(s, { kind: 'acknowledge', alarmId: 'al-1', by: 'sup-ann' }, at(3))).toMatchObject({ ok: false, error: { code: 'ATRIUM_ALARM_INVALID_TRANSITION' } });
    r = applyAlarm(s, { kind: 'clear', ruleId: 'forced', subject: { kind: 'device', id: 'gt-g-east-door' }, by: 'system', reason: 'condition' }, at(4));
    s = r.ok ? r.state : s;
    expect(s.byId.get('al-1')).toMatchObject({ status: 'cleared', acknowledgedBy: 'sup-ann', acknowledgedAt: at(2), clearedBy: 'system', clearedAt: at(4) });
    expect(s.byId.get('al-1')!.history.map((h) => `${h.action} ${h.by} ${(h.at - T0) / 60_000}`)).toEqual(['raised system 0', 'acknowledged sup-ann 2', 'cleared system 4']);
    expect(applyAlarm(s, { kind: 'clear', alarmId: 'al-1', by: 'sup-ann', reason: 'manual' }, at(5))).toMatchObject({ ok: false, error: { code: 'ATRIUM_ALARM_INVALID_TRANSITION' } });
    expect(applyAlarm(s, { kind: 'acknowledge', alarmId: 'al-9', by: 'sup-ann' }, at(5))).toMatchObject({ ok: false, error: { code: 'ATRIUM_ALARM_NOT_FOUND', status: 404 } });
    // A rule clearing what a person already cleared is fine; a new raise opens a new alarm.
    expect(applyAlarm(s, { kind: 'clear', ruleId: 'forced', subject: { kind: 'device', id: 'gt-g-east-door' }, by: 'system', reason: 'condition' }, at(5))).toMatchObject({ ok: true, changed: false });
    r = applyAlarm(s, { kind: 'raise', transition: raise('forced', 'gt-g-east-door', at(6)), zoneId: 'g-service-e', siteId: 'demo-mall' }, at(6));
    expect(r.ok && r.alarm?.id).toBe('al-3');
  });
});

describe('work orders', () => {
  const policy = policyFor(defaultRules(), 'restroom_cleaning')!;
  const fresh = (): WorkOrder => createWorkOrder({ id: 'wo-1', siteId: 'demo-mall', policy, alarmId: 'al-1', subject: { kind: 'zone', id: 'g-restroom-w' }, zoneId: 'g-restroom-w', floorId: 'g', now: at(0) });
  const apply = (o: WorkOrder, a: OrderAction, m: number) => {
    const r = applyOrderAction(o, a, at(m));
    if (!r.ok) throw new Error(r.error.message);
    return r.order;
  };

  it('take SLA targets from the policy and role defaults', () => {
    expect(policy).toMatchObject({ role: 'cleaner', priority: 2, sla: ROLE_DEFAULTS.cleaner.sla, resetOnResolve: 'cleaning' });
    expect(policyFor(defaultRules(), 'security_breach')).toMatchObject({ role: 'security', priority: 1, sla: { acceptS: 120, arriveS: 300 } });
    expect(policyFor(defaultRules(), 'device_offline')).toMatchObject({ role: 'technician', priority: 4, sla: { acceptS: 900, arriveS: 1800 } });
    expect(fresh().due).toEqual({ acceptBy: at(5), arriveBy: at(15), resolveBy: at(45) });
  });

  it('run open → assigned → accepted → on_site → resolved → verified, every step stamped with who and when', () => {
    let o = fresh();
    o = apply(o, { kind: 'assign', staffId: 'cl-1', by: 'system', reason: 'nearest' }, 1);
    o = apply(o, { kind: 'accept', by: 'cl-1' }, 2);
    o = apply(o, { kind: 'arrive', by: 'cl-1' }, 6);
    o = apply(o, { kind: 'resolve', by: 'cl-1', note: 'restocked too' }, 20);
    o = apply(o, { kind: 'verify', by: 'system', method: 'sensors' }, 30);
    expect(o).toMatchObject({ status: 'verified', assignee: 'cl-1', acceptedAt: at(2), arrivedAt: at(6), resolvedAt: at(20), resolvedBy: 'cl-1', closedAt: at(30) });
    expect(o.history.map((h) => `${h.action} ${h.from ?? '-'}→${h.to} by ${h.by} @${(h.at - T0) / 60_000}${h.reason ? ` (${h.reason})` : ''}`)).toEqual([
      'created -→open by system @0 (alarm al-1)',
      'assign open→assigned by system @1 (nearest)',
      'accept assigned→accepted by cl-1 @2',
      'arrive accepted→on_site by cl-1 @6',
      'resolve on_site→resolved by cl-1 @20 (restocked too)',
      'verify resolved→verified by system @30 (sensors)',
    ]);
  });

  it('refuse invalid transitions with a stable code and leave the order as it was', () => {
    const o = fresh();
    expect(applyOrderAction(o, { kind: 'accept', by: 'cl-1' }, at(1))).toMatchObject({ ok: false, error: { code: 'ATRIUM_WORK_ORDER_INVALID_TRANSITION', status: 409, message: 'work order "wo-1" is open: cannot accept it' } });
    const assigned = apply(o, { kind: 'assign', staffId: 'cl-1', by: 'system' }, 1);
    expect(applyOrderAction(assigned, { kind: 'accept', by: 'cl-2' }, at(2))).toMatchObject({ ok: false, error: { code: 'ATRIUM_WORK_ORDER_NOT_ASSIGNEE' } });
    expect(applyOrderAction(assigned, { kind: 'decline', by: 'cl-1', reason: '  ' }, at(2))).toMatchObject({ ok: false, error: { code: 'ATRIUM_WORK_ORDER_REASON_REQUIRED' } });
    expect(applyOrderAction(assigned, { kind: 'resolve', by: 'cl-1' }, at(2))).toMatchObject({ ok: false, error: { code: 'ATRIUM_WORK_ORDER_INVALID_TRANSITION' } });
    const accepted = apply(assigned, { kind: 'accept', by: 'cl-1' }, 2);
    expect(applyOrderAction(accepted, { kind: 'verify', by: 'sup', method: 'supervisor' }, at(3))).toMatchObject({ ok: false });
    const cancelled = apply(apply(accepted, { kind: 'arrive', by: 'cl-1' }, 3), { kind: 'cancel', by: 'sup', reason: 'false alarm' }, 4);
    for (const a of [{ kind: 'reopen', by: 'sup', reason: 'x' }, { kind: 'assign', staffId: 'cl-1', by: 'sup' }, { kind: 'cancel', by: 'sup', reason: 'again' }] as OrderAction[]) {
      expect(applyOrderAction(cancelled, a, at(5))).toMatchObject({ ok: false, error: { code: 'ATRIUM_WORK_ORDER_INVALID_TRANSITION' } });
    }
    expect(o.history).toHaveLength(1); // untouched
  });

  it('decline returns it to the queue and excludes the decliner', () => {
    const o = apply(apply(fresh(), { kind: 'assign', staffId: 'cl-1', by: 'system' }, 1), { kind: 'decline', by: 'cl-1', reason: 'on a biohazard clean-up' }, 2);
    expect(o).toMatchObject({ status: 'open', assignee: null, excluded: ['cl-1'] });
    expect(o.history.at(-1)).toMatchObject({ action: 'decline', by: 'cl-1', staffId: 'cl-1', reason: 'on a biohazard clean-up' });
  });
});

describe('the error catalogue', () => {
  it('has one stable, prefixed code per refusal, with an HTTP status', () => {
    const codes = Object.keys(DISPATCH_ERRORS).map((k) => dispatchError(k as keyof typeof DISPATCH_ERRORS, 'x', 'y', 'z').code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^ATRIUM_[A-Z_]+$/);
    for (const e of Object.values(DISPATCH_ERRORS)) expect([400, 403, 404, 409]).toContain(e.status);
  });
});
