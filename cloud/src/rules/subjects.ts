import type { DeviceSelector, SiteModel, SubjectRef, ZoneSelector } from '@atrium/shared';

/**
 * What a rule is about: a zone (air, crowding, restroom visits) or a device (a gate that
 * was forced, a sensor gone quiet). The key is the stable identity of alarms and rule state.
 */
type SubjectKind = SubjectRef['kind'];
export const subjectKey = (s: SubjectRef): string => `${s.kind}:${s.id}`;
export function parseSubjectKey(key: string): SubjectRef {
  const i = key.indexOf(':');
  return { kind: key.slice(0, i) as SubjectKind, id: key.slice(i + 1) };
}

export interface ZoneFacts {
  id: string;
  name: string;
  floorId: string;
  /** the floor's name, for people ("Ground") */
  floorName: string;
  /** floor level (0 ground, -1 lower ground …) for walking distance */
  level: number;
  kind: SiteModel['zones'][number]['kind'];
  areaM2: number;
  /** centre of the zone's floor-plan rectangle, metres */
  cx: number;
  cy: number;
}
export interface DeviceFacts {
  id: string;
  kind: SiteModel['devices'][number]['kind'];
  zoneId: string;
  floorId: string;
  reportIntervalS: number;
}

/** The parts of the site model rules and dispatch need, looked up once. */
export interface SiteFacts {
  siteId: string;
  timezone: string;
  zones: ReadonlyMap<string, ZoneFacts>;
  devices: ReadonlyMap<string, DeviceFacts>;
  /** edge gateway id → the zone it is installed in */
  gateways: ReadonlyMap<string, string>;
  floors: ReadonlySet<string>;
}

export function siteFacts(site: SiteModel): SiteFacts {
  const level = new Map(site.floors.map((f) => [f.id, f.level]));
  const floorName = new Map(site.floors.map((f) => [f.id, f.name]));
  const zones = new Map<string, ZoneFacts>(
    site.zones.map((z) => [
      z.id,
      { id: z.id, name: z.name, floorId: z.floorId, floorName: floorName.get(z.floorId) ?? z.floorId, level: level.get(z.floorId) ?? 0, kind: z.kind, areaM2: z.areaM2, cx: z.rect.x + z.rect.w / 2, cy: z.rect.y + z.rect.h / 2 },
    ]),
  );
  const devices = new Map<string, DeviceFacts>(
    site.devices.map((d) => [d.id, { id: d.id, kind: d.kind, zoneId: d.zoneId, floorId: zones.get(d.zoneId)?.floorId ?? '', reportIntervalS: d.reportIntervalS }]),
  );
  return { siteId: site.id, timezone: site.timezone, zones, devices, gateways: new Map(site.gateways.map((g) => [g.id, g.zoneId])), floors: new Set(level.keys()) };
}

const allows = <T>(list: readonly T[] | undefined, value: T): boolean => list === undefined || list.includes(value);

export function selectZones(sel: ZoneSelector, facts: SiteFacts): string[] {
  return [...facts.zones.values()]
    .filter((z) => allows(sel.zoneKinds, z.kind) && allows(sel.zoneIds, z.id) && allows(sel.floorIds, z.floorId))
    .map((z) => z.id);
}

export function selectDevices(sel: DeviceSelector, facts: SiteFacts): string[] {
  return [...facts.devices.values()]
    .filter((d) => {
      const zone = facts.zones.get(d.zoneId);
      return (
        allows(sel.deviceKinds, d.kind) &&
        allows(sel.deviceIds, d.id) &&
        allows(sel.zoneIds, d.zoneId) &&
        allows(sel.floorIds, d.floorId) &&
        (sel.zoneKinds === undefined || (zone !== undefined && sel.zoneKinds.includes(zone.kind)))
      );
    })
    .map((d) => d.id);
}

export function selectGateways(sel: { gatewayIds?: readonly string[] | undefined }, facts: SiteFacts): string[] {
  return [...facts.gateways.keys()].filter((id) => allows(sel.gatewayIds, id));
}

/** Where a subject is: its zone, or the zone its device or gateway is installed in. */
export function zoneOfSubject(s: SubjectRef, facts: SiteFacts): ZoneFacts | undefined {
  const zoneId = s.kind === 'zone' ? s.id : s.kind === 'device' ? facts.devices.get(s.id)?.zoneId : facts.gateways.get(s.id);
  return facts.zones.get(zoneId ?? '');
}
