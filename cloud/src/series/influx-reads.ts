import type { EnvPoint, FootfallPoint } from '@atrium/shared';
import type { SqlClient } from '../db/sql-client.ts';
import { fromClause, ident, literal, seriesRows as rows, timeLiteral, type InfluxClient, type InfluxTarget } from './influx-http.ts';
import { MEASUREMENT } from './influx-lines.ts';
import { HOUR } from './influx-rollups.ts';
import { addHour, emptyTotals, hoursOf } from './hourly.ts';
import type { FootfallRange, SeriesStore, SubjectTotal } from './series-store.ts';

/**
 * The read side of the InfluxDB adapter, in InfluxQL: ranges within the minute retention are
 * read from minute data, earlier ones from the hourly rollups; uplink counts from the ledger.
 */

export interface InfluxReadsOptions {
  sql: SqlClient;
  client: InfluxClient;
  minute: InfluxTarget;
  rollup: InfluxTarget;
  /** How long the server keeps minute data (0 = forever). */
  minuteRetentionDays: number;
  now: () => number;
}

export type InfluxReads = Pick<SeriesStore, 'footfall' | 'footfallHours' | 'footfallTotals' | 'env' | 'counts'>;

const MINUTE = 60_000;
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(2200, 0, 1);
const ceilTo = (t: number, step: number) => Math.ceil(t / step) * step;
const mod = (a: number, m: number) => ((a % m) + m) % m;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function createInfluxReads(opts: InfluxReadsOptions): InfluxReads {
  const { sql, client, now } = opts;
  /** Hour from which minute data is complete; earlier hours are read from the rollups. */
  const rollupHorizon = () => (opts.minuteRetentionDays > 0 ? Math.floor((now() - opts.minuteRetentionDays * 86_400_000) / HOUR) * HOUR + HOUR : Number.NEGATIVE_INFINITY);
  /** The minute part and the rollup part of [from, to), each minute-aligned (see influx-lines.ts on offsets). */
  const parts = (from: number, to: number) => {
    const split = rollupHorizon();
    const out: Array<{ target: InfluxTarget; hourly: boolean; from: number; to: number }> = [];
    if (from < split) out.push({ target: opts.rollup, hourly: true, from: ceilTo(from, MINUTE), to: ceilTo(Math.min(to, split), MINUTE) });
    if (to > split) out.push({ target: opts.minute, hourly: false, from: ceilTo(Math.max(from, split), MINUTE), to: ceilTo(to, MINUTE) });
    return out.filter((p) => p.to > p.from);
  };
  const q = async (target: InfluxTarget, text: string) => client.query(target.db, text);
  /** GROUP BY time with buckets starting at from + k·every; returns the shift back to `from`. */
  const bucketing = (from: number, everyMs: number) => {
    const aligned = ceilTo(from, MINUTE);
    return { clause: `time(${everyMs}ms, ${mod(aligned, everyMs)}ms)`, shift: aligned - from };
  };

  /** Footfall sums per subject and bucket; `subjects` narrows to those subjects (null: every subject of the kind). */
  const footfallPoints = async (r: Omit<FootfallRange, 'subjectId'>, subjects: readonly string[] | null): Promise<FootfallPoint[]> => {
    const b = bucketing(r.from, r.everyMs);
    const only = subjects === null ? '' : ` AND (${subjects.map((id) => `"subject_id" = ${literal(id)}`).join(' OR ')})`;
    const sums = new Map<string, FootfallPoint>();
    for (const p of parts(r.from, r.to)) {
      const m = p.hourly ? MEASUREMENT.footfallHour : MEASUREMENT.footfallMinute;
      const series = await q(
        p.target,
        `SELECT sum("in") AS "in", sum("out") AS "out" FROM ${fromClause(p.target, m)}
          WHERE "site" = ${literal(r.siteId)} AND "subject_kind" = ${literal(r.subjectKind)}${only}
            AND time >= ${timeLiteral(p.from)} AND time < ${timeLiteral(p.to)}
          GROUP BY ${b.clause}, "subject_id" fill(none)`,
      );
      for (const s of series) {
        for (const v of rows(s)) {
          const subjectId = s.tags?.subject_id ?? '';
          const t = Number(v.time) - b.shift;
          const key = `${subjectId}\u0000${t}`;
          const acc = sums.get(key) ?? { subjectId, t, in: 0, out: 0 };
          acc.in += Number(v.in ?? 0);
          acc.out += Number(v.out ?? 0);
          sums.set(key, acc);
        }
      }
    }
    return [...sums.values()].sort((a, b2) => cmp(a.subjectId, b2.subjectId) || a.t - b2.t);
  };

  return {
    footfall: (r) => footfallPoints(r, r.subjectId !== undefined ? [r.subjectId] : null),

    /** InfluxDB sums the hours itself (GROUP BY time(1h)), from minute data or, past the retention, its own hourly rollups. */
    async footfallHours(r) {
      const totals = emptyTotals(r);
      if (totals.size === 0 || hoursOf(r) === 0) return [...totals.values()];
      const points = await footfallPoints({ siteId: r.siteId, subjectKind: r.subjectKind, from: r.from, to: r.to, everyMs: HOUR }, [...totals.keys()]);
      for (const p of points) {
        const t = totals.get(p.subjectId);
        if (t) addHour(t, (p.t - r.from) / HOUR, p.in, p.out);
      }
      return [...totals.values()];
    },

    async footfallTotals(r) {
      const totals = new Map<string, SubjectTotal>();
      for (const p of parts(r.from ?? EARLIEST, r.to ?? LATEST)) {
        const m = p.hourly ? MEASUREMENT.footfallHour : MEASUREMENT.footfallMinute;
        const series = await q(
          p.target,
          `SELECT sum("in") AS "in", sum("out") AS "out" FROM ${fromClause(p.target, m)}
            WHERE "site" = ${literal(r.siteId)} AND "subject_kind" = ${literal(r.subjectKind)} AND time >= ${timeLiteral(p.from)} AND time < ${timeLiteral(p.to)}
            GROUP BY "subject_id"`,
        );
        for (const s of series) {
          const subjectId = s.tags?.subject_id ?? '';
          const acc = totals.get(subjectId) ?? { subjectId, in: 0, out: 0 };
          for (const v of rows(s)) {
            acc.in += Number(v.in ?? 0);
            acc.out += Number(v.out ?? 0);
          }
          totals.set(subjectId, acc);
        }
      }
      return [...totals.values()].sort((a, b) => cmp(a.subjectId, b.subjectId));
    },

    async env(r) {
      const b = bucketing(r.from, r.everyMs);
      const acc = new Map<string, { zoneId: string; t: number; sum: number; count: number; min: number; max: number }>();
      for (const p of parts(r.from, r.to)) {
        const m = p.hourly ? MEASUREMENT.envHour : MEASUREMENT.envMinute;
        const series = await q(
          p.target,
          `SELECT sum("sum") AS "sum", sum("count") AS "count", min("min") AS "min", max("max") AS "max" FROM ${fromClause(p.target, m)}
            WHERE "site" = ${literal(r.siteId)} AND "metric" = ${literal(r.metric)}${r.zoneId !== undefined ? ` AND "zone" = ${literal(r.zoneId)}` : ''}
              AND time >= ${timeLiteral(p.from)} AND time < ${timeLiteral(p.to)}
            GROUP BY ${b.clause}, "zone" fill(none)`,
        );
        for (const s of series) {
          for (const v of rows(s)) {
            const zoneId = s.tags?.zone ?? '';
            const t = Number(v.time) - b.shift;
            const key = `${zoneId}\u0000${t}`;
            const a = acc.get(key);
            if (a) {
              a.sum += Number(v.sum);
              a.count += Number(v.count);
              a.min = Math.min(a.min, Number(v.min));
              a.max = Math.max(a.max, Number(v.max));
            } else {
              acc.set(key, { zoneId, t, sum: Number(v.sum), count: Number(v.count), min: Number(v.min), max: Number(v.max) });
            }
          }
        }
      }
      return [...acc.values()]
        .sort((a, b2) => cmp(a.zoneId, b2.zoneId) || a.t - b2.t)
        .map((a): EnvPoint => ({ zoneId: a.zoneId, t: a.t, mean: a.sum / a.count, min: a.min, max: a.max }));
    },

    /**
     * Uplinks from the ledger; records as points in InfluxDB: one per device-minute (per metric
     * for env) and uplink — a late record is a point of its own — and one per event.
     */
    async counts(siteId) {
      const all = `"site" = ${literal(siteId)} AND time >= ${timeLiteral(EARLIEST)} AND time < ${timeLiteral(LATEST)}`;
      const count = async (measurement: string, field: string) => {
        const series = await q(opts.minute, `SELECT count(${ident(field)}) AS "n" FROM ${fromClause(opts.minute, measurement)} WHERE ${all}`);
        return series.flatMap(rows).reduce((n, v) => n + Number(v.n ?? 0), 0);
      };
      const [uplinks, footfallRecords, envRecords, events] = await Promise.all([
        sql.query<{ n: number }>('select count(*)::int as n from uplinks where site_id = $1', [siteId]).then((r) => r.rows[0]!.n),
        count(MEASUREMENT.footfallMinute, 'in'),
        count(MEASUREMENT.envMinute, 'count'),
        count(MEASUREMENT.event, 'seq'),
      ]);
      return { uplinks, footfallRecords, envRecords, events };
    },
  };
}
