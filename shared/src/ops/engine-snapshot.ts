import { z } from 'zod';
import { SiteId } from '../ids.ts';
import { RuleSet } from '../rules.ts';
import { Alarm } from './alarm.ts';
import { StaffMember } from './staff.ts';
import { At } from './time.ts';
import { WorkOrder } from './work-order.ts';

/**
 * The engine's state as stored: what a restart restores. It carries a format version; a newer
 * build meets an older snapshot through `upgradeSnapshot` (one step per version), so changing
 * this shape means bumping SNAPSHOT_VERSION and adding the step, never a silent cast.
 */
export const SNAPSHOT_VERSION = 2;

const changedAt = At.nullable();
/** Per (rule, subject) state machines of the rules engine (cloud/src/rules/machines.ts). */
export const LevelState = z.object({
  k: z.literal('level'),
  active: z.boolean(),
  pendingSince: At.nullable(),
  prevPending: At.nullable(),
  last: z.object({ start: At, end: At, sum: z.number(), weight: z.number() }).nullable(),
  value: z.number().nullable(),
  changedAt,
});
export const CounterState = z.object({ k: z.literal('counter'), active: z.boolean(), count: z.number(), since: At, changedAt });
export const EventState = z.object({ k: z.literal('event'), active: z.boolean(), recent: z.array(At), lastEventAt: At.nullable(), changedAt });
export const SilenceState = z.object({ k: z.literal('silence'), active: z.boolean(), lastSeen: At.nullable(), heardSince: At.nullable(), changedAt });
export const CompositeState = z.object({ k: z.literal('composite'), active: z.boolean(), changedAt });
export const SubjectState = z.discriminatedUnion('k', [LevelState, CounterState, EventState, SilenceState, CompositeState]);
export type LevelState = z.infer<typeof LevelState>;
export type CounterState = z.infer<typeof CounterState>;
export type EventState = z.infer<typeof EventState>;
export type SilenceState = z.infer<typeof SilenceState>;
export type CompositeState = z.infer<typeof CompositeState>;
export type SubjectState = z.infer<typeof SubjectState>;

/** An edge gateway as the cloud hears it: the cloud's clock at its last uplink, and the start of the current unbroken run. */
export const GatewayLink = z.object({ lastSeen: At, since: At });
export type GatewayLink = z.infer<typeof GatewayLink>;

export const RulesSnapshot = z.object({
  ruleSet: RuleSet,
  /** when each rule (in its current form) started: the baseline of counters and silence */
  since: z.record(z.string(), At),
  /** rule id → subject key → state; a missing entry is the initial state */
  subjects: z.record(z.string(), z.record(z.string(), SubjectState)),
  gateways: z.record(z.string(), GatewayLink).default({}),
  /** which gateway each device was last heard through */
  deviceGateway: z.record(z.string(), z.string()).default({}),
});
export type RulesSnapshot = z.infer<typeof RulesSnapshot>;

export const AlarmsState = z.object({
  byId: z.record(z.string(), Alarm),
  /** `${ruleId}|${subjectKey}` → id of the open (raised or acknowledged) alarm */
  open: z.record(z.string(), z.string()),
  /** last id number handed out */
  seq: z.number().int().min(0),
});
export type AlarmsState = z.infer<typeof AlarmsState>;

export const DispatchState = z.object({
  orders: z.record(z.string(), WorkOrder),
  /** last work order number handed out */
  seq: z.number().int().min(0),
  roster: z.record(z.string(), StaffMember),
});
export type DispatchState = z.infer<typeof DispatchState>;

export const EngineSnapshot = z.object({
  version: z.literal(SNAPSHOT_VERSION),
  siteId: SiteId,
  rules: RulesSnapshot,
  alarms: AlarmsState,
  dispatch: DispatchState,
});
export type EngineSnapshot = z.infer<typeof EngineSnapshot>;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const mapValues = (v: unknown, f: (x: Json) => Json): unknown => (isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, isObject(x) ? f(x) : x])) : v);

/**
 * Brings a stored snapshot of any earlier format up to SNAPSHOT_VERSION; the result still has
 * to pass EngineSnapshot. Version 1 (no `version` field) predates sites on records: every
 * record in it belongs to the site the snapshot was stored for.
 */
export function upgradeSnapshot(raw: unknown, siteId: string): unknown {
  if (!isObject(raw)) return raw;
  let snap = raw;
  if (snap.version === undefined) {
    const withSite = (x: Json): Json => ({ ...x, siteId });
    const alarms = isObject(snap.alarms) ? { ...snap.alarms, byId: mapValues(snap.alarms.byId, withSite) } : snap.alarms;
    const dispatch = isObject(snap.dispatch) ? { ...snap.dispatch, orders: mapValues(snap.dispatch.orders, withSite), roster: mapValues(snap.dispatch.roster, withSite) } : snap.dispatch;
    snap = { ...snap, version: 2, siteId, alarms, dispatch };
  }
  return snap;
}
