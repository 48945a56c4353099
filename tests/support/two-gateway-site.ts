import { SiteModel, type DeviceStatusRecord } from '@atrium/shared';
import { miniSite } from './mini-site.ts';

/**
 * The mini mall with two edge gateways: gw-hall carries the hall's devices, gw-wc the
 * restroom's. One can go quiet while the other delivers, which is what device health has to
 * tell apart (offline devices vs devices nobody can see).
 */
export const twoGatewaySite: SiteModel = SiteModel.parse({
  ...miniSite,
  gateways: [
    { id: 'gw-hall', zoneId: 'hall', name: 'Hall gateway' },
    { id: 'gw-wc', zoneId: 'wc', name: 'Restroom gateway' },
  ],
  devices: miniSite.devices.map((d) => ({ ...d, gatewayId: d.zoneId === 'wc' ? 'gw-wc' : 'gw-hall' })),
});

/** A device's status record as its gateway forwards it (a last will is `offline` without a battery). */
export function statusOf(deviceId: string, ts: number, state: 'online' | 'offline', battery?: number): DeviceStatusRecord {
  const d = twoGatewaySite.devices.find((x) => x.id === deviceId)!;
  const floorId = twoGatewaySite.zones.find((z) => z.id === d.zoneId)!.floorId;
  return { deviceId, floorId, zoneId: d.zoneId, kind: d.kind, ts, state, ...(battery !== undefined && { battery }) };
}
