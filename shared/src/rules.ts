import { z } from 'zod';
import { GatewayId, Slug } from './ids.ts';
import { ENV_METRICS, GATE_EVENTS, LOCKER_EVENTS } from './payloads.ts';
import { DEVICE_KINDS } from './topics.ts';
import { ZONE_KINDS } from './site.ts';

/**
 * The rules file: what the operators of a mall edit (cloud/rules/default.json is the demo
 * mall's). It says which conditions raise which alarms, and how each alarm type is
 * dispatched. Every rule kind carries hysteresis or a minimum duration, because a rule that
 * flaps on a noisy sensor sends a cleaner back and forth and teaches staff to ignore alarms.
 * A cross-process contract: the REST API serves and accepts it, and engine snapshots carry it.
 */

export const SEVERITIES = ['info', 'minor', 'major', 'critical'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

/** Roles work orders are dispatched to; `supervisor` is a roster role but never dispatched. */
export const DISPATCH_ROLES = ['cleaner', 'security', 'technician'] as const;
export type DispatchRole = (typeof DISPATCH_ROLES)[number];

/** Locker and gate event types a rule can react to (`state` is a snapshot, not an event). */
export const DEVICE_EVENT_TYPES = [...new Set([...LOCKER_EVENTS, ...GATE_EVENTS])] as [string, ...string[]];

const MAX_S = 30 * 86_400;
const Seconds = z.number().int('must be whole seconds').min(0).max(MAX_S);
const PositiveSeconds = z.number().int('must be whole seconds').min(1).max(MAX_S);

/** Zones a rule watches; all given filters must match (an empty selector means every zone). */
export const ZoneSelector = z.strictObject({
  zoneKinds: z.array(z.enum(ZONE_KINDS)).min(1).optional(),
  zoneIds: z.array(Slug).min(1).optional(),
  floorIds: z.array(Slug).min(1).optional(),
});
/** Devices a rule watches, optionally narrowed by where they are mounted. */
export const DeviceSelector = z.strictObject({
  deviceKinds: z.array(z.enum(DEVICE_KINDS)).min(1).optional(),
  deviceIds: z.array(Slug).min(1).optional(),
  zoneKinds: z.array(z.enum(ZONE_KINDS)).min(1).optional(),
  zoneIds: z.array(Slug).min(1).optional(),
  floorIds: z.array(Slug).min(1).optional(),
});

export const AlarmSpec = z.strictObject({ type: Slug, severity: Severity });

/** A rule without `alarm` is a building block for composites: tracked, never raised on its own. */
const common = {
  id: Slug,
  description: z.string().max(500).optional(),
  enabled: z.boolean().default(true),
  alarm: AlarmSpec.optional(),
};

/** One side of a hysteresis band: the value must stay beyond it for `forS`. */
const Bound = z
  .strictObject({ above: z.number().optional(), below: z.number().optional(), forS: Seconds })
  .refine((b) => (b.above === undefined) !== (b.below === undefined), 'give exactly one of "above" or "below"');

/**
 * Longest gap between samples still taken as "the condition held throughout": a sensor that
 * goes quiet for longer restarts the clock instead of confirming on stale evidence.
 */
const maxGapS = PositiveSeconds.default(180);

export const ThresholdRule = z
  .strictObject({
    ...common,
    kind: z.literal('threshold'),
    metric: z.enum(ENV_METRICS),
    subjects: ZoneSelector.prefault({}),
    raise: Bound,
    clear: Bound,
    maxGapS,
  })
  .superRefine((r, ctx) => {
    // The clear side must be the opposite direction and no further than the raise side, or the
    // rule would raise and clear on the same value: that is the flapping this rule exists to stop.
    if (r.raise.above !== undefined) {
      if (r.clear.below === undefined) ctx.addIssue({ code: 'custom', path: ['clear', 'below'], message: 'a rule raised "above" must clear "below"' });
      else if (r.clear.below > r.raise.above) ctx.addIssue({ code: 'custom', path: ['clear', 'below'], message: `must be at most raise.above (${r.raise.above})` });
    }
    if (r.raise.below !== undefined) {
      if (r.clear.above === undefined) ctx.addIssue({ code: 'custom', path: ['clear', 'above'], message: 'a rule raised "below" must clear "above"' });
      else if (r.clear.above < r.raise.below) ctx.addIssue({ code: 'custom', path: ['clear', 'above'], message: `must be at least raise.below (${r.raise.below})` });
    }
  });

export const DensityRule = z
  .strictObject({
    ...common,
    kind: z.literal('density'),
    subjects: ZoneSelector.prefault({}),
    /** people per m2 (live occupancy / zone area) */
    raise: z.strictObject({ above: z.number().positive(), forS: Seconds }),
    clear: z.strictObject({ below: z.number().min(0), forS: Seconds }),
    maxGapS,
  })
  .refine((r) => r.clear.below <= r.raise.above, { path: ['clear', 'below'], message: 'must be at most raise.above' });

export const CounterRule = z.strictObject({
  ...common,
  kind: z.literal('counter'),
  /** `visits`: line crossings into the zone (zone footfall `in`), summed since the last reset. */
  counts: z.literal('visits').default('visits'),
  subjects: ZoneSelector.prefault({}),
  raiseAt: z.number().int().min(1),
  /** Reset causes that zero the counter (a resolved cleaning order emits `cleaning`). */
  resetOn: z.array(Slug).min(1).default(['cleaning']),
});

export const EventRule = z.strictObject({
  ...common,
  kind: z.literal('event'),
  subjects: DeviceSelector.prefault({}),
  events: z.array(z.enum(DEVICE_EVENT_TYPES)).min(1),
  /** Raise only after this many events within the window (debounces noisy detectors). */
  count: z.strictObject({ atLeast: z.number().int().min(1), withinS: PositiveSeconds }).optional(),
  /**
   * How it clears: on a following event (locker `door_close`), after a quiet period, or,
   * with neither, only by a person (operator clear or a work order resolved).
   */
  clear: z
    .strictObject({ onEvents: z.array(z.enum(DEVICE_EVENT_TYPES)).min(1).optional(), afterQuietS: PositiveSeconds.optional() })
    .prefault({}),
});

export const SilenceRule = z.strictObject({
  ...common,
  kind: z.literal('silence'),
  subjects: DeviceSelector.prefault({}),
  /** Quiet for factor × the device's reportIntervalS raises … */
  factor: z.number().min(1).max(100).default(3),
  /** … but never sooner than this: minute aggregation at the edge delays evidence ~65 s. */
  minQuietS: Seconds.default(0),
  /** Heard continuously for this long clears it (0: the first message clears). */
  clear: z.strictObject({ heardForS: Seconds.default(0) }).prefault({}),
});

/**
 * An edge gateway from which no uplink has reached the cloud for `quietS`: one alarm for the
 * gateway (the devices behind it are unknown, not silent, and raise nothing). A stall shorter
 * than `quietS` raises nothing at all.
 */
export const GatewaySilenceRule = z.strictObject({
  ...common,
  kind: z.literal('gateway_silence'),
  /** gateways of the site model (their location is where the job is); empty: all of them */
  subjects: z.strictObject({ gatewayIds: z.array(GatewayId).min(1).optional() }).prefault({}),
  quietS: PositiveSeconds.default(300),
  /** Heard continuously for this long clears it (0: the first uplink clears). */
  clear: z.strictObject({ heardForS: Seconds.default(60) }).prefault({}),
});

export const CompositeRule = z.strictObject({
  ...common,
  kind: z.literal('composite'),
  op: z.enum(['all', 'any']),
  /** Ids of other rules, evaluated per subject; all must watch the same kind of subject. */
  of: z.array(Slug).min(2),
});

export const Rule = z.discriminatedUnion('kind', [ThresholdRule, DensityRule, CounterRule, EventRule, SilenceRule, GatewaySilenceRule, CompositeRule]);

const Sla = z
  .strictObject({ acceptS: PositiveSeconds, arriveS: PositiveSeconds, resolveS: PositiveSeconds })
  .partial()
  .superRefine((s, ctx) => {
    if (s.acceptS !== undefined && s.arriveS !== undefined && s.arriveS < s.acceptS) ctx.addIssue({ code: 'custom', path: ['arriveS'], message: 'must be at least acceptS' });
    if (s.arriveS !== undefined && s.resolveS !== undefined && s.resolveS < s.arriveS) ctx.addIssue({ code: 'custom', path: ['resolveS'], message: 'must be at least arriveS' });
  });

export const DispatchPolicy = z.strictObject({
  role: z.enum(DISPATCH_ROLES),
  /** 1 (most urgent) … 4; default by role (security 1, cleaner 2, technician 3). */
  priority: z.number().int().min(1).max(4).optional(),
  /** SLA targets from creation; missing ones default by role (dispatch/policy.ts). */
  sla: Sla.optional(),
  verify: z
    .strictObject({
      /** sensors: the alarm cleared and stayed clear `clearForS`; supervisor: a person signs off; none: resolved is done. */
      by: z.enum(['sensors', 'supervisor', 'none']).default('sensors'),
      clearForS: Seconds.default(600),
      /** Sensors that still show the problem this long after resolution reopen the order. */
      withinS: PositiveSeconds.default(3600),
    })
    .prefault({}),
  /** Cancel the order when every alarm behind it clears before anyone is on site. */
  cancelOnSelfClear: z.boolean().default(true),
  /** Resolving the order clears its alarms (for event alarms that have nothing else to clear them). */
  resolveClearsAlarm: z.boolean().default(false),
  /** Resolving the order resets counters of its zone with this cause (e.g. `cleaning`). */
  resetOnResolve: Slug.optional(),
  /**
   * Alarms of this type in one zone within this many seconds of the order's creation join it
   * (the order counts them) instead of making an order each: three dead sensors in one
   * corridor are one trip. 0: only alarms about the same subject join.
   */
  groupWithinS: Seconds.default(0),
});

export const AssignmentConfig = z
  .strictObject({
    /** People with this many open orders (assigned, accepted, on site) are not free. */
    maxActivePerPerson: z.number().int().min(1).max(20).default(1),
    /** Metres a floor change costs on top of the plan distance (walk to the escalator and back). */
    floorPenaltyM: z.number().min(0).default(40),
    /** Metres each open order adds to a person's score … */
    loadPenaltyM: z.number().min(0).default(150),
    /** … and each order they resolved within `recentWindowS`, so work spreads across the shift. */
    recentPenaltyM: z.number().min(0).default(25),
    recentWindowS: PositiveSeconds.default(8 * 3600),
  })
  .prefault({});

export const RuleSet = z
  .strictObject({
    version: z.literal(1),
    description: z.string().max(2000).optional(),
    rules: z.array(Rule).max(1000),
    /**
     * A gateway not heard from for this long is quiet: the devices behind it are unknown, and
     * their silence counts again only from when it delivers again (a gateway's backlog arrives
     * over seconds; its devices must not look silent meanwhile).
     */
    gatewayQuietS: PositiveSeconds.default(120),
    /** Alarm type → how it is dispatched; an alarm type without an entry is shown, never dispatched. */
    dispatch: z.record(Slug, DispatchPolicy).default({}),
    assignment: AssignmentConfig,
  })
  .superRefine((set, ctx) => {
    const index = new Map<string, number>();
    set.rules.forEach((r, i) => {
      if (index.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id "${r.id}"` });
      else index.set(r.id, i);
    });
    // Composites: known, enabled children of one subject kind, and no cycles.
    const kindOf = (id: string, seen: Set<string>): 'zone' | 'device' | 'gateway' | 'mixed' | 'cycle' | undefined => {
      const i = index.get(id);
      const r = i === undefined ? undefined : set.rules[i];
      if (!r) return undefined;
      if (r.kind !== 'composite') return r.kind === 'event' || r.kind === 'silence' ? 'device' : r.kind === 'gateway_silence' ? 'gateway' : 'zone';
      if (seen.has(id)) return 'cycle';
      const kinds = new Set(r.of.map((c) => kindOf(c, new Set([...seen, id]))));
      if (kinds.has('cycle')) return 'cycle';
      if (kinds.size !== 1 || kinds.has(undefined) || kinds.has('mixed')) return 'mixed';
      return [...kinds][0];
    };
    set.rules.forEach((r, i) => {
      if (r.kind !== 'composite') return;
      r.of.forEach((child, j) => {
        const ci = index.get(child);
        const c = ci === undefined ? undefined : set.rules[ci];
        if (!c) ctx.addIssue({ code: 'custom', path: ['rules', i, 'of', j], message: `unknown rule "${child}"` });
        else if (child === r.id) ctx.addIssue({ code: 'custom', path: ['rules', i, 'of', j], message: 'a composite cannot contain itself' });
        else if (!c.enabled && r.enabled) ctx.addIssue({ code: 'custom', path: ['rules', i, 'of', j], message: `rule "${child}" is disabled` });
      });
      if (r.of.every((c) => index.has(c))) {
        const k = kindOf(r.id, new Set());
        if (k === 'cycle') ctx.addIssue({ code: 'custom', path: ['rules', i, 'of'], message: 'composites form a cycle' });
        else if (k === 'mixed') ctx.addIssue({ code: 'custom', path: ['rules', i, 'of'], message: 'all parts must watch the same kind of subject (zones or devices)' });
      }
    });
    // A policy for an alarm type no rule raises is almost always a typo on one side.
    const raised = new Set(set.rules.flatMap((r) => (r.alarm ? [r.alarm.type] : [])));
    for (const type of Object.keys(set.dispatch)) {
      if (!raised.has(type)) ctx.addIssue({ code: 'custom', path: ['dispatch', type], message: `no rule raises alarm type "${type}"` });
    }
  });

export type ZoneSelector = z.infer<typeof ZoneSelector>;
export type DeviceSelector = z.infer<typeof DeviceSelector>;
export type AlarmSpec = z.infer<typeof AlarmSpec>;
export type ThresholdRule = z.infer<typeof ThresholdRule>;
export type DensityRule = z.infer<typeof DensityRule>;
export type CounterRule = z.infer<typeof CounterRule>;
export type EventRule = z.infer<typeof EventRule>;
export type SilenceRule = z.infer<typeof SilenceRule>;
export type GatewaySilenceRule = z.infer<typeof GatewaySilenceRule>;
export type CompositeRule = z.infer<typeof CompositeRule>;
export type Rule = z.infer<typeof Rule>;
export type DispatchPolicy = z.infer<typeof DispatchPolicy>;
export type AssignmentConfig = z.infer<typeof AssignmentConfig>;
export type RuleSet = z.infer<typeof RuleSet>;
export type RuleSetInput = z.input<typeof RuleSet>;

/** Zone rules watch zones; event and silence rules watch devices; gateway rules gateways; composites inherit. */
export function subjectKindOf(rule: Rule, byId: ReadonlyMap<string, Rule>): 'zone' | 'device' | 'gateway' {
  if (rule.kind === 'event' || rule.kind === 'silence') return 'device';
  if (rule.kind === 'gateway_silence') return 'gateway';
  if (rule.kind !== 'composite') return 'zone';
  const first = byId.get(rule.of[0] ?? '');
  return first ? subjectKindOf(first, byId) : 'zone';
}
