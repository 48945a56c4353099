import type { SiteModel } from '@atrium/shared';
import { mulberry32, uniform } from '../random.ts';
import { CATEGORY_AREA, KIOSK_AREA, MAX_SHOP_FRACTION, MERCHANT_POOL, TENANCY_PLAN, slugify } from './tenancy.ts';

type Zone = SiteModel['zones'][number];

const roundTo5 = (x: number): number => Math.max(10, Math.round(x / 5) * 5);

/**
 * Lets the tenancy plan: merchants in first-seen order, shops numbered per floor like real
 * tenancy numbers (G-012 becomes "g-012"). Areas are drawn from a fixed-seed generator so the
 * file is identical on every run, then scaled down if a zone would be more shop than walkway.
 */
export function letShops(zones: readonly Zone[]): Pick<SiteModel, 'merchants' | 'shops'> {
  const rng = mulberry32(20_240_601);
  const nextInPool = new Map<string, number>();
  const merchants = new Map<string, string>();
  const perFloor = new Map<string, number>();
  const planned: { zone: Zone; merchant: string; category: string; area: number }[] = [];

  for (const zone of zones) {
    const plan = TENANCY_PLAN[zone.id];
    if (!plan) continue;
    const start = planned.length;
    for (const entry of plan) {
      const [category = '', named] = entry.split(':');
      let merchant = named;
      if (merchant === undefined) {
        const pool = MERCHANT_POOL[category] ?? [];
        const i = nextInPool.get(category) ?? 0;
        merchant = pool[i];
        if (merchant === undefined) throw new Error(`merchant pool "${category}" has no name left for ${zone.id}`);
        nextInPool.set(category, i + 1);
      }
      const [lo, hi] = named !== undefined ? KIOSK_AREA : (CATEGORY_AREA[category] ?? [50, 150]);
      planned.push({ zone, merchant, category, area: uniform(rng, lo, hi) });
    }
    const total = planned.slice(start).reduce((a, p) => a + p.area, 0);
    const limit = zone.areaM2 * MAX_SHOP_FRACTION;
    if (total > limit) for (const p of planned.slice(start)) p.area *= limit / total;
  }

  const outlets = new Map<string, number>();
  for (const p of planned) outlets.set(p.merchant, (outlets.get(p.merchant) ?? 0) + 1);
  const shops: SiteModel['shops'] = planned.map((p) => {
    const n = (perFloor.get(p.zone.floorId) ?? 0) + 1;
    perFloor.set(p.zone.floorId, n);
    const merchantId = slugify(p.merchant);
    merchants.set(merchantId, p.merchant);
    return {
      id: `${p.zone.floorId}-${String(n).padStart(3, '0')}`,
      zoneId: p.zone.id,
      merchantId,
      // A chain's outlets are told apart by where they are, as on a centre directory.
      name: (outlets.get(p.merchant) ?? 1) > 1 ? `${p.merchant} (${p.zone.name})` : p.merchant,
      category: p.category,
      areaM2: roundTo5(p.area),
    };
  });
  return { merchants: [...merchants].map(([id, name]) => ({ id, name })), shops };
}
