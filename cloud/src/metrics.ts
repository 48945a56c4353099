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
    authFailures: new Counter({ name: 'atrium_cloud_gateway_auth_failures_total', help: 'Refused gateway connections, by reason (credentials: invalid_id, unknown_gateway, not_provisioned, disabled, wrong_password; login_throttled: too many failures from the address; before login: the connection guard\'s reasons)', labelNames: ['reason'] as const, registers: r }),
    gatewayLogins: new Counter({ name: 'atrium_cloud_gateway_logins_total', help: 'Gateway logins, by credential (stored: its own; derived: from the deprecated shared ATRIUM_GATEWAY_SECRET)', labelNames: ['credential'] as const, registers: r }),
    gatewaySessionsEnded: new Counter({ name: 'atrium_cloud_gateway_sessions_ended_total', help: 'Gateway sessions ended because their credentials changed, by reason (gateway_disabled, credentials_rotated, credentials_removed, provisioned: a gateway on the deprecated shared secret got its own)', labelNames: ['reason'] as const, registers: r }),
    recordsRefused: new Counter({ name: 'atrium_cloud_uplink_records_refused_total', help: 'Records in uplinks refused and not stored, by reason (foreign_device: another gateway\'s device; unknown_device: not in the site model; foreign_zone: live occupancy of a zone the gateway has no device in; gateway_mismatch: the uplink names another gateway than the one logged in)', labelNames: ['reason'] as const, registers: r }),
    liveClients: new Gauge({ name: 'atrium_cloud_live_clients', help: 'socket.io clients connected', registers: r }),
    // InfluxDB series store: its disk buffer (points acknowledged but not yet in InfluxDB) and write failures.
    seriesBufferPoints: new Gauge({ name: 'atrium_cloud_series_buffer_points', help: 'Points in the disk buffer waiting to be written to InfluxDB', registers: r }),
    seriesBufferUplinks: new Gauge({ name: 'atrium_cloud_series_buffer_uplinks', help: 'Uplinks in the disk buffer waiting to be written to InfluxDB', registers: r }),
    seriesPointsWritten: new Counter({ name: 'atrium_cloud_series_points_written_total', help: 'Points written to InfluxDB', registers: r }),
    seriesWriteErrors: new Counter({ name: 'atrium_cloud_series_write_errors_total', help: 'Failed InfluxDB write attempts, by reason (unreachable, timeout, auth, not_found, too_large, rejected, server)', labelNames: ['reason'] as const, registers: r }),
    seriesBufferRefusals: new Counter({ name: 'atrium_cloud_series_buffer_refusals_total', help: 'Uplinks not acknowledged because the disk buffer was full', registers: r }),
    seriesDeadLetterPoints: new Counter({ name: 'atrium_cloud_series_dead_letter_points_total', help: 'Points InfluxDB refused as invalid, kept in influx_dead_letter', registers: r }),
    // Rules and dispatch.
    observationsEvaluated: new Counter({ name: 'atrium_cloud_rule_observations_total', help: 'Observations evaluated by the rules engine', registers: r }),
    rulesStepSeconds: new Histogram({ name: 'atrium_cloud_rules_step_seconds', help: 'Time to evaluate one batch of observations', buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1], registers: r }),
    dispatchChanges: new Counter({ name: 'atrium_cloud_dispatch_changes_total', help: 'Alarm and work-order changes, by kind and change', labelNames: ['kind', 'change'] as const, registers: r }),
    dispatchStoreFailures: new Counter({ name: 'atrium_cloud_dispatch_store_failures_total', help: 'Dispatch steps the operational store refused (the state stays as before; observations are retried)', registers: r }),
    dispatchObservationsDropped: new Counter({ name: 'atrium_cloud_dispatch_observations_dropped_total', help: 'Observations dropped from the full dispatch queue while the operational store refused writes', registers: r }),
  };
}

export type CloudMetrics = ReturnType<typeof createCloudMetrics>;
