import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { round } from '../num.ts';

/**
 * A normalised hour-of-week footfall shape (index 0 = Monday 00:00-01:00 local, mean 1) and
 * how much busier or quieter a public holiday is. Derived once from real counts by
 * scripts/derive-profile.ts; only these derived numbers are kept in the repository.
 */
export const WeekProfile = z.strictObject({
  source: z.string().min(1),
  sensor: z.string().min(1),
  from: z.string(),
  to: z.string(),
  hoursUsed: z.number().int().positive(),
  hourOfWeek: z.array(z.number().min(0)).length(168),
  holidayFactor: z.number().positive(),
  holidaysUsed: z.number().int().min(0),
});
export type WeekProfile = z.infer<typeof WeekProfile>;

export interface CountRow {
  /** YYYY-MM-DDTHH:MM local */
  timeLocal: string;
  count: number;
}

const median = (xs: number[]): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

const isoWeekday = (date: string): number => (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
const addDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

export interface DeriveOptions {
  sensor: string;
  source: string;
  /** dates (YYYY-MM-DD) that are public holidays */
  holidays: ReadonlySet<string>;
  /** holidays left out of the factor (e.g. days the mall is shut anyway) */
  factorExcludes?: ReadonlySet<string>;
  /** local hours [from, to) whose counts the holiday factor compares: trading hours */
  factorHours?: [number, number];
}

/**
 * Median per hour-of-week bucket over ordinary days, so outages, New Year's Eve and sport
 * finals do not bend the shape; the holiday factor is the median ratio of a holiday's
 * trading-hours total to the same weekday's total in the surrounding four weeks.
 */
export function deriveWeekProfile(rows: readonly CountRow[], opts: DeriveOptions): WeekProfile {
  const [fromHour, toHour] = opts.factorHours ?? [10, 21];
  const buckets: number[][] = Array.from({ length: 168 }, () => []);
  const dayTotals = new Map<string, { sum: number; hours: number }>();
  let used = 0;
  let first = '';
  let last = '';
  for (const row of rows) {
    const date = row.timeLocal.slice(0, 10);
    const hour = Number(row.timeLocal.slice(11, 13));
    if (!Number.isFinite(row.count) || row.count < 0 || !(hour >= 0 && hour < 24)) continue;
    if (first === '' || date < first) first = date;
    if (date > last) last = date;
    if (hour >= fromHour && hour < toHour) {
      const t = dayTotals.get(date) ?? { sum: 0, hours: 0 };
      t.sum += row.count;
      t.hours++;
      dayTotals.set(date, t);
    }
    if (opts.holidays.has(date)) continue;
    buckets[isoWeekday(date) * 24 + hour]?.push(row.count);
    used++;
  }
  const medians = buckets.map(median);
  const mean = medians.reduce((a, b) => a + b, 0) / 168;
  if (!(mean > 0)) throw new Error(`no usable counts for sensor "${opts.sensor}"`);

  const fullDay = toHour - fromHour;
  const ratios: number[] = [];
  for (const date of opts.holidays) {
    if (opts.factorExcludes?.has(date)) continue;
    const day = dayTotals.get(date);
    if (!day || day.hours < fullDay) continue;
    const peers: number[] = [];
    for (const offset of [-28, -21, -14, -7, 7, 14, 21, 28]) {
      const peer = addDays(date, offset);
      const t = dayTotals.get(peer);
      if (t && t.hours === fullDay && !opts.holidays.has(peer)) peers.push(t.sum);
    }
    if (peers.length >= 3) ratios.push(day.sum / median(peers));
  }

  return {
    source: opts.source,
    sensor: opts.sensor,
    from: first,
    to: last,
    hoursUsed: used,
    hourOfWeek: medians.map((m) => round(m / mean, 4)),
    holidayFactor: ratios.length > 0 ? round(median(ratios), 3) : 1,
    holidaysUsed: ratios.length,
  };
}

const PROFILE_PATH = new URL('./melbourne-week.json', import.meta.url);
let cached: WeekProfile | undefined;

/** The committed Melbourne profile, validated on first use. */
export function melbourneWeek(): WeekProfile {
  cached ??= WeekProfile.parse(JSON.parse(readFileSync(PROFILE_PATH, 'utf8')));
  return cached;
}
