import type { Alarm, AlarmsState, SubjectRef } from '@atrium/shared';
import type { RuleTransition } from '../rules/evaluate.ts';
import { subjectKey } from '../rules/subjects.ts';
import { dispatchError, type Result } from './errors.ts';
import { own } from './own.ts';

/**
 * Alarms: what the control room sees. raised → acknowledged → cleared, at most one open
 * alarm per (rule, subject) so a condition that keeps holding is one alarm, not a stream.
 * A pure reducer over plain rows: each alarm is what the operational store keeps, history
 * included, and the next session only has to upsert what comes back.
 */
export const initialAlarms = (seq = 0): AlarmsState => ({ byId: {}, open: {}, seq });
export const openKey = (ruleId: string, subject: SubjectRef) => `${ruleId}|${subjectKey(subject)}`;
export const isOpen = (a: Alarm) => a.status !== 'cleared';

export type AlarmCommand =
  /** a rule raised: opens an alarm unless one is open for the rule and subject */
  | { kind: 'raise'; transition: RuleTransition; zoneId: string | null; siteId: string }
  /** a rule cleared (by = system) or a person cleared the alarm (by alarm id) */
  | { kind: 'clear'; alarmId?: string; ruleId?: string; subject?: SubjectRef; by: string; reason: string; note?: string }
  | { kind: 'acknowledge'; alarmId: string; by: string; note?: string };

/** `alarm` is the row after the command, `changed` false when the command was a no-op (a repeat raise). */
export type AlarmResult = Result<{ state: AlarmsState; alarm: Alarm | null; changed: boolean }>;

export function applyAlarm(state: AlarmsState, cmd: AlarmCommand, now: number): AlarmResult {
  switch (cmd.kind) {
    case 'raise': {
      const t = cmd.transition;
      const key = openKey(t.ruleId, t.subject);
      const existing = own(state.open, key);
      if (existing) return { ok: true, state, alarm: own(state.byId, existing) ?? null, changed: false };
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
      return { ok: true, state: { byId: { ...state.byId, [alarm.id]: alarm }, open: { ...state.open, [key]: alarm.id }, seq }, alarm, changed: true };
    }
    case 'acknowledge': {
      const alarm = own(state.byId, cmd.alarmId);
      if (!alarm) return { ok: false, error: dispatchError('ALARM_NOT_FOUND', cmd.alarmId) };
      if (alarm.status !== 'raised') return { ok: false, error: dispatchError('ALARM_INVALID_TRANSITION', alarm.id, alarm.status, 'acknowledge') };
      const next: Alarm = {
        ...alarm,
        status: 'acknowledged',
        acknowledgedAt: now,
        acknowledgedBy: cmd.by,
        history: [...alarm.history, { at: now, action: 'acknowledged', by: cmd.by, note: cmd.note ?? null }],
      };
      return { ok: true, state: { ...state, byId: { ...state.byId, [alarm.id]: next } }, alarm: next, changed: true };
    }
    case 'clear': {
      const id = cmd.alarmId ?? (cmd.ruleId && cmd.subject ? own(state.open, openKey(cmd.ruleId, cmd.subject)) : undefined);
      const alarm = id ? own(state.byId, id) : undefined;
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
      const open = { ...state.open };
      delete open[openKey(alarm.ruleId, alarm.subject)];
      return { ok: true, state: { ...state, byId: { ...state.byId, [alarm.id]: next }, open }, alarm: next, changed: true };
    }
  }
}

/** Drops cleared alarms older than `before` from the working state (the store keeps them). */
export function pruneAlarms(state: AlarmsState, before: number): AlarmsState {
  const stale = Object.values(state.byId).filter((a) => a.status === 'cleared' && (a.clearedAt ?? 0) < before);
  if (stale.length === 0) return state;
  const byId = { ...state.byId };
  for (const a of stale) delete byId[a.id];
  return { ...state, byId };
}

const round = (v: number) => Math.round(v * 1000) / 1000;
