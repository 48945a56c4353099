import { EVERY_MS, type EnvQuery, type FootfallQuery } from '@atrium/shared';
import { Errors } from '../errors.ts';
import type { SeriesStore } from './series-store.ts';

/** Keeps one request from asking the store for an unbounded number of buckets. */
export const MAX_BUCKETS = 10_000;

function checkRange(from: number, to: number, every: keyof typeof EVERY_MS): number {
  if (!(to > from)) throw new Errors.InvalidRequest('to: must be after from');
  const everyMs = EVERY_MS[every];
  const buckets = Math.ceil((to - from) / everyMs);
  if (buckets > MAX_BUCKETS) throw new Errors.RangeTooLarge(buckets, MAX_BUCKETS);
  return everyMs;
}

/** History queries behind the REST API: plain inputs in, points out. */
export function createSeriesQueries(store: SeriesStore, siteId: string) {
  return {
    footfall(q: FootfallQuery) {
      const everyMs = checkRange(q.from, q.to, q.every);
      return store.footfall({ siteId, subjectKind: q.subjectKind, subjectId: q.subjectId, from: q.from, to: q.to, everyMs });
    },
    env(q: EnvQuery) {
      const everyMs = checkRange(q.from, q.to, q.every);
      return store.env({ siteId, zoneId: q.zoneId, metric: q.metric, from: q.from, to: q.to, everyMs });
    },
    totals(subjectKind: FootfallQuery['subjectKind'], from?: number, to?: number) {
      return store.footfallTotals({ siteId, subjectKind, from, to });
    },
  };
}

export type SeriesQueries = ReturnType<typeof createSeriesQueries>;
