import type { Confidence, ConfidenceReason, ForecastHour, RunInfo, SeriesRun, StoredSeriesForecast, SubjectKind } from '@atrium/shared';
import type { SqlClient, SqlTx } from '../db/sql-client.ts';

/**
 * Stored forecasts (migration 4). A run is every series' next hours as made at `madeAt`; each
 * row keeps its lead in whole hours from the hour the run was made in, so the forecast made
 * 24 h or 72 h before an hour is a lookup by lead. Full runs are kept for a day (what the
 * planner and the pages read is the newest); after that only the 24 h and 72 h rows stay, for
 * forecast-vs-actual and live accuracy.
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
  /** The run's record and each series' head, after its hours went in with `saveHours`: from here `latest` serves it. */
  commitRun(run: RunInfo, series: readonly SeriesHead[]): Promise<void>;
  latestRun(): Promise<RunInfo | null>;
  /** The newest stored forecast of each series of a kind (or one series). */
  latest(q: { subjectKind: SubjectKind; subjectId?: string | undefined }): Promise<StoredSeriesForecast[]>;
  /** Rows made exactly `leadH` hours ahead, for hours in [from, to). */
  atLead(q: { subjectKind: SubjectKind; subjectId?: string | undefined; leadH: number; from: number; to: number }): Promise<LeadRow[]>;
  /**
   * Drops full runs older than `fullBefore` (keeping the served leads) and every row for hours
   * before `before`, a few thousand rows per statement: an hour of ten malls' runs is 100k rows,
   * and one statement deleting them would hold the embedded database for seconds.
   */
  prune(q: { fullBefore: number; before: number }): Promise<void>;
}

type Num = number | string;
const num = (v: Num): number => Number(v);

/** Rows per statement when a run is written in parts or pruned (~100 ms of the embedded engine on a busy machine). */
const BATCH_ROWS = 1000;

/**
 * Between two statements of a long write: the embedded engine resolves a query in microtasks,
 * so without a macrotask turn a loop of statements would hold the event loop from first to last.
 */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createForecastStore(db: SqlClient, siteId: string): ForecastStore {
  const insertHeads = (tx: Pick<SqlTx, 'query'>, run: RunInfo, series: readonly SeriesHead[]) =>
    tx.query(
      `insert into forecast_series (site_id, subject_kind, subject_id, made_at, confidence, reason, observed_hours)
         select $1, x.k, x.s, $2, x.c, x.r, x.o from jsonb_to_recordset($3::jsonb) as x(k text, s text, c text, r text, o integer)
       on conflict do nothing`,
      [siteId, run.madeAt, JSON.stringify(series.map((s) => ({ k: s.subjectKind, s: s.subjectId, c: s.confidence, r: s.reason, o: s.observedHours })))],
    );
  const insertRun = (tx: Pick<SqlTx, 'query'>, run: RunInfo) =>
    tx.query(`insert into forecast_runs (site_id, made_at, origin, horizon_h, series, duration_ms) values ($1, $2, $3, $4, $5, $6) on conflict do nothing`, [
      siteId, run.madeAt, run.origin, run.horizonH, run.series, Math.round(run.durationMs),
    ]);
  const rowsOf = (series: readonly SeriesRun[]) =>
    series.flatMap((s) => s.hours.map((h) => ({ k: s.subjectKind, s: s.subjectId, t: h.t, l: h.leadH, m: h.mean, a: h.lo80, b: h.hi80, c: h.lo95, d: h.hi95, u: h.usual })));
  const insertHours = async (tx: Pick<SqlTx, 'query'>, madeAt: number, rows: readonly ReturnType<typeof rowsOf>[number][]) => {
    if (rows.length === 0) return;
    await tx.query(
      `insert into forecasts (site_id, subject_kind, subject_id, made_at, t, lead_h, mean, lo80, hi80, lo95, hi95, usual)
         select $1, x.k, x.s, $2, x.t, x.l, x.m, x.a, x.b, x.c, x.d, x.u from jsonb_to_recordset($3::jsonb)
           as x(k text, s text, t bigint, l integer, m float8, a float8, b float8, c float8, d float8, u float8)
       on conflict do nothing`,
      [siteId, madeAt, JSON.stringify(rows)],
    );
  };
  /** Runs a `delete … where ctid = any(array(select ctid … limit n))` until it deletes nothing. */
  const deleteInBatches = async (select: string, params: unknown[]) => {
    for (;;) {
      const { rows } = await db.query<{ n: number }>(
        `with d as (delete from forecasts where ctid = any(array(${select} limit ${BATCH_ROWS})) returning 1) select count(*)::int as n from d`,
        params,
      );
      if ((rows[0]?.n ?? 0) < BATCH_ROWS) return;
      await yieldToLoop();
    }
  };

  return {
    async saveRun(run, series) {
      await db.transaction(async (tx) => {
        await insertRun(tx, run);
        await insertHeads(tx, run, series);
        await insertHours(tx, run.madeAt, rowsOf(series));
      });
    },

    async saveHours(madeAt, series) {
      const rows = rowsOf(series);
      for (let i = 0; i < rows.length; i += BATCH_ROWS) {
        if (i > 0) await yieldToLoop();
        await insertHours(db, madeAt, rows.slice(i, i + BATCH_ROWS));
      }
    },

    async commitRun(run, series) {
      await db.transaction(async (tx) => {
        await insertRun(tx, run);
        await insertHeads(tx, run, series);
      });
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
      const { rows: heads } = await db.query<{ subject_id: string; made_at: Num; confidence: Confidence; reason: ConfidenceReason; observed_hours: number }>(
        `select distinct on (subject_id) subject_id, made_at, confidence, reason, observed_hours from forecast_series
          where site_id = $1 and subject_kind = $2 and ($3::text is null or subject_id = $3)
          order by subject_id, made_at desc`,
        [siteId, q.subjectKind, q.subjectId ?? null],
      );
      if (heads.length === 0) return [];
      const { rows } = await db.query<{ subject_id: string; t: Num; lead_h: number; mean: number; lo80: number; hi80: number; lo95: number; hi95: number; usual: number | null }>(
        `select f.subject_id, f.t, f.lead_h, f.mean, f.lo80, f.hi80, f.lo95, f.hi95, f.usual
           from forecasts f join jsonb_to_recordset($3::jsonb) as h(s text, m bigint) on f.subject_id = h.s and f.made_at = h.m
          where f.site_id = $1 and f.subject_kind = $2 order by f.subject_id, f.t`,
        [siteId, q.subjectKind, JSON.stringify(heads.map((h) => ({ s: h.subject_id, m: num(h.made_at) })))],
      );
      const hours = new Map<string, ForecastHour[]>();
      for (const r of rows) {
        let list = hours.get(r.subject_id);
        if (!list) hours.set(r.subject_id, (list = []));
        list.push({ t: num(r.t), leadH: r.lead_h, mean: r.mean, lo80: r.lo80, hi80: r.hi80, lo95: r.lo95, hi95: r.hi95, usual: r.usual });
      }
      return heads.map((h) => ({
        subjectKind: q.subjectKind,
        subjectId: h.subject_id,
        madeAt: num(h.made_at),
        confidence: h.confidence,
        reason: h.reason,
        observedHours: h.observed_hours,
        hours: hours.get(h.subject_id) ?? [],
      }));
    },

    async atLead(q) {
      const { rows } = await db.query<{ subject_id: string; t: Num; made_at: Num; mean: number; lo80: number; hi80: number; lo95: number; hi95: number }>(
        `select subject_id, t, made_at, mean, lo80, hi80, lo95, hi95 from forecasts
          where site_id = $1 and subject_kind = $2 and ($3::text is null or subject_id = $3) and lead_h = $4 and t >= $5 and t < $6
          order by subject_id, t, made_at desc`,
        [siteId, q.subjectKind, q.subjectId ?? null, q.leadH, q.from, q.to],
      );
      return rows.map((r) => ({ subjectId: r.subject_id, t: num(r.t), madeAt: num(r.made_at), mean: r.mean, lo80: r.lo80, hi80: r.hi80, lo95: r.lo95, hi95: r.hi95 }));
    },

    async prune(q) {
      await deleteInBatches(`select ctid from forecasts where site_id = $1 and made_at < $2 and lead_h <> all($3::int[])`, [siteId, q.fullBefore, [...SERVED_LEADS]]);
      // A forecast hour always comes after the run that made it, so `made_at < before` only narrows the
      // search to what the (site, made_at) index finds instead of scanning every stored forecast.
      await deleteInBatches(`select ctid from forecasts where site_id = $1 and made_at < $2 and t < $2`, [siteId, q.before]);
      await db.query('delete from forecast_series where site_id = $1 and made_at < $2', [siteId, q.before]);
      await db.query('delete from forecast_runs where site_id = $1 and made_at < $2', [siteId, q.before]);
    },
  };
}
