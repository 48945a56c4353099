import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Alarm, type Effect, type EngineInput, loadSiteFile, type Observation, type StaffMember, type StaffRole, type WorkOrder } from '@atrium/shared';
import { createEngine, step, tick, type EngineState } from '../../src/dispatch/engine.ts';
import { parseRuleSet } from '../../src/rules/load.ts';
import { RuleSet } from '@atrium/shared';
import { siteFacts } from '../../src/rules/subjects.ts';

export const demo = loadSiteFile();
export const facts = siteFacts(demo);
export const T0 = Date.UTC(2026, 0, 12, 0, 0, 0); // 11:00 in Melbourne, a Monday
export const MIN = 60_000;
export const at = (m: number) => T0 + m * MIN;

export function defaultRules(): RuleSet {
  const r = parseRuleSet(readFileSync(fileURLToPath(new URL('../../rules/default.json', import.meta.url)), 'utf8'), facts);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.ruleSet;
}

export const rules = (rules: readonly unknown[], extra: Record<string, unknown> = {}): RuleSet => RuleSet.parse({ version: 1, rules, ...extra });

/** On shift from an hour before T0 for twelve hours unless told otherwise. */
export function person(id: string, roles: StaffRole[], zoneId: string | null, extra: Partial<StaffMember> = {}): StaffMember {
  return { siteId: demo.id, id, name: id.replace(/-/g, ' '), roles, zoneId, available: true, shifts: [{ from: T0 - 3600_000, to: T0 + 12 * 3600_000 }], ...extra };
}

export const roster = (...people: StaffMember[]) => Object.fromEntries(people.map((p) => [p.id, p]));

export function engine(ruleSet: RuleSet, people: StaffMember[]): EngineState {
  return createEngine({ site: demo, ruleSet, now: T0, roster: roster(...people) });
}

/**
 * A small harness: applies inputs and ticks, collects effects, fails loudly on a refusal unless
 * asked. Orders and alarms are looked up as the control room sees them: in the engine while it
 * holds them, else as the last effect left them (what the store keeps once the engine retired
 * a closed order or a cleared alarm).
 */
export class Harness {
  effects: Effect[] = [];
  constructor(public state: EngineState) {}
  do(input: EngineInput, now: number) {
    const r = step(this.state, input, now);
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    this.state = r.state;
    this.effects.push(...r.effects);
    return r.effects;
  }
  try(input: EngineInput, now: number) {
    const r = step(this.state, input, now);
    if (r.ok) {
      this.state = r.state;
      this.effects.push(...r.effects);
    }
    return r;
  }
  observe(obs: Observation, now: number) {
    return this.do({ kind: 'observe', observation: obs }, now);
  }
  tick(now: number) {
    const r = tick(this.state, now);
    this.state = r.state;
    this.effects.push(...r.effects);
    return r.effects;
  }
  order(id: string): WorkOrder {
    const o = this.state.dispatch.orders.get(id) ?? this.stored().orders.get(id);
    if (!o) throw new Error(`no order ${id}`);
    return o;
  }
  /** Every order so far, by number. */
  orders(): WorkOrder[] {
    const all = new Map(this.stored().orders);
    for (const o of this.state.dispatch.orders.values()) all.set(o.id, o);
    return [...all.values()].sort((a, b) => Number(a.id.slice(3)) - Number(b.id.slice(3)));
  }
  alarm(id: string): Alarm {
    const a = this.state.alarms.byId.get(id) ?? this.stored().alarms.get(id);
    if (!a) throw new Error(`no alarm ${id}`);
    return a;
  }
  /** Orders and alarms as the effects so far left them. */
  private stored() {
    const orders = new Map<string, WorkOrder>();
    const alarms = new Map<string, Alarm>();
    for (const e of this.effects) {
      if (e.kind === 'work_order') orders.set(e.order.id, e.order);
      else if (e.kind === 'alarm') alarms.set(e.alarm.id, e.alarm);
    }
    return { orders, alarms };
  }
  /** Compact lines for the effects since `from`, easy to read in a failing assertion. */
  log(from = 0): string[] {
    return this.effects.slice(from).map(describe);
  }
}

export function describe(e: Effect): string {
  switch (e.kind) {
    case 'alarm':
      return `alarm ${e.change} ${e.alarm.id} ${e.alarm.type} ${e.alarm.subject.id}`;
    case 'work_order':
      return `order ${e.order.id} ${e.change} → ${e.order.status}${e.order.assignee ? ` (${e.order.assignee})` : ''}`;
    case 'notify':
      return `notify ${e.audience} [${e.to.join(',')}] ${e.orderId} ${e.reason}`;
    case 'sla_breach':
      return `breach ${e.orderId} ${e.stage}`;
    case 'counters_reset':
      return `reset ${e.zoneId} ${e.cause}`;
    case 'staff':
      return `staff ${e.staff.id} @${e.staff.zoneId}`;
  }
}
