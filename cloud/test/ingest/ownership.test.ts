import { describe, expect, it } from 'vitest';
import { SiteModel, describeIssues, gatewayOwnership, type EventsUplink, type FootfallMinute, type MinuteUplink, type StatusUplink } from '@atrium/shared';
import { ownLive, ownPart } from '../../src/ingest/ownership.ts';
import { miniSite } from '../../../tests/support/mini-site.ts';
import { twoGatewaySite, uplinkOf } from '../../../tests/support/gateway.ts';

const site = twoGatewaySite();
const owners = gatewayOwnership(site);
const M = Date.UTC(2026, 0, 5, 10, 0);
const footfall = (deviceId: string, zoneId: string, n: number): FootfallMinute => ({
  deviceId, floorId: 'g', zoneId, minute: M, subjectKind: 'zone', subjectId: zoneId, in: n, out: 0, samples: 2, occupancySum: 0, occupancyCount: 0, occupancyMax: 0,
});

describe('which gateway may deliver which device (site model)', () => {
  it("keeps a gateway's own records and leaves out another gateway's and unknown devices', by reason", () => {
    const uplink = uplinkOf(site.id, 'gw-a', 'minute', {
      footfall: [footfall('radar-hall-1', 'hall', 7), footfall('radar-wc', 'wc', 5), footfall('radar-nowhere', 'hall', 3)],
      env: [{ deviceId: 'env-wc', floorId: 'g', zoneId: 'wc', minute: M, metrics: { nh3: { sum: 9, count: 1, min: 9, max: 9 } } }],
    });
    const { uplink: own, refused } = ownPart(uplink, 'gw-a', owners);
    expect((own as MinuteUplink).footfall.map((f) => f.deviceId)).toEqual(['radar-hall-1']);
    expect((own as MinuteUplink).env).toEqual([]);
    expect(own.id).toBe(uplink.id); // stored once under its own id, however often it comes
    expect(Object.fromEntries(refused)).toEqual({ foreign_device: { count: 2, examples: ['radar-wc', 'env-wc'] }, unknown_device: { count: 1, examples: ['radar-nowhere'] } });
    // The same records from their own gateway pass whole.
    const fromB = uplinkOf(site.id, 'gw-b', 'minute', { footfall: [footfall('radar-wc', 'wc', 5)], env: [] });
    expect(ownPart(fromB, 'gw-b', owners)).toEqual({ uplink: fromB, refused: new Map() });
  });

  it('cuts events, device status and device alarms the same way; gateway alarms are the gateway\'s own', () => {
    const events = uplinkOf(site.id, 'gw-b', 'events', {
      events: [{ deviceId: 'gate-staff', floorId: 'g', zoneId: 'hall', ts: M, seq: 1, family: 'gate', type: 'forced_open', data: {} }],
    });
    expect((ownPart(events, 'gw-b', owners).uplink as EventsUplink).events).toEqual([]);
    const status = uplinkOf(site.id, 'gw-b', 'status', {
      devices: [
        { deviceId: 'radar-wc', floorId: 'g', zoneId: 'wc', kind: 'radar', ts: M, state: 'online' },
        { deviceId: 'locker-1', floorId: 'g', zoneId: 'hall', kind: 'locker', ts: M, state: 'offline' },
      ],
      alarms: [
        { ts: M, type: 'outbox_high', state: 'raised', data: {} },
        { ts: M, type: 'device_offline', state: 'raised', device: { deviceId: 'locker-1', floorId: 'g', zoneId: 'hall' }, data: {} },
      ],
    });
    const { uplink, refused } = ownPart(status, 'gw-b', owners);
    expect((uplink as StatusUplink).devices.map((d) => d.deviceId)).toEqual(['radar-wc']);
    expect((uplink as StatusUplink).alarms?.map((a) => a.type)).toEqual(['outbox_high']);
    expect(refused.get('foreign_device')?.count).toBe(2);
  });

  it('takes live occupancy of the zones a gateway has devices in', () => {
    const live = { v: 1 as const, siteId: site.id, gatewayId: 'gw-b', sentAt: M, kind: 'live' as const, zones: [{ zoneId: 'wc', occupancy: 3, ts: M, receivedAt: M }, { zoneId: 'hall', occupancy: 900, ts: M, receivedAt: M }] };
    const { live: own, refused } = ownLive(live, 'gw-b', owners);
    expect(own.zones.map((z) => z.zoneId)).toEqual(['wc']);
    expect(refused.get('foreign_zone')).toEqual({ count: 1, examples: ['hall'] });
  });

  it("gives a one-gateway site's devices to that gateway, and checks nothing but the device list when the site declares none", () => {
    const single = gatewayOwnership(SiteModel.parse({ ...miniSite, gateways: [{ id: 'gw-1', zoneId: 'hall', name: 'Cabinet' }] }));
    expect(single.refusal('gw-1', 'radar-wc')).toBeNull();
    expect(single.refusal('gw-2', 'radar-wc')).toBe('foreign_device');
    const none = gatewayOwnership(miniSite);
    expect(none.checked).toBe(false);
    expect(none.refusal('any-gateway', 'radar-wc')).toBeNull();
    expect(none.refusal('any-gateway', 'radar-nowhere')).toBe('unknown_device');
  });

  it('refuses a site model whose devices name no gateway, or one it does not declare, when it has several', () => {
    const bad = SiteModel.safeParse({ ...site, devices: site.devices.map((d, i) => (i === 0 ? { ...d, gatewayId: 'gw-z' } : i === 1 ? { ...d, gatewayId: undefined } : d)) });
    expect(bad.success).toBe(false);
    const text = describeIssues(bad.error!);
    expect(text).toContain('devices.0.gatewayId: unknown gateway "gw-z"');
    expect(text).toContain('devices.1.gatewayId: with several gateways, each device must name the one it reports through');
  });
});
