import { z } from 'zod';
import { SiteId, Slug } from '../ids.ts';
import { Severity } from '../rules.ts';
import { At, RecordId } from './time.ts';

/**
 * Alarms: what the control room sees. raised → acknowledged → cleared, at most one open alarm
 * per (rule, subject). The engine's working state, the database row, the REST body and the
 * socket payload are this one shape.
 */
export const SUBJECT_KINDS = ['zone', 'device', 'gateway'] as const;
/** What a rule is about: a zone (air, crowding, restroom visits), a device (a forced gate, a quiet sensor) or an edge gateway. */
export const SubjectRef = z.object({ kind: z.enum(SUBJECT_KINDS), id: Slug });
export type SubjectRef = z.infer<typeof SubjectRef>;

export const ALARM_STATUSES = ['raised', 'acknowledged', 'cleared'] as const;
export const AlarmStatus = z.enum(ALARM_STATUSES);
export type AlarmStatus = z.infer<typeof AlarmStatus>;

export const AlarmHistoryEntry = z.object({
  at: At,
  action: AlarmStatus,
  /** `system` for the rules engine, otherwise a staff or user id */
  by: z.string().min(1),
  note: z.string().nullable(),
});
export type AlarmHistoryEntry = z.infer<typeof AlarmHistoryEntry>;

export const Alarm = z.object({
  id: RecordId,
  siteId: SiteId,
  ruleId: Slug,
  subject: SubjectRef,
  /** where it is (a device's zone for device alarms); null if the site no longer has it */
  zoneId: Slug.nullable(),
  type: Slug,
  severity: Severity,
  status: AlarmStatus,
  raisedAt: At,
  /** data time of the observation that confirmed it */
  observedAt: At,
  value: z.number().nullable(),
  acknowledgedAt: At.nullable(),
  acknowledgedBy: z.string().nullable(),
  clearedAt: At.nullable(),
  clearedBy: z.string().nullable(),
  clearReason: z.string().nullable(),
  history: z.array(AlarmHistoryEntry),
});
export type Alarm = z.infer<typeof Alarm>;
