import { describe, expect, it } from 'vitest';
import type { EventsUplink, LiveUplink, MinuteUplink, StatusUplink } from '@atrium/shared';
import { observationsFromLive, observationsFromUplink } from '../../src/rules/observations.ts';

const T = Date.UTC(2026, 0, 12, 9, 0);
const env = { v: 1, id: '0b6f3e2c-8f0e-4c55-9a51-6c1d1a0f3a10', siteId: 'mini', gatewayId: 'gw-1', sentAt: T + 65_000 } as const;
const place = (deviceId: string, zoneId: string) => ({ deviceId, floorId: 'g', zoneId });

describe('observations from uplinks', () => {
  it('a minute uplink gives zone footfall, one weighted env mean per zone and metric, and proof of life per device', () => {
    const u: MinuteUplink = {
      ...env, kind: 'minute',
      footfall: [
        { ...place('radar-wc', 'wc'), minute: T, subjectKind: 'zone', subjectId: 'wc', in: 7, out: 6, samples: 2, occupancySum: 0, occupancyCount: 0, occupancyMax: 0 },
        { ...place('radar-main', 'hall'), minute: T, subjectKind: 'entrance', subjectId: 'main', in: 30, out: 2, samples: 2, occupancySum: 0, occupancyCount: 0, occupancyMax: 0 },
      ],
      env: [
        { ...place('env-a', 'hall'), minute: T, metrics: { co2: { sum: 2000, count: 2, min: 990, max: 1010 } } },
        { ...place('env-b', 'hall'), minute: T, metrics: { co2: { sum: 1200, count: 1, min: 1200, max: 1200 }, rh: { sum: 0, count: 0, min: 0, max: 0 } } },
      ],
    };
    expect(observationsFromUplink(u)).toEqual([
      { kind: 'footfall', zoneId: 'wc', minute: T, in: 7 },
      { kind: 'env', zoneId: 'hall', metric: 'co2', minute: T, mean: 3200 / 3, count: 3 },
      { kind: 'seen', deviceId: 'radar-wc', at: T + 60_000, gatewayId: 'gw-1' },
      { kind: 'seen', deviceId: 'radar-main', at: T + 60_000, gatewayId: 'gw-1' },
      { kind: 'seen', deviceId: 'env-a', at: T + 60_000, gatewayId: 'gw-1' },
      { kind: 'seen', deviceId: 'env-b', at: T + 60_000, gatewayId: 'gw-1' },
    ]);
  });

  it('events in time order, locker state snapshots and online status as proof of life only, the last will not at all', () => {
    const e: EventsUplink = {
      ...env, kind: 'events',
      events: [
        { ...place('gate-staff', 'hall'), ts: T + 5000, seq: 2, family: 'gate', type: 'forced_open', data: {} },
        { ...place('gate-staff', 'hall'), ts: T + 1000, seq: 1, family: 'gate', type: 'entry', data: { ref: 'abc' } },
        { ...place('locker-1', 'hall'), ts: T + 2000, seq: 9, family: 'locker', type: 'state', data: { occupied: 3 } },
      ],
    };
    expect(observationsFromUplink(e)).toEqual([
      { kind: 'event', deviceId: 'gate-staff', type: 'entry', at: T + 1000 },
      { kind: 'event', deviceId: 'gate-staff', type: 'forced_open', at: T + 5000 },
      { kind: 'seen', deviceId: 'gate-staff', at: T + 5000, gatewayId: 'gw-1' },
      { kind: 'seen', deviceId: 'locker-1', at: T + 2000, gatewayId: 'gw-1' },
    ]);
    const s: StatusUplink = { ...env, kind: 'status', devices: [{ ...place('env-a', 'hall'), kind: 'env', ts: T, state: 'online', battery: 80 }, { ...place('env-b', 'hall'), kind: 'env', ts: T, state: 'offline' }] };
    expect(observationsFromUplink(s)).toEqual([{ kind: 'seen', deviceId: 'env-a', at: T, gatewayId: 'gw-1' }]);
    const live: LiveUplink = { v: 1, siteId: 'mini', gatewayId: 'gw-1', sentAt: T, kind: 'live', zones: [{ zoneId: 'hall', occupancy: 40, ts: T, receivedAt: T }] };
    expect(observationsFromLive(live)).toEqual([{ kind: 'occupancy', zoneId: 'hall', occupancy: 40, at: T }]);
  });
});
