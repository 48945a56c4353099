import type { SiteModel } from '@atrium/shared';
import type { Cloud } from '@atrium/cloud';

/**
 * People to sign in as in the demo, beside the admin: an operator for the control room and a
 * merchant for the portal, all with one demo password kept in the data directory. Made once;
 * a later run keeps whatever was changed in the pages since (passwords, disabled users).
 */
export interface DemoPerson {
  userId: string;
  role: 'operator' | 'merchant';
  /** what they see after signing in */
  home: string;
}

export async function ensureDemoPeople(cloud: Cloud, site: SiteModel, password: string, now: number): Promise<DemoPerson[]> {
  const merchant = site.merchants[0];
  const people: (DemoPerson & { merchantId?: string })[] = [
    { userId: 'control-room', role: 'operator', home: 'the control room' },
    ...(merchant ? [{ userId: merchant.id, role: 'merchant' as const, merchantId: merchant.id, home: `${merchant.name}'s shop portal` }] : []),
  ];
  const existing = new Set((await cloud.users.list()).map((u) => u.userId));
  for (const p of people) {
    if (!existing.has(p.userId)) await cloud.users.create({ userId: p.userId, role: p.role, ...(p.merchantId && { merchantId: p.merchantId }) }, now);
    await cloud.accounts.ensurePassword(p.userId, password, now);
  }
  return people.map(({ userId, role, home }) => ({ userId, role, home }));
}
