import type { CounterState, EventState, GatewayLink, LevelState, Observation, RulesSnapshot, SilenceState, SiteModel, SubjectRef, SubjectState } from '@atrium/shared';
import { subjectsOf } from './load.ts';
import {
  compositeInitial,
  counterAdd,
  counterInitial,
  counterReset,
  eventInitial,
  eventQuiet,
  levelInitial,
  silenceCheck,
  silenceInitial,
  silenceSeen,
  stepEvent,
  stepLevel,
  type Change,
  type Stepped,
} from './machines.ts';
import { subjectKindOf, type AlarmSpec, type GatewaySilenceRule, type Rule, type RuleSet } from '@atrium/shared';
import { gatewayHeard, silenceFloor } from './gateways.ts';
import { parseSubjectKey, siteFacts, subjectKey, type SiteFacts } from './subjects.ts';

/**
 * Rule evaluation on the live stream: `evaluate(state, observation, now)` folds one
 * observation into the per-(rule, subject) state machines and returns raise/clear
 * transitions. No I/O and no timers: `tick` observations move time for the rules that react
 * to its passing (silence, quiet periods), and all state is absolute timestamps.
 */

export type TransitionReason = 'condition' | 'reset' | 'manual' | 'quiet' | 'rule_changed' | 'rule_removed';
export interface RuleTransition {
  ruleId: string;
  subject: SubjectRef;
  change: 'raise' | 'clear';
  /** data time that confirmed it (the evaluation time for ticks and manual clears) */
  at: number;
  alarm: AlarmSpec;
  reason: TransitionReason;
  /** the signal behind a level rule, the count behind a counter */
  value: number | null;
}

interface CompiledRule {
  rule: Rule;
  subjects: ReadonlySet<string>;
}
/** Derived from the rule set and the site; never stored (snapshots leave it out). */
export interface CompiledRules {
  facts: SiteFacts;
  byId: ReadonlyMap<string, CompiledRule>;
  env: ReadonlyMap<string, string[]>;
  density: string[];
  counter: string[];
  event: string[];
  silence: string[];
  gatewaySilence: string[];
  /** composites, parts before the composites that use them */
  composites: string[];
}

export interface RulesState {
  ruleSet: RuleSet;
  compiled: CompiledRules;
  /** when each rule (in its current form) started: the baseline of counters and silence */
  since: Readonly<Record<string, number>>;
  /** rule id → subject key → state; a missing entry is the initial state */
  subjects: Readonly<Record<string, Readonly<Record<string, SubjectState>>>>;
  /** edge gateways as heard: last uplink and the start of the current unbroken run (gateways.ts) */
  gateways: Readonly<Record<string, GatewayLink>>;
  /** which gateway each device was last heard through */
  deviceGateway: Readonly<Record<string, string>>;
}

export interface Evaluated {
  state: RulesState;
  transitions: RuleTransition[];
}

export function compileRules(ruleSet: RuleSet, facts: SiteFacts): CompiledRules {
  const enabled = ruleSet.rules.filter((r) => r.enabled);
  const all = new Map(enabled.map((r) => [r.id, r]));
  const byId = new Map(enabled.map((r) => [r.id, { rule: r, subjects: new Set(subjectsOf(r, all, facts).map((id) => subjectKey({ kind: subjectKindOf(r, all), id }))) }]));
  const env = new Map<string, string[]>();
  const ids = (kind: Rule['kind']) => enabled.filter((r) => r.kind === kind).map((r) => r.id);
  for (const r of enabled) if (r.kind === 'threshold') env.set(r.metric, [...(env.get(r.metric) ?? []), r.id]);
  const composites: string[] = [];
  const visit = (id: string) => {
    const r = all.get(id);
    if (!r || r.kind !== 'composite' || composites.includes(id)) return;
    r.of.forEach(visit);
    composites.push(id);
  };
  ids('composite').forEach(visit);
  return { facts, byId, env, density: ids('density'), counter: ids('counter'), event: ids('event'), silence: ids('silence'), gatewaySilence: ids('gateway_silence'), composites };
}

export function createRulesState(ruleSet: RuleSet, site: SiteModel | SiteFacts, now: number): RulesState {
  const facts = 'zones' in site && site.zones instanceof Map ? (site as SiteFacts) : siteFacts(site as SiteModel);
  const compiled = compileRules(ruleSet, facts);
  return { ruleSet, compiled, since: Object.fromEntries([...compiled.byId.keys()].map((id) => [id, now])), subjects: {}, gateways: {}, deviceGateway: {} };
}

/** Copy-on-write over the two-level subject map, collecting transitions as it goes. */
class Draft {
  subjects: Record<string, Record<string, SubjectState>>;
  private copied = new Set<string>();
  transitions: RuleTransition[] = [];
  /** (rule, subject) pairs whose active flag flipped: their composites are re-decided */
  flipped: Array<[string, string]> = [];
  dirty = false;
  gateways: Readonly<Record<string, GatewayLink>>;
  deviceGateway: Readonly<Record<string, string>>;
  constructor(readonly base: RulesState) {
    this.subjects = { ...base.subjects };
    this.gateways = base.gateways;
    this.deviceGateway = base.deviceGateway;
  }
  /** Steps one machine; a step that returns its input unchanged writes nothing. */
  update<S extends SubjectState>(ruleId: string, key: string, initial: () => S, step: (s: S) => Stepped<S>, reason: TransitionReason = 'condition') {
    const cur = (this.subjects[ruleId]?.[key] as S | undefined) ?? initial();
    const next = step(cur);
    if (next.state !== cur || next.change) this.put(ruleId, key, next, reason);
  }
  put(ruleId: string, key: string, next: Stepped<SubjectState>, reason: TransitionReason = 'condition') {
    const prev = this.subjects[ruleId]?.[key];
    if (prev === next.state) return;
    if (!this.copied.has(ruleId)) {
      this.subjects[ruleId] = { ...this.subjects[ruleId] };
      this.copied.add(ruleId);
    }
    this.subjects[ruleId]![key] = next.state;
    this.dirty = true;
    if (next.change) this.flip(ruleId, key, next.change, next.at, reason, valueOf(next.state));
  }
  flip(ruleId: string, key: string, change: 'raise' | 'clear', at: number, reason: TransitionReason, value: number | null, rule?: Rule) {
    this.flipped.push([ruleId, key]);
    const alarm = (rule ?? this.base.compiled.byId.get(ruleId)?.rule)?.alarm;
    if (alarm) this.transitions.push({ ruleId, subject: parseSubjectKey(key), change, at, alarm, reason, value });
  }
  done(state: RulesState = this.base): Evaluated {
    const links = this.gateways !== state.gateways || this.deviceGateway !== state.deviceGateway;
    const next = this.dirty || links ? { ...state, subjects: this.dirty ? this.subjects : state.subjects, gateways: this.gateways, deviceGateway: this.deviceGateway } : state;
    return { state: next, transitions: this.transitions };
  }
}

const valueOf = (s: SubjectState): number | null => (s.k === 'level' ? s.value : s.k === 'counter' ? s.count : null);

export function evaluate(state: RulesState, obs: Observation, now: number): Evaluated {
  const d = new Draft(state);
  apply(d, obs, now);
  return d.done();
}

/**
 * Several observations in order (one uplink's worth) with one copy of the state: the same
 * transitions as evaluating them one by one, for a fraction of the allocation.
 */
export function evaluateBatch(state: RulesState, observations: readonly Observation[], now: number): Evaluated {
  const d = new Draft(state);
  for (const obs of observations) apply(d, obs, now);
  return d.done();
}

function apply(d: Draft, obs: Observation, now: number) {
  const state = d.base;
  const c = state.compiled;
  const rule = (id: string) => c.byId.get(id)!;
  const watches = (id: string, key: string) => rule(id).subjects.has(key);
  switch (obs.kind) {
    case 'env': {
      const key = subjectKey({ kind: 'zone', id: obs.zoneId });
      for (const id of c.env.get(obs.metric) ?? []) {
        const r = rule(id).rule;
        if (r.kind !== 'threshold' || !watches(id, key)) continue;
        const sample = { start: obs.minute, end: obs.minute + 60_000, value: obs.mean, weight: obs.count ?? 1 };
        d.update<LevelState>(id, key, levelInitial, (s) => stepLevel(r, s, sample));
      }
      break;
    }
    case 'occupancy': {
      const key = subjectKey({ kind: 'zone', id: obs.zoneId });
      const area = c.facts.zones.get(obs.zoneId)?.areaM2;
      if (!area) break;
      for (const id of c.density) {
        const r = rule(id).rule;
        if (r.kind !== 'density' || !watches(id, key)) continue;
        const sample = { start: obs.at, end: obs.at, value: obs.occupancy / area, weight: 1 };
        d.update<LevelState>(id, key, levelInitial, (s) => stepLevel(r, s, sample));
      }
      break;
    }
    case 'footfall': {
      const key = subjectKey({ kind: 'zone', id: obs.zoneId });
      for (const id of c.counter) {
        const r = rule(id).rule;
        if (r.kind !== 'counter' || !watches(id, key)) continue;
        d.update<CounterState>(id, key, () => counterInitial(state.since[id] ?? now), (s) => counterAdd(r.raiseAt, s, obs.minute, obs.in));
      }
      break;
    }
    case 'reset': {
      const key = subjectKey({ kind: 'zone', id: obs.zoneId });
      for (const id of c.counter) {
        const r = rule(id).rule;
        if (r.kind !== 'counter' || !watches(id, key) || !r.resetOn.includes(obs.cause)) continue;
        d.update<CounterState>(id, key, () => counterInitial(state.since[id] ?? now), (s) => counterReset(s, obs.at), 'reset');
      }
      break;
    }
    case 'event': {
      const key = subjectKey({ kind: 'device', id: obs.deviceId });
      for (const id of c.event) {
        const r = rule(id).rule;
        if (r.kind !== 'event' || !watches(id, key)) continue;
        d.update<EventState>(id, key, eventInitial, (s) => stepEvent(r, s, obs.type, obs.at));
      }
      // An event is also proof of life.
      seen(d, state, obs.deviceId, obs.at);
      break;
    }
    case 'seen':
      if (obs.gatewayId !== undefined && d.deviceGateway[obs.deviceId] !== obs.gatewayId) d.deviceGateway = { ...d.deviceGateway, [obs.deviceId]: obs.gatewayId };
      seen(d, state, obs.deviceId, obs.at);
      break;
    case 'gateway_seen': {
      d.gateways = { ...d.gateways, [obs.gatewayId]: gatewayHeard(d.gateways[obs.gatewayId], obs.at, quietMs(state)) };
      const key = subjectKey({ kind: 'gateway', id: obs.gatewayId });
      for (const id of c.gatewaySilence) {
        const r = rule(id).rule;
        if (r.kind !== 'gateway_silence' || !watches(id, key)) continue;
        d.update<SilenceState>(id, key, silenceInitial, (s) => silenceSeen(gatewaySpec(r), s, obs.at, 0));
      }
      break;
    }
    case 'clear':
      manualClear(d, state, obs.ruleId, subjectKey(obs.subject), obs.at);
      break;
    case 'tick':
      for (const id of c.silence) {
        const r = rule(id).rule;
        if (r.kind !== 'silence') continue;
        for (const key of rule(id).subjects) {
          const deviceId = parseSubjectKey(key).id;
          // Behind a quiet gateway a device is unknown, not silent: its gateway raises the one alarm.
          const floor = silenceFloor(d.gateways, d.deviceGateway[deviceId], now, quietMs(state));
          if (floor === null) continue;
          const interval = c.facts.devices.get(deviceId)?.reportIntervalS ?? 60;
          d.update<SilenceState>(id, key, silenceInitial, (s) => silenceCheck(r, s, now, interval, state.since[id] ?? now, floor));
        }
      }
      for (const id of c.gatewaySilence) {
        const r = rule(id).rule;
        if (r.kind !== 'gateway_silence') continue;
        for (const key of rule(id).subjects) d.update<SilenceState>(id, key, silenceInitial, (s) => silenceCheck(gatewaySpec(r), s, now, 0, state.since[id] ?? now));
      }
      for (const id of c.event) {
        const r = rule(id).rule;
        if (r.kind !== 'event' || r.clear.afterQuietS === undefined) continue;
        for (const [key, s] of Object.entries(d.subjects[id] ?? {})) if (s.active) d.update<EventState>(id, key, eventInitial, (e) => eventQuiet(r, e, now), 'quiet');
      }
      break;
  }
  propagate(d, now);
  d.flipped = [];
}

function seen(d: Draft, state: RulesState, deviceId: string, at: number) {
  const key = subjectKey({ kind: 'device', id: deviceId });
  const interval = state.compiled.facts.devices.get(deviceId)?.reportIntervalS ?? 60;
  for (const id of state.compiled.silence) {
    const c = state.compiled.byId.get(id)!;
    if (c.rule.kind !== 'silence' || !c.subjects.has(key)) continue;
    const r = c.rule;
    d.update<SilenceState>(id, key, silenceInitial, (s) => silenceSeen(r, s, at, interval));
  }
}

/**
 * A person cleared the alarm. Leaf rules restart from their initial state (a counter as if
 * just cleaned, a silent device as if just heard), so a condition that persists raises again
 * after its full minimum duration; a composite goes quiet until one of its parts changes.
 */
function manualClear(d: Draft, state: RulesState, ruleId: string, key: string, at: number) {
  const c = state.compiled.byId.get(ruleId);
  const prev = d.subjects[ruleId]?.[key];
  if (!c || !c.subjects.has(key)) return;
  const fresh: Record<Rule['kind'], () => SubjectState> = {
    threshold: levelInitial,
    density: levelInitial,
    counter: () => counterInitial(at),
    event: eventInitial,
    silence: () => ({ ...silenceInitial(), lastSeen: at }),
    gateway_silence: () => ({ ...silenceInitial(), lastSeen: at }),
    composite: compositeInitial,
  };
  const change: Change = prev?.active ? 'clear' : null;
  d.put(ruleId, key, { state: { ...fresh[c.rule.kind](), changedAt: at }, change, at }, 'manual');
}

/** Re-decides composites whose parts flipped, parts first, for the subjects that flipped. */
function propagate(d: Draft, now: number, all = false) {
  const c = d.base.compiled;
  if (d.flipped.length === 0 && !all) return;
  for (const id of c.composites) {
    const comp = c.byId.get(id)!;
    const r = comp.rule;
    if (r.kind !== 'composite') continue;
    const keys = all ? [...comp.subjects] : [...new Set(d.flipped.filter(([child]) => r.of.includes(child)).map(([, key]) => key))];
    for (const key of keys) {
      if (!comp.subjects.has(key)) continue;
      const parts = r.of.map((child) => d.subjects[child]?.[key]?.active ?? false);
      const active = r.op === 'all' ? parts.every(Boolean) : parts.some(Boolean);
      const prev = d.subjects[id]?.[key] ?? compositeInitial();
      if (prev.active === active) continue;
      // Take the time of the part that made the difference, so composite alarms carry data time.
      const at = Math.max(...r.of.map((child) => d.subjects[child]?.[key]?.changedAt ?? -Infinity), -Infinity);
      const when = Number.isFinite(at) ? at : now;
      d.put(id, key, { state: { k: 'composite', active, changedAt: when }, change: active ? 'raise' : 'clear', at: when });
    }
  }
}

/**
 * Hot reload: rules whose definition is unchanged (same JSON, same subjects) keep their state;
 * changed or removed rules start afresh, and whatever they had raised is cleared so no
 * alarm is left without a rule behind it. Composites are re-decided for every subject.
 */
export function reloadRules(state: RulesState, next: RuleSet, now: number): Evaluated {
  const compiled = compileRules(next, state.compiled.facts);
  const old = state.compiled.byId;
  const subjects: Record<string, Record<string, SubjectState>> = {};
  const since: Record<string, number> = {};
  const removed: Array<{ rule: Rule; subjects: Record<string, SubjectState>; why: TransitionReason }> = [];
  for (const [id, c] of compiled.byId) {
    const prev = old.get(id);
    const kept = prev && canonical(prev.rule) === canonical(c.rule) && sameSet(prev.subjects, c.subjects);
    if (kept) {
      if (state.subjects[id]) subjects[id] = { ...state.subjects[id] };
      since[id] = state.since[id] ?? now;
    } else {
      since[id] = now;
      if (prev) removed.push({ rule: prev.rule, subjects: { ...state.subjects[id] }, why: 'rule_changed' });
    }
  }
  for (const [id, prev] of old) if (!compiled.byId.has(id)) removed.push({ rule: prev.rule, subjects: { ...state.subjects[id] }, why: 'rule_removed' });

  const base: RulesState = { ruleSet: next, compiled, since, subjects, gateways: state.gateways, deviceGateway: state.deviceGateway };
  const d = new Draft(base);
  for (const { rule, subjects: states, why } of removed) {
    for (const [key, s] of Object.entries(states)) if (s.active) d.flip(rule.id, key, 'clear', now, why, null, rule);
  }
  // Kept composites start from their old verdict and flip only if a part changed under them;
  // new or changed ones start idle and raise at once if their parts already hold.
  propagate(d, now, true);
  d.dirty = true;
  return d.done(base);
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));
}
const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) => a.size === b.size && [...a].every((x) => b.has(x));

/** Subjects a rule currently holds raised, for status pages and the restart check. */
export function activeSubjects(state: RulesState, ruleId: string): string[] {
  return Object.entries(state.subjects[ruleId] ?? {})
    .filter(([, s]) => s.active)
    .map(([key]) => key);
}

/** The stored form (shared RulesSnapshot): the compiled view is rebuilt from the rule set and the site. */
export const snapshotRules = (s: RulesState): RulesSnapshot => ({ ruleSet: s.ruleSet, since: { ...s.since }, subjects: s.subjects, gateways: s.gateways, deviceGateway: s.deviceGateway });
export const restoreRules = (snap: RulesSnapshot, site: SiteModel | SiteFacts): RulesState => ({
  ...createRulesState(snap.ruleSet, site, 0),
  since: snap.since,
  subjects: snap.subjects,
  gateways: snap.gateways,
  deviceGateway: snap.deviceGateway,
});

const quietMs = (state: RulesState) => state.ruleSet.gatewayQuietS * 1000;
const gatewaySpec = (r: GatewaySilenceRule) => ({ factor: 1, minQuietS: r.quietS, clear: r.clear });
