import type { Alarm, AlarmsState, SubjectRef } from '@atrium/shared';
import type { RuleTransition } from '../rules/evaluate.ts';
import { subjectKey } from '../rules/subjects.ts';
import { dispatchError, type Result } from './errors.ts';
import { Table } from './table.ts';

/**
 * Alarms: what the control room sees. raised → acknowledged → cleared, at most one open
 * alarm per (rule, subject) so a condition that keeps holding is one alarm, not a stream.
 * A pure reducer over plain rows: each alarm is what the operational store keeps, history
 * included, and the next session only has to upsert what comes back.
 *
 * The working set is persistent tables (table.ts): a command copies the few nodes on the
 * path to the alarm it changes, not every alarm held, so raising the 10,001st open alarm
 * costs what raising the 11th does. `cleared` lists the cleared alarms still held, so
 * retiring them never walks the open ones. The stored form is AlarmsState (plain records).
 */
export interface AlarmsHot {
  readonly byId: Table<Alarm>;
  /** `${ruleId}|${subjectKey}` → id of the open (raised or acknowledged) alarm */
  readonly open: Table<string>;
  /** cleared alarms still in byId, waiting to be retired */
  readonly cleared: Table<Alarm>;
  readonly seq: number;
}

export const initialAlarms = (seq = 0): AlarmsHot => ({ byId: Table.empty(), open: Table.empty(), cleared: Table.empty(), seq });

export function alarmsFromStored(s: AlarmsState): AlarmsHot {
  const byId = Table.fromRecord(s.byId);
  let cleared = Table.empty<Alarm>();
  for (const a of byId.values()) if (!isOpen(a)) cleared = cleared.set(a.id, a);
  return { byId, open: Table.fromRecord(s.open), cleared, seq: s.seq };
}

export const alarmsToStored = (s: AlarmsHot): AlarmsState => ({ byId: s.byId.toRecord(), open: s.open.toRecord(), seq: s.seq });
export const openKey = (ruleId: string, subject: SubjectRef) => `${ruleId}|${subjectKey(subject)}`;
export const isOpen = (a: Alarm) => a.status !== 'cleared';

export type AlarmCommand =
  /** a rule raised: opens an alarm unless one is open for the rule and subject */
  | { kind: 'raise'; transition: RuleTransition; zoneId: string | null; siteId: string }
  /** a rule cleared (by = system) or a person cleared the alarm (by alarm id) */
  | { kind: 'clear'; alarmId?: string; ruleId?: string; subject?: SubjectRef; by: string; reason: string; note?: string }
  | { kind: 'acknowledge'; alarmId: string; by: string; note?: string };

/** `alarm` is the row after the command, `changed` false when the command was a no-op (a repeat raise). */
export type AlarmResult = Result<{ state: AlarmsHot; alarm: Alarm | null; changed: boolean }>;

export function applyAlarm(state: AlarmsHot, cmd: AlarmCommand, now: number): AlarmResult {
  switch (cmd.kind) {
    case 'raise': {
      const t = cmd.transition;
      const key = openKey(t.ruleId, t.subject);
      const existing = state.open.get(key);
      if (existing) return { ok: true, state, alarm: state.byId.get(existing) ?? null, changed: false };
      const seq = state.seq + 1;
      const alarm: Alarm = {
        id: `al-${seq}`,
        siteId: cmd.siteId,
        ruleId: t.ruleId,
        subject: t.subject,
        zoneId: cmd.zoneId,
        type: t.alarm.type,
        severity: t.alarm.severity,
        status: 'raised',
        raisedAt: now,
        observedAt: t.at,
        value: t.value,
        acknowledgedAt: null,
        acknowledgedBy: null,
        clearedAt: null,
        clearedBy: null,
        clearReason: null,
        history: [{ at: now, action: 'raised', by: 'system', note: t.value !== null ? `value ${round(t.value)}` : null }],
      };
      return { ok: true, state: { ...state, byId: state.byId.set(alarm.id, alarm), open: state.open.set(key, alarm.id), seq }, alarm, changed: true };
    }
    case 'acknowledge': {
      const alarm = state.byId.get(cmd.alarmId);
      if (!alarm) return { ok: false, error: dispatchError('ALARM_NOT_FOUND', cmd.alarmId) };
      if (alarm.status !== 'raised') return { ok: false, error: dispatchError('ALARM_INVALID_TRANSITION', alarm.id, alarm.status, 'acknowledge') };
      const next: Alarm = {
        ...alarm,
        status: 'acknowledged',
        acknowledgedAt: now,
        acknowledgedBy: cmd.by,
        history: [...alarm.history, { at: now, action: 'acknowledged', by: cmd.by, note: cmd.note ?? null }],
      };
      return { ok: true, state: { ...state, byId: state.byId.set(alarm.id, next) }, alarm: next, changed: true };
    }
    case 'clear': {
      const id = cmd.alarmId ?? (cmd.ruleId && cmd.subject ? state.open.get(openKey(cmd.ruleId, cmd.subject)) : undefined);
      const alarm = id ? state.byId.get(id) : undefined;
      if (!alarm) {
        // A rule clearing with no open alarm (it was cleared by hand first) is normal, not an error.
        if (!cmd.alarmId) return { ok: true, state, alarm: null, changed: false };
        return { ok: false, error: dispatchError('ALARM_NOT_FOUND', cmd.alarmId) };
      }
      if (alarm.status === 'cleared') return { ok: false, error: dispatchError('ALARM_INVALID_TRANSITION', alarm.id, alarm.status, 'clear') };
      const next: Alarm = {
        ...alarm,
        status: 'cleared',
        clearedAt: now,
        clearedBy: cmd.by,
        clearReason: cmd.reason,
        history: [...alarm.history, { at: now, action: 'cleared', by: cmd.by, note: cmd.note ?? cmd.reason }],
      };
      const open = state.open.delete(openKey(alarm.ruleId, alarm.subject));
      return { ok: true, state: { ...state, byId: state.byId.set(alarm.id, next), open, cleared: state.cleared.set(alarm.id, next) }, alarm: next, changed: true };
    }
  }
}

/**
 * Retires alarms cleared before `before` from the working state, except those a live work
 * order still refers to (its verification reads when they cleared). The store keeps them all.
 */
export function pruneAlarms(state: AlarmsHot, before: number, stillNeeded: (alarmId: string) => boolean): AlarmsHot {
  let { byId, cleared } = state;
  for (const a of state.cleared.values()) {
    if ((a.clearedAt ?? 0) >= before || stillNeeded(a.id)) continue;
    byId = byId.delete(a.id);
    cleared = cleared.delete(a.id);
  }
  return byId === state.byId ? state : { ...state, byId, cleared };
}

const round = (v: number) => Math.round(v * 1000) / 1000;
