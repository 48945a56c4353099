import { readFileSync } from 'node:fs';
import { DEMO_SITE_PATH, SiteModel } from '@atrium/shared';
import { describe, expect, it } from 'vitest';
import { buildDemoMall, serialiseSite } from '../src/mall/build.ts';
import { FLOOR_H, FLOOR_W } from '../src/mall/layout.ts';
import { MAX_SHOP_FRACTION } from '../src/mall/tenancy.ts';

const site = buildDemoMall();
const count = (kind: string) => site.devices.filter((d) => d.kind === kind).length;

describe('demo mall', () => {
  it('is what the committed shared/sites/demo-mall.json holds (run `npm run -w firmware-sim generate:mall` if not)', () => {
    expect(readFileSync(DEMO_SITE_PATH, 'utf8')).toBe(serialiseSite(site));
    expect(buildDemoMall()).toEqual(site);
  });

  it('passes the shared schema', () => {
    expect(SiteModel.safeParse(JSON.parse(readFileSync(DEMO_SITE_PATH, 'utf8'))).success).toBe(true);
    expect(site).toMatchObject({ id: 'demo-mall', timezone: 'Australia/Melbourne', openingHours: { open: '10:00', close: '21:00' } });
  });

  it('has the size of a real regional centre', () => {
    expect(site.floors).toHaveLength(3);
    expect(site.zones.length).toBeGreaterThanOrEqual(38);
    expect(site.zones.length).toBeLessThanOrEqual(45);
    expect(site.entrances.length).toBeGreaterThanOrEqual(8);
    expect(site.restrooms.length).toBeGreaterThanOrEqual(6);
    expect(site.shops.length).toBeGreaterThanOrEqual(50);
    expect(site.merchants.length).toBeLessThanOrEqual(site.shops.length);
    expect(site.devices.length).toBeGreaterThanOrEqual(270);
    expect(site.devices.length).toBeLessThanOrEqual(330);
    for (const kind of ['concourse', 'atrium', 'foodcourt', 'restroom', 'entrance', 'carpark', 'lockers', 'service']) {
      expect(site.zones.some((z) => z.kind === kind), kind).toBe(true);
    }
    expect(site.gates.some((g) => g.kind === 'door')).toBe(true);
    expect(site.gates.some((g) => g.kind === 'turnstile')).toBe(true);
  });

  it('tiles every floor exactly with its zones (no gaps, no overlaps)', () => {
    for (const floor of site.floors) {
      const rects = site.zones.filter((z) => z.floorId === floor.id).map((z) => z.rect);
      expect(rects.reduce((a, r) => a + r.w * r.h, 0)).toBe(FLOOR_W * FLOOR_H);
      for (const r of rects) {
        expect(r.x + r.w).toBeLessThanOrEqual(FLOOR_W);
        expect(r.y + r.h).toBeLessThanOrEqual(FLOOR_H);
      }
      for (let i = 0; i < rects.length; i++) {
        for (let j = i + 1; j < rects.length; j++) {
          const [a, b] = [rects[i]!, rects[j]!];
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          expect(overlap, `${floor.id} zones ${i} and ${j}`).toBe(false);
        }
      }
    }
    for (const z of site.zones) expect(z.areaM2).toBe(z.rect.w * z.rect.h);
  });

  it('puts every shop in a retail zone, with room left for the walkway', () => {
    const zones = new Map(site.zones.map((z) => [z.id, z]));
    for (const s of site.shops) expect(['concourse', 'atrium', 'foodcourt']).toContain(zones.get(s.zoneId)?.kind);
    for (const z of site.zones) {
      const taken = site.shops.filter((s) => s.zoneId === z.id).reduce((a, s) => a + s.areaM2, 0);
      expect(taken).toBeLessThanOrEqual(z.areaM2 * MAX_SHOP_FRACTION + 5 * 20);
    }
  });

  it('instruments every zone, entrance, shop door, locker bank and gate', () => {
    const radarSubjects = new Set(site.devices.filter((d) => d.kind === 'radar').map((d) => `${d.subject?.kind}:${d.subject?.id}`));
    for (const z of site.zones) expect(radarSubjects.has(`zone:${z.id}`), z.id).toBe(true);
    for (const e of site.entrances) expect(radarSubjects.has(`entrance:${e.id}`), e.id).toBe(true);
    for (const s of site.shops) expect(radarSubjects.has(`shop:${s.id}`), s.id).toBe(true);
    const envZones = new Set(site.devices.filter((d) => d.kind === 'env').map((d) => d.zoneId));
    for (const z of site.zones) expect(envZones.has(z.id), z.id).toBe(true);
    expect(count('locker')).toBe(site.lockerBanks.length);
    expect(count('gate')).toBe(site.gates.length);
    const interval = (kind: string) => new Set(site.devices.filter((d) => d.kind === kind).map((d) => d.reportIntervalS));
    expect(interval('radar')).toEqual(new Set([30]));
    expect(interval('env')).toEqual(new Set([60]));
    expect(interval('locker')).toEqual(new Set([300]));
    expect(interval('gate')).toEqual(new Set([300]));
  });
});
