import type { EdgeMetrics } from '../core/metrics.ts';
import type { DeviceHealth } from '../devices/health.ts';
import type { Step, Validated } from './step.ts';

/**
 * A status report updates the device's health at once, before the journal: battery and
 * signal are the device's present state, whether or not this report is a resend.
 */
export function deviceStatus(deps: { health: DeviceHealth; metrics: EdgeMetrics }): Step<Validated, Validated> {
  return {
    name: 'device-status',
    run(publish) {
      const { reading, deviceId, receivedAt } = publish;
      if (reading.channel === 'status') {
        deps.health.status(deviceId, reading.value, receivedAt);
        if (reading.value.battery !== undefined) deps.metrics.deviceBattery.set({ device: deviceId }, reading.value.battery);
        if (reading.value.rssi !== undefined) deps.metrics.deviceRssi.set({ device: deviceId }, reading.value.rssi);
      }
      return { pass: publish };
    },
  };
}
