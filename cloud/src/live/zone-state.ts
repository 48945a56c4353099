import { ENV_METRICS, type EnvMetric, type LiveUplink, type MinuteUplink, type SiteModel, type ZoneLive } from '@atrium/shared';

/**
 * The control room's picture of every zone, folded from the uplink stream. Pure state:
 * each apply returns the zones it changed, and the socket adapter decides how to push them.
 */
export interface ZoneState {
  applyLive(live: LiveUplink): ZoneLive[];
  applyMinute(uplink: MinuteUplink): ZoneLive[];
  all(): ZoneLive[];
  get(zoneId: string): ZoneLive | undefined;
}

interface Entry {
  live: ZoneLive;
  areaM2: number;
  footfallMinute: number;
  envMinute: Partial<Record<EnvMetric, { minute: number; sum: number; count: number }>>;
}

export function createZoneState(site: SiteModel): ZoneState {
  const zones = new Map<string, Entry>(
    site.zones.map((z) => [
      z.id,
      {
        live: { zoneId: z.id, floorId: z.floorId, occupancy: null, density: null, footfallLastMinute: null, env: {}, updatedAt: null },
        areaM2: z.areaM2,
        footfallMinute: -1,
        envMinute: {},
      },
    ]),
  );
  const touch = (e: Entry, at: number) => {
    e.live.updatedAt = Math.max(e.live.updatedAt ?? 0, at);
  };

  return {
    applyLive(live) {
      const changed: ZoneLive[] = [];
      for (const z of live.zones) {
        const e = zones.get(z.zoneId);
        if (!e) continue;
        e.live.occupancy = z.occupancy;
        e.live.density = Math.round((z.occupancy / e.areaM2) * 1000) / 1000;
        touch(e, z.ts);
        changed.push({ ...e.live });
      }
      return changed;
    },
    applyMinute(uplink) {
      const changed = new Set<Entry>();
      for (const f of uplink.footfall) {
        const e = zones.get(f.zoneId);
        if (!e || f.subjectKind !== 'zone' || f.minute < e.footfallMinute) continue;
        // A newer minute replaces the figure; more radars (or a late record) for the same minute add to it.
        if (f.minute > e.footfallMinute) {
          e.footfallMinute = f.minute;
          e.live.footfallLastMinute = 0;
        }
        e.live.footfallLastMinute = (e.live.footfallLastMinute ?? 0) + f.in;
        touch(e, f.minute + 60_000);
        changed.add(e);
      }
      for (const r of uplink.env) {
        const e = zones.get(r.zoneId);
        if (!e) continue;
        for (const metric of ENV_METRICS) {
          const s = r.metrics[metric];
          if (!s || s.count === 0) continue;
          const cur = e.envMinute[metric];
          if (cur && r.minute < cur.minute) continue;
          const next = cur && cur.minute === r.minute ? { minute: r.minute, sum: cur.sum + s.sum, count: cur.count + s.count } : { minute: r.minute, sum: s.sum, count: s.count };
          e.envMinute[metric] = next;
          e.live.env[metric] = Math.round((next.sum / next.count) * 100) / 100;
          changed.add(e);
        }
        touch(e, r.minute + 60_000);
      }
      return [...changed].map((e) => ({ ...e.live, env: { ...e.live.env } }));
    },
    all: () => [...zones.values()].map((e) => ({ ...e.live, env: { ...e.live.env } })),
    get: (zoneId) => {
      const e = zones.get(zoneId);
      return e ? { ...e.live, env: { ...e.live.env } } : undefined;
    },
  };
}
