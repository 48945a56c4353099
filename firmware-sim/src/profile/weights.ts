import type { SiteModel, Subject } from '@atrium/shared';

/**
 * How the site's visitors spread over its places. A share is "visits per visitor": every
 * visitor uses exactly one entrance (shares sum to 1), walks through several concourses,
 * visits a couple of shops, and a third of them use a restroom. Within a kind, bigger places
 * (area, or fixtures for restrooms) draw proportionally more.
 */
export type SiteLike = Pick<SiteModel, 'timezone' | 'openingHours' | 'zones' | 'entrances' | 'restrooms' | 'shops' | 'gates'>;
type ZoneKind = SiteModel['zones'][number]['kind'];

export const VISITS_PER_VISITOR: Readonly<Record<ZoneKind, number>> = {
  entrance: 1,
  concourse: 3,
  atrium: 1.2,
  foodcourt: 0.55,
  restroom: 0.35,
  carpark: 0.5,
  lockers: 0.04,
  // service corridors carry staff, not shoppers; the staff flow is added separately
  service: 0,
};
export const SHOP_VISITS_PER_VISITOR = 2.2;

/** How strongly a shop of a category pulls visitors per square metre of its frontage. */
const CATEGORY_PULL: Readonly<Record<string, number>> = {
  supermarket: 2.5,
  'department store': 1.6,
  'fast food': 1.6,
  cafe: 1.5,
  pharmacy: 1.3,
  'fresh food': 1.2,
  electronics: 1.1,
  fashion: 1,
  footwear: 0.9,
  beauty: 1,
  sports: 0.9,
  books: 0.8,
  homewares: 0.8,
  toys: 0.8,
  jewellery: 0.6,
  services: 0.7,
};

export interface Weights {
  /** visits per visitor for the subject, before time-of-day effects */
  share: Map<string, number>;
  /** which zone a subject sits in, for zone-specific events */
  zoneOf: Map<string, string>;
  /** shop category by shop id (time-of-day effects differ) */
  category: Map<string, string>;
  /** zone kind by zone id */
  kind: Map<string, ZoneKind>;
  /** how many zones of each kind (staff spread evenly over service corridors) */
  zonesOfKind: Map<ZoneKind, number>;
  /** staff working on a trading day: shop floor staff plus centre management */
  staffOnShift: number;
}

export const subjectKey = (s: Subject): string => `${s.kind}:${s.id}`;

function normalised<T>(xs: readonly T[], weight: (x: T) => number, total: number, key: (x: T) => string, into: Map<string, number>): void {
  const sum = xs.reduce((a, x) => a + weight(x), 0);
  for (const x of xs) into.set(key(x), sum > 0 ? (total * weight(x)) / sum : 0);
}

export function computeWeights(site: SiteLike): Weights {
  const share = new Map<string, number>();
  const zoneOf = new Map<string, string>();
  const kind = new Map(site.zones.map((z) => [z.id, z.kind] as const));
  const fixtures = new Map(site.restrooms.map((r) => [r.zoneId, r.fixtures] as const));

  for (const k of Object.keys(VISITS_PER_VISITOR) as ZoneKind[]) {
    const zones = site.zones.filter((z) => z.kind === k);
    const weight = k === 'restroom' ? (z: (typeof zones)[number]) => fixtures.get(z.id) ?? z.areaM2 / 10 : (z: (typeof zones)[number]) => z.areaM2;
    normalised(zones, weight, VISITS_PER_VISITOR[k], (z) => subjectKey({ kind: 'zone', id: z.id }), share);
  }
  for (const z of site.zones) zoneOf.set(subjectKey({ kind: 'zone', id: z.id }), z.id);

  // Entrances are chosen by how much doorway there is: the entrance zone's area.
  const area = new Map(site.zones.map((z) => [z.id, z.areaM2] as const));
  const perZone = new Map<string, number>();
  for (const e of site.entrances) perZone.set(e.zoneId, (perZone.get(e.zoneId) ?? 0) + 1);
  normalised(site.entrances, (e) => (area.get(e.zoneId) ?? 1) / (perZone.get(e.zoneId) ?? 1), 1, (e) => subjectKey({ kind: 'entrance', id: e.id }), share);
  for (const e of site.entrances) zoneOf.set(subjectKey({ kind: 'entrance', id: e.id }), e.zoneId);

  // Square root of area: a shop twice the size does not get twice the visitors.
  normalised(site.shops, (s) => Math.sqrt(s.areaM2) * (CATEGORY_PULL[s.category] ?? 1), SHOP_VISITS_PER_VISITOR, (s) => subjectKey({ kind: 'shop', id: s.id }), share);
  for (const s of site.shops) zoneOf.set(subjectKey({ kind: 'shop', id: s.id }), s.zoneId);

  const shopArea = site.shops.reduce((a, s) => a + s.areaM2, 0);
  return {
    share,
    zoneOf,
    category: new Map(site.shops.map((s) => [s.id, s.category] as const)),
    kind,
    zonesOfKind: site.zones.reduce((m, z) => m.set(z.kind, (m.get(z.kind) ?? 0) + 1), new Map<ZoneKind, number>()),
    // Roughly one worker per 80 m2 of retail floor, plus a centre team of 40.
    staffOnShift: Math.round(shopArea / 80) + 40,
  };
}
