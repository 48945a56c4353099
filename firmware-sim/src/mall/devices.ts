import type { SiteModel } from '@atrium/shared';

type Device = SiteModel['devices'][number];
type Zone = SiteModel['zones'][number];

/** Report intervals of the installed hardware, in seconds. */
export const REPORT_INTERVAL_S = {
  radar: 30,
  env: 60,
  /** locker state snapshot; events are sent as they happen */
  locker: 300,
  /** gates are event-driven; this is their heartbeat */
  gate: 300,
} as const;

/** One mmWave radar covers a doorway; big zones have more ways in, one more radar per 1,500 m2. */
export const zoneRadarCount = (z: Zone): number => (z.kind === 'restroom' || z.kind === 'entrance' || z.kind === 'service' ? 1 : 1 + Math.floor(z.areaM2 / 1500));

/** Air is mixed well over ~800 m2 of open mall; a restroom block needs its own sensor for odour. */
export const zoneEnvCount = (z: Zone): number => Math.max(1, Math.round(z.areaM2 / 800));

/** Every sensor the site has, in a stable order (by family, then plan order). */
export function installDevices(site: Pick<SiteModel, 'zones' | 'entrances' | 'shops' | 'lockerBanks' | 'gates'>): Device[] {
  const devices: Device[] = [];
  for (const z of site.zones) {
    for (let i = 1; i <= zoneRadarCount(z); i++) {
      devices.push({ id: `rz-${z.id}-${i}`, kind: 'radar', zoneId: z.id, subject: { kind: 'zone', id: z.id }, reportIntervalS: REPORT_INTERVAL_S.radar });
    }
  }
  for (const e of site.entrances) {
    devices.push({ id: `re-${e.id}`, kind: 'radar', zoneId: e.zoneId, subject: { kind: 'entrance', id: e.id }, reportIntervalS: REPORT_INTERVAL_S.radar });
  }
  for (const s of site.shops) {
    devices.push({ id: `rs-${s.id}`, kind: 'radar', zoneId: s.zoneId, subject: { kind: 'shop', id: s.id }, reportIntervalS: REPORT_INTERVAL_S.radar });
  }
  for (const z of site.zones) {
    for (let i = 1; i <= zoneEnvCount(z); i++) devices.push({ id: `env-${z.id}-${i}`, kind: 'env', zoneId: z.id, reportIntervalS: REPORT_INTERVAL_S.env });
  }
  for (const b of site.lockerBanks) devices.push({ id: `lk-${b.id}`, kind: 'locker', zoneId: b.zoneId, lockerBankId: b.id, reportIntervalS: REPORT_INTERVAL_S.locker });
  for (const g of site.gates) devices.push({ id: `gt-${g.id}`, kind: 'gate', zoneId: g.zoneId, gateId: g.id, reportIntervalS: REPORT_INTERVAL_S.gate });
  return devices;
}
