import type { SiteModel } from './site.ts';

/**
 * Which edge gateway each device reports through, from the site model: a device's own
 * `gatewayId`, else the site's only gateway. The cloud refuses a gateway's data about a
 * device that is not its own, so one compromised or misconfigured gateway cannot write
 * another's readings.
 */
export interface GatewayOwnership {
  /** false when the site declares no gateways: there is nothing to check against */
  readonly checked: boolean;
  /** the gateways the site declares */
  readonly gateways: ReadonlySet<string>;
  /** why `gatewayId` may not carry data of `deviceId`, or null when it may */
  refusal(gatewayId: string, deviceId: string): 'foreign_device' | 'unknown_device' | null;
  /** whether `gatewayId` has a device in `zoneId` (live occupancy is per zone) */
  servesZone(gatewayId: string, zoneId: string): boolean;
}

export function gatewayOwnership(site: SiteModel): GatewayOwnership {
  const only = site.gateways.length === 1 ? site.gateways[0]!.id : undefined;
  const owner = new Map<string, string | undefined>(site.devices.map((d) => [d.id, d.gatewayId ?? only]));
  const zones = new Map<string, Set<string>>();
  for (const d of site.devices) {
    const g = d.gatewayId ?? only;
    if (g === undefined) continue;
    const set = zones.get(g) ?? new Set<string>();
    set.add(d.zoneId);
    zones.set(g, set);
  }
  const checked = site.gateways.length > 0;
  return {
    checked,
    gateways: new Set(site.gateways.map((g) => g.id)),
    refusal(gatewayId, deviceId) {
      if (!owner.has(deviceId)) return 'unknown_device';
      if (!checked) return null;
      return owner.get(deviceId) === gatewayId ? null : 'foreign_device';
    },
    servesZone(gatewayId, zoneId) {
      return !checked || (zones.get(gatewayId)?.has(zoneId) ?? false);
    },
  };
}
