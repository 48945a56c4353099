/**
 * One schema for every PostgreSQL-dialect engine (PGlite embedded, PostgreSQL server).
 * Append only: a shipped migration is never edited, so every store reaches the same shape.
 * Times are epoch milliseconds (bigint): the same number the devices and edges send.
 */
export const MIGRATIONS: readonly { id: number; name: string; sql: string }[] = [
  {
    id: 1,
    name: 'series tables and uplink ledger',
    sql: `
      create table uplinks (
        id uuid primary key,
        site_id text not null,
        gateway_id text not null,
        kind text not null,
        sent_at bigint not null,
        received_at bigint not null,
        records integer not null
      );
      create table footfall_minute (
        site_id text not null,
        device_id text not null,
        minute bigint not null,
        floor_id text not null,
        zone_id text not null,
        subject_kind text not null,
        subject_id text not null,
        in_count bigint not null,
        out_count bigint not null,
        samples integer not null,
        occ_sum double precision not null,
        occ_count integer not null,
        occ_max double precision not null,
        primary key (site_id, device_id, minute)
      );
      create index footfall_subject_minute on footfall_minute (site_id, subject_kind, subject_id, minute);
      create table env_minute (
        site_id text not null,
        device_id text not null,
        metric text not null,
        minute bigint not null,
        floor_id text not null,
        zone_id text not null,
        sum double precision not null,
        count integer not null,
        min double precision not null,
        max double precision not null,
        primary key (site_id, device_id, metric, minute)
      );
      create index env_zone_metric_minute on env_minute (site_id, zone_id, metric, minute);
      create table device_events (
        site_id text not null,
        uplink_id uuid not null references uplinks (id),
        device_id text not null,
        floor_id text not null,
        zone_id text not null,
        ts bigint not null,
        seq bigint not null,
        family text not null,
        type text not null,
        data jsonb not null
      );
      create index device_events_ts on device_events (site_id, ts);
      create table device_status (
        site_id text not null,
        device_id text not null,
        kind text not null,
        floor_id text not null,
        zone_id text not null,
        ts bigint not null,
        state text not null,
        battery double precision,
        rssi double precision,
        primary key (site_id, device_id)
      );
    `,
  },
  {
    id: 2,
    // `if not exists`: data directories from before this migration already hold these tables
    // (the InfluxDB adapter used to create them itself).
    name: 'influxdb adapter write buffer and rollup bookkeeping',
    sql: `
      create sequence if not exists influx_uplink_seq;
      create table if not exists influx_outbox (
        seq bigint primary key,
        uplink_id uuid not null,
        site_id text not null,
        points integer not null,
        -- the uplink's line protocol, deflate-compressed (a tenth of the bytes: the buffer's cost is mostly size)
        body bytea not null,
        enqueued_at bigint not null
      );
      create table if not exists influx_dead_letter (
        seq bigint primary key,
        uplink_id uuid not null,
        site_id text not null,
        points integer not null,
        lines text not null,
        enqueued_at bigint not null,
        failed_at bigint not null,
        error text not null
      );
      create table if not exists influx_rollup_pending (
        site_id text not null,
        hour bigint not null,
        seq bigint not null,
        primary key (site_id, hour)
      );
      create table if not exists influx_targets (target text primary key, verified_at bigint not null);
    `,
  },
];
