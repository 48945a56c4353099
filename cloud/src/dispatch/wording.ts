import type { NotifyReason, WorkOrder } from '@atrium/shared';
import type { SiteFacts } from '../rules/subjects.ts';

/**
 * Notifications in words a person reads on a phone: the job's kind, where it is (zone and
 * floor by name), who (by name) and when (the mall's local time), never "wo-13
 * restroom_cleaning P2". Stored as written, so the words are decided once, when it happens.
 */

/** Why a notification was sent, with what its words need (ids and times; names and local times are looked up here). */
export type NotifyDetail = (
  | { reason: 'assigned'; acceptBy: number; by?: string | undefined }
  | { reason: 'withdrawn' }
  | { reason: 'cancelled'; why?: string | undefined }
  | { reason: 'not_accepted'; from: string }
  | { reason: 'declined'; by: string; why: string }
  | { reason: 'sla_breach'; stage: 'accept' | 'arrive' | 'resolve'; dueAt: number }
  | { reason: 'unassignable'; role: string }
  | { reason: 'reopened'; why?: string | undefined }
  | { reason: 'awaiting_verification'; by: string | null }
) & { reason: NotifyReason };

/** `security_breach` → `Security breach` (the pages' typeLabel, for the same slugs). */
export function typeWords(type: string): string {
  const words = type.replace(/[_-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : type;
}

const STAGE_WORDS = { accept: 'accepting', arrive: 'arriving', resolve: 'resolving' } as const;

export interface Wording {
  /** a staff id as the person's name (the id itself for someone not on the roster: an operator) */
  name(staffId: string): string;
  message(order: WorkOrder, d: NotifyDetail): string;
}

export function createWording(facts: SiteFacts, nameOf: (staffId: string) => string | undefined): Wording {
  const time = localTime(facts.timezone);
  const name = (id: string) => nameOf(id) ?? id;
  const where = (o: WorkOrder) => {
    const zone = facts.zones.get(o.zoneId);
    if (!zone) return o.zoneId;
    return zone.floorName ? `${zone.name}, ${zone.floorName}` : zone.name;
  };
  const what = (d: NotifyDetail): string => {
    switch (d.reason) {
      case 'assigned':
        return `assigned to you${d.by ? ` by ${name(d.by)}` : ''}, please accept by ${time(d.acceptBy)}`;
      case 'withdrawn':
        return 'reassigned, no longer yours';
      case 'cancelled':
        return `cancelled, no longer needed${d.why ? ` (${d.why})` : ''}`;
      case 'not_accepted':
        return `not accepted in time by ${name(d.from)}, reassigning`;
      case 'declined':
        return `declined by ${name(d.by)}: ${d.why}`;
      case 'sla_breach':
        return `late: ${STAGE_WORDS[d.stage]} was due at ${time(d.dueAt)}`;
      case 'unassignable':
        return `nobody free with the ${d.role} role, waiting in the queue`;
      case 'reopened':
        return `reopened${d.why ? ` (${d.why})` : ''}`;
      case 'awaiting_verification':
        return `resolved${d.by ? ` by ${name(d.by)}` : ''}, awaiting your verification`;
    }
  };
  return {
    name,
    message: (o, d) => `${typeWords(o.type)} (priority ${o.priority}) at ${where(o)}: ${what(d)}.`,
  };
}

const formats = new Map<string, (t: number) => string>();
/** The mall's time of day, 24-hour ("14:05"): notifications are read the same day. One formatter per zone (they are slow to make). */
function localTime(timeZone: string): (t: number) => string {
  let fmt = formats.get(timeZone);
  if (!fmt) {
    let f: Intl.DateTimeFormat;
    try {
      f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch {
      f = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });
    }
    fmt = (t) => f.format(t);
    formats.set(timeZone, fmt);
  }
  return fmt;
}
