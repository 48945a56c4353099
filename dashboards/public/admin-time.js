// @ts-check
/**
 * Wall-clock time in the site's time zone ↔ epoch milliseconds, for the roster's shifts. Pure:
 * only Date.UTC and Intl with an explicit time zone, so the answer never depends on the clock
 * of the screen the admin happens to use. Daylight saving is handled the way calendars (and
 * Temporal's 'compatible' choice) do: a time the clocks skip is moved forward by the skipped
 * length, and a time the clocks repeat is the first of the two; either case is reported so the
 * page can say so.
 */

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})$/;

/** @typedef {{ date: string, time: string }} WallTime  'YYYY-MM-DD' and 'HH:MM' */
/** @typedef {'skipped' | 'repeated' | null} DstCase */
/** @typedef {{ fromDate: string, fromTime: string, toDate: string, toTime: string }} ShiftInputs */
/** @typedef {keyof ShiftInputs} ShiftField */
/**
 * @typedef {{ ok: true, shift: { from: number, to: number }, notes: string[] }
 *   | { ok: false, field: ShiftField, message: string }} ShiftResult
 */

/** @type {Map<string, Intl.DateTimeFormat>} */
const partsFormats = new Map();
/** @param {string} timeZone */
function partsFormat(timeZone) {
  let f = partsFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    partsFormats.set(timeZone, f);
  }
  return f;
}

/** True when the browser knows the zone name (an unknown one throws in Intl). @param {string} timeZone */
export function isKnownZone(timeZone) {
  try {
    partsFormat(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The zone's wall clock at `ms`, read as if it were UTC (so it can be compared as a number).
 * @param {number} ms @param {string} timeZone
 */
function wallAsUtc(ms, timeZone) {
  /** @type {Record<string, number>} */
  const p = {};
  for (const part of partsFormat(timeZone).formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
}

/** How far the zone's clock is ahead of UTC at `ms` (negative west of Greenwich). @param {number} ms @param {string} timeZone */
export function zoneOffsetMs(ms, timeZone) {
  const whole = Math.floor(ms / 1000) * 1000; // Intl shows whole seconds
  return wallAsUtc(whole, timeZone) - whole;
}

/** @param {number} n */
const pad2 = (n) => String(n).padStart(2, '0');

/** @param {string} date @returns {[number, number, number] | null} */
function parseDate(date) {
  const m = DATE_RE.exec(date);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  // 2026-02-30 would roll over into March: not a date
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d ? [y, mo, d] : null;
}

/** @param {string} time @returns {[number, number] | null} */
function parseTime(time) {
  const m = TIME_RE.exec(time);
  if (!m) return null;
  const [h, mi] = [Number(m[1]), Number(m[2])];
  return h < 24 && mi < 60 ? [h, mi] : null;
}

/**
 * The instant a wall-clock date and time in `timeZone` names.
 * @param {string} date 'YYYY-MM-DD'
 * @param {string} time 'HH:MM'
 * @param {string} timeZone IANA name, e.g. 'Australia/Melbourne'
 * @returns {{ ms: number, dst: DstCase } | null} null: not a date or not a time
 */
export function siteTimeToEpoch(date, time, timeZone) {
  const d = parseDate(date);
  const t = parseTime(time);
  if (!d || !t) return null;
  const wall = Date.UTC(d[0], d[1] - 1, d[2], t[0], t[1]);
  // Offsets a day either side: a real zone changes its offset at most once in two days.
  const before = zoneOffsetMs(wall - DAY_MS, timeZone);
  const after = zoneOffsetMs(wall + DAY_MS, timeZone);
  const fits = [...new Set([wall - before, wall - after])].filter((ms) => wallAsUtc(ms, timeZone) === wall).sort((a, b) => a - b);
  if (fits.length === 1) return { ms: /** @type {number} */ (fits[0]), dst: null };
  if (fits.length > 1) return { ms: /** @type {number} */ (fits[0]), dst: 'repeated' };
  // In the gap the clocks jump over: read the time with the offset from before the jump,
  // which lands as far past the jump as the time was into the gap.
  return { ms: wall - before, dst: 'skipped' };
}

/** @param {number} ms @param {string} timeZone @returns {WallTime} */
export function epochToSiteTime(ms, timeZone) {
  const w = new Date(wallAsUtc(ms, timeZone));
  return {
    date: `${w.getUTCFullYear()}-${pad2(w.getUTCMonth() + 1)}-${pad2(w.getUTCDate())}`,
    time: `${pad2(w.getUTCHours())}:${pad2(w.getUTCMinutes())}`,
  };
}

/** The site's date today. @param {number} now @param {string} timeZone */
export const siteToday = (now, timeZone) => epochToSiteTime(now, timeZone).date;

/** A calendar date moved by whole days. @param {string} date @param {number} days */
export function addDays(date, days) {
  const d = parseDate(date);
  if (!d) return date;
  const t = new Date(Date.UTC(d[0], d[1] - 1, d[2] + days));
  return `${t.getUTCFullYear()}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`;
}

/** "9 h", "8 h 30 min", "45 min". @param {number} ms */
export function durationLabel(ms) {
  const minutes = Math.round(ms / MINUTE_MS);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** @type {Map<string, Intl.DateTimeFormat>} */
const offsetFormats = new Map();
/** The zone's offset at `ms` in words that need no knowledge of zone abbreviations: "GMT+11". @param {number} ms @param {string} timeZone */
export function offsetLabel(ms, timeZone) {
  let f = offsetFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'shortOffset' });
    offsetFormats.set(timeZone, f);
  }
  return f.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Sat 4 Apr 2026" for a 'YYYY-MM-DD' date. @param {string} date */
export function dateLabel(date) {
  const d = parseDate(date);
  if (!d) return date;
  return `${WEEKDAYS[new Date(Date.UTC(d[0], d[1] - 1, d[2])).getUTCDay()]} ${d[2]} ${MONTHS[d[1] - 1]} ${d[0]}`;
}

/** "Sat 4 Apr 2026, 22:00 (GMT+11)": an instant on the site's clock, with its offset. @param {number} ms @param {string} timeZone */
export function siteTimeLabel(ms, timeZone) {
  const w = epochToSiteTime(ms, timeZone);
  return `${dateLabel(w.date)}, ${w.time} (${offsetLabel(ms, timeZone)})`;
}

/**
 * A shift in words on the site's clock: "Sat 4 Apr 2026, 22:00 – Sun 5 Apr 2026, 06:00 (9 h)";
 * the end's date is left out when it is the start's.
 * @param {{ from: number, to: number }} shift @param {string} timeZone
 */
export function shiftLabel(shift, timeZone) {
  const a = epochToSiteTime(shift.from, timeZone);
  const b = epochToSiteTime(shift.to, timeZone);
  const end = a.date === b.date ? b.time : `${dateLabel(b.date)}, ${b.time}`;
  return `${dateLabel(a.date)}, ${a.time} – ${end} (${durationLabel(shift.to - shift.from)})`;
}

/** @param {{ from: number, to: number }} shift @param {string} timeZone @returns {ShiftInputs} */
export function shiftToInputs(shift, timeZone) {
  const a = epochToSiteTime(shift.from, timeZone);
  const b = epochToSiteTime(shift.to, timeZone);
  return { fromDate: a.date, fromTime: a.time, toDate: b.date, toTime: b.time };
}

/**
 * A shift from the form's four inputs (site-local dates and times), or the first input that is
 * wrong and why. Notes say where daylight saving moved a time or changed the shift's length.
 * @param {ShiftInputs} inputs @param {string} timeZone @returns {ShiftResult}
 */
export function shiftFromInputs(inputs, timeZone) {
  /** @type {Array<[ShiftField, string, string]>} */
  const checks = [
    ['fromDate', 'start date', inputs.fromDate],
    ['fromTime', 'start time', inputs.fromTime],
    ['toDate', 'end date', inputs.toDate],
    ['toTime', 'end time', inputs.toTime],
  ];
  for (const [field, label, value] of checks) {
    if (!value) return { ok: false, field, message: `The ${label} is missing.` };
    if (field.endsWith('Date') ? !parseDate(value) : !parseTime(value)) return { ok: false, field, message: `The ${label} “${value}” is not a ${field.endsWith('Date') ? 'date (YYYY-MM-DD)' : 'time (HH:MM)'}.` };
  }
  const from = /** @type {{ ms: number, dst: DstCase }} */ (siteTimeToEpoch(inputs.fromDate, inputs.fromTime, timeZone));
  const to = /** @type {{ ms: number, dst: DstCase }} */ (siteTimeToEpoch(inputs.toDate, inputs.toTime, timeZone));
  if (to.ms <= from.ms) return { ok: false, field: 'toTime', message: 'The shift must end after it starts.' };
  const notes = [];
  for (const [end, at, date, time] of /** @type {const} */ ([
    ['starts', from, inputs.fromDate, inputs.fromTime],
    ['ends', to, inputs.toDate, inputs.toTime],
  ])) {
    if (at.dst === 'skipped') notes.push(`${time} does not exist on ${dateLabel(date)} (the clocks go forward): the shift ${end} at ${epochToSiteTime(at.ms, timeZone).time}.`);
    if (at.dst === 'repeated') notes.push(`${time} happens twice on ${dateLabel(date)} (the clocks go back): the shift ${end} at the first ${time} (${offsetLabel(at.ms, timeZone)}).`);
  }
  const wallLength = Date.UTC(...ymdhm(inputs.toDate, inputs.toTime)) - Date.UTC(...ymdhm(inputs.fromDate, inputs.fromTime));
  const realLength = to.ms - from.ms;
  if (realLength !== wallLength) notes.push(`The clocks change during this shift: it lasts ${durationLabel(realLength)}, not ${durationLabel(wallLength)}.`);
  return { ok: true, shift: { from: from.ms, to: to.ms }, notes };
}

/** @param {string} date @param {string} time @returns {[number, number, number, number, number]} */
function ymdhm(date, time) {
  const d = /** @type {[number, number, number]} */ (parseDate(date));
  const t = /** @type {[number, number]} */ (parseTime(time));
  return [d[0], d[1] - 1, d[2], t[0], t[1]];
}
