import { EVERY_MS, type EnvQuery, type FootfallQuery } from '@atrium/shared';
import { Errors } from '../errors.ts';
import type { SeriesStore } from './series-store.ts';

/** Keeps one request from asking the store for an unbounded number of buckets. */
export const MAX_BUCKETS = 10_000;
/**
 * Points one answer may hold: buckets × subjects, the same bound as one subject's buckets. A
 * site-wide query multiplies its buckets by every zone or shop: ten at 10,000 buckets × 99 shops
 * stalled the process for 10 s.
 */
export const MAX_POINTS = MAX_BUCKETS;

/** How many series a query reads: one when it names its subject, else every subject of the kind. */
export interface QueryWidth {
  subjects: number;
  /** the query field that narrows it to one subject, for the refusal */
  field: string;
  /** what the subjects are, e.g. "shops" */
  noun: string;
}

function checkRange(from: number, to: number, every: keyof typeof EVERY_MS, width?: QueryWidth): number {
  if (!(to > from)) throw new Errors.InvalidRequest('to: must be after from');
  const everyMs = EVERY_MS[every];
  const buckets = Math.ceil((to - from) / everyMs);
  if (buckets > MAX_BUCKETS) throw new Errors.RangeTooLarge(buckets, MAX_BUCKETS);
  if (width && buckets * width.subjects > MAX_POINTS) {
    throw new Errors.InvalidRequest(
      `${width.field}: without it the query reads all ${width.subjects} ${width.noun} × ${buckets} buckets = ${buckets * width.subjects} points; at most ${MAX_POINTS} are allowed (pass ${width.field}, widen "every" or narrow from/to)`,
    );
  }
  return everyMs;
}

/** History queries behind the REST API: plain inputs in, points out. `width` is given when the query spans several subjects. */
export function createSeriesQueries(store: SeriesStore, siteId: string) {
  return {
    footfall(q: FootfallQuery, width?: QueryWidth) {
      const everyMs = checkRange(q.from, q.to, q.every, width);
      return store.footfall({ siteId, subjectKind: q.subjectKind, subjectId: q.subjectId, from: q.from, to: q.to, everyMs });
    },
    env(q: EnvQuery, width?: QueryWidth) {
      const everyMs = checkRange(q.from, q.to, q.every, width);
      return store.env({ siteId, zoneId: q.zoneId, metric: q.metric, from: q.from, to: q.to, everyMs });
    },
    totals(subjectKind: FootfallQuery['subjectKind'], from?: number, to?: number) {
      return store.footfallTotals({ siteId, subjectKind, from, to });
    },
  };
}

export type SeriesQueries = ReturnType<typeof createSeriesQueries>;
