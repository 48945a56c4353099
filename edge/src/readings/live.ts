import type { Device, LiveUplink, SiteIndex } from '@atrium/shared';

type ZoneSnapshot = LiveUplink['zones'][number];

/**
 * Latest occupancy per zone for the control room's live view: the sum of the newest reading
 * of each radar that watches the zone. Only zones that changed since the last take are sent.
 */
export interface LiveOccupancy {
  update(device: Device, occupancy: number, ts: number, receivedAt: number): void;
  takeChanged(): ZoneSnapshot[];
}

export function createLiveOccupancy(site: SiteIndex): LiveOccupancy {
  const zoneRadars = new Map<string, string[]>();
  for (const d of site.site.devices) {
    if (d.kind !== 'radar' || d.subject?.kind !== 'zone') continue;
    zoneRadars.set(d.zoneId, [...(zoneRadars.get(d.zoneId) ?? []), d.id]);
  }
  const latest = new Map<string, { occupancy: number; ts: number; receivedAt: number }>();
  const changed = new Set<string>();

  return {
    update(device, occupancy, ts, receivedAt) {
      if (device.subject?.kind !== 'zone') return;
      const prev = latest.get(device.id);
      if (prev && prev.ts > ts) return; // an out-of-order reading must not roll the view back
      latest.set(device.id, { occupancy, ts, receivedAt });
      changed.add(device.zoneId);
    },
    takeChanged() {
      const out: ZoneSnapshot[] = [];
      for (const zoneId of changed) {
        let occupancy = 0;
        let ts = 0;
        let receivedAt = 0;
        for (const id of zoneRadars.get(zoneId) ?? []) {
          const r = latest.get(id);
          if (!r) continue;
          occupancy += r.occupancy;
          ts = Math.max(ts, r.ts);
          receivedAt = Math.max(receivedAt, r.receivedAt);
        }
        out.push({ zoneId, occupancy, ts, receivedAt });
      }
      changed.clear();
      return out;
    },
  };
}
