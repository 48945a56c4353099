import type { RejectedCount, RefusalCounts, Uplink } from '@atrium/shared';

/**
 * What devices last said about themselves through their gateway's status uplinks: online or
 * offline (a last will) and battery. The rules engine knows when a device was last heard, not
 * its battery; this keeps the newest report per device, fed from every stored uplink. Memory
 * only: after a restart a device's battery is unknown until it reports again (devices report
 * status on connect and periodically).
 *
 * It also adds up the messages each gateway refused (status uplinks' `rejected`), per device and,
 * for ids the site does not have, per gateway, since this cloud started. Fed only with uplinks
 * stored for the first time and already cut to the delivering gateway's own devices
 * (ingest/ownership.ts), so a redelivery is not counted twice and the keys are the site's
 * devices and authenticated gateways: nothing a device or gateway invents grows these maps.
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
  /** refusals of this device's messages since `since` */
  rejected(deviceId: string): RejectedCount;
  /** refusals its gateway could not put on a site device (guessed ids), since `since` */
  rejectedUnknown(gatewayId: string): RejectedCount;
  /** site-clock time the refusal sums start from */
  readonly since: number;
}

/** Distinct reasons kept per device; more (only from a gateway sending made-up codes) still count in the total. */
const MAX_REASONS = 32;

interface Sum {
  count: number;
  byReason: Map<string, number>;
}

function addUp(sums: Map<string, Sum>, key: string, counts: RefusalCounts) {
  const sum = sums.get(key) ?? { count: 0, byReason: new Map<string, number>() };
  for (const [reason, n] of Object.entries(counts)) {
    sum.count += n;
    if (sum.byReason.has(reason) || sum.byReason.size < MAX_REASONS) sum.byReason.set(reason, (sum.byReason.get(reason) ?? 0) + n);
  }
  sums.set(key, sum);
}

function countOf(sum: Sum | undefined): RejectedCount {
  if (!sum) return { count: 0, topReason: null };
  let top: [string, number] | null = null;
  for (const entry of sum.byReason) if (!top || entry[1] > top[1] || (entry[1] === top[1] && entry[0] < top[0])) top = entry;
  return { count: sum.count, topReason: top?.[0] ?? null };
}

export function createDeviceReports(deps: { clock: () => number } = { clock: Date.now }): DeviceReports {
  const latest = new Map<string, DeviceReport>();
  const perDevice = new Map<string, Sum>();
  const perGateway = new Map<string, Sum>();
  return {
    since: deps.clock(),
    observe(uplink) {
      if (uplink.kind !== 'status') return;
      for (const d of uplink.devices) {
        const prev = latest.get(d.deviceId);
        if (prev && prev.ts > d.ts) continue;
        // A report without a battery figure (an offline last will) keeps the last one known.
        latest.set(d.deviceId, { state: d.state, ts: d.ts, battery: d.battery ?? prev?.battery ?? null });
      }
      if (!uplink.rejected) return;
      for (const d of uplink.rejected.devices) addUp(perDevice, d.deviceId, d.counts);
      if (uplink.rejected.gateway) addUp(perGateway, uplink.gatewayId, uplink.rejected.gateway);
    },
    get: (deviceId) => latest.get(deviceId),
    rejected: (deviceId) => countOf(perDevice.get(deviceId)),
    rejectedUnknown: (gatewayId) => countOf(perGateway.get(gatewayId)),
  };
}
