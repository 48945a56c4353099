import type { Confidence, ConfidenceReason, RunInfo, SeriesRun, StoredSeriesForecast, SubjectKind } from '@atrium/shared';
import type { SqlClient, SqlTx } from '../db/sql-client.ts';
import { MS_PER_HOUR as H, decodeHours, encodeHours, hourAtLead, keepHours } from './forecast-codec.ts';

/**
 * Stored forecasts (migrations 4 and 11). A run is every series' next hours as made at
 * `madeAt`, stored as one row per series with its hours packed (forecast-codec.ts): each hour
 * keeps its lead in whole hours from the hour the run was made in, so the forecast made 24 h
 * or 72 h before an hour is the run made 24 h or 72 h before it, at that lead. Full runs are
 * kept for a day (what the planner and the pages read is the newest); after that only the 24 h
 * and 72 h hours stay, for forecast-vs-actual and live accuracy. A run is served once its
 * record is stored (`commitRun`).
 */
export const SERVED_LEADS = [24, 72] as const;

export interface LeadRow {
  subjectId: string;
  t: number;
  madeAt: number;
  mean: number;
  lo80: number;
  hi80: number;
  lo95: number;
  hi95: number;
}

export type SeriesHead = Omit<SeriesRun, 'hours'>;

export interface ForecastStore {
  /** A whole run in one transaction. */
  saveRun(run: RunInfo, series: readonly SeriesRun[]): Promise<void>;
  /**
   * Part of a run's hours, in its own short statement, for a run too big to write in one go
   * without holding the database; readers see none of it until `commitRun` stores the heads.
   */
  saveHours(madeAt: number, series: readonly SeriesRun[]): Promise<void>;
  /** The run's record, after its series went in with `saveHours`: from here `latest` and `atLead` serve it. */
  commitRun(run: RunInfo): Promise<void>;
  latestRun(): Promise<RunInfo | null>;
  /** The newest stored forecast of each series of a kind (or one series), among runs not yet cut down to the served leads. */
  latest(q: { subjectKind: SubjectKind; subjectId?: string | undefined }): Promise<StoredSeriesForecast[]>;
  /** Rows made exactly `leadH` hours ahead, for hours in [from, to). */
  atLead(q: { subjectKind: SubjectKind; subjectId?: string | undefined; leadH: number; from: number; to: number }): Promise<LeadRow[]>;
  /**
   * Cuts runs older than `fullBefore` down to the served leads, drops every hour before
   * `before` (and series rows left empty, runs left without series, runs never committed),
   * a few hundred series rows per statement so no statement holds the embedded database long.
   */
  prune(q: { fullBefore: number; before: number }): Promise<void>;
}

type Num = number | string;
const num = (v: Num): number => Number(v);
const bytes = (b64: string) => Buffer.from(b64, 'base64');

/** Series rows per statement when a run is written in parts or pruned (a few ms of the embedded engine each). */
const BATCH_SERIES = 200;

/**
 * Between two statements of a long write: the embedded engine resolves a query in microtasks,
 * so without a macrotask turn a loop of statements would hold the event loop from first to last.
 */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Only runs whose record is stored: a run being written, or one a crash cut short, is never served. */
const COMMITTED = 'exists (select 1 from forecast_runs r where r.site_id = f.site_id and r.made_at = f.made_at)';

/** A series row's packed hours as they leave the database (base64 text: see forecast-codec.ts). */
interface PackedRow {
  subject_kind: string;
  subject_id: string;
  made_at: Num;
  hour0: Num;
  leads: string;
  vals: string;
}
const PACKED = `f.subject_kind, f.subject_id, f.made_at, f.hour0, encode(f.leads, 'base64') as leads, encode(f.vals, 'base64') as vals`;

export function createForecastStore(db: SqlClient, siteId: string): ForecastStore {
  const insertRun = (tx: Pick<SqlTx, 'query'>, run: RunInfo) =>
    tx.query(`insert into forecast_runs (site_id, made_at, origin, horizon_h, series, duration_ms) values ($1, $2, $3, $4, $5, $6) on conflict do nothing`, [
      siteId, run.madeAt, run.origin, run.horizonH, run.series, Math.round(run.durationMs),
    ]);
  const insertSeries = async (tx: Pick<SqlTx, 'query'>, madeAt: number, series: readonly SeriesRun[]) => {
    if (series.length === 0) return;
    const rows = series.map((s) => {
      const e = encodeHours(s);
      return { k: s.subjectKind, s: s.subjectId, c: s.confidence, r: s.reason, o: s.observedHours, h: e.hour0, f: e.firstT, l: e.leads.toString('base64'), v: e.vals.toString('base64') };
    });
    await tx.query(
      `insert into forecast_series (site_id, subject_kind, subject_id, made_at, confidence, reason, observed_hours, hour0, first_t, leads, vals)
         select $1, x.k, x.s, $2, x.c, x.r, x.o, x.h, x.f, decode(x.l, 'base64'), decode(x.v, 'base64')
           from jsonb_to_recordset($3::jsonb) as x(k text, s text, c text, r text, o integer, h bigint, f bigint, l text, v text)
       on conflict do nothing`,
      [siteId, madeAt, JSON.stringify(rows)],
    );
  };
  /**
   * Rewrites the series rows `candidates` selects (its $2 is `bound`), BATCH_SERIES per transaction until it selects
   * fewer: an hour stays if its run is still whole (made at or after `fullBefore`) or it is at a
   * served lead, and it is not before `before`. Rows left without hours go.
   */
  const cutDown = async (candidates: string, bound: number, q: { fullBefore: number; before: number }) => {
    for (;;) {
      const n = await db.transaction(async (tx) => {
        const { rows } = await tx.query<PackedRow>(
          `select ${PACKED} from forecast_series f where f.site_id = $1 and ${candidates} limit ${BATCH_SERIES} for update`,
          [siteId, bound],
        );
        const kept = [];
        const gone = [];
        for (const r of rows) {
          const whole = num(r.made_at) >= q.fullBefore;
          const e = keepHours(num(r.hour0), bytes(r.leads), bytes(r.vals), (leadH, t) => (whole || (SERVED_LEADS as readonly number[]).includes(leadH)) && t >= q.before);
          const key = { k: r.subject_kind, s: r.subject_id, m: num(r.made_at) };
          if (e.leads.length === 0) gone.push(key);
          else kept.push({ ...key, f: e.firstT, l: e.leads.toString('base64'), v: e.vals.toString('base64'), w: whole });
        }
        if (kept.length > 0) {
          await tx.query(
            `update forecast_series f set leads = decode(x.l, 'base64'), vals = decode(x.v, 'base64'), first_t = x.f, trimmed = f.trimmed or not x.w
               from jsonb_to_recordset($2::jsonb) as x(k text, s text, m bigint, f bigint, l text, v text, w boolean)
              where f.site_id = $1 and f.subject_kind = x.k and f.subject_id = x.s and f.made_at = x.m`,
            [siteId, JSON.stringify(kept)],
          );
        }
        if (gone.length > 0) {
          await tx.query(
            `delete from forecast_series f using jsonb_to_recordset($2::jsonb) as x(k text, s text, m bigint)
              where f.site_id = $1 and f.subject_kind = x.k and f.subject_id = x.s and f.made_at = x.m`,
            [siteId, JSON.stringify(gone)],
          );
        }
        return rows.length;
      });
      if (n < BATCH_SERIES) return;
      await yieldToLoop();
    }
  };

  return {
    async saveRun(run, series) {
      await db.transaction(async (tx) => {
        await insertRun(tx, run);
        for (let i = 0; i < series.length; i += BATCH_SERIES) await insertSeries(tx, run.madeAt, series.slice(i, i + BATCH_SERIES));
      });
    },

    async saveHours(madeAt, series) {
      for (let i = 0; i < series.length; i += BATCH_SERIES) {
        if (i > 0) await yieldToLoop();
        await insertSeries(db, madeAt, series.slice(i, i + BATCH_SERIES));
      }
    },

    async commitRun(run) {
      await insertRun(db, run);
    },

    async latestRun() {
      const { rows } = await db.query<{ made_at: Num; origin: Num; horizon_h: number; series: number; duration_ms: number }>(
        'select * from forecast_runs where site_id = $1 order by made_at desc limit 1',
        [siteId],
      );
      const r = rows[0];
      return r ? { madeAt: num(r.made_at), origin: num(r.origin), horizonH: r.horizon_h, series: r.series, durationMs: r.duration_ms } : null;
    },

    async latest(q) {
      // The newest committed run of each series, among runs still whole: one cut down to its
      // served leads has no hours ahead left to serve, and the partial index keeps this to the
      // last day's runs instead of five weeks of them.
      const { rows } = await db.query<PackedRow & { confidence: Confidence; reason: ConfidenceReason; observed_hours: number }>(
        `select distinct on (f.subject_id) ${PACKED}, f.confidence, f.reason, f.observed_hours from forecast_series f
          where f.site_id = $1 and f.subject_kind = $2 and ($3::text is null or f.subject_id = $3) and not f.trimmed and ${COMMITTED}
          order by f.subject_id, f.made_at desc`,
        [siteId, q.subjectKind, q.subjectId ?? null],
      );
      return rows.map((r) => ({
        subjectKind: q.subjectKind,
        subjectId: r.subject_id,
        madeAt: num(r.made_at),
        confidence: r.confidence,
        reason: r.reason,
        observedHours: r.observed_hours,
        hours: decodeHours(num(r.hour0), bytes(r.leads), bytes(r.vals)),
      }));
    },

    async atLead(q) {
      // An hour at lead L was forecast by a run made within the hour starting L hours before it:
      // the runs made then (an hour wider each side, for the index) are the only candidates.
      // Ordered by hour0, a run's hours are in the order of the hour asked for.
      const { rows } = await db.query<PackedRow>(
        `select ${PACKED} from forecast_series f
          where f.site_id = $1 and f.subject_kind = $2 and ($3::text is null or f.subject_id = $3)
            and f.made_at >= $5::bigint - ($4::bigint + 1) * ${H} and f.made_at < $6::bigint - ($4::bigint - 2) * ${H} and ${COMMITTED}
          order by f.subject_id, f.hour0, f.made_at desc`,
        [siteId, q.subjectKind, q.subjectId ?? null, q.leadH, q.from, q.to],
      );
      const out: LeadRow[] = [];
      for (const r of rows) {
        const t = num(r.hour0) + q.leadH * H;
        if (t < q.from || t >= q.to) continue;
        const v = hourAtLead(bytes(r.leads), bytes(r.vals), q.leadH);
        if (v) out.push({ subjectId: r.subject_id, t, madeAt: num(r.made_at), ...v });
      }
      return out;
    },

    async prune(q) {
      // Runs a crash cut short (no record), a day on: never served, never to be finished.
      for (;;) {
        const { rows } = await db.query<{ n: number }>(
          `with d as (
             delete from forecast_series f where f.site_id = $1 and (f.subject_kind, f.subject_id, f.made_at) in (
               select subject_kind, subject_id, made_at from forecast_series f where f.site_id = $1 and not f.trimmed and f.made_at < $2 and not ${COMMITTED} limit ${BATCH_SERIES})
             returning 1)
           select count(*)::int as n from d`,
          [siteId, q.fullBefore],
        );
        if ((rows[0]?.n ?? 0) < BATCH_SERIES) break;
        await yieldToLoop();
      }
      // Each finds only the rows it changes: whole runs past a day (partial index), hours past the retention (first_t index).
      await cutDown('not f.trimmed and f.made_at < $2', q.fullBefore, q);
      await cutDown('f.first_t < $2', q.before, q);
      await db.query(
        `delete from forecast_runs r where r.site_id = $1 and r.made_at < $2
           and not exists (select 1 from forecast_series f where f.site_id = r.site_id and f.made_at = r.made_at)`,
        [siteId, q.before],
      );
    },
  };
}
