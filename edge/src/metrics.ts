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
  };
}

export type EdgeMetrics = ReturnType<typeof createEdgeMetrics>;
