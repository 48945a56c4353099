import { escape } from '@influxdata/influxdb-client';
import type { Uplink } from '@atrium/shared';

/**
 * Line protocol for one uplink (schema: docs/series-schema.md). Timestamps are nanoseconds
 * built from the source's own times, so writing the same uplink's lines again rewrites the
 * same points: a retried or replayed write is idempotent.
 *
 * Additivity. InfluxDB keeps one point per measurement + tag set + timestamp (the last write
 * wins), but minute records are additive: a late record for a device-minute already stored
 * must add to it. Each uplink's contribution to a device-minute is therefore its own point:
 * the records of one uplink are summed per device-minute here, and the point is stamped
 * `minute + (seq mod 60 s)` in nanoseconds, where `seq` is the uplink's number in the ledger
 * (unique, increasing, persisted in the operational database with the ledger row). Two
 * contributions to the same device-minute can collide only if 6·10^10 uplinks were stored
 * between them — years at any rate one site produces, far beyond the minute retention — so
 * no contribution ever overwrites another, and every reader sums (or min/maxes) the points of
 * a minute. The offset stays inside the minute, so every minute-aligned bucket (1m … 1d)
 * holds the same points as it would without it. No tag is added per uplink (no cardinality
 * growth), nothing is read before writing (works while InfluxDB is away), and no per-minute
 * state is kept anywhere.
 */
export const MINUTE_OFFSET_SPAN_NS = 60_000_000_000n;
/** Events: `ts + (seq mod 1 ms)`, so two events of one device in one millisecond stay apart. */
const EVENT_OFFSET_SPAN_NS = 1_000_000n;

export const MEASUREMENT = {
  footfallMinute: 'footfall_minute',
  envMinute: 'env_minute',
  footfallHour: 'footfall_hour',
  envHour: 'env_hour',
  event: 'device_event',
  status: 'device_status',
} as const;

export const nsOf = (ms: number, offsetNs = 0n): string => {
  if (offsetNs === 0n) return `${ms}000000`;
  // ms·10^6 + offset without BigInt arithmetic on the hot path: offset < 60 s fits a double exactly.
  const off = Number(offsetNs);
  const carryMs = Math.floor(off / 1_000_000);
  return `${ms + carryMs}${String(off - carryMs * 1_000_000).padStart(6, '0')}`;
};
export const minuteOffsetNs = (seq: number): bigint => BigInt(seq) % MINUTE_OFFSET_SPAN_NS;

export interface UplinkLines {
  lines: string[];
  /** Hour starts (ms) holding minute data from this uplink: the rollups to recompute. */
  hours: number[];
}

export function uplinkLines(uplink: Uplink, seq: number): UplinkLines {
  const site = tag(uplink.siteId);
  const lines: string[] = [];
  const hours = new Set<number>();
  if (uplink.kind === 'minute') {
    const offset = minuteOffsetNs(seq);
    const foot = new Map<string, { f: (typeof uplink.footfall)[number]; in: number; out: number; samples: number; occSum: number; occCount: number; occMax: number }>();
    for (const f of uplink.footfall) {
      const key = `${f.deviceId}\u0000${f.minute}`;
      const acc = foot.get(key);
      if (acc) {
        acc.in += f.in;
        acc.out += f.out;
        acc.samples += f.samples;
        acc.occSum += f.occupancySum;
        acc.occCount += f.occupancyCount;
        acc.occMax = Math.max(acc.occMax, f.occupancyMax);
      } else {
        foot.set(key, { f, in: f.in, out: f.out, samples: f.samples, occSum: f.occupancySum, occCount: f.occupancyCount, occMax: f.occupancyMax });
      }
    }
    for (const a of foot.values()) {
      hours.add(a.f.minute - (a.f.minute % 3_600_000));
      // Tag keys in sorted order (what InfluxDB indexes fastest), fields likewise.
      lines.push(
        `${MEASUREMENT.footfallMinute},device=${tag(a.f.deviceId)},floor=${tag(a.f.floorId)},site=${site},subject_id=${tag(a.f.subjectId)},subject_kind=${tag(a.f.subjectKind)},zone=${tag(a.f.zoneId)}` +
          ` in=${int(a.in)},occ_count=${int(a.occCount)},occ_max=${float(a.occMax)},occ_sum=${float(a.occSum)},out=${int(a.out)},samples=${int(a.samples)} ${nsOf(a.f.minute, offset)}`,
      );
    }
    const env = new Map<string, { floor: string; zone: string; device: string; metric: string; minute: number; sum: number; count: number; min: number; max: number }>();
    for (const e of uplink.env) {
      for (const [metric, s] of Object.entries(e.metrics)) {
        if (!s) continue;
        const key = `${e.deviceId}\u0000${metric}\u0000${e.minute}`;
        const acc = env.get(key);
        if (acc) {
          acc.sum += s.sum;
          acc.count += s.count;
          acc.min = Math.min(acc.min, s.min);
          acc.max = Math.max(acc.max, s.max);
        } else {
          env.set(key, { floor: e.floorId, zone: e.zoneId, device: e.deviceId, metric, minute: e.minute, sum: s.sum, count: s.count, min: s.min, max: s.max });
        }
      }
    }
    for (const a of env.values()) {
      hours.add(a.minute - (a.minute % 3_600_000));
      lines.push(
        `${MEASUREMENT.envMinute},device=${tag(a.device)},floor=${tag(a.floor)},metric=${tag(a.metric)},site=${site},zone=${tag(a.zone)}` +
          ` count=${int(a.count)},max=${float(a.max)},min=${float(a.min)},sum=${float(a.sum)} ${nsOf(a.minute, offset)}`,
      );
    }
  } else if (uplink.kind === 'events') {
    for (const e of uplink.events) {
      lines.push(
        `${MEASUREMENT.event},device=${tag(e.deviceId)},family=${tag(e.family)},floor=${tag(e.floorId)},site=${site},type=${tag(e.type)},zone=${tag(e.zoneId)}` +
          ` data=${escape.quoted(JSON.stringify(e.data))},seq=${int(e.seq)} ${nsOf(e.ts, BigInt(e.seq) % EVENT_OFFSET_SPAN_NS)}`,
      );
    }
  } else {
    // The newest report per device is simply the last point by time: a late older report never hides a newer one.
    for (const d of uplink.devices) {
      const fields = [d.battery !== undefined ? `battery=${float(d.battery)}` : '', d.rssi !== undefined ? `rssi=${float(d.rssi)}` : '', `state=${escape.quoted(d.state)}`].filter(Boolean).join(',');
      lines.push(`${MEASUREMENT.status},device=${tag(d.deviceId)},floor=${tag(d.floorId)},kind=${tag(d.kind)},site=${site},zone=${tag(d.zoneId)} ${fields} ${nsOf(d.ts)}`);
    }
  }
  return { lines, hours: [...hours] };
}

/** Tag values (ids are slugs, but escape anyway: a bad site file must not corrupt a batch). */
const NEEDS_TAG_ESCAPE = /[,= \n\r\t]/;
export const tag = (s: string) => (NEEDS_TAG_ESCAPE.test(s) ? escape.tag(s) : s);
const int = (n: number) => {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`);
  return `${n}i`;
};
const float = (n: number) => {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  return String(n);
};

/** Upper bound of the points an uplink turns into, known before building them. */
export function uplinkPointsBound(uplink: Uplink): number {
  if (uplink.kind === 'minute') return uplink.footfall.length + uplink.env.reduce((n, e) => n + Object.keys(e.metrics).length, 0);
  return uplink.kind === 'events' ? uplink.events.length : uplink.devices.length;
}
