import type { EnvMetric, EnvPoint, FootfallPoint, SubjectKind, Uplink } from '@atrium/shared';

export interface FootfallRange {
  siteId: string;
  subjectKind: SubjectKind;
  subjectId?: string | undefined;
  from: number;
  to: number;
  everyMs: number;
}

export interface EnvRange {
  siteId: string;
  zoneId?: string | undefined;
  metric: EnvMetric;
  from: number;
  to: number;
  everyMs: number;
}

/** Subjects of one kind over whole hours: `from` and `to` are multiples of an hour (UTC), half-open. */
export interface HourlyRange {
  siteId: string;
  subjectKind: SubjectKind;
  subjectIds: readonly string[];
  from: number;
  to: number;
}

/** One subject's hourly totals: index k is the hour starting at from + k·1h; NaN where no record was stored for that hour. */
export interface HourlyTotals {
  subjectId: string;
  in: Float64Array;
  out: Float64Array;
}

export interface SubjectTotal {
  subjectId: string;
  in: number;
  out: number;
}

/**
 * The series-store port. Every adapter (embedded, InfluxDB) passes the same contract suite
 * in cloud/test/series-store.contract.ts.
 */
export interface SeriesStore {
  /**
   * Stores every record of one uplink, exactly once: a second call with the same uplink id
   * stores nothing and returns `stored: false`. Resolves only once the data is durable.
   */
  writeUplink(uplink: Uplink, receivedAt: number): Promise<{ stored: boolean }>;
  /** Footfall sums per subject and time bucket (bucket start = from + k·everyMs, half-open [from, to)). */
  footfall(range: FootfallRange): Promise<FootfallPoint[]>;
  /**
   * Hourly totals of the listed subjects, one entry per subject in the order asked (a subject
   * without records gets all NaN), read from the store's hourly rollups rather than minute
   * rows: what the forecast refresh reads, years of hours per subject. Refuses (InvalidRequest)
   * a range that is not on whole hours.
   */
  footfallHours(range: HourlyRange): Promise<HourlyTotals[]>;
  /** Total crossings per subject over a half-open range; the reconciliation view. */
  footfallTotals(q: { siteId: string; subjectKind: SubjectKind; from?: number; to?: number }): Promise<SubjectTotal[]>;
  /** Environment mean/min/max per zone and time bucket. */
  env(range: EnvRange): Promise<EnvPoint[]>;
  /** Numbers of stored uplinks and records, for health and reconciliation. */
  counts(siteId: string): Promise<{ uplinks: number; footfallRecords: number; envRecords: number; events: number }>;
  close(): Promise<void>;
}
