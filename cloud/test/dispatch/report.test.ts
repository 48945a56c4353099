import { describe, expect, it } from 'vitest';
import { policyFor } from '../../src/dispatch/policy.ts';
import { slaReport, slaReportCsv } from '../../src/dispatch/report.ts';
import { applyOrderAction, createWorkOrder } from '../../src/dispatch/work-orders.ts';
import { defaultRules } from './fixtures.ts';
import type { OrderAction, WorkOrder } from '@atrium/shared';

const ruleSet = defaultRules();
const MIN = 60_000;
// Melbourne is UTC+11 in January: 10:00 local on the 12th is 23:00 UTC on the 11th.
const DAY1 = Date.UTC(2026, 0, 11, 23, 0); // 2026-01-12 10:00 local
const DAY2 = Date.UTC(2026, 0, 12, 22, 0); // 2026-01-13 09:00 local
const AS_OF = DAY2 + 3 * 60 * MIN; // 2026-01-13 12:00 local

let n = 0;
/** An order of `type` created at `t0`, then actions at minute offsets: [minutes, action]. */
function order(type: string, t0: number, steps: Array<[number, OrderAction]>): WorkOrder {
  let o = createWorkOrder({ id: `wo-${++n}`, siteId: 'demo-mall', policy: policyFor(ruleSet, type)!, alarmId: 'al-x', subject: { kind: 'zone', id: 'g-restroom-w' }, zoneId: 'g-restroom-w', floorId: 'g', now: t0 });
  for (const [m, a] of steps) {
    const r = applyOrderAction(o, a, t0 + m * MIN);
    if (!r.ok) throw new Error(r.error.message);
    o = r.order;
  }
  return o;
}
const by = 'cl-1';
const full = (accept: number, arrive: number, resolve: number): Array<[number, OrderAction]> => [
  [0, { kind: 'assign', staffId: by, by: 'system' }],
  [accept, { kind: 'accept', by }],
  [arrive, { kind: 'arrive', by }],
  [resolve, { kind: 'resolve', by }],
  [resolve + 10, { kind: 'verify', by: 'system', method: 'sensors' }],
];

describe('SLA report', () => {
  // Cleaning targets: accept 5 min, arrive 15 min, resolve 45 min. Security: 2, 5, 30.
  const orders = [
    order('restroom_cleaning', DAY1, full(3, 10, 30)), // A: all met
    order('restroom_cleaning', DAY1 + 60 * MIN, full(7, 20, 40)), // B: accept and arrive late, resolve met
    order('restroom_cleaning', DAY1 + 120 * MIN, [[2, { kind: 'cancel', by: 'system', reason: 'self cleared' }]]), // C: cancelled before anything was due
    order('restroom_cleaning', DAY1 + 180 * MIN, [[0, { kind: 'assign', staffId: by, by: 'system' }], [8, { kind: 'cancel', by: 'system', reason: 'self cleared' }]]), // F: accept was due, missed
    order('restroom_cleaning', AS_OF - 10 * MIN, []), // D: still open, accept overdue, arrive not yet due
    order('security_breach', DAY2, [
      [0, { kind: 'assign', staffId: 'sec-1', by: 'system' }],
      [2, { kind: 'unassign', by: 'system', reason: 'not accepted' }],
      [2, { kind: 'assign', staffId: 'sec-2', by: 'system' }],
      [3, { kind: 'accept', by: 'sec-2' }],
      [4, { kind: 'arrive', by: 'sec-2' }],
      [20, { kind: 'resolve', by: 'sec-2' }],
      [25, { kind: 'verify', by: 'sup', method: 'supervisor' }],
    ]), // E: accepted after 3 min (target 2) by the second guard; arrive and resolve met
  ];

  it('computes compliance and mean times per type and local day, by hand', () => {
    const rows = slaReport(orders, { timezone: 'Australia/Melbourne', asOf: AS_OF });
    const view = rows.map((r) => [
      r.type, r.day, r.orders, r.cancelled, r.verified,
      `${r.accept.met}/${r.accept.due}`, r.accept.meanS,
      `${r.arrive.met}/${r.arrive.due}`, r.arrive.meanS,
      `${r.resolve.met}/${r.resolve.due}`, r.resolve.meanS,
    ]);
    expect(view).toEqual([
      // A, B, C, F: accept due for A, B, F (met A); mean accept (180 + 420) / 2; arrive (600 + 1200) / 2; resolve (1800 + 2400) / 2
      ['restroom_cleaning', '2026-01-12', 4, 2, 2, '1/3', 300, '1/2', 900, '2/2', 2100],
      // D: accept overdue, nothing reached
      ['restroom_cleaning', '2026-01-13', 1, 0, 0, '0/1', null, '0/0', null, '0/0', null],
      ['restroom_cleaning', 'all', 5, 2, 2, '1/4', 300, '1/2', 900, '2/2', 2100],
      // E: first accept 3 min after creation (the reassignment does not restart the clock)
      ['security_breach', '2026-01-13', 1, 0, 1, '0/1', 180, '1/1', 240, '1/1', 1200],
      ['security_breach', 'all', 1, 0, 1, '0/1', 180, '1/1', 240, '1/1', 1200],
      ['all', '2026-01-12', 4, 2, 2, '1/3', 300, '1/2', 900, '2/2', 2100],
      ['all', '2026-01-13', 2, 0, 1, '0/2', 180, '1/1', 240, '1/1', 1200],
      // mean accept (180 + 420 + 180) / 3, arrive (600 + 1200 + 240) / 3, resolve (1800 + 2400 + 1200) / 3
      ['all', 'all', 6, 2, 3, '1/5', 260, '2/3', 680, '3/3', 1800],
    ]);
    expect(rows.at(-1)?.accept.compliance).toBe(0.2);
    expect(rows[0]?.accept.compliance).toBeCloseTo(1 / 3);
    expect(rows[1]?.arrive.compliance).toBeNull();
  });

  it('renders CSV with a header, percentages and empty cells for nothing due', () => {
    const csv = slaReportCsv(slaReport(orders, { timezone: 'Australia/Melbourne', asOf: AS_OF }));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('type,day,orders,cancelled,verified,accept_due,accept_met,accept_compliance_pct,accept_mean_s,arrive_due,arrive_met,arrive_compliance_pct,arrive_mean_s,resolve_due,resolve_met,resolve_compliance_pct,resolve_mean_s');
    expect(lines[1]).toBe('restroom_cleaning,2026-01-12,4,2,2,3,1,33.3,300,2,1,50.0,900,2,2,100.0,2100');
    expect(lines[2]).toBe('restroom_cleaning,2026-01-13,1,0,0,1,0,0.0,,0,0,,,0,0,,');
    expect(lines.at(-2)).toBe('all,all,6,2,3,5,1,20.0,260,3,2,66.7,680,3,3,100.0,1800');
    expect(csv.endsWith('\r\n')).toBe(true);
  });
});
