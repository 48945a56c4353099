import { PLANNED_ROLES, StaffingConfig, type Cover, type PlannedRole, type SiteModel, type StaffingConfigInput, type StaffingHour, type StaffingPlan, type StaffMember } from '@atrium/shared';
import type { ForecastStore } from '../forecast/forecast-store.ts';
import { localLabel } from '../forecast/zone-clock.ts';
import { staffingNeeds, type HourNeed } from './model.ts';

/**
 * The staffing plan: what the model recommends next to who is rostered, per hour site-wide and
 * per floor. Staff have no fixed floor; those whose last known zone is on a floor count there,
 * the rest only site-wide (`unplaced`). gap = recommended − rostered: positive is a shortfall,
 * negative a surplus. Rostered counts are fractional where a shift covers part of the hour.
 */

const H = 3_600_000;
const r2 = (v: number) => Math.round(v * 100) / 100;
const cover = (recommended: number, rostered: number): Cover => ({ recommended, rostered: r2(rostered), gap: r2(recommended - rostered) });

/** Share of [t, t + 1 h) a member is on shift. */
function presence(m: StaffMember, t: number): number {
  let ms = 0;
  for (const s of m.shifts) ms += Math.max(0, Math.min(s.to, t + H) - Math.max(s.from, t));
  return Math.min(1, ms / H);
}

export function compareWithRoster(site: SiteModel, needs: readonly HourNeed[], roster: readonly StaffMember[], cfg: StaffingConfig, forecastMadeAt: number | null): StaffingPlan {
  const floorOfZone = new Map(site.zones.map((z) => [z.id, z.floorId]));
  const shortHours: Record<PlannedRole, number> = { cleaner: 0, security: 0 };
  const hours = needs.map((n): StaffingHour => {
    const site_ = { cleaner: 0, security: 0 };
    const unplaced = { cleaner: 0, security: 0 };
    const byFloor = new Map(site.floors.map((f) => [f.id, { cleaner: 0, security: 0 }]));
    for (const m of roster) {
      const share = presence(m, n.t);
      if (share === 0) continue;
      const floor = m.zoneId ? floorOfZone.get(m.zoneId) : undefined;
      // Someone with both roles counts toward both: the plan shows cover, not a head count.
      for (const role of PLANNED_ROLES) {
        if (!m.roles.includes(role)) continue;
        site_[role] += share;
        const f = floor ? byFloor.get(floor) : undefined;
        if (f) f[role] += share;
        else unplaced[role] += share;
      }
    }
    const need = (role: 'cleaners' | 'security') => n.floors.reduce((s, f) => s + f[role], 0);
    const out: StaffingHour = {
      t: n.t,
      local: localLabel(site.timezone, n.t),
      open: n.open,
      site: { entries: n.floors.reduce((s, f) => s + f.entries, 0), cleaners: cover(need('cleaners'), site_.cleaner), security: cover(need('security'), site_.security) },
      floors: n.floors.map((f) => ({ floorId: f.floorId, entries: f.entries, cleaners: cover(f.cleaners, byFloor.get(f.floorId)?.cleaner ?? 0), security: cover(f.security, byFloor.get(f.floorId)?.security ?? 0) })),
      unplaced: { cleaner: r2(unplaced.cleaner), security: r2(unplaced.security) },
    };
    if (out.site.cleaners.gap > 0) shortHours.cleaner++;
    if (out.site.security.gap > 0) shortHours.security++;
    return out;
  });
  return { forecastMadeAt, config: cfg, hours, shortHours };
}

/** The service behind GET /api/v1/staffing/plan: newest zone forecasts + the roster → the plan. */
export function createStaffingPlanner(deps: { site: SiteModel; forecasts: Pick<ForecastStore, 'latest'>; roster: () => Promise<StaffMember[]>; config?: StaffingConfigInput }) {
  const cfg = StaffingConfig.parse(deps.config ?? {});
  return {
    config: cfg,
    async plan(): Promise<StaffingPlan> {
      const [latest, roster] = await Promise.all([deps.forecasts.latest({ subjectKind: 'zone' }), deps.roster()]);
      const zoneForecasts = new Map(latest.map((f) => [f.subjectId, f.hours]));
      const madeAt = latest.length > 0 ? Math.max(...latest.map((f) => f.madeAt)) : null;
      return compareWithRoster(deps.site, staffingNeeds(deps.site, zoneForecasts, cfg), roster, cfg, madeAt);
    },
  };
}

export type StaffingPlanner = ReturnType<typeof createStaffingPlanner>;
