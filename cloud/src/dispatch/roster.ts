import { z } from 'zod';
import { Slug } from '@atrium/shared';
import { DISPATCH_ROLES, type AssignmentConfig, type DispatchRole } from '../rules/schema.ts';
import type { SiteFacts } from '../rules/subjects.ts';

/**
 * Staff, shifts and who gets the job. Shifts are absolute time ranges (epoch ms): the rota
 * (weekly patterns in the site's timezone) is expanded into them before they get here, so
 * "on shift" is a comparison and a restart needs nothing but the stored ranges.
 */
export const STAFF_ROLES = [...DISPATCH_ROLES, 'supervisor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const Shift = z.strictObject({ from: z.number().int(), to: z.number().int() }).refine((s) => s.to > s.from, { path: ['to'], message: 'must be after from' });
/** Who the engine itself acts as in audit trails; no person may have this id. */
export const SYSTEM_ACTOR = 'system';

export const StaffMember = z.strictObject({
  id: Slug.refine((id) => id !== SYSTEM_ACTOR, `"${SYSTEM_ACTOR}" is reserved for the engine`),
  name: z.string().min(1).max(200),
  roles: z.array(z.enum(STAFF_ROLES)).min(1),
  shifts: z.array(Shift).max(1000),
  /** where they are, as last known (their phone, or the zone of the job they last arrived at) */
  zoneId: Slug.nullable(),
  /** false: on a break, off sick, busy with something outside the system */
  available: z.boolean(),
});
export type Shift = z.infer<typeof Shift>;
export type StaffMember = z.infer<typeof StaffMember>;
export type Roster = Readonly<Record<string, StaffMember>>;

export const onShift = (m: StaffMember, now: number): boolean => m.shifts.some((s) => s.from <= now && now < s.to);

/** Supervisors on shift now; the notification falls back to every supervisor if none is. */
export function supervisorsFor(roster: Roster, now: number): string[] {
  const all = Object.values(roster).filter((m) => m.roles.includes('supervisor'));
  const on = all.filter((m) => onShift(m, now));
  return (on.length > 0 ? on : all).map((m) => m.id).sort();
}

/**
 * Walking distance proxy in metres: straight line between the zones' plan centres, plus a
 * fixed cost per floor changed (to the escalator and back). Good enough to rank people; a
 * routing graph can replace it without changing its callers.
 */
export function distanceM(facts: SiteFacts, fromZone: string | null, toZone: string, floorPenaltyM: number): number {
  const a = fromZone ? facts.zones.get(fromZone) : undefined;
  const b = facts.zones.get(toZone);
  if (!a || !b) return UNKNOWN_DISTANCE_M;
  return Math.hypot(a.cx - b.cx, a.cy - b.cy) + Math.abs(a.level - b.level) * floorPenaltyM;
}
/** Someone whose whereabouts are unknown ranks behind anyone known, but still gets the job if alone. */
export const UNKNOWN_DISTANCE_M = 10_000;

export interface Workload {
  /** orders assigned to them and not yet resolved */
  active: number;
  /** orders they resolved within the recent window */
  recent: number;
}

export interface Candidate {
  staffId: string;
  distanceM: number;
  load: Workload;
  score: number;
}

/**
 * Everyone who could take a job now, best first: on shift, available, with the role, not
 * excluded, with room for another order. Score = distance + a penalty per open order and per
 * order done recently, so the nearest person wins unless they are already carrying more
 * than their share. Ties go to the lower id so the choice is reproducible.
 */
export function rankCandidates(p: {
  roster: Roster;
  role: DispatchRole;
  zoneId: string;
  now: number;
  excluded: readonly string[];
  load: ReadonlyMap<string, Workload>;
  config: AssignmentConfig;
  facts: SiteFacts;
}): Candidate[] {
  const { config } = p;
  return Object.values(p.roster)
    .filter((m) => m.available && m.roles.includes(p.role) && onShift(m, p.now) && !p.excluded.includes(m.id))
    .map((m) => {
      const load = p.load.get(m.id) ?? { active: 0, recent: 0 };
      const d = distanceM(p.facts, m.zoneId, p.zoneId, config.floorPenaltyM);
      return { staffId: m.id, distanceM: round(d), load, score: round(d + load.active * config.loadPenaltyM + load.recent * config.recentPenaltyM) };
    })
    .filter((c) => c.load.active < config.maxActivePerPerson)
    .sort((a, b) => a.score - b.score || (a.staffId < b.staffId ? -1 : a.staffId > b.staffId ? 1 : 0));
}

const round = (v: number) => Math.round(v * 10) / 10;
