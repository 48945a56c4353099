import type { AlarmRecord, DeviceStatus, SiteIndex } from '@atrium/shared';
import { placementOf } from '../readings/placement.ts';

export interface DeviceHealthOptions {
  /** battery % below which a device raises a low-battery alarm */
  lowBatteryPercent: number;
  /** how long a device that was online may stay away before an offline alarm (reconnect blips are not alarms) */
  offlineAfterMs: number;
}

export type Presence = 'online' | 'offline' | 'unknown';
export interface DeviceHealthEntry {
  presence: Presence;
  /** gateway clock of the last change of presence */
  since: number;
  offlineReason?: string;
  battery?: number;
  rssi?: number;
}

export interface DeviceHealthCounts {
  online: number;
  offline: number;
  /** in the site model but not seen since the gateway started */
  unknown: number;
  lowBattery: number;
}

/**
 * Presence, battery and signal per device, and the alarms they raise. Presence comes from
 * the connection (CONNECT, disconnect, keepalive loss, the last will), battery and signal
 * from the status channel. Pure: the broker adapter reports events with the clock.
 */
export interface DeviceHealth {
  connected(deviceId: string, now: number): void;
  disconnected(deviceId: string, now: number, reason: string): void;
  status(deviceId: string, status: DeviceStatus, now: number): void;
  /** Alarms raised or cleared since the last call (offline alarms fall due here). */
  takeAlarms(now: number): AlarmRecord[];
  counts(): DeviceHealthCounts;
  entries(): ReadonlyMap<string, DeviceHealthEntry>;
}

const BATTERY_HYSTERESIS = 5;

export function createDeviceHealth(site: SiteIndex, opts: DeviceHealthOptions): DeviceHealth {
  const entries = new Map<string, DeviceHealthEntry>();
  const sessions = new Map<string, number>();
  const offlineAlarmed = new Set<string>();
  const batteryAlarmed = new Set<string>();
  let pending: AlarmRecord[] = [];
  for (const d of site.site.devices) entries.set(d.id, { presence: 'unknown', since: 0 });

  const raise = (deviceId: string, type: AlarmRecord['type'], state: AlarmRecord['state'], now: number, data: AlarmRecord['data']) => {
    const device = site.device.get(deviceId);
    if (device) pending.push({ ts: now, type, state, device: placementOf(site, device), data });
  };
  const entry = (deviceId: string) => entries.get(deviceId);

  return {
    connected(deviceId, now) {
      const e = entry(deviceId);
      if (!e) return;
      sessions.set(deviceId, (sessions.get(deviceId) ?? 0) + 1);
      if (e.presence !== 'online') Object.assign(e, { presence: 'online', since: now, offlineReason: undefined });
      if (offlineAlarmed.delete(deviceId)) raise(deviceId, 'device_offline', 'cleared', now, {});
    },
    disconnected(deviceId, now, reason) {
      const e = entry(deviceId);
      if (!e) return;
      const left = Math.max(0, (sessions.get(deviceId) ?? 0) - 1);
      sessions.set(deviceId, left);
      // a takeover (same device connecting again) ends the old session after the new one exists
      if (left === 0 && e.presence === 'online') Object.assign(e, { presence: 'offline', since: now, offlineReason: reason });
    },
    status(deviceId, status, now) {
      const e = entry(deviceId);
      if (!e) return;
      if (status.rssi !== undefined) e.rssi = status.rssi;
      // A last will announces what the disconnect already told us; one from an earlier session must not override a live one.
      if (status.state === 'offline' && (sessions.get(deviceId) ?? 0) === 0 && e.presence !== 'offline') {
        Object.assign(e, { presence: 'offline', since: now, offlineReason: 'last_will' });
      }
      if (status.battery === undefined) return;
      e.battery = status.battery;
      if (status.battery < opts.lowBatteryPercent && !batteryAlarmed.has(deviceId)) {
        batteryAlarmed.add(deviceId);
        raise(deviceId, 'device_low_battery', 'raised', now, { battery: status.battery, thresholdPercent: opts.lowBatteryPercent });
      } else if (status.battery >= opts.lowBatteryPercent + BATTERY_HYSTERESIS && batteryAlarmed.delete(deviceId)) {
        raise(deviceId, 'device_low_battery', 'cleared', now, { battery: status.battery, thresholdPercent: opts.lowBatteryPercent });
      }
    },
    takeAlarms(now) {
      for (const [deviceId, e] of entries) {
        if (e.presence === 'offline' && now - e.since >= opts.offlineAfterMs && !offlineAlarmed.has(deviceId)) {
          offlineAlarmed.add(deviceId);
          raise(deviceId, 'device_offline', 'raised', now, { offlineSince: e.since, reason: e.offlineReason ?? 'unknown' });
        }
      }
      const out = pending;
      pending = [];
      return out;
    },
    counts() {
      const c: DeviceHealthCounts = { online: 0, offline: 0, unknown: 0, lowBattery: batteryAlarmed.size };
      for (const e of entries.values()) c[e.presence]++;
      return c;
    },
    entries() {
      return entries;
    },
  };
}
