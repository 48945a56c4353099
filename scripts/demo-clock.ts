import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { SiteModel, SubjectKind } from '@atrium/shared';
import { createFootfallModel } from '@atrium/firmware-sim';
import type { Cloud } from '@atrium/cloud';

/**
 * Where the demo's simulated clock starts. The simulated clock runs ahead of the wall (60× for
 * an hour is two and a half days), so a restart at the wall clock's "now" wrote hours already
 * stored a second time. Instead:
 * - the simulator reserves time ahead of itself in a file beside the data (`sim-clock`): before
 *   any device stamps a reading in an hour, that hour's end is on disk, so even after kill -9 no
 *   reading of the old run lies past it (not in the cloud, not in the edge's outbox);
 * - a restart starts at that mark, a whole hour, so every hour is written by one run only;
 * - a data directory without the mark but with footfall (made before it existed) starts after
 *   its last stored minute, on the next hour;
 * - a fresh one starts on the hour when the mall trades now, or at the next opening, so a first
 *   demo begins with people in the mall rather than hours of a closed centre.
 */
const HOUR = 3_600_000;
const MINUTE = 60_000;
const Mark = z.object({ until: z.number().int().nonnegative() });

export const ceilHour = (t: number) => Math.ceil(t / HOUR) * HOUR;

function markPath(dataDir: string): string {
  return `${dataDir}/sim-clock`;
}

/** The reserved simulated time of an earlier run in this data directory, or null. */
export function readMark(dataDir: string): number | null {
  const path = markPath(dataDir);
  if (!existsSync(path)) return null;
  const parsed = Mark.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path}: not a simulated-clock mark (${parsed.error.issues[0]?.message}); delete it to start the demo at the wall clock`);
  return parsed.data.until;
}

/**
 * The simulator's `reserve` hook: keeps the mark at the end of the hour the clock is in, so the
 * file is written once a simulated hour (atomically: a crash leaves the old mark or the new).
 */
export function markKeeper(dataDir: string, initial: number): (untilMs: number) => void {
  let reserved = initial;
  mkdirSync(dataDir, { recursive: true });
  return (untilMs) => {
    if (untilMs <= reserved) return;
    reserved = ceilHour(untilMs + 1);
    const path = markPath(dataDir);
    writeFileSync(`${path}.tmp`, `${JSON.stringify({ until: reserved })}\n`, { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
  };
}

/** The first instant at or after `t` (on a quarter hour) when the mall trades; `t` itself if it does. */
export function nextTrading(site: SiteModel, t: number): number {
  const { calendar } = createFootfallModel(site);
  if (calendar.at(t).trading) return t;
  const quarter = 15 * MINUTE;
  // Eight days covers a closed holiday next to a weekend; a site that never trades starts at `t`.
  for (let s = Math.ceil(t / quarter) * quarter; s < t + 8 * 24 * HOUR; s += quarter) if (calendar.at(s).trading) return s;
  return t;
}

/**
 * The end (exclusive, on the hour) of the footfall stored for the site, or null without any:
 * searched through the store's port (footfall totals from a time on), so it works on every
 * series store. Hourly history records are stamped at their hour's start, so the hour after
 * the last stored minute is where nothing stored can reach.
 */
export async function storedFootfallEnd(cloud: Cloud, site: SiteModel, around: number): Promise<number | null> {
  if ((await cloud.store.counts(site.id)).footfallRecords === 0) return null;
  const kinds: SubjectKind[] = ['zone', 'entrance', 'shop'];
  const any = async (from: number, to?: number) => {
    for (const subjectKind of kinds) if ((await cloud.store.footfallTotals({ siteId: site.id, subjectKind, from, ...(to !== undefined && { to }) })).length > 0) return true;
    return false;
  };
  // Bracket the last record: `lo` has data at or after it, `hi` none.
  let lo = Math.floor(around / MINUTE) * MINUTE;
  let hi: number;
  let step = 24 * HOUR;
  if (await any(lo)) {
    hi = lo + step;
    while (await any(hi)) [lo, hi, step] = [hi, hi + step * 2, step * 2];
  } else {
    hi = lo;
    lo -= step;
    while (!(await any(lo))) [hi, lo, step] = [lo, lo - step * 2, step * 2];
  }
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (await any(mid, hi)) lo = mid;
    else hi = mid;
  }
  return ceilHour(lo + MINUTE);
}

export interface DemoStart {
  at: number;
  /** fresh: a new demo; mark: after an earlier run's mark; stored: after footfall stored without a mark */
  why: 'fresh' | 'mark' | 'stored';
}

/** Where this run's simulated clock starts, as far as the data directory's files tell (before the cloud runs). */
export function plannedStart(p: { dataDir: string; site: SiteModel; wallNow: number }): DemoStart {
  const mark = readMark(p.dataDir);
  if (mark !== null) return { at: mark, why: 'mark' };
  return { at: nextTrading(p.site, Math.floor(p.wallNow / HOUR) * HOUR), why: 'fresh' };
}

/**
 * The planned start, moved after any footfall the store holds when there was no mark (a data
 * directory from before the mark). Only ever later: the site clock has already shown `planned`.
 */
export async function demoStart(planned: DemoStart, p: { site: SiteModel; cloud: Cloud }): Promise<DemoStart> {
  if (planned.why !== 'fresh') return planned;
  const stored = await storedFootfallEnd(p.cloud, p.site, planned.at);
  return stored === null ? planned : { at: Math.max(planned.at, stored), why: 'stored' };
}
