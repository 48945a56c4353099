import type { LiveUplink, Observation, Uplink } from '@atrium/shared';

/**
 * Turns what ingest accepted into rule observations, so the wiring is one line per uplink.
 * Call it only for uplinks ingest stored (not duplicates): footfall is additive, and a
 * redelivered minute would count restroom visits twice.
 */
export function observationsFromUplink(uplink: Uplink): Observation[] {
  const out: Observation[] = [];
  const seen = new Map<string, number>();
  const heard = (deviceId: string, at: number) => seen.set(deviceId, Math.max(seen.get(deviceId) ?? at, at));
  switch (uplink.kind) {
    case 'minute': {
      // A device's minute record proves it was alive in that minute; its end is the latest
      // that can be claimed. (The runtime clamps proof of life at its own clock: a gateway's
      // wall clock need not be the site's, e.g. in an accelerated simulation.)
      const endOf = (minute: number) => minute + 60_000;
      for (const f of uplink.footfall) {
        heard(f.deviceId, endOf(f.minute));
        if (f.subjectKind === 'zone') out.push({ kind: 'footfall', zoneId: f.subjectId, minute: f.minute, in: f.in });
      }
      // Several sensors in one zone make one mean per zone, minute and metric, weighted by samples.
      const env = new Map<string, { zoneId: string; metric: string; minute: number; sum: number; count: number }>();
      for (const r of uplink.env) {
        heard(r.deviceId, endOf(r.minute));
        for (const [metric, s] of Object.entries(r.metrics)) {
          if (!s || s.count === 0) continue;
          const key = `${r.zoneId}|${metric}|${r.minute}`;
          const cur = env.get(key) ?? { zoneId: r.zoneId, metric, minute: r.minute, sum: 0, count: 0 };
          cur.sum += s.sum;
          cur.count += s.count;
          env.set(key, cur);
        }
      }
      for (const e of env.values()) out.push({ kind: 'env', zoneId: e.zoneId, metric: e.metric as Extract<Observation, { kind: 'env' }>['metric'], minute: e.minute, mean: e.sum / e.count, count: e.count });
      break;
    }
    case 'events':
      for (const e of [...uplink.events].sort((a, b) => a.ts - b.ts)) {
        heard(e.deviceId, e.ts);
        if (e.type !== 'state') out.push({ kind: 'event', deviceId: e.deviceId, type: e.type, at: e.ts });
      }
      break;
    case 'status':
      // `offline` (a last will) is not evidence of life; the silence rule takes it from there.
      for (const d of uplink.devices) if (d.state === 'online') heard(d.deviceId, d.ts);
      break;
  }
  for (const [deviceId, at] of seen) out.push({ kind: 'seen', deviceId, at, gatewayId: uplink.gatewayId });
  return out;
}

export function observationsFromLive(live: LiveUplink): Observation[] {
  return live.zones.map((z) => ({ kind: 'occupancy', zoneId: z.zoneId, occupancy: z.occupancy, at: z.ts }));
}
