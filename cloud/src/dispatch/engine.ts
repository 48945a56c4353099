import { type Effect, type EngineInput, type EngineSnapshot, type JournalEntry, type Observation, type RuleFileIssue, type RuleSet, type SiteModel, SNAPSHOT_VERSION } from '@atrium/shared';
import { createRulesState, evaluate, evaluateBatch, reloadRules, restoreRules, snapshotRules, type RulesState, type RuleTransition } from '../rules/evaluate.ts';
import { formatIssues, parseRuleSet } from '../rules/load.ts';
import { zoneOfSubject } from '../rules/subjects.ts';
import { alarmsFromStored, alarmsToStored, applyAlarm, initialAlarms, isOpen, pruneAlarms, type AlarmsHot } from './alarms.ts';
import { initialDispatch, onAlarmCleared, onAlarmRaised, orderCommand, pruneOrders, raiseOrder, setStaff, tickDispatch, upsertStaff, type DispatchContext, type DispatchOut, type FollowUp } from './dispatcher.ts';
import { dispatchError, type DispatchError } from './errors.ts';
import { bookFromStored, bookToStored, type OrderBook } from './order-book.ts';
import type { Roster } from './roster.ts';

/**
 * The whole loop as one pure engine: observations → rules → alarms → work orders → people
 * → (a cleaning resets counters, a resolved door clears its alarm) → rules again. The state
 * is plain data with absolute timestamps; every call returns the new state and the effects
 * for the world (store rows, notifications, socket events). The wiring owns I/O and time:
 * it calls `step` for each observation or command and `tick` every few seconds.
 *
 * Alarms and orders are held in persistent tables with indexes (alarms.ts, order-book.ts):
 * a step copies what it changes and reaches only what it is about, so its cost does not grow
 * with the open alarms and queued orders it leaves alone. Their stored form is the shared
 * EngineSnapshot (plain records), converted only when a snapshot is taken or restored.
 */
export interface EngineState {
  rules: RulesState;
  alarms: AlarmsHot;
  dispatch: OrderBook;
}

export type StepResult = { ok: true; state: EngineState; effects: Effect[] } | { ok: false; state: EngineState; effects: []; error: DispatchError };

/**
 * How long cleared alarms and closed orders stay in the working state after they close; the
 * store keeps them for ever and the API reads them from there. Longer only where the engine
 * still needs them: an order resolved within the assignment's recent window (it counts in
 * who gets the next job), an alarm a live order refers to (verification reads when it cleared).
 */
export const RETENTION_MS = 3600_000;

export function createEngine(p: { site: SiteModel; ruleSet: RuleSet; now: number; roster?: Roster; alarmSeq?: number; orderSeq?: number }): EngineState {
  return { rules: createRulesState(p.ruleSet, p.site, p.now), alarms: initialAlarms(p.alarmSeq ?? 0), dispatch: initialDispatch(p.roster ?? {}, p.orderSeq ?? 0) };
}

const ctxOf = (s: EngineState): DispatchContext => ({ facts: s.rules.compiled.facts, ruleSet: s.rules.ruleSet });

type Work = { kind: 'observe'; obs: Observation } | { kind: 'observe_batch'; obs: readonly Observation[] } | { kind: 'transition'; t: RuleTransition } | { kind: 'clear_alarm'; alarmId: string; by: string; reason: string; note?: string };

/** Runs work items to completion, in order; a step that triggers further steps queues them. */
function pump(start: EngineState, items: Work[], now: number, effects: Effect[]): EngineState {
  let s = start;
  const queue = [...items];
  const absorb = (out: DispatchOut) => {
    s = { ...s, dispatch: out.state };
    effects.push(...out.effects);
    queue.push(...out.followUps.map(followUpWork));
  };
  for (let guard = 0; queue.length > 0; guard++) {
    if (guard > 100_000) throw new Error('dispatch engine: runaway follow-ups');
    const w = queue.shift()!;
    if (w.kind === 'observe' || w.kind === 'observe_batch') {
      const list = w.kind === 'observe' ? [w.obs] : w.obs;
      const r = list.length === 1 ? evaluate(s.rules, list[0]!, now) : evaluateBatch(s.rules, list, now);
      s = { ...s, rules: r.state };
      for (const o of list) if (o.kind === 'reset') effects.push({ kind: 'counters_reset', siteId: s.rules.compiled.facts.siteId, zoneId: o.zoneId, cause: o.cause, at: o.at });
      queue.push(...r.transitions.map((t): Work => ({ kind: 'transition', t })));
    } else if (w.kind === 'transition') {
      const t = w.t;
      if (t.change === 'raise') {
        const zoneId = zoneOfSubject(t.subject, s.rules.compiled.facts)?.id ?? null;
        const r = applyAlarm(s.alarms, { kind: 'raise', transition: t, zoneId, siteId: s.rules.compiled.facts.siteId }, now);
        if (!r.ok || !r.changed || !r.alarm) continue;
        s = { ...s, alarms: r.state };
        effects.push({ kind: 'alarm', change: 'raised', alarm: r.alarm });
        absorb(onAlarmRaised(s.dispatch, r.alarm, ctxOf(s), now));
      } else {
        const r = applyAlarm(s.alarms, { kind: 'clear', ruleId: t.ruleId, subject: t.subject, by: 'system', reason: t.reason }, now);
        if (!r.ok || !r.changed || !r.alarm) continue;
        s = { ...s, alarms: r.state };
        effects.push({ kind: 'alarm', change: 'cleared', alarm: r.alarm });
        absorb(onAlarmCleared(s.dispatch, r.alarm, s.alarms, ctxOf(s), now));
      }
    } else {
      const r = applyAlarm(s.alarms, { kind: 'clear', alarmId: w.alarmId, by: w.by, reason: w.reason, ...(w.note ? { note: w.note } : {}) }, now);
      if (!r.ok || !r.alarm) continue; // already cleared (by its rule, or by another hand): nothing to do
      s = { ...s, alarms: r.state };
      effects.push({ kind: 'alarm', change: 'cleared', alarm: r.alarm });
      // The rule forgets this subject too, or an event rule would stay raised with no alarm.
      queue.unshift({ kind: 'observe', obs: { kind: 'clear', ruleId: r.alarm.ruleId, subject: r.alarm.subject, at: now } });
      absorb(onAlarmCleared(s.dispatch, r.alarm, s.alarms, ctxOf(s), now));
    }
  }
  return s;
}

const followUpWork = (f: FollowUp): Work =>
  f.kind === 'reset' ? { kind: 'observe', obs: { kind: 'reset', zoneId: f.zoneId, cause: f.cause, at: f.at } } : { kind: 'clear_alarm', alarmId: f.alarmId, by: f.by, reason: f.reason };

export function step(state: EngineState, input: EngineInput, now: number): StepResult {
  const effects: Effect[] = [];
  const refuse = (error: DispatchError): StepResult => ({ ok: false, state, effects: [], error });
  const fromDispatch = (r: ReturnType<typeof orderCommand>): StepResult => {
    if (!r.ok) return refuse(r.error);
    effects.push(...r.effects);
    const s = pump({ ...state, dispatch: r.state }, r.followUps.map(followUpWork), now, effects);
    return { ok: true, state: s, effects };
  };
  switch (input.kind) {
    case 'observe':
      return { ok: true, state: pump(state, [{ kind: 'observe', obs: input.observation }], now, effects), effects };
    case 'observe_batch':
      return { ok: true, state: pump(state, [{ kind: 'observe_batch', obs: input.observations }], now, effects), effects };
    case 'cleaned':
      return { ok: true, state: pump(state, [{ kind: 'observe', obs: { kind: 'reset', zoneId: input.zoneId, cause: 'cleaning', at: now } }], now, effects), effects };
    case 'acknowledge_alarm': {
      const r = applyAlarm(state.alarms, { kind: 'acknowledge', alarmId: input.alarmId, by: input.by, ...(input.note ? { note: input.note } : {}) }, now);
      if (!r.ok) return refuse(r.error);
      return { ok: true, state: { ...state, alarms: r.state }, effects: r.alarm ? [{ kind: 'alarm', change: 'acknowledged', alarm: r.alarm }] : [] };
    }
    case 'clear_alarm': {
      const alarm = state.alarms.byId.get(input.alarmId);
      if (!alarm) return refuse(dispatchError('ALARM_NOT_FOUND', input.alarmId));
      if (!isOpen(alarm)) return refuse(dispatchError('ALARM_INVALID_TRANSITION', alarm.id, alarm.status, 'clear'));
      const work: Work = { kind: 'clear_alarm', alarmId: input.alarmId, by: input.by, reason: 'manual', ...(input.note ? { note: input.note } : {}) };
      return { ok: true, state: pump(state, [work], now, effects), effects };
    }
    case 'order':
      return fromDispatch(orderCommand(state.dispatch, { orderId: input.orderId, action: input.action, authority: input.authority }, ctxOf(state), now));
    case 'raise_order':
      return fromDispatch(raiseOrder(state.dispatch, input, ctxOf(state), now));
    case 'upsert_staff':
      return fromDispatch(upsertStaff(state.dispatch, input.staff, ctxOf(state), now));
    case 'set_staff':
      return fromDispatch(setStaff(state.dispatch, input, ctxOf(state), now));
  }
}

/** Time passing: silence and quiet periods in the rules, then the SLA clock, verification and the queue. */
export function tick(state: EngineState, now: number): { state: EngineState; effects: Effect[] } {
  const effects: Effect[] = [];
  let s = pump(state, [{ kind: 'observe', obs: { kind: 'tick' } }], now, effects);
  const out = tickDispatch(s.dispatch, s.alarms, ctxOf(s), now);
  effects.push(...out.effects);
  s = pump({ ...s, dispatch: out.state }, out.followUps.map(followUpWork), now, effects);
  const dispatch = pruneOrders(s.dispatch, now - RETENTION_MS, now - s.rules.ruleSet.assignment.recentWindowS * 1000);
  const alarms = pruneAlarms(s.alarms, now - RETENTION_MS, (id) => dispatch.ix.byAlarm.has(id));
  if (alarms !== s.alarms || dispatch !== s.dispatch) s = { ...s, alarms, dispatch };
  return { state: s, effects };
}

/**
 * Hot reload from the text of a rules file (or a parsed value). A bad file is refused with
 * every field path, reason and line, and the running rules stay; a good one replaces them,
 * keeping the state of unchanged rules (rules/evaluate.ts reloadRules). Open work orders keep
 * the SLA targets they were created with.
 */
export function reload(
  state: EngineState,
  input: string | unknown,
  now: number,
): { ok: true; state: EngineState; effects: Effect[] } | { ok: false; state: EngineState; error: DispatchError; issues: RuleFileIssue[] } {
  const parsed = parseRuleSet(input, state.rules.compiled.facts);
  if (!parsed.ok) return { ok: false, state, error: dispatchError('RULES_INVALID', formatIssues(parsed.issues)), issues: parsed.issues };
  const r = reloadRules(state.rules, parsed.ruleSet, now);
  const effects: Effect[] = [];
  const s = pump({ ...state, rules: r.state }, r.transitions.map((t): Work => ({ kind: 'transition', t })), now, effects);
  return { ok: true, state: s, effects };
}

/**
 * The engine state as stored (shared EngineSnapshot: versioned, parsed when loaded). A
 * snapshot names its site; restoring it into another site's engine is a wiring bug.
 */
export const snapshotEngine = (s: EngineState): EngineSnapshot => ({
  version: SNAPSHOT_VERSION,
  siteId: s.rules.compiled.facts.siteId,
  rules: snapshotRules(s.rules),
  alarms: alarmsToStored(s.alarms),
  dispatch: bookToStored(s.dispatch),
});
export function restoreEngine(snap: EngineSnapshot, site: SiteModel): EngineState {
  if (snap.siteId !== site.id) throw new Error(`the engine snapshot belongs to site "${snap.siteId}", not "${site.id}"`);
  return { rules: restoreRules(snap.rules, site), alarms: alarmsFromStored(snap.alarms), dispatch: bookFromStored(snap.dispatch) };
}

/**
 * The journal replayed onto a restored snapshot: each step with the input and `now` it was
 * taken with. The engine is pure, so this is the state as it was after the last stored step;
 * the effects were stored with their steps and are not emitted again.
 */
export function replayJournal(state: EngineState, entries: readonly JournalEntry[]): EngineState {
  let s = state;
  for (const e of entries) {
    if (e.kind === 'tick') s = tick(s, e.now).state;
    else if (e.kind === 'step') s = step(s, e.input, e.now).state;
    else s = reload(s, e.text, e.now).state;
  }
  return s;
}

/** Whether a step changed nothing worth journaling (the same parts, not merely equal ones). */
export const sameState = (a: EngineState, b: EngineState): boolean => a.rules === b.rules && a.alarms === b.alarms && a.dispatch === b.dispatch;
