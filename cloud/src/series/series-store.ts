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
  /** Total crossings per subject over a half-open range; the reconciliation view. */
  footfallTotals(q: { siteId: string; subjectKind: SubjectKind; from?: number; to?: number }): Promise<SubjectTotal[]>;
  /** Environment mean/min/max per zone and time bucket. */
  env(range: EnvRange): Promise<EnvPoint[]>;
  /** Numbers of stored uplinks and records, for health and reconciliation. */
  counts(siteId: string): Promise<{ uplinks: number; footfallRecords: number; envRecords: number; events: number }>;
  close(): Promise<void>;
}
