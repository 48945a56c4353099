import type { SiteIndex } from '@atrium/shared';
import type { Rejection } from '../core/errors.ts';
import type { Reading } from './intake.ts';

/** What a reading may claim beyond its schema; set from the gateway's configuration. */
export interface Plausibility {
  /** device time more than this ahead of the gateway's clock is refused */
  readonly clockSkewMs: number;
  /** ...or more than this behind it; 0: no limit */
  readonly maxAgeMs: number;
  /** line crossings one radar counts per minute, each way */
  readonly maxCrossingsPerMinute: number;
  /** occupancy a zone can hold: its area in m2 times this */
  readonly maxPeoplePerM2: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A reading that passed its schema can still be impossible for this gateway to believe: stamped
 * far from the gateway's clock (one such reading would close every later minute and freeze a
 * zone's live view downstream), or counting more people than its period or its zone allow.
 * Pure: the caller counts and logs the refusal.
 */
export function checkPlausible(site: SiteIndex, reading: Reading, now: number, limits: Plausibility): Rejection | undefined {
  const { ts } = reading.value;
  if (ts > now + limits.clockSkewMs) {
    return { code: 'clock_skew', detail: `ts: ${iso(ts)} is ${ts - now} ms ahead of the gateway's clock (${iso(now)}); at most ${limits.clockSkewMs} ms is allowed` };
  }
  if (limits.maxAgeMs > 0 && ts < now - limits.maxAgeMs) {
    return { code: 'clock_skew', detail: `ts: ${iso(ts)} is ${now - ts} ms behind the gateway's clock (${iso(now)}); at most ${limits.maxAgeMs} ms is allowed` };
  }
  if (reading.channel !== 'count') return undefined;
  const { periodS, occupancy } = reading.value;
  const maxCrossings = Math.ceil((limits.maxCrossingsPerMinute * periodS) / 60);
  for (const field of ['in', 'out'] as const) {
    const n = reading.value[field];
    if (n > maxCrossings) return { code: 'implausible_count', detail: `${field}: ${n} crossings in ${periodS} s; one radar counts at most ${maxCrossings} (${limits.maxCrossingsPerMinute} a minute)` };
  }
  const zone = site.zone.get(reading.device.zoneId);
  if (occupancy !== undefined && zone) {
    const capacity = Math.ceil(zone.areaM2 * limits.maxPeoplePerM2);
    if (occupancy > capacity) return { code: 'implausible_count', detail: `occupancy: ${occupancy} people in zone ${zone.id}, which holds at most ${capacity} (${zone.areaM2} m2 at ${limits.maxPeoplePerM2} per m2)` };
  }
  return undefined;
}
