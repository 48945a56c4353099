import { SiteModel } from '@atrium/shared';

/**
 * The same mall with `copies` times its devices: every device gets `copies - 1` twins in the
 * same place, counting the same subject, so load, connections and rule state grow as they
 * would with that many devices while the floors, zones and shops stay the mall's own.
 */
export function withDeviceCopies(site: SiteModel, copies: number): SiteModel {
  if (!Number.isInteger(copies) || copies < 1) throw new Error(`copies: must be a whole number >= 1, got ${copies}`);
  const devices = site.devices.flatMap((d) => [d, ...Array.from({ length: copies - 1 }, (_, k) => ({ ...d, id: `${d.id}_x${k + 2}` }))]);
  return SiteModel.parse({ ...site, devices });
}
