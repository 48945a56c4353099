import type { AssignmentConfig, DispatchRole, StaffMember } from '@atrium/shared';
import type { SiteFacts } from '../rules/subjects.ts';

/** Who gets the job: the roster (shifts are absolute ranges, see shared/src/ops/staff.ts), distance and load. */
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
