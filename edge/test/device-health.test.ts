import { describe, expect, it } from 'vitest';
import { indexSite } from '@atrium/shared';
import { createDeviceHealth } from '../src/devices/health.ts';
import { miniSite } from '../../tests/support/mini-site.ts';

const T = Date.UTC(2026, 0, 10, 9, 0, 0);
const site = indexSite(miniSite);
const health = () => createDeviceHealth(site, { lowBatteryPercent: 15, offlineAfterMs: 60_000 });
const kinds = (alarms: { type: string; state: string; device?: { deviceId: string } }[]) => alarms.map((a) => `${a.type}:${a.state}:${a.device?.deviceId}`);

describe('device health', () => {
  it('counts every site device, unknown until seen', () => {
    const h = health();
    expect(h.counts()).toEqual({ online: 0, offline: 0, unknown: miniSite.devices.length, lowBattery: 0 });
    h.connected('env-hall', T);
    expect(h.counts()).toMatchObject({ online: 1, unknown: miniSite.devices.length - 1 });
  });

  it('raises an offline alarm only once a device has stayed away past the grace, and clears it when it is back', () => {
    const h = health();
    h.connected('radar-wc', T);
    h.disconnected('radar-wc', T + 1000, 'keepalive_lost');
    expect(h.entries().get('radar-wc')).toMatchObject({ presence: 'offline', offlineReason: 'keepalive_lost' });
    expect(h.takeAlarms(T + 30_000)).toEqual([]); // a reconnect blip is not an alarm
    const raised = h.takeAlarms(T + 61_000);
    expect(kinds(raised)).toEqual(['device_offline:raised:radar-wc']);
    expect(raised[0]).toMatchObject({ device: { deviceId: 'radar-wc', floorId: 'g', zoneId: 'wc' }, data: { reason: 'keepalive_lost' } });
    expect(h.takeAlarms(T + 120_000)).toEqual([]); // once
    h.connected('radar-wc', T + 130_000);
    expect(kinds(h.takeAlarms(T + 130_000))).toEqual(['device_offline:cleared:radar-wc']);
  });

  it('a takeover (the same device connecting again before the old session ends) is not an outage', () => {
    const h = health();
    h.connected('radar-wc', T);
    h.connected('radar-wc', T + 10);
    h.disconnected('radar-wc', T + 20, 'disconnected');
    expect(h.entries().get('radar-wc')?.presence).toBe('online');
  });

  it('a last will from an earlier session does not mark a connected device offline; after it leaves, it does', () => {
    const h = health();
    h.connected('env-wc', T);
    h.status('env-wc', { ts: T, state: 'offline' }, T);
    expect(h.entries().get('env-wc')?.presence).toBe('online');
    h.disconnected('env-wc', T + 5, 'disconnected');
    h.status('env-wc', { ts: T, state: 'offline' }, T + 6);
    expect(h.entries().get('env-wc')?.presence).toBe('offline');
  });

  it('raises a low-battery alarm below the threshold and clears it only well above (a fresh pack)', () => {
    const h = health();
    h.status('env-hall', { ts: T, state: 'online', battery: 40, rssi: -60 }, T);
    h.status('env-hall', { ts: T, state: 'online', battery: 14.5 }, T);
    expect(h.counts().lowBattery).toBe(1);
    expect(h.takeAlarms(T)).toMatchObject([{ type: 'device_low_battery', state: 'raised', data: { battery: 14.5, thresholdPercent: 15 } }]);
    h.status('env-hall', { ts: T, state: 'online', battery: 16 }, T);
    expect(h.takeAlarms(T)).toEqual([]); // a reading wobbling around the threshold is not news
    h.status('env-hall', { ts: T, state: 'online', battery: 100 }, T);
    expect(kinds(h.takeAlarms(T))).toEqual(['device_low_battery:cleared:env-hall']);
    expect(h.entries().get('env-hall')).toMatchObject({ battery: 100, rssi: -60 });
  });
});
