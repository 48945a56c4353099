import type { EnvPoint, FootfallPoint, Uplink } from '@atrium/shared';
import { migrate } from '../db/migrate.ts';
import type { SqlClient, SqlTx } from '../db/sql-client.ts';
import type { SeriesStore } from './series-store.ts';
import { addToHourlyRollup, readHourlyRollup } from './sql-hourly.ts';

/**
 * Series in the operational PostgreSQL-dialect database (PGlite by default). Records are
 * additive, so upserts add counts; the uplink ledger row, the records and their hourly rollup
 * (sql-hourly.ts) commit together, which is what makes a redelivered uplink a no-op.
 */
export async function createSqlSeriesStore(db: SqlClient, opts: { ownsClient: boolean }): Promise<SeriesStore> {
  await migrate(db);

  const writeRecords = async (tx: SqlTx, uplink: Uplink) => {
    if (uplink.kind === 'minute') {
      if (uplink.footfall.length > 0) {
        await tx.query(
          // Grouped first: ON CONFLICT may touch a row only once per statement, and one uplink
          // may carry two records of the same device and minute.
          `insert into footfall_minute
             select $1, device_id, minute, min(floor_id), min(zone_id), min(subject_kind), min(subject_id), sum(in_count), sum(out_count),
                    sum(samples), sum(occ_sum), sum(occ_count), max(occ_max)
               from jsonb_to_recordset($2::jsonb) as x(device_id text, minute bigint, floor_id text, zone_id text,
                 subject_kind text, subject_id text, in_count bigint, out_count bigint, samples integer,
                 occ_sum double precision, occ_count integer, occ_max double precision)
              group by device_id, minute
           on conflict (site_id, device_id, minute) do update set
             in_count = footfall_minute.in_count + excluded.in_count,
             out_count = footfall_minute.out_count + excluded.out_count,
             samples = footfall_minute.samples + excluded.samples,
             occ_sum = footfall_minute.occ_sum + excluded.occ_sum,
             occ_count = footfall_minute.occ_count + excluded.occ_count,
             occ_max = greatest(footfall_minute.occ_max, excluded.occ_max)`,
          [
            uplink.siteId,
            JSON.stringify(
              uplink.footfall.map((f) => ({
                device_id: f.deviceId, minute: f.minute, floor_id: f.floorId, zone_id: f.zoneId, subject_kind: f.subjectKind,
                subject_id: f.subjectId, in_count: f.in, out_count: f.out, samples: f.samples, occ_sum: f.occupancySum,
                occ_count: f.occupancyCount, occ_max: f.occupancyMax,
              })),
            ),
          ],
        );
        await addToHourlyRollup(tx, uplink.siteId, uplink.footfall);
      }
      const env = uplink.env.flatMap((e) =>
        Object.entries(e.metrics).map(([metric, s]) => ({
          device_id: e.deviceId, metric, minute: e.minute, floor_id: e.floorId, zone_id: e.zoneId, sum: s.sum, count: s.count, min: s.min, max: s.max,
        })),
      );
      if (env.length > 0) {
        await tx.query(
          `insert into env_minute
             select $1, device_id, metric, minute, min(floor_id), min(zone_id), sum(sum), sum(count), min(min), max(max)
               from jsonb_to_recordset($2::jsonb) as x(device_id text, metric text, minute bigint, floor_id text, zone_id text,
                 sum double precision, count integer, min double precision, max double precision)
              group by device_id, metric, minute
           on conflict (site_id, device_id, metric, minute) do update set
             sum = env_minute.sum + excluded.sum, count = env_minute.count + excluded.count,
             min = least(env_minute.min, excluded.min), max = greatest(env_minute.max, excluded.max)`,
          [uplink.siteId, JSON.stringify(env)],
        );
      }
    } else if (uplink.kind === 'events' && uplink.events.length > 0) {
      await tx.query(
        `insert into device_events
           select $1, $2::uuid, x.* from jsonb_to_recordset($3::jsonb) as x(device_id text, floor_id text, zone_id text, ts bigint, seq bigint,
             family text, type text, data jsonb)`,
        [uplink.siteId, uplink.id, JSON.stringify(uplink.events.map((e) => ({ device_id: e.deviceId, floor_id: e.floorId, zone_id: e.zoneId, ts: e.ts, seq: e.seq, family: e.family, type: e.type, data: e.data })))],
      );
    } else if (uplink.kind === 'status' && uplink.devices.length > 0) {
      // Latest state per device; an older report arriving late must not overwrite a newer one.
      await tx.query(
        `insert into device_status
           select distinct on (device_id) $1, x.* from jsonb_to_recordset($2::jsonb) as x(device_id text, kind text, floor_id text, zone_id text, ts bigint,
             state text, battery double precision, rssi double precision) order by device_id, ts desc
         on conflict (site_id, device_id) do update set ts = excluded.ts, state = excluded.state, battery = excluded.battery, rssi = excluded.rssi
           where excluded.ts >= device_status.ts`,
        [uplink.siteId, JSON.stringify(uplink.devices.map((d) => ({ device_id: d.deviceId, kind: d.kind, floor_id: d.floorId, zone_id: d.zoneId, ts: d.ts, state: d.state, battery: d.battery ?? null, rssi: d.rssi ?? null })))],
      );
    }
  };

  const recordCount = (u: Uplink) => (u.kind === 'minute' ? u.footfall.length + u.env.length : u.kind === 'events' ? u.events.length : u.devices.length);

  return {
    async writeUplink(uplink, receivedAt) {
      return db.transaction(async (tx) => {
        const ledger = await tx.query(
          `insert into uplinks (id, site_id, gateway_id, kind, sent_at, received_at, records) values ($1, $2, $3, $4, $5, $6, $7)
           on conflict (id) do nothing returning id`,
          [uplink.id, uplink.siteId, uplink.gatewayId, uplink.kind, uplink.sentAt, receivedAt, recordCount(uplink)],
        );
        if (ledger.rows.length === 0) return { stored: false };
        await writeRecords(tx, uplink);
        return { stored: true };
      });
    },

    async footfall(r) {
      const { rows } = await db.query<{ subject_id: string; t: number; in: number; out: number }>(
        `select subject_id, $4::bigint + ((minute - $4::bigint) / $6::bigint) * $6::bigint as t, sum(in_count)::float8 as in, sum(out_count)::float8 as out
           from footfall_minute
          where site_id = $1 and subject_kind = $2 and ($3::text is null or subject_id = $3) and minute >= $4 and minute < $5
          group by subject_id, t order by subject_id, t`,
        [r.siteId, r.subjectKind, r.subjectId ?? null, r.from, r.to, r.everyMs],
      );
      return rows.map((x): FootfallPoint => ({ subjectId: x.subject_id, t: Number(x.t), in: x.in, out: x.out }));
    },

    footfallHours: (range) => readHourlyRollup(db, range),

    async footfallTotals(q) {
      const { rows } = await db.query<{ subject_id: string; in: number; out: number }>(
        `select subject_id, sum(in_count)::float8 as in, sum(out_count)::float8 as out from footfall_minute
          where site_id = $1 and subject_kind = $2 and ($3::bigint is null or minute >= $3) and ($4::bigint is null or minute < $4)
          group by subject_id order by subject_id`,
        [q.siteId, q.subjectKind, q.from ?? null, q.to ?? null],
      );
      return rows.map((x) => ({ subjectId: x.subject_id, in: x.in, out: x.out }));
    },

    async env(r) {
      const { rows } = await db.query<{ zone_id: string; t: number; mean: number; min: number; max: number }>(
        `select zone_id, $4::bigint + ((minute - $4::bigint) / $6::bigint) * $6::bigint as t, sum(sum) / sum(count) as mean, min(min) as min, max(max) as max
           from env_minute
          where site_id = $1 and metric = $2 and ($3::text is null or zone_id = $3) and minute >= $4 and minute < $5
          group by zone_id, t order by zone_id, t`,
        [r.siteId, r.metric, r.zoneId ?? null, r.from, r.to, r.everyMs],
      );
      return rows.map((x): EnvPoint => ({ zoneId: x.zone_id, t: Number(x.t), mean: x.mean, min: x.min, max: x.max }));
    },

    async counts(siteId) {
      const { rows } = await db.query<{ uplinks: number; footfall: number; env: number; events: number }>(
        `select (select count(*) from uplinks where site_id = $1)::int as uplinks,
                (select count(*) from footfall_minute where site_id = $1)::int as footfall,
                (select count(*) from env_minute where site_id = $1)::int as env,
                (select count(*) from device_events where site_id = $1)::int as events`,
        [siteId],
      );
      const c = rows[0]!;
      return { uplinks: c.uplinks, footfallRecords: c.footfall, envRecords: c.env, events: c.events };
    },

    async close() {
      if (opts.ownsClient) await db.close();
    },
  };
}
