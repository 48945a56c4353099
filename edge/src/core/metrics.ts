import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per gateway instance, so tests can run several gateways in one process. */
export function createEdgeMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'atrium_edge_' });
  const r = [registry];
  return {
    registry,
    accepted: new Counter({ name: 'atrium_edge_messages_accepted_total', help: 'Device messages accepted, by channel', labelNames: ['channel'] as const, registers: r }),
    rejected: new Counter({ name: 'atrium_edge_messages_rejected_total', help: 'Device messages refused, by reason', labelNames: ['reason'] as const, registers: r }),
    authFailures: new Counter({ name: 'atrium_edge_auth_failures_total', help: 'Refused device connections, by reason', labelNames: ['reason'] as const, registers: r }),
    subscribeDenied: new Counter({ name: 'atrium_edge_subscribe_denied_total', help: 'Refused device subscriptions', registers: r }),
    devicesConnected: new Gauge({ name: 'atrium_edge_devices_connected', help: 'Devices connected now', registers: r }),
    uplinks: new Counter({ name: 'atrium_edge_uplinks_total', help: 'Uplinks to the cloud, by kind and result', labelNames: ['kind', 'result'] as const, registers: r }),
    uplinkInflight: new Gauge({ name: 'atrium_edge_uplink_inflight', help: 'Uplinks sent and not yet acknowledged', registers: r }),
    uplinkConnected: new Gauge({ name: 'atrium_edge_uplink_connected', help: '1 while the cloud connection is up', registers: r }),
    outboxRows: new Gauge({ name: 'atrium_edge_outbox_uplinks', help: 'Uplinks on disk waiting for the cloud', registers: r }),
    outboxBytes: new Gauge({ name: 'atrium_edge_outbox_bytes', help: 'Bytes of uplinks on disk waiting for the cloud', registers: r }),
    outboxOldestAgeSeconds: new Gauge({ name: 'atrium_edge_outbox_oldest_age_seconds', help: 'Age of the oldest uplink waiting for the cloud', registers: r }),
    pendingReadings: new Gauge({ name: 'atrium_edge_aggregator_pending_readings', help: 'Readings held in minutes not yet closed', registers: r }),
    sessionsEnded: new Counter({ name: 'atrium_edge_sessions_ended_total', help: 'Device sessions the gateway ended because the device was disabled or its password rotated, by reason', labelNames: ['reason'] as const, registers: r }),
    outboxRecords: new Gauge({ name: 'atrium_edge_outbox_records', help: 'Records (device minutes, events, statuses, alarms) in uplinks waiting for the cloud', registers: r }),
    outboxMaxBytes: new Gauge({ name: 'atrium_edge_outbox_max_bytes', help: 'The outbox bound (ATRIUM_OUTBOX_MAX_BYTES)', registers: r }),
    outboxAlarm: new Gauge({ name: 'atrium_edge_outbox_alarm', help: '1 while the outbox is near its bound', registers: r }),
    telemetryPaused: new Gauge({ name: 'atrium_edge_outbox_telemetry_paused', help: '1 while new telemetry is not acknowledged because the outbox is full', registers: r }),
    telemetryHeld: new Counter({ name: 'atrium_edge_telemetry_held_total', help: 'Telemetry publishes held unacknowledged because the outbox was full', registers: r }),
    outboxCompactions: new Counter({ name: 'atrium_edge_outbox_compactions_total', help: 'Outbox chunks merged into coarser records, by span in minutes', labelNames: ['span'] as const, registers: r }),
    outboxCompactedRecords: new Counter({ name: 'atrium_edge_outbox_compacted_records_total', help: 'Outbox records saved by merging minute records', registers: r }),
    replayedRecords: new Counter({ name: 'atrium_edge_outbox_replayed_records_total', help: 'Records the cloud acknowledged out of the outbox', registers: r }),
    replayRate: new Gauge({ name: 'atrium_edge_outbox_replay_records_per_second', help: 'Records acknowledged by the cloud per second, over the last 10 s', registers: r }),
    alarms: new Counter({ name: 'atrium_edge_alarms_total', help: 'Alarms raised or cleared (forwarded to the cloud), by type and state', labelNames: ['type', 'state'] as const, registers: r }),
    devices: new Gauge({ name: 'atrium_edge_devices', help: 'Site devices by presence (unknown: not seen since the gateway started)', labelNames: ['presence'] as const, registers: r }),
    devicesLowBattery: new Gauge({ name: 'atrium_edge_devices_low_battery', help: 'Devices whose last reported battery is below ATRIUM_LOW_BATTERY_PERCENT', registers: r }),
    deviceBattery: new Gauge({ name: 'atrium_edge_device_battery_percent', help: 'Last reported battery, per device', labelNames: ['device'] as const, registers: r }),
    deviceRssi: new Gauge({ name: 'atrium_edge_device_rssi_dbm', help: 'Last reported signal strength, per device', labelNames: ['device'] as const, registers: r }),
  };
}

export type EdgeMetrics = ReturnType<typeof createEdgeMetrics>;
