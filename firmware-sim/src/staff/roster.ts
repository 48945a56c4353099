import type { SiteModel } from '@atrium/shared';

/** What the cloud's roster takes (PUT /api/v1/staff/:id); the cloud's schema checks it. */
export interface SimStaffMember {
  id: string;
  name: string;
  roles: Array<'cleaner' | 'security' | 'technician' | 'supervisor'>;
  shifts: Array<{ from: number; to: number }>;
  zoneId: string | null;
  available: boolean;
}

/**
 * A crew sized for the site: a cleaner per two restrooms (at least one per floor), a guard
 * per floor plus one, two technicians and a supervisor. They start spread over the floors'
 * first zones. Everyone is on shift for the whole simulated run: shift changes are the
 * roster's business, and the demo is about the loop from sensor to done.
 */
export function demoCrew(site: SiteModel, p: { from: number; to: number }): SimStaffMember[] {
  const floors = [...site.floors].sort((a, b) => a.level - b.level);
  const homeOf = (i: number) => {
    const floor = floors[i % floors.length]!;
    return site.zones.find((z) => z.floorId === floor.id)?.id ?? null;
  };
  const shift = [{ from: p.from, to: p.to }];
  const crew: SimStaffMember[] = [];
  const add = (prefix: string, name: string, role: SimStaffMember['roles'][number], n: number) => {
    for (let i = 0; i < n; i++) crew.push({ id: `${prefix}-${i + 1}`, name: `${name} ${i + 1}`, roles: [role], shifts: shift, zoneId: homeOf(crew.length), available: true });
  };
  add('cleaner', 'Cleaner', 'cleaner', Math.max(floors.length, Math.ceil(site.restrooms.length / 2)));
  add('guard', 'Guard', 'security', floors.length + 1);
  add('tech', 'Technician', 'technician', 2);
  add('supervisor', 'Supervisor', 'supervisor', 1);
  return crew;
}

/** Walking distance in metres between two zones: straight line on a floor, plus the stairs. */
export function walkingDistanceM(site: SiteModel, from: string | null, to: string): number {
  const a = site.zones.find((z) => z.id === from);
  const b = site.zones.find((z) => z.id === to);
  if (!a || !b) return 100;
  const level = (floorId: string) => site.floors.find((f) => f.id === floorId)?.level ?? 0;
  const centre = (z: typeof a) => ({ x: z.rect.x + z.rect.w / 2, y: z.rect.y + z.rect.h / 2 });
  const ca = centre(a);
  const cb = centre(b);
  return Math.hypot(ca.x - cb.x, ca.y - cb.y) + Math.abs(level(a.floorId) - level(b.floorId)) * FLOOR_CHANGE_M;
}
/** An escalator ride and the walk to it. */
const FLOOR_CHANGE_M = 40;
