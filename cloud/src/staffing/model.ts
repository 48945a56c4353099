import type { ForecastHour, SiteModel, StaffingConfig } from '@atrium/shared';
import { localMinuteOfDay, minutesOf } from '../forecast/zone-clock.ts';

/**
 * Recommended cleaners and security staff per floor and hour, from forecast zone entries.
 * Pure; the formulas are in README.md beside this file.
 */
export interface FloorNeed {
  floorId: string;
  /** forecast zone entries on the floor in that hour (the configured figure: median or top of the 80% range) */
  entries: number;
  cleaners: number;
  security: number;
}

export interface HourNeed {
  t: number;
  open: boolean;
  floors: FloorNeed[];
}

export function isOpenAt(site: Pick<SiteModel, 'timezone' | 'openingHours'>, t: number): boolean {
  // An hour counts as open when its middle is inside opening hours (10:00–21:00 → 10:00 … 20:00).
  const m = localMinuteOfDay(site.timezone, t + 30 * 60_000);
  return m >= minutesOf(site.openingHours.open) && m < minutesOf(site.openingHours.close);
}

export function staffingNeeds(site: SiteModel, zoneForecasts: ReadonlyMap<string, readonly ForecastHour[]>, cfg: StaffingConfig): HourNeed[] {
  const excluded = new Set<string>(cfg.excludeZoneKinds);
  const area = new Map<string, number>();
  const zonesOf = new Map<string, string[]>();
  for (const f of site.floors) {
    area.set(f.id, 0);
    zonesOf.set(f.id, []);
  }
  for (const z of site.zones) {
    area.set(z.floorId, (area.get(z.floorId) ?? 0) + z.areaM2);
    if (!excluded.has(z.kind)) zonesOf.get(z.floorId)?.push(z.id);
  }
  const hours = [...new Set([...zoneForecasts.values()].flatMap((hs) => hs.map((h) => h.t)))].sort((a, b) => a - b);
  const at = new Map<string, Map<number, ForecastHour>>();
  for (const [zoneId, hs] of zoneForecasts) at.set(zoneId, new Map(hs.map((h) => [h.t, h])));

  return hours.map((t) => {
    const open = isOpenAt(site, t);
    const floors = site.floors.map((f): FloorNeed => {
      let entries = 0;
      for (const zoneId of zonesOf.get(f.id) ?? []) {
        const h = at.get(zoneId)?.get(t);
        if (h) entries += cfg.footfall === 'hi80' ? h.hi80 : h.mean;
      }
      const a = area.get(f.id) ?? 0;
      const c = cfg.cleaners;
      const s = cfg.security;
      const cleaners = Math.max(open ? c.minPerFloorOpen : c.minPerFloorClosed, Math.ceil(entries / c.entriesPerCleanerHour - 1e-9));
      const guards = open ? a / s.areaPerGuardM2Open + entries / s.entriesPerGuardHour : a / s.areaPerGuardM2Closed;
      const security = Math.max(open ? s.minPerFloorOpen : s.minPerFloorClosed, Math.ceil(guards - 1e-9));
      return { floorId: f.id, entries: Math.round(entries), cleaners, security };
    });
    return { t, open, floors };
  });
}
