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
  {
    id: 3,
    // Each row is kept whole as jsonb (what the engine emitted), with the columns the queries
    // filter on copied out beside it. Histories are append-only with (parent, seq) unique, so
    // recording the same row twice appends nothing. `n` is insertion order: "newest first"
    name: 'operational store',
    sql: `
      create table alarms (
        id text primary key,
        n bigint generated always as identity,
        rule_id text not null,
        type text not null,
        severity text not null,
        status text not null,
        zone_id text,
        raised_at bigint not null,
        cleared_at bigint,
        data jsonb not null
      );
      create index alarms_raised on alarms (raised_at, n);
      create index alarms_status_raised on alarms (status, raised_at, n);
      create index alarms_zone_raised on alarms (zone_id, raised_at, n);
      create table alarm_history (
        alarm_id text not null references alarms (id),
        seq integer not null,
        at bigint not null,
        action text not null,
        actor text not null,
        note text,
        primary key (alarm_id, seq)
      );
      create table work_orders (
        id text primary key,
        n bigint generated always as identity,
        type text not null,
        status text not null,
        priority integer not null,
        role text not null,
        zone_id text not null,
        floor_id text not null,
        assignee text,
        created_at bigint not null,
        closed_at bigint,
        resolved_at bigint,
        data jsonb not null
      );
      create index work_orders_created on work_orders (created_at, n);
      create index work_orders_status_created on work_orders (status, created_at, n);
      create index work_orders_assignee_created on work_orders (assignee, created_at, n) where assignee is not null;
      create index work_orders_zone_created on work_orders (zone_id, created_at, n);
      create index work_orders_closed on work_orders (closed_at) where closed_at is not null;
      create index work_orders_resolved on work_orders (resolved_at) where resolved_at is not null;
      create table work_order_history (
        order_id text not null references work_orders (id),
        seq integer not null,
        at bigint not null,
        actor text not null,
        action text not null,
        from_status text,
        to_status text not null,
        staff_id text,
        reason text,
        primary key (order_id, seq)
      );
      create index work_order_history_at on work_order_history (at);
      create table staff (
        id text primary key,
        data jsonb not null,
        updated_at bigint not null
      );
      create table notifications (
        id bigserial primary key,
        at bigint not null,
        audience text not null,
        recipients text[] not null,
        order_id text not null,
        reason text not null,
        message text not null
      );
      create index notifications_recipients on notifications using gin (recipients);
      create index notifications_at on notifications (at);
      create table sla_breaches (
        id bigserial primary key,
        order_id text not null,
        type text not null,
        priority integer not null,
        stage text not null,
        due_at bigint not null,
        at bigint not null,
        assignee text
      );
      create index sla_breaches_at on sla_breaches (at);
      create index sla_breaches_order on sla_breaches (order_id);
      create table engine_snapshot (
        id integer primary key check (id = 1),
        snapshot jsonb not null,
        saved_at bigint not null
      );
      create table rules_versions (
        version serial primary key,
        text text not null,
        saved_at bigint not null,
        saved_by text not null
      );
      create table users (
        id text primary key,
        role text not null,
        staff_id text,
        merchant_id text,
        key_hash text not null unique,
        disabled boolean not null default false,
        created_at bigint not null
      );
    `,
  },
  {
    id: 4,
    // Forecasts keep the time they were made (made_at) and the lead in whole hours from the hour
    // they were made in, so "the forecast made 24 h / 72 h earlier" is one indexed lookup.
    // Webhook deliveries are the retry queue itself: a restart finds pending rows and goes on.
    name: 'forecasts, operator calendar, merchant subscriptions, alerts and webhook deliveries',
    sql: `
      create table forecast_runs (
        site_id text not null,
        made_at bigint not null,
        origin bigint not null,
        horizon_h integer not null,
        series integer not null,
        duration_ms integer not null,
        primary key (site_id, made_at)
      );
      create table forecast_series (
        site_id text not null,
        subject_kind text not null,
        subject_id text not null,
        made_at bigint not null,
        confidence text not null,
        reason text not null,
        observed_hours integer not null,
        primary key (site_id, subject_kind, subject_id, made_at)
      );
      create table forecasts (
        site_id text not null,
        subject_kind text not null,
        subject_id text not null,
        made_at bigint not null,
        t bigint not null,
        lead_h integer not null,
        mean double precision not null,
        lo80 double precision not null,
        hi80 double precision not null,
        lo95 double precision not null,
        hi95 double precision not null,
        usual double precision,
        primary key (site_id, subject_kind, subject_id, made_at, t)
      );
      create index forecasts_lead on forecasts (site_id, subject_kind, subject_id, lead_h, t);
      create index forecasts_made on forecasts (site_id, made_at);
      create table calendar_entries (
        id bigserial primary key,
        site_id text not null,
        date text not null,
        name text not null,
        kind text not null,
        factor double precision,
        created_at bigint not null,
        created_by text not null,
        unique (site_id, date, kind, name)
      );
      create table merchant_subscriptions (
        id bigserial primary key,
        site_id text not null,
        merchant_id text not null,
        shop_id text not null,
        data jsonb not null,
        webhook_secret text,
        created_at bigint not null,
        updated_at bigint not null
      );
      create index merchant_subscriptions_shop on merchant_subscriptions (site_id, shop_id);
      create table merchant_alerts (
        id bigserial primary key,
        site_id text not null,
        subscription_id bigint not null references merchant_subscriptions (id) on delete cascade,
        merchant_id text not null,
        shop_id text not null,
        peak_id text not null,
        lead_h integer not null,
        version integer not null,
        status text not null,
        peak_at bigint not null,
        data jsonb not null,
        created_at bigint not null,
        updated_at bigint not null,
        unique (subscription_id, peak_id, lead_h)
      );
      create index merchant_alerts_shop on merchant_alerts (site_id, shop_id, updated_at);
      create table webhook_deliveries (
        id bigserial primary key,
        site_id text not null,
        alert_id bigint not null,
        alert_version integer not null,
        subscription_id bigint not null,
        merchant_id text not null,
        shop_id text not null,
        url text not null,
        event text not null,
        body text not null,
        idempotency_key text not null,
        status text not null,
        attempts integer not null,
        next_attempt_at bigint,
        last_error text,
        created_at bigint not null,
        updated_at bigint not null
      );
      create index webhook_deliveries_due on webhook_deliveries (status, next_attempt_at);
      create index webhook_deliveries_shop on webhook_deliveries (site_id, shop_id, created_at);
      create table webhook_attempts (
        delivery_id bigint not null references webhook_deliveries (id) on delete cascade,
        attempt integer not null,
        at bigint not null,
        duration_ms integer not null,
        status_code integer,
        outcome text not null,
        error text,
        primary key (delivery_id, attempt)
      );
    `,
  },
  {
    id: 5,
    // Operations records name their site: ids the engine hands out (al-1, wo-1) are unique within
    // a site only, so keys become (site_id, id). Rows written before this migration get '' and
    // are adopted by the first site that opens the store (ops/sql-ops-store.ts): until now one
    // database held one site. Histories follow their parent's key (on update cascade).
    name: 'operations records name their site',
    sql: `
      alter table alarm_history drop constraint alarm_history_alarm_id_fkey;
      alter table work_order_history drop constraint work_order_history_order_id_fkey;
      alter table alarms add column site_id text not null default '';
      alter table alarm_history add column site_id text not null default '';
      alter table work_orders add column site_id text not null default '';
      alter table work_order_history add column site_id text not null default '';
      alter table staff add column site_id text not null default '';
      alter table notifications add column site_id text not null default '';
      alter table sla_breaches add column site_id text not null default '';
      alter table rules_versions add column site_id text not null default '';
      alter table users add column site_id text not null default '';
      alter table engine_snapshot add column site_id text not null default '';
      alter table alarms drop constraint alarms_pkey;
      alter table alarms add primary key (site_id, id);
      alter table alarm_history drop constraint alarm_history_pkey;
      alter table alarm_history add primary key (site_id, alarm_id, seq);
      alter table alarm_history add foreign key (site_id, alarm_id) references alarms (site_id, id) on update cascade;
      alter table work_orders drop constraint work_orders_pkey;
      alter table work_orders add primary key (site_id, id);
      alter table work_order_history drop constraint work_order_history_pkey;
      alter table work_order_history add primary key (site_id, order_id, seq);
      alter table work_order_history add foreign key (site_id, order_id) references work_orders (site_id, id) on update cascade;
      alter table staff drop constraint staff_pkey;
      alter table staff add primary key (site_id, id);
      alter table rules_versions alter column version drop default;
      alter table rules_versions drop constraint rules_versions_pkey;
      alter table rules_versions add primary key (site_id, version);
      alter table engine_snapshot drop column id;
      alter table engine_snapshot add primary key (site_id);
      drop index alarms_raised;
      drop index alarms_status_raised;
      drop index alarms_zone_raised;
      create index alarms_raised on alarms (site_id, raised_at, n);
      create index alarms_status_raised on alarms (site_id, status, raised_at, n);
      create index alarms_zone_raised on alarms (site_id, zone_id, raised_at, n);
      drop index work_orders_created;
      drop index work_orders_status_created;
      drop index work_orders_assignee_created;
      drop index work_orders_zone_created;
      drop index work_orders_closed;
      drop index work_orders_resolved;
      create index work_orders_created on work_orders (site_id, created_at, n);
      create index work_orders_status_created on work_orders (site_id, status, created_at, n);
      create index work_orders_assignee_created on work_orders (site_id, assignee, created_at, n) where assignee is not null;
      create index work_orders_zone_created on work_orders (site_id, zone_id, created_at, n);
      create index work_orders_closed on work_orders (site_id, closed_at) where closed_at is not null;
      create index work_orders_resolved on work_orders (site_id, resolved_at) where resolved_at is not null;
      drop index notifications_at;
      create index notifications_at on notifications (site_id, at);
      drop index sla_breaches_at;
      create index sla_breaches_at on sla_breaches (site_id, at);
      create index users_site on users (site_id, id);
      alter table alarms alter column site_id drop default;
      alter table alarm_history alter column site_id drop default;
      alter table work_orders alter column site_id drop default;
      alter table work_order_history alter column site_id drop default;
      alter table staff alter column site_id drop default;
      alter table notifications alter column site_id drop default;
      alter table sla_breaches alter column site_id drop default;
      alter table rules_versions alter column site_id drop default;
      alter table users alter column site_id drop default;
      alter table engine_snapshot alter column site_id drop default;
    `,
  },
  {
    id: 6,
    // The engine is stored as a snapshot now and then plus the journal of the steps since
    // (input and `now`): a step writes what it changed, not everything open. The snapshot
    // names the last journal entry it includes; entries up to it are pruned with it.
    name: 'engine journal',
    sql: `
      create table engine_journal (
        site_id text not null,
        seq bigint not null,
        entry jsonb not null,
        primary key (site_id, seq)
      );
      alter table engine_snapshot add column journal_seq bigint not null default 0;
    `,
  },
  {
    id: 7,
    // People sign in with a password; machines keep API keys. A password is stored only as a
    // memory-hard hash; a reset is a one-time token whose hash is kept until used or expired.
    // Sessions live in the database so a sign-out, a disabled user or a password change ends
    // them everywhere, and a restart keeps people signed in.
    name: 'passwords, reset tokens and sessions',
    sql: `
      create table user_passwords (
        site_id text not null,
        user_id text not null,
        password_hash text,
        password_set_at bigint,
        reset_token_hash text unique,
        reset_expires_at bigint,
        primary key (site_id, user_id)
      );
      create table sessions (
        sid text primary key,
        site_id text not null,
        user_id text not null,
        expires_at bigint not null,
        data jsonb not null
      );
      create index sessions_user on sessions (site_id, user_id);
      create index sessions_expiry on sessions (expires_at);
    `,
  },
  {
    id: 8,
    // Each edge gateway logs in to the uplink listener with its own password, stored only as a
    // hash (random 256-bit passwords: a fast hash, like API keys), instead of one secret that
    // derives every gateway's password. The generation bumps on rotation.
    name: 'gateway credentials',
    sql: `
      create table gateway_credentials (
        site_id text not null,
        gateway_id text not null,
        password_hash text not null,
        generation integer not null,
        disabled boolean not null default false,
        created_at bigint not null,
        updated_at bigint not null,
        primary key (site_id, gateway_id)
      );
    `,
  },
  {
    id: 9,
    // Hourly footfall per subject, kept in the uplink's transaction (series/sql-hourly.ts): the
    // forecast refresh reads a year of hours for every series, and reading minute rows for
    // that was most of a one-minute refresh at ten malls. One row per subject and UTC day with
    // the day's 24 sums (null: nothing stored in that hour). Half-full pages leave room for the
    // current day's row to be rewritten in place every minute (a HOT update, no index change).
    // Existing minute rows are rolled up once here.
    name: 'hourly footfall rollup',
    sql: `
      create table footfall_hourly (
        site_id text not null,
        subject_kind text not null,
        subject_id text not null,
        day bigint not null,
        in_h bigint[] not null,
        out_h bigint[] not null,
        primary key (site_id, subject_kind, subject_id, day)
      ) with (fillfactor = 50);
      create function footfall_hours_add(a bigint[], b bigint[]) returns bigint[] language sql immutable as $fn$
        select array_agg(case when x is null then y when y is null then x else x + y end order by n)
          from unnest(a, b) with ordinality as u(x, y, n)
      $fn$;
      insert into footfall_hourly (site_id, subject_kind, subject_id, day, in_h, out_h)
        select d.site_id, d.subject_kind, d.subject_id, d.day, array_agg(s.i order by hh), array_agg(s.o order by hh)
          from (select distinct site_id, subject_kind, subject_id, minute / 86400000 as day from footfall_minute) d
          cross join generate_series(0, 23) as hh
          left join (
            select site_id, subject_kind, subject_id, minute / 3600000 as hour, sum(in_count)::bigint as i, sum(out_count)::bigint as o
              from footfall_minute group by 1, 2, 3, 4
          ) s on s.site_id = d.site_id and s.subject_kind = d.subject_kind and s.subject_id = d.subject_id and s.hour = d.day * 24 + hh
         group by d.site_id, d.subject_kind, d.subject_id, d.day;
    `,
  },
  {
    id: 10,
    // Results of work-order actions sent with an Idempotency-Key (http/idempotency-store.ts): the
    // staff phone's offline queue sends an action again when it cannot know whether the first
    // try arrived, and the replay gets the stored result instead of acting twice. Per user (two
    // people's keys never collide), bounded (the header allows 128 characters) and expiring.
    // status is null while the first try runs.
    name: 'idempotency keys',
    sql: `
      create table idempotency_keys (
        site_id text not null,
        user_id text not null,
        key varchar(128) not null,
        fingerprint text not null,
        request text not null,
        status integer,
        body jsonb,
        created_at bigint not null,
        expires_at bigint not null,
        primary key (site_id, user_id, key)
      );
      create index idempotency_keys_expiry on idempotency_keys (site_id, expires_at);
    `,
  },
  {
    id: 11,
    // A refresh run stores one row per series with its hours packed as bytes (forecast/
    // forecast-codec.ts: leads as int32, six float64 per hour, network byte order), instead of
    // one row per series-hour: writing ~107k rows, each float parsed from text by the embedded
    // engine, was most of a one-minute refresh at ten malls. The per-hour rows are folded into
    // the series' rows here with int4send/float8send (runs whose head was already pruned are
    // dropped: they were only read at their 24 h / 72 h leads, at the edge of the 35 days kept).
    // `trimmed`: cut down to the served leads (a partial index finds the runs still whole);
    // `first_t`: the earliest hour kept (an index finds the rows with hours past the retention).
    // The packed hours (~3.8 kB for 72 h) do not compress: rows stay whole in the table instead
    // of being split into TOAST chunks after a compression attempt.
    name: 'forecast runs as one row per series',
    sql: `
      alter table forecast_series
        add column hour0 bigint,
        add column leads bytea,
        add column vals bytea,
        add column first_t bigint,
        add column trimmed boolean not null default false;
      alter table forecast_series set (toast_tuple_target = 8160);
      update forecast_series s
         set hour0 = f.hour0, leads = f.leads, vals = f.vals, first_t = f.first_t, trimmed = f.trimmed
        from (
          select site_id, subject_kind, subject_id, made_at, min(t - lead_h::bigint * 3600000) as hour0, min(t) as first_t,
                 string_agg(int4send(lead_h), ''::bytea order by lead_h) as leads,
                 string_agg(float8send(mean) || float8send(lo80) || float8send(hi80) || float8send(lo95) || float8send(hi95) || float8send(coalesce(usual, 'NaN')), ''::bytea order by lead_h) as vals,
                 bool_and(lead_h in (24, 72)) as trimmed
            from forecasts group by site_id, subject_kind, subject_id, made_at
        ) f
       where s.site_id = f.site_id and s.subject_kind = f.subject_kind and s.subject_id = f.subject_id and s.made_at = f.made_at;
      delete from forecast_series where leads is null;
      alter table forecast_series
        alter column hour0 set not null, alter column leads set not null, alter column vals set not null, alter column first_t set not null;
      drop table forecasts;
      create index forecast_series_made on forecast_series (site_id, made_at);
      create index forecast_series_first_t on forecast_series (site_id, first_t);
      create index forecast_series_whole on forecast_series (site_id, made_at) where not trimmed;
    `,
  },
  {
    id: 12,
    // Photos staff take on a job (ops/photo-store.ts), stored whole beside the order: at most
    // ten of at most 5 MB per order, so the table stays small enough for the embedded engine.
    // `n` numbers an order's photos 1..10: the unique key and the check make the bound hold
    // for two uploads at once, with no read-then-write race.
    name: 'work order photos',
    sql: `
      create table work_order_photos (
        id bigint generated always as identity primary key,
        site_id text not null,
        order_id text not null,
        n integer not null check (n between 1 and 10),
        taken_by text not null,
        at bigint not null,
        type text not null,
        bytes bytea not null,
        unique (site_id, order_id, n)
      );
    `,
  },
];
