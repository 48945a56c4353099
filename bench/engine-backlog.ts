import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSiteFile, SNAPSHOT_VERSION, type Alarm, type EngineSnapshot, type StaffMember, type WorkOrder } from '@atrium/shared';
import { withDeviceCopies } from '../firmware-sim/src/mall/scale.ts';
import { openKey } from '../cloud/src/dispatch/alarms.ts';
import { createEngine, restoreEngine, snapshotEngine, type EngineState } from '../cloud/src/dispatch/engine.ts';
import { policyFor } from '../cloud/src/dispatch/policy.ts';
import { createWorkOrder } from '../cloud/src/dispatch/work-orders.ts';
import { parseRuleSet } from '../cloud/src/rules/load.ts';
import { siteFacts } from '../cloud/src/rules/subjects.ts';

const T0 = Date.UTC(2026, 0, 12, 0, 0, 0); // 11:00 in Melbourne, a Monday
/** Devices enough for 10,000 distinct alarm subjects; the same site for every backlog size, so only the backlog differs. */
const COPIES = 40;
const GUARDS = 80;

/**
 * An engine with `open` raised locker_fault alarms, each behind its own work order waiting in
 * the queue (no technician on shift: the supervisor was told once), and a guard free for every
 * forced door the bench raises. Built as a stored snapshot and restored, the way a restart
 * meets a backlog, so the bench does not depend on how the engine holds its state.
 */
export function engineWithBacklog(open: number): { state: EngineState; gates: string[]; now: number } {
  const site = withDeviceCopies(loadSiteFile(), COPIES);
  const facts = siteFacts(site);
  const parsed = parseRuleSet(readFileSync(fileURLToPath(new URL('../cloud/rules/default.json', import.meta.url)), 'utf8'), facts);
  if (!parsed.ok) throw new Error('shipped rules do not parse');
  const ruleSet = parsed.ruleSet;
  const policy = policyFor(ruleSet, 'locker_fault');
  if (!policy) throw new Error('shipped rules dispatch no locker_fault');
  const roster: Record<string, StaffMember> = {};
  for (let g = 0; g < GUARDS; g++) {
    const id = `guard-${g}`;
    roster[id] = { siteId: site.id, id, name: `Guard ${g}`, roles: ['security'], zoneId: 'g-atrium', available: true, shifts: [{ from: T0 - 3600_000, to: T0 + 12 * 3600_000 }] };
  }
  const snap: EngineSnapshot = snapshotEngine(createEngine({ site, ruleSet, now: T0, roster }));
  const byId: Record<string, Alarm> = {};
  const openKeys: Record<string, string> = {};
  const orders: Record<string, WorkOrder> = {};
  const devices = site.devices.filter((d) => d.kind !== 'gate');
  if (devices.length < open) throw new Error(`bench: ${open} subjects wanted, the site has ${devices.length}`);
  for (let i = 0; i < open; i++) {
    const d = devices[i]!;
    const zone = facts.zones.get(d.zoneId)!;
    const id = `al-${i + 1}`;
    const subject = { kind: 'device' as const, id: d.id };
    byId[id] = {
      id, siteId: site.id, ruleId: 'locker-fault', subject, zoneId: zone.id, type: 'locker_fault', severity: 'major', status: 'raised', raisedAt: T0, observedAt: T0, value: null,
      acknowledgedAt: null, acknowledgedBy: null, clearedAt: null, clearedBy: null, clearReason: null, history: [{ at: T0, action: 'raised', by: 'system', note: null }],
    };
    openKeys[openKey('locker-fault', subject)] = id;
    const order = createWorkOrder({ id: `wo-${i + 1}`, siteId: site.id, policy, alarmId: id, subject, zoneId: zone.id, floorId: zone.floorId, now: T0 });
    orders[order.id] = { ...order, history: [...order.history, { at: T0, by: 'system', action: 'queued', from: 'open', to: 'open', staffId: null, reason: 'nobody free with the role technician' }] };
  }
  const backlog: EngineSnapshot = { ...snap, version: SNAPSHOT_VERSION, alarms: { byId, open: openKeys, seq: open }, dispatch: { ...snap.dispatch, orders, seq: open } };
  const gates = site.devices.filter((d) => d.kind === 'gate').map((d) => d.id);
  return { state: restoreEngine(backlog, site), gates, now: T0 };
}
