/**
 * Wall-clock time at the site. The mall's day (opening hours, lunch, weekends) is in local
 * time, and Melbourne has daylight saving, so UTC arithmetic alone would shift every peak by
 * an hour for half the year. Intl gives the offset; it is cached per quarter hour because
 * radars ask for it thousands of times per simulated hour.
 */
export interface LocalTime {
  /** YYYY-MM-DD local date, the key for holidays and events */
  date: string;
  /** 0 = Monday ... 6 = Sunday (ISO order, matching the hour-of-week profile) */
  weekday: number;
  hour: number;
  minute: number;
  /** fractional hours since local midnight */
  hourOfDay: number;
  /** fractional hours since Monday 00:00 local, in [0, 168) */
  hourOfWeek: number;
}

const QUARTER_HOUR_MS = 15 * 60_000;
const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, number>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Milliseconds to add to UTC to get local wall-clock time at `ms`. */
export function utcOffsetMs(timeZone: string, ms: number): number {
  // Offsets only change on quarter-hour boundaries in every zone in use.
  const bucket = Math.floor(ms / QUARTER_HOUR_MS);
  const key = `${timeZone}|${bucket}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return cached;
  const at = bucket * QUARTER_HOUR_MS;
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(at))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  const offset = asUtc - at;
  if (offsetCache.size > 50_000) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

export function localTime(timeZone: string, ms: number): LocalTime {
  const d = new Date(ms + utcOffsetMs(timeZone, ms));
  const weekday = (d.getUTCDay() + 6) % 7;
  const hour = d.getUTCHours();
  const minute = d.getUTCMinutes();
  const hourOfDay = hour + minute / 60 + d.getUTCSeconds() / 3600 + d.getUTCMilliseconds() / 3_600_000;
  return { date: d.toISOString().slice(0, 10), weekday, hour, minute, hourOfDay, hourOfWeek: weekday * 24 + hourOfDay };
}

/**
 * The instant at which the site's clocks show the given wall time. In the skipped hour of a
 * DST change there is no such instant; the result then lands an hour later, like a wall clock.
 */
export function zonedTimeToUtc(timeZone: string, date: string, time = '00:00'): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!m || !t) throw new RangeError(`expected YYYY-MM-DD and HH:MM, got "${date}" "${time}"`);
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(t[1]), Number(t[2]), Number(t[3] ?? 0));
  // Two passes settle on the offset valid at the answer, not at the naive guess.
  let guess = wall - utcOffsetMs(timeZone, wall);
  guess = wall - utcOffsetMs(timeZone, guess);
  return guess;
}

/** "HH:MM" → hours since midnight. */
export function hoursOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) + (m ?? 0) / 60;
}
