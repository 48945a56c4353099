import { chance, uniform, type Rng } from '../random.ts';

export interface Outage {
  zoneId: string;
  fromMs: number;
  untilMs: number;
}

/** How long a zone's network stays down once it drops (sim time). */
const OUTAGE_MIN_MS = 60_000;
const OUTAGE_MAX_MS = 5 * 60_000;

/**
 * Network outages by zone: a switch or access point going down takes every device behind it
 * offline at once, and they all reconnect together when it comes back, which is the
 * reconnect burst an edge broker has to survive. Pure given its random stream.
 */
export function planOutages(zoneIds: readonly string[], ratePerHour: number, fromMs: number, toMs: number, rng: Rng): Outage[] {
  if (ratePerHour <= 0 || toMs <= fromMs) return [];
  const p = Math.min(1, (ratePerHour * (toMs - fromMs)) / 3_600_000);
  const out: Outage[] = [];
  for (const zoneId of zoneIds) {
    if (!chance(rng, p)) continue;
    const start = Math.round(uniform(rng, fromMs, toMs));
    out.push({ zoneId, fromMs: start, untilMs: start + Math.round(uniform(rng, OUTAGE_MIN_MS, OUTAGE_MAX_MS)) });
  }
  return out;
}
