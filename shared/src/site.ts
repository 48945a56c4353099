import { z } from 'zod';
import { DeviceId, FloorId, GatewayId, MerchantId, ShopId, SiteId, Slug, ZoneId } from './ids.ts';
import { DeviceKind } from './topics.ts';

/** Floor-plan rectangle in metres, origin at the floor's north-west corner. */
export const Rect = z.strictObject({
  x: z.number().min(0),
  y: z.number().min(0),
  w: z.number().positive(),
  h: z.number().positive(),
});

export const Floor = z.strictObject({ id: FloorId, name: z.string().min(1), level: z.number().int() });

export const ZONE_KINDS = ['concourse', 'atrium', 'foodcourt', 'restroom', 'entrance', 'carpark', 'service', 'lockers'] as const;
export const Zone = z.strictObject({
  id: ZoneId,
  floorId: FloorId,
  name: z.string().min(1),
  kind: z.enum(ZONE_KINDS),
  areaM2: z.number().positive(),
  rect: Rect,
});

export const Entrance = z.strictObject({ id: Slug, zoneId: ZoneId, name: z.string().min(1) });
export const Restroom = z.strictObject({ id: Slug, zoneId: ZoneId, fixtures: z.number().int().positive() });
export const Merchant = z.strictObject({ id: MerchantId, name: z.string().min(1) });
export const Shop = z.strictObject({
  id: ShopId,
  zoneId: ZoneId,
  merchantId: MerchantId,
  name: z.string().min(1),
  category: z.string().min(1),
  areaM2: z.number().positive(),
});
export const LockerBank = z.strictObject({ id: Slug, zoneId: ZoneId, compartments: z.number().int().positive() });
export const Gate = z.strictObject({ id: Slug, zoneId: ZoneId, name: z.string().min(1), kind: z.enum(['turnstile', 'door']) });
export const EdgeGateway = z.strictObject({ id: GatewayId, zoneId: ZoneId, name: z.string().min(1) });

/** What a radar counts: a zone boundary, a mall entrance or a shop door. */
export const Subject = z.strictObject({ kind: z.enum(['zone', 'entrance', 'shop']), id: Slug });

export const Device = z.strictObject({
  id: DeviceId,
  kind: DeviceKind,
  zoneId: ZoneId,
  /** Radars: the line they count. Lockers and gates: the bank or gate they belong to. */
  subject: Subject.optional(),
  lockerBankId: Slug.optional(),
  gateId: Slug.optional(),
  /**
   * The edge gateway it reports through: the cloud refuses its data from any other. May be
   * left out when the site has one gateway (it is then that one's); required with several.
   */
  gatewayId: GatewayId.optional(),
  reportIntervalS: z.number().int().min(1).max(3600),
});

export const SiteModel = z
  .strictObject({
    id: SiteId,
    name: z.string().min(1),
    timezone: z.string().min(1),
    openingHours: z.strictObject({
      open: z.string().regex(/^\d{2}:\d{2}$/, 'must be HH:MM'),
      close: z.string().regex(/^\d{2}:\d{2}$/, 'must be HH:MM'),
    }),
    floors: z.array(Floor).min(1),
    zones: z.array(Zone).min(1),
    entrances: z.array(Entrance),
    restrooms: z.array(Restroom),
    merchants: z.array(Merchant),
    shops: z.array(Shop),
    lockerBanks: z.array(LockerBank),
    gates: z.array(Gate),
    /**
     * Edge gateways (not access gates): where each one is installed, so a gateway that goes
     * quiet is one work order at its cabinet instead of an alarm per device behind it.
     */
    gateways: z.array(EdgeGateway).default([]),
    devices: z.array(Device),
  })
  .superRefine((site, ctx) => {
    // Cross-references are checked here so a hand-edited site file fails with the exact bad entry.
    const ids = (xs: { id: string }[]) => new Set(xs.map((x) => x.id));
    const floors = ids(site.floors);
    const zones = ids(site.zones);
    const merchants = ids(site.merchants);
    const refs: Record<string, Set<string>> = {
      zone: zones,
      entrance: ids(site.entrances),
      shop: ids(site.shops),
    };
    const lockerBanks = ids(site.lockerBanks);
    const gates = ids(site.gates);
    const check = (ok: boolean, path: (string | number)[], message: string) => {
      if (!ok) ctx.addIssue({ code: 'custom', path, message });
    };
    for (const key of ['floors', 'zones', 'entrances', 'restrooms', 'shops', 'lockerBanks', 'gates', 'gateways', 'devices', 'merchants'] as const) {
      const seen = new Set<string>();
      site[key].forEach((x, i) => {
        check(!seen.has(x.id), [key, i, 'id'], `duplicate id "${x.id}"`);
        seen.add(x.id);
      });
    }
    site.zones.forEach((z, i) => check(floors.has(z.floorId), ['zones', i, 'floorId'], `unknown floor "${z.floorId}"`));
    for (const key of ['entrances', 'restrooms', 'shops', 'lockerBanks', 'gates', 'gateways', 'devices'] as const) {
      site[key].forEach((x, i) => check(zones.has(x.zoneId), [key, i, 'zoneId'], `unknown zone "${x.zoneId}"`));
    }
    const gateways = ids(site.gateways);
    site.devices.forEach((d, i) => {
      if (d.gatewayId !== undefined) check(gateways.has(d.gatewayId), ['devices', i, 'gatewayId'], `unknown gateway "${d.gatewayId}"`);
      else if (site.gateways.length > 1) check(false, ['devices', i, 'gatewayId'], 'with several gateways, each device must name the one it reports through');
    });
    site.shops.forEach((s, i) => check(merchants.has(s.merchantId), ['shops', i, 'merchantId'], `unknown merchant "${s.merchantId}"`));
    site.devices.forEach((d, i) => {
      if (d.kind === 'radar') {
        check(d.subject !== undefined, ['devices', i, 'subject'], 'a radar must say what it counts');
        if (d.subject) check(refs[d.subject.kind]?.has(d.subject.id) ?? false, ['devices', i, 'subject', 'id'], `unknown ${d.subject.kind} "${d.subject.id}"`);
      }
      if (d.kind === 'locker') check(d.lockerBankId !== undefined && lockerBanks.has(d.lockerBankId), ['devices', i, 'lockerBankId'], 'a locker controller must name an existing locker bank');
      if (d.kind === 'gate') check(d.gateId !== undefined && gates.has(d.gateId), ['devices', i, 'gateId'], 'a gate controller must name an existing gate');
    });
  });

export type Rect = z.infer<typeof Rect>;
export type Floor = z.infer<typeof Floor>;
export type Zone = z.infer<typeof Zone>;
export type Shop = z.infer<typeof Shop>;
export type Device = z.infer<typeof Device>;
export type Subject = z.infer<typeof Subject>;
export type SiteModel = z.infer<typeof SiteModel>;

/** Fast lookups the edge and cloud need on every message. */
export interface SiteIndex {
  site: SiteModel;
  device: Map<string, Device>;
  zone: Map<string, Zone>;
}

export function indexSite(site: SiteModel): SiteIndex {
  return {
    site,
    device: new Map(site.devices.map((d) => [d.id, d])),
    zone: new Map(site.zones.map((z) => [z.id, z])),
  };
}
