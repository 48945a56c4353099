import { SiteModel, type Device, type Zone } from '@atrium/shared';

/**
 * The demo mall grown to `zones` zones for the page benchmarks: each floor's own layout is
 * repeated as more wings of the same floor, laid out in a grid beside the original so a floor
 * plan keeps roughly its shape, and each wing's zone is named after the original with its wing
 * number. The mall's own zones stay (entrances, shops, lockers and gates still point at them).
 *
 * Devices: exactly one zone radar per zone, reporting every second, and nothing else, so the
 * benchmark drives every device there is. The demo's other devices would sit silent and raise
 * device-offline alarms part way through a run, changing the page under measurement.
 */
export function withZones(site: SiteModel, zones: number): { site: SiteModel; radars: Array<{ deviceId: string; zone: Zone }> } {
  if (!Number.isInteger(zones) || zones < site.zones.length) throw new Error(`zones: must be a whole number >= ${site.zones.length} (the demo mall's own), got ${zones}`);
  const copies = Math.ceil(zones / site.zones.length);
  const cols = Math.ceil(Math.sqrt(copies));
  const all: Zone[] = [...site.zones];
  // Wing by wing, so a count that is not a whole number of malls leaves out parts of the last wing only.
  for (let k = 1; k < copies && all.length < zones; k++) {
    for (const floor of site.floors) {
      const own = site.zones.filter((z) => z.floorId === floor.id);
      const width = Math.max(...own.map((z) => z.rect.x + z.rect.w)) + 10;
      const height = Math.max(...own.map((z) => z.rect.y + z.rect.h)) + 10;
      for (const z of own) {
        if (all.length >= zones) break;
        const rect = { ...z.rect, x: z.rect.x + (k % cols) * width, y: z.rect.y + Math.floor(k / cols) * height };
        all.push({ ...z, id: `${z.id}-w${k + 1}`, name: `${z.name} ${k + 1}`, rect });
      }
    }
  }
  const devices: Device[] = all.map((z) => ({ id: `rz-${z.id}`, kind: 'radar', zoneId: z.id, subject: { kind: 'zone', id: z.id }, reportIntervalS: 1 }));
  const grown = SiteModel.parse({ ...site, zones: all, devices });
  return { site: grown, radars: grown.zones.map((zone) => ({ deviceId: `rz-${zone.id}`, zone })) };
}
