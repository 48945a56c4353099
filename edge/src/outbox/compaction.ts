import { MinuteUplink, type EnvMinute, type FootfallMinute, type MetricStats } from '@atrium/shared';

/**
 * Merges minute records into records spanning `spanMinutes` (aligned to UTC), one per device
 * (and counted line) and span. Records hold sums, counts and extremes only, so the merge is
 * exact: every total the cloud reports is unchanged, only the time resolution is coarser.
 * Spans nest (1 → 60 → 1440), so an already compacted record folds again cleanly.
 */
export function compactRecords(uplinks: readonly { footfall: FootfallMinute[]; env: EnvMinute[] }[], spanMinutes: number): { footfall: FootfallMinute[]; env: EnvMinute[] } {
  const spanMs = spanMinutes * 60_000;
  const start = (minute: number) => Math.floor(minute / spanMs) * spanMs;
  const footfall = new Map<string, FootfallMinute>();
  const env = new Map<string, EnvMinute>();
  for (const u of uplinks) {
    for (const f of u.footfall) {
      const minute = start(f.minute);
      const key = `${f.deviceId}|${f.subjectKind}|${f.subjectId}|${minute}`;
      const acc = footfall.get(key);
      if (!acc) {
        footfall.set(key, { ...f, minute, spanMinutes });
        continue;
      }
      acc.in += f.in;
      acc.out += f.out;
      acc.samples += f.samples;
      acc.occupancySum += f.occupancySum;
      acc.occupancyCount += f.occupancyCount;
      acc.occupancyMax = Math.max(acc.occupancyMax, f.occupancyMax);
    }
    for (const e of u.env) {
      const minute = start(e.minute);
      const key = `${e.deviceId}|${minute}`;
      const acc = env.get(key);
      if (!acc) {
        env.set(key, { ...e, minute, spanMinutes, metrics: { ...e.metrics } });
        continue;
      }
      for (const [metric, s] of Object.entries(e.metrics) as [keyof EnvMinute['metrics'], MetricStats][]) {
        const a = acc.metrics[metric];
        acc.metrics[metric] = a ? { sum: a.sum + s.sum, count: a.count + s.count, min: Math.min(a.min, s.min), max: Math.max(a.max, s.max) } : { ...s };
      }
    }
  }
  return { footfall: [...footfall.values()], env: [...env.values()] };
}

/** Reads a stored minute uplink back; the outbox only ever holds what the gateway itself wrote. */
export const parseMinuteUplink = (body: string): MinuteUplink => MinuteUplink.parse(JSON.parse(body));
