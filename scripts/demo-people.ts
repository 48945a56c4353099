import type { SiteModel, StaffInput } from '@atrium/shared';
import type { Cloud } from '@atrium/cloud';

/**
 * People to sign in as in the demo, beside the admin: an operator for the control room, a
 * merchant for the portal and a cleaner for the staff app, all with one demo password kept in
 * the data directory. Made once; a later run keeps whatever was changed in the pages since
 * (passwords, disabled users).
 */
export interface DemoPerson {
  userId: string;
  role: 'operator' | 'merchant' | 'staff';
  /** what they see after signing in */
  home: string;
}

/**
 * The cleaner a person plays on the phone. The simulated crew (firmware-sim's demoCrew) is
 * `cleaner-N`, `guard-N`, …, so this id is never one of theirs: nobody accepts this person's jobs
 * for them. Cleaning jobs give the longest time to accept (5 minutes of site time), and a
 * ground-floor restroom as the starting place makes them the nearest cleaner for its jobs.
 */
export const DEMO_STAFF_ID = 'demo-cleaner';
const SHIFT_DAYS = 30;

export async function ensureDemoPeople(cloud: Cloud, site: SiteModel, password: string, p: { now: number; siteNow: number }): Promise<DemoPerson[]> {
  const merchant = site.merchants[0];
  await ensureOnShift(cloud, site, p.siteNow);
  const people: (DemoPerson & { merchantId?: string; staffId?: string })[] = [
    { userId: 'control-room', role: 'operator', home: 'the control room' },
    ...(merchant ? [{ userId: merchant.id, role: 'merchant' as const, merchantId: merchant.id, home: `${merchant.name}'s shop portal` }] : []),
    { userId: DEMO_STAFF_ID, role: 'staff', staffId: DEMO_STAFF_ID, home: 'the staff app (a cleaner on shift: take the jobs offered)' },
  ];
  const existing = new Set((await cloud.users.list()).map((u) => u.userId));
  for (const person of people) {
    if (!existing.has(person.userId)) {
      await cloud.users.create({ userId: person.userId, role: person.role, ...(person.merchantId && { merchantId: person.merchantId }), ...(person.staffId && { staffId: person.staffId }) }, p.now);
    }
    await cloud.accounts.ensurePassword(person.userId, password, p.now);
  }
  return people.map(({ userId, role, home }) => ({ userId, role, home }));
}

/**
 * On the roster and on shift at the site's clock, which in a demo is days or weeks ahead of the
 * wall: a shift that has ended is renewed; anything else an operator changed is kept.
 */
async function ensureOnShift(cloud: Cloud, site: SiteModel, siteNow: number): Promise<void> {
  const current = cloud.dispatch.roster().find((m) => m.id === DEMO_STAFF_ID);
  if (current?.shifts.some((s) => s.from <= siteNow && siteNow < s.to)) return;
  const ground = [...site.floors].sort((a, b) => Math.abs(a.level) - Math.abs(b.level))[0];
  const restroom = site.restrooms.map((r) => site.zones.find((z) => z.id === r.zoneId)).find((z) => z?.floorId === ground?.id);
  const earlier = (current?.shifts ?? []).slice(-20);
  const from = Math.max(siteNow - 3_600_000, ...earlier.map((s) => s.to));
  const staff: StaffInput = {
    id: DEMO_STAFF_ID,
    name: current?.name ?? 'Sam Taylor',
    roles: current?.roles ?? ['cleaner'],
    shifts: [...earlier, { from, to: siteNow + SHIFT_DAYS * 86_400_000 }],
    zoneId: current?.zoneId ?? restroom?.id ?? null,
    available: current?.available ?? true,
  };
  const r = await cloud.dispatch.command({ kind: 'upsert_staff', staff });
  if (!r.ok) throw new Error(`could not put ${DEMO_STAFF_ID} on the roster: ${JSON.stringify(r.error)}`);
}
