import type { Uplink } from '@atrium/shared';

/**
 * What devices last said about themselves through their gateway's status uplinks: online or
 * offline (a last will) and battery. The rules engine knows when a device was last heard, not
 * its battery; this keeps the newest report per device, fed from every stored uplink. Memory
 * only: after a restart a device's battery is unknown until it reports again (devices report
 * status on connect and periodically).
 */
export interface DeviceReport {
  state: 'online' | 'offline';
  /** device time of the report (epoch ms) */
  ts: number;
  battery: number | null;
}

export interface DeviceReports {
  observe(uplink: Uplink): void;
  get(deviceId: string): DeviceReport | undefined;
}

export function createDeviceReports(): DeviceReports {
  const latest = new Map<string, DeviceReport>();
  return {
    observe(uplink) {
      if (uplink.kind !== 'status') return;
      for (const d of uplink.devices) {
        const prev = latest.get(d.deviceId);
        if (prev && prev.ts > d.ts) continue;
        // A report without a battery figure (an offline last will) keeps the last one known.
        latest.set(d.deviceId, { state: d.state, ts: d.ts, battery: d.battery ?? prev?.battery ?? null });
      }
    },
    get: (deviceId) => latest.get(deviceId),
  };
}
