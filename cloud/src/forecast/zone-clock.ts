import { HOURS_PER_DAY, formatWallClockHour, weekdayOfDay } from './clock.ts';

/**
 * Real instants (epoch ms) ↔ the forecaster's wall-clock hour numbers (clock.ts) in a site's
 * timezone. The series store buckets by real time; the model indexes by what the mall's clocks
 * show, so every read and every stored forecast row crosses this boundary once, here.
 *
 * (firmware-sim/src/local-time.ts answers the same question for the simulator; the cloud does
 * not depend on the simulator package, so the few Intl lines live here too.)
 */

const MS_PER_HOUR = 3_600_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError naming the zone when Intl does not know it (checked once at start-up by callers). */
export function assertTimeZone(timeZone: string): void {
  formatter(timeZone);
}

/** Milliseconds to add to UTC to read the site's wall clock at `ms`. */
export function utcOffsetMs(timeZone: string, ms: number): number {
  const at = Math.floor(ms / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(at))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return asUtc - at;
}

/** Wall-clock hour number (clock.ts) of the instant `ms`. */
export function wallHourOf(timeZone: string, ms: number): number {
  return Math.floor((ms + utcOffsetMs(timeZone, ms)) / MS_PER_HOUR);
}

/** Start (epoch ms) of the local hour that contains `ms`; equals the UTC hour start wherever offsets are whole hours. */
export function localHourStart(timeZone: string, ms: number): number {
  const offset = utcOffsetMs(timeZone, ms);
  return Math.floor((ms + offset) / MS_PER_HOUR) * MS_PER_HOUR - offset;
}

/** Minutes since local midnight at `ms`. */
export function localMinuteOfDay(timeZone: string, ms: number): number {
  const wall = ms + utcOffsetMs(timeZone, ms);
  return Math.floor((((wall / 60_000) % 1440) + 1440) % 1440);
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** "Fri 2025-03-14 13:00" — what a merchant reads, in the site's timezone. */
export function localLabel(timeZone: string, ms: number): string {
  const wall = wallHourOf(timeZone, ms);
  const minute = localMinuteOfDay(timeZone, ms) % 60;
  const text = formatWallClockHour(wall);
  return `${WEEKDAYS[weekdayOfDay(Math.floor(wall / HOURS_PER_DAY))]} ${text.slice(0, 10)} ${text.slice(11, 13)}:${String(minute).padStart(2, '0')}`;
}

/** Local date YYYY-MM-DD at `ms`. */
export function localDate(timeZone: string, ms: number): string {
  return formatWallClockHour(wallHourOf(timeZone, ms)).slice(0, 10);
}

/** "HH:MM" → minutes since midnight. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * The first instant at or after `ms` whose local time of day is `hhmm`. Walks the clock minute
 * by minute (at most 25 hours, a few ms), so a DST change in between is handled like a wall
 * clock: when the minute does not exist that day (spring forward) the first instant after the
 * gap is returned. Used only for quiet-hours deferral, never in a hot loop.
 */
export function nextLocalTime(timeZone: string, ms: number, hhmm: string): number {
  const target = minutesOf(hhmm);
  let t = Math.ceil(ms / 60_000) * 60_000;
  let prev = localMinuteOfDay(timeZone, t);
  if (prev === target) return t;
  for (let i = 0; i < 25 * 60; i++) {
    t += 60_000;
    const cur = localMinuteOfDay(timeZone, t);
    if (cur === target || (prev < target && cur > target && cur - prev < 720)) return t;
    prev = cur;
  }
  return t;
}
