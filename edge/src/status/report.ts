import type { Aggregator } from '../readings/aggregator.ts';
import type { DeviceHealth, DeviceHealthCounts } from '../devices/health.ts';
import type { Forwarder } from '../outbox/forwarder.ts';
import type { Journal } from '../outbox/journal.ts';
import type { EdgeMetrics } from '../core/metrics.ts';
import type { OutboxGuard } from '../outbox/guard.ts';
import type { TelemetryHold } from '../outbox/telemetry-hold.ts';
import type { UplinkClient } from '../outbox/uplink-client.ts';

export interface EdgeHealth {
  status: 'ok' | 'degraded';
  /** why it is degraded: uplink_down, outbox_high, outbox_full */
  problems: string[];
  uplinkConnected: boolean;
  devicesConnected: number;
  uplinkInflight: number;
  pendingReadings: number;
  outbox: {
    outboxRows: number;
    outboxBytes: number;
    outboxRecords: number;
    oldestCreatedAt: number | null;
    oldestAgeSeconds: number;
    pendingReadings: number;
    maxBytes: number;
    /** outboxBytes / maxBytes */
    fill: number;
    alarm: boolean;
    telemetryPaused: boolean;
    telemetryHeld: number;
    replay: { uplinksPerSecond: number; recordsPerSecond: number };
  };
  devices: DeviceHealthCounts;
}

/** The gateway's state as /health reports it and as the gauges show it; read-only. */
export function createStatusReport(deps: {
  journal: Journal;
  forwarder: Forwarder;
  guard: OutboxGuard;
  hold: TelemetryHold;
  devices: DeviceHealth;
  uplink: UplinkClient;
  aggregator: Aggregator;
  metrics: EdgeMetrics;
  maxBytes: number;
  connectedClients: () => number;
}) {
  const { journal, forwarder, guard, devices, metrics } = deps;
  return {
    health(now = Date.now()): EdgeHealth {
      const stats = journal.stats();
      const problems = [!deps.uplink.connected && 'uplink_down', guard.alarmRaised && 'outbox_high', guard.telemetryPaused && 'outbox_full'].filter((p): p is string => typeof p === 'string');
      return {
        status: problems.length === 0 ? 'ok' : 'degraded',
        problems,
        uplinkConnected: deps.uplink.connected,
        devicesConnected: deps.connectedClients(),
        uplinkInflight: forwarder.inflight,
        pendingReadings: deps.aggregator.pendingReadings,
        outbox: {
          ...stats,
          oldestAgeSeconds: stats.oldestCreatedAt === null ? 0 : Math.max(0, (now - stats.oldestCreatedAt) / 1000),
          maxBytes: deps.maxBytes,
          fill: stats.outboxBytes / deps.maxBytes,
          alarm: guard.alarmRaised,
          telemetryPaused: guard.telemetryPaused,
          telemetryHeld: deps.hold.size,
          replay: forwarder.replayRate(now),
        },
        devices: devices.counts(),
      };
    },
    /** Sets the outbox and device gauges; run on the flush tick. */
    updateGauges(now: number): void {
      const stats = journal.stats();
      metrics.outboxRows.set(stats.outboxRows);
      metrics.outboxBytes.set(stats.outboxBytes);
      metrics.outboxRecords.set(stats.outboxRecords);
      metrics.outboxOldestAgeSeconds.set(stats.oldestCreatedAt === null ? 0 : (now - stats.oldestCreatedAt) / 1000);
      metrics.replayRate.set(forwarder.replayRate(now).recordsPerSecond);
      const counts = devices.counts();
      for (const presence of ['online', 'offline', 'unknown'] as const) metrics.devices.set({ presence }, counts[presence]);
      metrics.devicesLowBattery.set(counts.lowBattery);
    },
  };
}
