import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per cloud instance (tests run several in one process). */
export function createCloudMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'atrium_cloud_' });
  const r = [registry];
  return {
    registry,
    uplinks: new Counter({ name: 'atrium_cloud_uplinks_total', help: 'Uplinks received, by kind and outcome (stored, duplicate, rejected, failed)', labelNames: ['kind', 'outcome'] as const, registers: r }),
    records: new Counter({ name: 'atrium_cloud_records_stored_total', help: 'Records stored, by uplink kind', labelNames: ['kind'] as const, registers: r }),
    writeSeconds: new Histogram({ name: 'atrium_cloud_store_write_seconds', help: 'Time to store one uplink', buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers: r }),
    gatewaysConnected: new Gauge({ name: 'atrium_cloud_gateways_connected', help: 'Edge gateways connected now', registers: r }),
    authFailures: new Counter({ name: 'atrium_cloud_gateway_auth_failures_total', help: 'Refused gateway connections', registers: r }),
    liveClients: new Gauge({ name: 'atrium_cloud_live_clients', help: 'socket.io clients connected', registers: r }),
  };
}

export type CloudMetrics = ReturnType<typeof createCloudMetrics>;
