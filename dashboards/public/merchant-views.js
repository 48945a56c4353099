// @ts-check
/**
 * The merchant portal's tables and lists: the numbers behind each chart, peaks, the calendar,
 * alerts (live and history) and the webhook delivery log. Each function replaces the contents
 * of the element it is given; nothing here fetches.
 */
import { DELIVERY_STATUS, alertReasons, calendarWords, dayLabel, eventWords, fmtCount, hourOf, thresholdWords } from './merchant-model.js';

/** @typedef {import('./merchant-model.js').ShopHour} ShopHour */
/** @typedef {import('./merchant-model.js').ForecastHour} ForecastHour */
/** @typedef {import('./merchant-model.js').MerchantAlert} MerchantAlert */
/** @typedef {import('./merchant-model.js').Delivery} Delivery */
/** @typedef {import('./merchant-model.js').CalendarEntry} CalendarEntry */
/** @typedef {import('./merchant-model.js').Threshold} Threshold */
/** @typedef {ReturnType<typeof import('./merchant-model.js').findPeaks>[number]} Peak */
/** @typedef {ReturnType<typeof import('./merchant-model.js').weekByDay>[number]} WeekDay */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {string} [text] @param {string} [className]
 * @returns {HTMLElementTagNameMap[K]}
 */
function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

/** @param {HTMLTableElement} table @param {string} caption @param {string[]} head @param {(string | HTMLElement)[][]} rows @param {(i: number) => string} [rowClass] */
function fillTable(table, caption, head, rows, rowClass) {
  const cap = el('caption', caption, 'visually-hidden');
  const thead = el('thead');
  const tr = el('tr');
  head.forEach((h) => {
    const th = el('th', h);
    th.scope = 'col';
    tr.append(th);
  });
  thead.append(tr);
  const tbody = el('tbody');
  rows.forEach((cells, i) => {
    const row = el('tr');
    if (rowClass) row.className = rowClass(i);
    cells.forEach((c, j) => {
      const cell = j === 0 ? el('th') : el('td');
      if (j === 0) /** @type {HTMLTableCellElement} */ (cell).scope = 'row';
      cell.append(c);
      row.append(cell);
    });
    tbody.append(row);
  });
  table.replaceChildren(cap, thead, tbody);
}

/** @param {{ lo80: number, hi80: number } | null | undefined} f */
const range80 = (f) => (f ? `${fmtCount(f.lo80)}–${fmtCount(f.hi80)}` : '—');

/** @param {HTMLTableElement} table @param {readonly ShopHour[]} hours @param {number} now */
export function renderTodayTable(table, hours, now) {
  fillTable(
    table,
    'Today hour by hour: visitors counted, forecast and its 80% range',
    ['Hour', 'Visitors', 'Forecast', '80% range'],
    hours.map((h) => [hourOf(h.local), h.visitors === null ? (h.t > now ? 'to come' : '—') : fmtCount(h.visitors), fmtCount(h.forecast?.mean), range80(h.forecast)]),
    (i) => (hours[i] && hours[i].t <= now && now < hours[i].t + 3_600_000 ? 'current' : ''),
  );
}

/** @param {HTMLTableElement} table @param {readonly WeekDay[]} days */
export function renderWeekTable(table, days) {
  fillTable(
    table,
    'This week by day: visitors counted, the same day last week, and the forecast',
    ['Day', 'This week', 'Last week', 'Forecast'],
    days.map((d) => [d.label + (d.state === 'today' ? ' (today, so far)' : ''), d.state === 'coming' ? 'to come' : fmtCount(d.thisWeek), fmtCount(d.lastWeek), fmtCount(d.forecast)]),
    (i) => days[i]?.state ?? '',
  );
}

/** @param {HTMLTableElement} table @param {readonly ForecastHour[]} hours @param {(t: number) => string} label @param {ReadonlySet<number>} peakHours */
export function renderNextTable(table, hours, label, peakHours) {
  fillTable(
    table,
    'Next 72 hours: forecast, its 80% range and the usual',
    ['Hour', 'Forecast', '80% range', 'Usual', 'Peak'],
    hours.map((h) => [label(h.t), fmtCount(h.mean), range80(h), fmtCount(h.usual), peakHours.has(h.t) ? 'Peak' : '']),
    (i) => (hours[i] && peakHours.has(hours[i].t) ? 'peak' : ''),
  );
}

/** @param {HTMLElement} list @param {readonly Peak[]} peaks @param {(t: number) => string} label @param {Threshold | null} threshold */
export function renderPeaks(list, peaks, label, threshold) {
  if (peaks.length === 0) {
    list.replaceChildren(el('li', threshold ? `No hour in the next 72 is forecast at or above your threshold of ${thresholdWords(threshold)}.` : 'No busy hours forecast.', 'empty'));
    return;
  }
  list.replaceChildren(
    ...peaks.map((p) => {
      const li = el('li', undefined, 'peak');
      li.dataset.t = String(p.at);
      const span = p.to - p.from > 3_600_000 ? ` (above from ${label(p.from)} to ${label(p.to).slice(-5)})` : '';
      li.append(el('strong', label(p.at)), ` — about ${fmtCount(p.hour.mean)} visitors (80% range ${range80(p.hour)})${span}`);
      if (p.threshold !== null) li.append(el('span', `, your threshold there: ${fmtCount(p.threshold)}`, 'why'));
      if (p.hour.usual !== null) li.append(el('span', `, usual ${fmtCount(p.hour.usual)}`, 'why'));
      return li;
    }),
  );
}

/** @param {HTMLElement} list @param {readonly CalendarEntry[]} entries */
export function renderCalendar(list, entries) {
  if (entries.length === 0) {
    list.replaceChildren(el('li', 'No holidays or events in the next three days: ordinary days.', 'empty'));
    return;
  }
  list.replaceChildren(
    ...entries.map((e) => {
      const li = el('li');
      li.append(el('strong', dayLabel(e.date)), ` — ${calendarWords(e)}`);
      return li;
    }),
  );
}

/**
 * One alert: what it says, and why it was sent, as the alert itself states.
 * @param {MerchantAlert} a @param {{ event?: string, fmtTime: (ts: number) => string }} o
 */
export function alertItem(a, o) {
  const li = el('li', undefined, `alert alert-${a.status}`);
  li.dataset.alertId = String(a.id);
  const head = el('p', undefined, 'alert-head');
  const time = el('time', o.fmtTime(a.updatedAt));
  time.dateTime = new Date(a.updatedAt).toISOString();
  const kind = o.event ? eventWords(o.event) : a.status === 'cancelled' ? 'Cancelled' : a.version > 1 ? `Updated (version ${a.version})` : 'Peak alert';
  head.append(el('strong', kind, 'alert-kind'), ' · ', el('span', a.shopName, 'alert-shop'), ' · ', time);
  const message = el('p', a.message, 'alert-message');
  const why = el('div', undefined, 'alert-why');
  why.append(el('p', 'Why you got this:', 'why-title'));
  const ul = el('ul');
  for (const r of alertReasons(a)) ul.append(el('li', r));
  why.append(ul);
  li.append(head, message, why);
  return li;
}

/** @param {HTMLElement} list @param {HTMLElement} empty @param {readonly MerchantAlert[]} alerts @param {(ts: number) => string} fmtTime */
export function renderHistory(list, empty, alerts, fmtTime) {
  list.replaceChildren(...alerts.map((a) => alertItem(a, { fmtTime })));
  empty.hidden = alerts.length > 0;
}

/** @param {HTMLTableElement} table @param {HTMLElement} empty @param {readonly Delivery[]} deliveries @param {(ts: number) => string} fmtTime */
export function renderDeliveries(table, empty, deliveries, fmtTime) {
  empty.hidden = deliveries.length > 0;
  table.hidden = deliveries.length === 0;
  fillTable(
    table,
    'Webhook deliveries, newest first, with every attempt',
    ['Sent', 'What', 'Status', 'Attempts'],
    deliveries.map((d) => {
      const attempts = el('ol', undefined, 'attempts');
      for (const a of d.attempts) attempts.append(el('li', `${fmtTime(a.at)}: ${a.outcome === 'delivered' ? 'delivered' : a.outcome === 'retry' ? 'will retry' : a.outcome === 'gave_up' ? 'gave up' : 'refused'}${a.statusCode !== null ? ` (answered ${a.statusCode})` : ''}${a.error && a.statusCode === null ? ` — ${a.error}` : ''}, ${Math.round(a.durationMs)} ms`));
      if (d.attempts.length === 0) attempts.append(el('li', d.status === 'pending' ? 'not tried yet' : (d.lastError ?? 'not sent')));
      if (d.status === 'pending' && d.nextAttemptAt !== null && d.attempts.length > 0) attempts.append(el('li', `next try ${fmtTime(d.nextAttemptAt)}`));
      const status = el('span', DELIVERY_STATUS[d.status], `delivery-status status-${d.status}`);
      return [fmtTime(d.createdAt), `${eventWords(d.event)}${d.alertId !== null ? ` #${d.alertId}` : ''}`, status, attempts];
    }),
    (i) => `delivery status-${deliveries[i]?.status ?? ''}`,
  );
}
