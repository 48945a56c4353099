import { ENV_METRICS, minuteOf, type EnvMinute, type EnvReading, type FootfallMinute, type MetricStats, type RadarCount } from '@atrium/shared';
import type { Placement } from './placement.ts';

/**
 * Folds high-rate telemetry into one record per device and minute (device clock). Records
 * hold sums and counts, never means, so a reading that arrives after its minute was
 * forwarded becomes a second, additive record for that minute instead of being lost.
 */
export interface AggregatorOptions {
  /**
   * A device's minute is closed once that device's newest clock, or the gateway's own clock,
   * is this far past its end: never by another device's clock (one bad clock must not close
   * everyone's minutes), and not left open waiting for a slow reporter's next reading (its
   * proof of life would reach the cloud a report interval late and look like silence).
   */
  lateness_ms: number;
  /** ...or once it has not been touched for this long by the gateway's wall clock (slow or idle devices). */
  idle_ms: number;
}

export interface Flushed {
  footfall: FootfallMinute[];
  env: EnvMinute[];
  /** journal ids of every reading folded into these records */
  readingIds: number[];
}

type Bucket =
  | { kind: 'footfall'; record: FootfallMinute; touchedAt: number; readingIds: number[] }
  | { kind: 'env'; record: EnvMinute; touchedAt: number; readingIds: number[] };

export interface Aggregator {
  addCount(where: Placement, subject: { kind: FootfallMinute['subjectKind']; id: string }, reading: RadarCount, now: number, readingId: number): void;
  addEnv(where: Placement, reading: EnvReading, now: number, readingId: number): void;
  /** Removes and returns every closed minute: `now` is the wall clock (idle), `gatewayTime` the gateway's clock. */
  takeClosed(now: number, gatewayTime?: number): Flushed;
  /** Removes and returns everything, for shutdown. */
  takeAll(): Flushed;
  /** Readings held in open minutes. */
  readonly pendingReadings: number;
}

export function createAggregator(opts: AggregatorOptions): Aggregator {
  const buckets = new Map<string, Bucket>();
  /**
   * Newest device time per device: each device's clock closes only its own minutes, so one
   * device whose clock runs ahead cannot close everyone else's early (their readings would
   * each become a record of their own). Bounded by the site's devices.
   */
  const watermarks = new Map<string, number>();
  const advance = (deviceId: string, ts: number) => watermarks.set(deviceId, Math.max(watermarks.get(deviceId) ?? 0, ts));
  let pendingReadings = 0;

  const bucketFor = <K extends Bucket['kind']>(kind: K, key: string, make: () => Extract<Bucket, { kind: K }>['record'], now: number, readingId: number) => {
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { kind, record: make(), touchedAt: now, readingIds: [] } as Bucket;
      buckets.set(key, bucket);
    }
    bucket.touchedAt = now;
    bucket.readingIds.push(readingId);
    pendingReadings += 1;
    return bucket.record as Extract<Bucket, { kind: K }>['record'];
  };

  const take = (closed: (b: Bucket) => boolean): Flushed => {
    const out: Flushed = { footfall: [], env: [], readingIds: [] };
    for (const [key, bucket] of buckets) {
      if (!closed(bucket)) continue;
      buckets.delete(key);
      for (const id of bucket.readingIds) out.readingIds.push(id);
      if (bucket.kind === 'footfall') out.footfall.push(bucket.record);
      else out.env.push(bucket.record);
    }
    pendingReadings -= out.readingIds.length;
    return out;
  };

  return {
    addCount(where, subject, reading, now, readingId) {
      advance(where.deviceId, reading.ts);
      const minute = minuteOf(reading.ts);
      const r = bucketFor('footfall', `f|${where.deviceId}|${minute}`, () => ({
        ...where,
        minute,
        subjectKind: subject.kind,
        subjectId: subject.id,
        in: 0,
        out: 0,
        samples: 0,
        occupancySum: 0,
        occupancyCount: 0,
        occupancyMax: 0,
      }), now, readingId);
      r.in += reading.in;
      r.out += reading.out;
      r.samples += 1;
      if (reading.occupancy !== undefined) {
        r.occupancySum += reading.occupancy;
        r.occupancyCount += 1;
        r.occupancyMax = Math.max(r.occupancyMax, reading.occupancy);
      }
    },
    addEnv(where, reading, now, readingId) {
      advance(where.deviceId, reading.ts);
      const minute = minuteOf(reading.ts);
      const r = bucketFor('env', `e|${where.deviceId}|${minute}`, () => ({ ...where, minute, metrics: {} }), now, readingId);
      for (const metric of ENV_METRICS) {
        const value = reading[metric];
        if (value === undefined) continue;
        const s: MetricStats | undefined = r.metrics[metric];
        r.metrics[metric] = s
          ? { sum: s.sum + value, count: s.count + 1, min: Math.min(s.min, value), max: Math.max(s.max, value) }
          : { sum: value, count: 1, min: value, max: value };
      }
    },
    takeClosed(now, gatewayTime = 0) {
      return take((b) => b.record.minute + 60_000 + opts.lateness_ms <= Math.max(watermarks.get(b.record.deviceId) ?? 0, gatewayTime) || now - b.touchedAt >= opts.idle_ms);
    },
    takeAll() {
      return take(() => true);
    },
    get pendingReadings() {
      return pendingReadings;
    },
  };
}
