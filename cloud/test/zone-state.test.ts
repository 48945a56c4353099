import { describe, expect, it } from 'vitest';
import type { MinuteUplink } from '@atrium/shared';
import { createZoneState } from '../src/live/zone-state.ts';
import { miniSite } from '../../tests/support/mini-site.ts';

const T = Date.UTC(2026, 0, 10, 10, 0, 0);
const minute = (m: number, records: Array<[string, string, number]>): MinuteUplink => ({
  v: 1, id: '0b6f3e2c-8f0e-4c55-9a51-6c1d1a0f3a10', siteId: 'mini', gatewayId: 'gw-1', sentAt: T, kind: 'minute', env: [],
  footfall: records.map(([deviceId, zoneId, inN]) => ({ deviceId, floorId: 'g', zoneId, minute: m, subjectKind: 'zone', subjectId: zoneId, in: inN, out: 0, samples: 1, occupancySum: 0, occupancyCount: 0, occupancyMax: 0 })),
});

describe('zone live state', () => {
  it('derives density from occupancy and the zone area', () => {
    const zones = createZoneState(miniSite);
    const [hall] = zones.applyLive({ v: 1, siteId: 'mini', gatewayId: 'gw-1', sentAt: T, kind: 'live', zones: [{ zoneId: 'hall', occupancy: 50, ts: T, receivedAt: T }] });
    expect(hall).toMatchObject({ zoneId: 'hall', occupancy: 50, density: 0.25 });
    expect(zones.get('wc')?.occupancy).toBeNull();
  });

  it('shows the newest minute of footfall: radars of one minute add up, a newer minute replaces, an older one is ignored', () => {
    const zones = createZoneState(miniSite);
    zones.applyMinute(minute(T, [['radar-hall-1', 'hall', 4], ['radar-hall-2', 'hall', 3]]));
    expect(zones.get('hall')?.footfallLastMinute).toBe(7);
    zones.applyMinute(minute(T + 60_000, [['radar-hall-1', 'hall', 2]]));
    expect(zones.get('hall')?.footfallLastMinute).toBe(2);
    expect(zones.applyMinute(minute(T, [['radar-hall-1', 'hall', 9]]))).toEqual([]);
    expect(zones.get('hall')?.footfallLastMinute).toBe(2);
  });
});
