import type { Device, SiteIndex } from '@atrium/shared';

export interface Placement {
  deviceId: string;
  floorId: string;
  zoneId: string;
}

/** The tags every forwarded record carries; the site model was validated, so the zone exists. */
export function placementOf(site: SiteIndex, device: Device): Placement {
  const zone = site.zone.get(device.zoneId);
  if (!zone) throw new Error(`device ${device.id} names unknown zone ${device.zoneId}`);
  return { deviceId: device.id, floorId: zone.floorId, zoneId: zone.id };
}
