// @ts-check
/**
 * Pure helpers of the merchant portal: the site's calendar days, today's and this week's sums,
 * peaks in the next 72 hours, and why an alert was sent, in words. No DOM here. Every time is
 * the site's: days and hours come from the site's timezone or from the API's own local labels
 * ("Mon 2025-03-17 13:00"), never from the screen's clock.
 */

/** @typedef {import('@atrium/shared').ShopHour} ShopHour */
/** @typedef {import('@atrium/shared').ShopHours} ShopHours */
/** @typedef {import('@atrium/shared').ForecastHour} ForecastHour */
/** @typedef {import('@atrium/shared').StoredSeriesForecast} Forecast */
/** @typedef {import('@atrium/shared').Subscription} Subscription */
/** @typedef {import('@atrium/shared').Threshold} Threshold */
/** @typedef {import('@atrium/shared').MerchantAlert} MerchantAlert */
/** @typedef {import('@atrium/shared').CalendarEntry} CalendarEntry */
/** @typedef {import('@atrium/shared').PortalInfo} PortalInfo */
/** @typedef {import('@atrium/shared').DeliveryLogEntry} Delivery */

const DAY_MS = 86_400_000;
/** The longest CSV download, as the API bounds it (MAX_SHOP_HOURS_DAYS). */
export const MAX_DOWNLOAD_DAYS = 92;
/** A forecast below this many visitors/hour is never called a peak (the alert planner's own floor). */
const MIN_PEAK_VISITORS = 10;

/** @param {string} timezone @returns {(ts: number) => string} the site's calendar day (YYYY-MM-DD) at `ts` */
export function siteDay(timezone) {
  /** @type {Intl.DateTimeFormat} */
  let f;
  try {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
  } catch {
    f = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' });
  }
  return (ts) => f.format(ts);
}

/** @param {string} date YYYY-MM-DD @param {number} n */
export const addDays = (date, n) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** Days from `from` to `to`, both included. @param {string} from @param {string} to */
export const daysBetween = (from, to) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;

/** The Monday of the week `date` is in (weeks start on Monday). @param {string} date */
export function mondayOf(date) {
  const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(date, -weekday);
}

const DAY_NAMES = /** @type {const} */ (['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']);
/** "Monday 17 Mar" for a site day. @param {string} date */
export function dayLabel(date) {
  const d = new Date(`${date}T00:00:00Z`);
  return `${DAY_NAMES[(d.getUTCDay() + 6) % 7]} ${d.getUTCDate()} ${d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' })}`;
}

/** "13:00" from the API's local label. @param {string} local */
export const hourOf = (local) => local.slice(-5);
/** "2025-03-17" from the API's local label. @param {string} local */
export const dateOf = (local) => local.slice(4, 14);

const count = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
/** A whole number of visitors for people ("1,234"); "—" for none. @param {number | null | undefined} n */
export const fmtCount = (n) => (n === null || n === undefined || !Number.isFinite(n) ? '—' : count.format(Math.round(n)));

/** "12% above", "5% below", "about the same as"; null without a base. @param {number} value @param {number} base */
export function compareWords(value, base) {
  if (!(base > 0)) return null;
  const pct = Math.round(((value - base) / base) * 100);
  if (pct === 0) return 'about the same as';
  return `${Math.abs(pct)}% ${pct > 0 ? 'above' : 'below'}`;
}

/**
 * Today so far: visitors counted in the hours that have data, against the forecast for those
 * same hours, and what the rest of the day is expected to bring.
 * @param {readonly ShopHour[]} hours today's hours
 */
export function todaySummary(hours) {
  let counted = 0;
  let countedHours = 0;
  let forecastSoFar = 0;
  let forecastHours = 0;
  let lastCounted = -1;
  hours.forEach((h, i) => {
    if (h.visitors !== null) {
      counted += h.visitors;
      countedHours++;
      lastCounted = i;
      if (h.forecast) {
        forecastSoFar += h.forecast.mean;
        forecastHours++;
      }
    }
  });
  let restOfDay = 0;
  /** @type {ShopHour | null} */
  let busiest = null;
  for (const h of hours.slice(lastCounted + 1)) {
    if (!h.forecast) continue;
    restOfDay += h.forecast.mean;
    if (!busiest || h.forecast.mean > (busiest.forecast?.mean ?? 0)) busiest = h;
  }
  const forecastAny = hours.some((h) => h.forecast !== null);
  return { counted, countedHours, forecastSoFar, comparable: forecastHours > 0 && forecastHours === countedHours, restOfDay, busiest, forecastAny };
}

/**
 * One sentence for screen readers and the chart's caption.
 * @param {ReturnType<typeof todaySummary>} s
 */
export function todaySentence(s) {
  if (s.countedHours === 0 && !s.forecastAny) return 'Nothing counted yet today, and no forecast yet for today.';
  const parts = [];
  if (s.countedHours === 0) parts.push('Nothing counted yet today.');
  else {
    const vs = s.comparable ? compareWords(s.counted, s.forecastSoFar) : null;
    parts.push(`${fmtCount(s.counted)} visitors so far today${vs ? `, ${vs} the forecast of ${fmtCount(s.forecastSoFar)} for those hours` : ''}.`);
  }
  if (!s.forecastAny) parts.push('No forecast for today yet.');
  else if (s.busiest?.forecast) parts.push(`Expected for the rest of the day: about ${fmtCount(s.restOfDay)}, busiest at ${hourOf(s.busiest.local)} (about ${fmtCount(s.busiest.forecast.mean)}).`);
  return parts.join(' ');
}

/**
 * Per day of this week: visitors counted, the same weekday last week, and the forecast.
 * @param {readonly ShopHour[]} hours two weeks of hours, last week's Monday first
 * @param {string} monday this week's Monday
 * @param {string} today
 */
export function weekByDay(hours, monday, today) {
  /** @type {Map<string, { counted: number, countedHours: number, forecast: number, forecastHours: number }>} */
  const byDate = new Map();
  for (const h of hours) {
    const d = dateOf(h.local);
    let e = byDate.get(d);
    if (!e) byDate.set(d, (e = { counted: 0, countedHours: 0, forecast: 0, forecastHours: 0 }));
    if (h.visitors !== null) {
      e.counted += h.visitors;
      e.countedHours++;
    }
    if (h.forecast) {
      e.forecast += h.forecast.mean;
      e.forecastHours++;
    }
  }
  return Array.from({ length: 7 }, (_, i) => {
    const date = addDays(monday, i);
    const now = byDate.get(date);
    const before = byDate.get(addDays(date, -7));
    return {
      date,
      label: dayLabel(date),
      state: date < today ? 'past' : date === today ? 'today' : 'coming',
      thisWeek: now && now.countedHours > 0 ? now.counted : null,
      lastWeek: before && before.countedHours > 0 ? before.counted : null,
      forecast: now && now.forecastHours > 0 ? now.forecast : null,
    };
  });
}

/**
 * The threshold at one forecast hour in visitors/hour (null: "above usual" with no usual yet).
 * @param {Threshold} t @param {ForecastHour} h
 */
export function thresholdAt(t, h) {
  if (t.kind === 'visitors') return t.perHour;
  return h.usual === null ? null : h.usual * (1 + t.percent / 100);
}

/**
 * Peaks in the coming hours: runs of hours at or above the merchant's alert threshold, each
 * marked at its busiest hour. Without a threshold, the busiest hour of each day.
 * @param {readonly ForecastHour[]} hours
 * @param {Threshold | null} threshold
 * @param {(t: number) => string} dayOf the site's day of an instant
 * @returns {{ at: number, from: number, to: number, hour: ForecastHour, threshold: number | null }[]}
 */
export function findPeaks(hours, threshold, dayOf) {
  const sorted = [...hours].sort((a, b) => a.t - b.t);
  if (!threshold) {
    /** @type {Map<string, ForecastHour>} */
    const best = new Map();
    for (const h of sorted) {
      const d = dayOf(h.t);
      const b = best.get(d);
      if (h.mean >= MIN_PEAK_VISITORS && (!b || h.mean > b.mean)) best.set(d, h);
    }
    return [...best.values()].map((h) => ({ at: h.t, from: h.t, to: h.t + 3_600_000, hour: h, threshold: null }));
  }
  /** @type {{ at: number, from: number, to: number, hour: ForecastHour, threshold: number | null }[]} */
  const peaks = [];
  /** @type {ForecastHour[]} */
  let run = [];
  const close = () => {
    if (run.length === 0) return;
    const top = run.reduce((a, b) => (b.mean > a.mean ? b : a));
    peaks.push({ at: top.t, from: run[0]?.t ?? top.t, to: (run[run.length - 1]?.t ?? top.t) + 3_600_000, hour: top, threshold: thresholdAt(threshold, top) });
    run = [];
  };
  for (const h of sorted) {
    const thr = thresholdAt(threshold, h);
    const above = thr !== null && h.mean >= thr && h.mean >= MIN_PEAK_VISITORS;
    const last = run[run.length - 1];
    if (!above || (last && h.t !== last.t + 3_600_000)) close();
    if (above) run.push(h);
  }
  close();
  return peaks;
}

/** "300 visitors/hour" or "50% above the usual". @param {Threshold} t */
export const thresholdWords = (t) => (t.kind === 'visitors' ? `${fmtCount(t.perHour)} visitors/hour` : `${t.percent}% above the usual`);

/**
 * Why an alert was sent, in short facts built from the alert's own fields (not recomputed), so
 * the page cannot say something the alert does not.
 * @param {MerchantAlert} a
 * @returns {string[]}
 */
export function alertReasons(a) {
  const busiest = hourOf(a.when.busiest);
  const limit =
    a.threshold.kind === 'aboveUsual'
      ? `your threshold: ${a.threshold.percent ?? '?'}% above the usual, which is ${fmtCount(a.threshold.visitorsPerHour)} visitors/hour at ${busiest}`
      : `your threshold: ${fmtCount(a.threshold.visitorsPerHour)} visitors/hour`;
  const usual =
    a.usual.visitorsPerHour === null
      ? 'no usual yet for that hour (too little history)'
      : a.usual.percentAbove === null
        ? `usual for that hour: ${fmtCount(a.usual.visitorsPerHour)}`
        : `usual for that hour: ${fmtCount(a.usual.visitorsPerHour)} (forecast is ${a.usual.percentAbove === 0 ? 'about the same' : `${Math.abs(a.usual.percentAbove)}% ${a.usual.percentAbove > 0 ? 'above' : 'below'}`})`;
  return [
    a.status === 'cancelled'
      ? `Forecast now ${fmtCount(a.expected.visitorsPerHour)} visitors/hour at ${busiest}, under ${limit}`
      : `Forecast ${fmtCount(a.expected.visitorsPerHour)} visitors/hour at ${busiest} (80% range ${fmtCount(a.expected.range80[0])}–${fmtCount(a.expected.range80[1])}), at or above ${limit}`,
    usual,
    `chance of reaching the threshold: ${a.expected.wording} (about ${Math.round(a.expected.chanceAboveThreshold * 100)}%)`,
    `sent for your ${a.leadTimeH}-hour lead time: the peak is less than ${a.leadTimeH} hours away`,
  ];
}

/** @type {Record<string, string>} */
const EVENT_WORDS = { 'alert.created': 'New peak alert', 'alert.updated': 'Peak alert updated', 'alert.cancelled': 'Peak no longer expected', 'webhook.test': 'Test' };
/** @param {string} event */
export const eventWords = (event) => EVENT_WORDS[event] ?? event;

/** @type {Record<Delivery['status'], string>} */
export const DELIVERY_STATUS = { pending: 'Waiting to retry', delivered: 'Delivered', failed: 'Failed', superseded: 'Replaced by a newer version' };

/** A webhook secret: 32 random bytes as URL-safe base64 (43 characters), made in the browser and shown once. */
export function newSecret() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** How a calendar entry moves the forecast, in words. @param {CalendarEntry} e */
export function calendarWords(e) {
  const factor = e.factor === null ? '' : e.factor === 0 ? ' — the mall expects to be closed' : ` — expected ${e.factor}× an ordinary day`;
  return e.kind === 'holiday' ? `${e.name} (public holiday: forecast as a holiday${factor ? '' : ', not an ordinary day'})${factor}` : `${e.name} (event)${factor || ' — no change to the forecast given'}`;
}
