// @ts-check
/**
 * The merchant portal, the merchant role's home: one shop at a time (a picker when the merchant
 * has several; the API refuses anyone else's), today's traffic against the forecast, this week
 * against last week, the next 72 hours with peaks and the mall's calendar, alert settings,
 * alerts (live over socket.io's `merchant_alert`, and their history), the webhook delivery log
 * and a CSV download. Refreshed every minute and on every (re)connection; every time shown is
 * the site's.
 */
import { requireSession, showSignedIn, goSignIn } from './session.js';
import { ApiError, callApi } from './api.js';
import { siteTimeFormat } from './dispatch-model.js';
import { socketClient } from './socket-client.js';
import { createHourChart } from './chart-hours.js';
import { MAX_DOWNLOAD_DAYS, addDays, dateOf, daysBetween, findPeaks, mondayOf, siteDay, todaySentence, todaySummary, weekByDay, fmtCount, compareWords } from './merchant-model.js';
import { alertItem, renderCalendar, renderDeliveries, renderHistory, renderNextTable, renderPeaks, renderTodayTable, renderWeekTable } from './merchant-views.js';
import { createSettings, explain } from './merchant-settings.js';

/** @typedef {import('./merchant-model.js').PortalInfo} PortalInfo */
/** @typedef {import('./merchant-model.js').ShopHours} ShopHours */
/** @typedef {import('./merchant-model.js').ShopHour} ShopHour */
/** @typedef {import('./merchant-model.js').Forecast} Forecast */
/** @typedef {import('./merchant-model.js').MerchantAlert} MerchantAlert */
/** @typedef {import('./merchant-model.js').Delivery} Delivery */
/** @typedef {import('./merchant-model.js').CalendarEntry} CalendarEntry */
/** @typedef {import('./merchant-model.js').Subscription} Subscription */
/** @typedef {import('socket.io-client').Socket<import('@atrium/shared').ServerToClientEvents, import('@atrium/shared').ClientToServerEvents>} Socket */

/** Merchants, and the control room looking at a shop as its merchant would; anyone else goes home. */
const ROLES = ['merchant', 'admin', 'operator', 'supervisor'];
const REFRESH_MS = 60_000;
/** After an alert or a test, the delivery log is looked at this often for a while (the dispatcher sends within seconds). */
const DELIVERY_WATCH = { everyMs: 2_000, forMs: 30_000 };
const MAX_LIVE = 20;

/** @template {HTMLElement} [T=HTMLElement] @param {string} id @returns {T} */
function byId(id) {
  const e = document.getElementById(id);
  if (!e) throw new Error(`merchant.html has no #${id}`);
  return /** @type {T} */ (e);
}

const ui = {
  siteName: byId('site-name'),
  title: byId('shop-title'),
  pick: byId('shop-pick'),
  picker: /** @type {HTMLSelectElement} */ (byId('shop-picker')),
  conn: byId('conn'),
  connText: byId('conn-text'),
  lastUpdate: /** @type {HTMLTimeElement} */ (byId('last-update')),
  clockNote: byId('clock-note'),
  problem: byId('problem'),
  problemTitle: byId('problem-title'),
  problemDetail: byId('problem-detail'),
  retry: /** @type {HTMLButtonElement} */ (byId('retry')),
  content: byId('content'),
  shopNote: byId('shop-note'),
  liveList: byId('live-list'),
  liveEmpty: byId('live-empty'),
  todayDate: byId('today-date'),
  forecastNote: byId('forecast-note'),
  todaySummary: byId('today-summary'),
  todayTable: /** @type {HTMLTableElement} */ (byId('today-table')),
  weekSummary: byId('week-summary'),
  weekTable: /** @type {HTMLTableElement} */ (byId('week-table')),
  nextMade: byId('next-made'),
  nextEmpty: byId('next-empty'),
  nextFigure: byId('next-figure'),
  nextTable: /** @type {HTMLTableElement} */ (byId('next-table')),
  peaksBasis: byId('peaks-basis'),
  peaks: byId('peaks-list'),
  calendar: byId('calendar-list'),
  history: byId('history-list'),
  historyEmpty: byId('history-empty'),
  deliveries: /** @type {HTMLTableElement} */ (byId('deliveries-table')),
  deliveriesEmpty: byId('deliveries-empty'),
  csvForm: /** @type {HTMLFormElement} */ (byId('download-form')),
  csvFrom: /** @type {HTMLInputElement} */ (byId('csv-from')),
  csvTo: /** @type {HTMLInputElement} */ (byId('csv-to')),
  csvSaid: byId('download-said'),
};

/** @type {{ portal: PortalInfo, shopId: string, fmtTime: (ts: number, now?: number) => string, dayOf: (ts: number) => string, hourLabel: (ts: number) => string } | null} */
let ctx = null;
/** @type {Socket | undefined} */
let socket;
let generation = 0;
/** @type {ReturnType<typeof setInterval> | undefined} */
let refreshTimer;

const charts = {
  today: createHourChart(byId('today-chart'), { timezone: 'UTC', height: 220 }),
  week: createHourChart(byId('week-chart'), { timezone: 'UTC', height: 220 }),
  next: createHourChart(byId('next-chart'), { timezone: 'UTC', height: 220 }),
};

// the peaks follow the threshold, so a change redraws the shop; a test or a webhook shows in the delivery log shortly
const settings = createSettings({ onChanged: () => void (loadShop(), watchDeliveries()) });

/** @param {string} title @param {string} detail @param {boolean} retry */
function showProblem(title, detail, retry) {
  ui.problemTitle.textContent = title;
  ui.problemDetail.textContent = detail;
  ui.retry.hidden = !retry;
  ui.problem.hidden = false;
}

/** @param {string} text */
function note(text) {
  ui.shopNote.textContent = text;
  ui.shopNote.hidden = text === '';
}

const shopPath = () => `/api/v1/shops/${encodeURIComponent(ctx?.shopId ?? '')}`;

// ---------------------------------------------------------------------------------------------
// Start

async function boot() {
  ui.problem.hidden = true;
  try {
    const portal = /** @type {PortalInfo} */ (await callApi('GET', '/api/v1/merchant/portal'));
    if (portal.shops.length === 0) {
      setConnection('down');
      return showProblem('No shops are linked to this account.', 'Ask the mall’s control room to link your shops to your merchant account.', false);
    }
    const tz = portal.site.timezone;
    const hourFmt = new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    ctx = { portal, shopId: '', fmtTime: siteTimeFormat(tz), dayOf: siteDay(tz), hourLabel: (t) => hourFmt.format(t).replace(',', '') };
    for (const c of Object.values(charts)) c.destroy();
    charts.today = createHourChart(byId('today-chart'), { timezone: tz, height: 220 });
    charts.week = createHourChart(byId('week-chart'), { timezone: tz, height: 220 });
    charts.next = createHourChart(byId('next-chart'), { timezone: tz, height: 240 });
    ui.siteName.textContent = `· ${portal.site.name}`;
    ui.clockNote.textContent = `(times are ${portal.site.name}’s, ${tz})`;
    fillPicker(portal);
    const today = ctx.dayOf(Date.now());
    ui.csvFrom.value = addDays(today, -6);
    ui.csvTo.value = today;
    ui.content.hidden = false;
    await selectShop(new URLSearchParams(location.search).get('shop'));
    void connect();
    clearInterval(refreshTimer);
    refreshTimer = setInterval(() => void loadShop(), REFRESH_MS);
  } catch (err) {
    setConnection('down');
    if (err instanceof ApiError && err.status === 401) return showProblem('Your session has ended.', 'Taking you to the sign-in page…', false);
    showProblem('Could not open your portal.', explain(err, 'load your shops'), true);
  }
}
ui.retry.addEventListener('click', () => void boot());

/** @param {PortalInfo} portal */
function fillPicker(portal) {
  ui.picker.replaceChildren(
    ...portal.shops.map((s) => {
      const o = document.createElement('option');
      o.value = s.id;
      o.textContent = s.name;
      return o;
    }),
  );
  ui.pick.hidden = portal.shops.length < 2;
}
ui.picker.addEventListener('change', () => void selectShop(ui.picker.value));

/**
 * Shows one of the caller's shops. A shop named in the address that is not theirs is not
 * fetched at all: the page says so and shows their first shop (the API would refuse it anyway).
 * @param {string | null} wanted
 */
async function selectShop(wanted) {
  if (!ctx) return;
  const own = ctx.portal.shops.find((s) => s.id === wanted);
  const shop = own ?? ctx.portal.shops[0];
  if (!shop) return;
  note(wanted && !own ? `The shop “${wanted}” in the address is not one of your shops, so it is not shown. Showing ${shop.name}.` : '');
  ctx.shopId = shop.id;
  ui.picker.value = shop.id;
  ui.title.textContent = shop.name;
  document.title = `${shop.name} · Atrium`;
  const url = new URL(location.href);
  url.searchParams.set('shop', shop.id);
  history.replaceState(null, '', url);
  ui.liveList.replaceChildren();
  ui.liveEmpty.hidden = false;
  await loadShop();
}

// ---------------------------------------------------------------------------------------------
// Loading: every panel on its own, so one failing says so where it is and the rest still show

async function loadShop() {
  if (!ctx) return;
  const gen = ++generation;
  const c = ctx;
  const now = Date.now();
  const today = c.dayOf(now);
  const monday = mondayOf(today);
  const base = shopPath();
  const [hours, forecast, calendar] = await Promise.allSettled([
    callApi('GET', `${base}/hourly?from=${addDays(monday, -7)}&to=${addDays(monday, 6)}`),
    callApi('GET', `/api/v1/forecasts/shop/${encodeURIComponent(c.shopId)}`),
    callApi('GET', `/api/v1/calendar?from=${today}&to=${addDays(today, 3)}`),
    loadSubscriptions(),
    loadAlerts(),
    loadDeliveries(),
  ]);
  if (gen !== generation) return;
  showHours(hours, today, monday, now);
  showNext(forecast, calendar);
  ui.lastUpdate.dateTime = new Date(now).toISOString();
  ui.lastUpdate.textContent = c.fmtTime(now);
}

/** @param {PromiseSettledResult<unknown>} r @param {string} today @param {string} monday @param {number} now */
function showHours(r, today, monday, now) {
  if (r.status === 'rejected') {
    const said = explain(r.reason, 'load the traffic');
    ui.todaySummary.textContent = ui.weekSummary.textContent = said;
    return;
  }
  const all = /** @type {ShopHours} */ (r.value).hours;
  const todays = all.filter((h) => dateOf(h.local) === today);
  const summary = todaySummary(todays);
  ui.todayDate.textContent = `${today}, by hour`;
  ui.todaySummary.textContent = todaySentence(summary);
  ui.forecastNote.hidden = summary.forecastAny;
  ui.forecastNote.textContent = summary.forecastAny ? '' : 'No forecast yet for today: forecasts are made every hour once enough traffic has been counted. Counted visitors are shown meanwhile.';
  renderTodayTable(ui.todayTable, todays, now);
  charts.today.draw(
    todays.map((h) => h.t),
    [
      { label: 'Visitors', style: 'counted', values: todays.map((h) => h.visitors) },
      { label: 'Forecast', style: 'forecast', values: todays.map((h) => h.forecast?.mean ?? null) },
      { label: '80% low', style: 'bandLow', values: todays.map((h) => h.forecast?.lo80 ?? null) },
      { label: '80% high', style: 'bandHigh', values: todays.map((h) => h.forecast?.hi80 ?? null) },
    ],
  );

  const thisWeek = all.filter((h) => dateOf(h.local) >= monday);
  /** the same weekday and hour last week, by label, so a DST change does not shift the lines */
  const lastByKey = new Map(all.filter((h) => dateOf(h.local) < monday).map((h) => [`${h.local.slice(0, 3)} ${h.local.slice(-5)}`, h.visitors]));
  charts.week.draw(
    thisWeek.map((h) => h.t),
    [
      { label: 'This week', style: 'counted', values: thisWeek.map((h) => h.visitors) },
      { label: 'Last week', style: 'lastWeek', values: thisWeek.map((h) => lastByKey.get(`${h.local.slice(0, 3)} ${h.local.slice(-5)}`) ?? null) },
      { label: 'Forecast', style: 'forecast', values: thisWeek.map((h) => h.forecast?.mean ?? null) },
    ],
  );
  const days = weekByDay(all, monday, today);
  renderWeekTable(ui.weekTable, days);
  const past = days.filter((d) => d.state === 'past' && d.thisWeek !== null && d.lastWeek !== null);
  const sumNow = past.reduce((s, d) => s + (d.thisWeek ?? 0), 0);
  const sumBefore = past.reduce((s, d) => s + (d.lastWeek ?? 0), 0);
  const vs = past.length > 0 ? compareWords(sumNow, sumBefore) : null;
  ui.weekSummary.textContent = vs ? `Days finished this week: ${fmtCount(sumNow)} visitors, ${vs} the same days last week (${fmtCount(sumBefore)}).` : 'No finished day this week to compare with last week yet.';
}

/** @param {PromiseSettledResult<unknown>} fr @param {PromiseSettledResult<unknown>} cr */
function showNext(fr, cr) {
  if (!ctx) return;
  const c = ctx;
  if (cr.status === 'fulfilled') renderCalendar(ui.calendar, /** @type {CalendarEntry[]} */ (cr.value));
  else ui.calendar.replaceChildren(Object.assign(document.createElement('li'), { textContent: explain(cr.reason, 'load the mall’s calendar') }));
  if (fr.status === 'rejected') {
    const notReady = fr.reason instanceof ApiError && fr.reason.code === 'ATRIUM_FORECAST_NOT_READY';
    ui.nextEmpty.textContent = notReady
      ? 'No forecast yet for this shop. Forecasts are made every hour once a few weeks of traffic have been counted; come back later.'
      : explain(fr.reason, 'load the forecast');
    ui.nextEmpty.hidden = false;
    ui.nextFigure.hidden = true;
    ui.nextMade.textContent = '';
    ui.peaks.replaceChildren();
    ui.peaksBasis.textContent = '';
    ui.nextTable.replaceChildren();
    return;
  }
  const f = /** @type {Forecast} */ (fr.value);
  const hours = f.hours.slice(0, 72);
  ui.nextFigure.hidden = false;
  ui.nextMade.textContent = `Forecast made ${c.fmtTime(f.madeAt)}`;
  ui.nextEmpty.hidden = f.confidence !== 'low';
  ui.nextEmpty.textContent = f.confidence === 'low' ? `Low confidence: ${f.reason === 'no-history' ? 'no traffic history yet' : f.reason === 'short-history' ? 'only a short traffic history so far' : 'recent counts are sparse'}. Treat these numbers as rough.` : '';
  const threshold = settings.current()?.threshold ?? null;
  const peaks = findPeaks(hours, threshold, c.dayOf);
  const at = new Set(peaks.map((p) => p.at));
  ui.peaksBasis.textContent = threshold ? 'Hours forecast at or above your alert threshold, at their busiest hour:' : 'No alert threshold set, so the busiest hour of each day is marked:';
  renderPeaks(ui.peaks, peaks, c.hourLabel, threshold);
  renderNextTable(ui.nextTable, hours, c.hourLabel, at);
  charts.next.draw(
    hours.map((h) => h.t),
    [
      { label: 'Forecast', style: 'forecast', values: hours.map((h) => h.mean) },
      { label: '80% low', style: 'bandLow', values: hours.map((h) => h.lo80) },
      { label: '80% high', style: 'bandHigh', values: hours.map((h) => h.hi80) },
      { label: 'Peak', style: 'peaks', values: hours.map((h) => (at.has(h.t) ? h.mean : null)) },
    ],
  );
}

async function loadSubscriptions() {
  if (!ctx) return;
  const shop = ctx.shopId;
  try {
    const subs = /** @type {Subscription[]} */ (await callApi('GET', `${shopPath()}/subscriptions`));
    if (ctx?.shopId === shop) settings.show(shop, subs);
  } catch (err) {
    byId('settings-said').textContent = explain(err, 'load your alert settings');
  }
}

async function loadAlerts() {
  if (!ctx) return;
  const c = ctx;
  try {
    const alerts = /** @type {MerchantAlert[]} */ (await callApi('GET', `${shopPath()}/alerts?limit=50`));
    if (ctx?.shopId === c.shopId) renderHistory(ui.history, ui.historyEmpty, alerts, c.fmtTime);
  } catch (err) {
    ui.historyEmpty.hidden = false;
    ui.historyEmpty.textContent = explain(err, 'load the alert history');
  }
}

async function loadDeliveries() {
  if (!ctx) return [];
  const c = ctx;
  try {
    const rows = /** @type {Delivery[]} */ (await callApi('GET', `${shopPath()}/webhook-deliveries?limit=50`));
    if (ctx?.shopId === c.shopId) renderDeliveries(ui.deliveries, ui.deliveriesEmpty, rows, c.fmtTime);
    return rows;
  } catch (err) {
    ui.deliveriesEmpty.hidden = false;
    ui.deliveriesEmpty.textContent = explain(err, 'load the webhook deliveries');
    return [];
  }
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let watchTimer;
/** Looks at the delivery log every few seconds for a while, so a test or an alert's delivery shows its outcome. */
function watchDeliveries() {
  clearTimeout(watchTimer);
  const until = Date.now() + DELIVERY_WATCH.forMs;
  const look = async () => {
    await loadDeliveries();
    if (Date.now() < until) watchTimer = setTimeout(() => void look(), DELIVERY_WATCH.everyMs);
  };
  watchTimer = setTimeout(() => void look(), 500);
}

// ---------------------------------------------------------------------------------------------
// Live

async function connect() {
  if (socket) return;
  const { io } = await socketClient().catch(() => ({ io: null }));
  if (!io) return setConnection('down');
  const s = (socket = /** @type {Socket} */ (io({ reconnectionDelay: 500, reconnectionDelayMax: 5000, timeout: 8000 })));
  s.on('connect', () => setConnection('live'));
  s.on('disconnect', (reason) => {
    setConnection('reconnecting');
    if (reason === 'io server disconnect') s.connect();
  });
  s.on('connect_error', () => setConnection('reconnecting'));
  // a reconnection may have missed alerts: the lists are read again (the first hello follows the page's own first load)
  let connections = 0;
  s.on('hello', () => {
    if (connections++ > 0) void loadShop();
  });
  s.on('merchant_alert', (e) => {
    if (!ctx || !ctx.portal.shops.some((shop) => shop.id === e.alert.shopId)) return;
    const li = alertItem(e.alert, { event: e.event, fmtTime: ctx.fmtTime });
    li.classList.add('fresh');
    ui.liveList.prepend(li);
    while (ui.liveList.children.length > MAX_LIVE) ui.liveList.lastElementChild?.remove();
    ui.liveEmpty.hidden = true;
    if (e.alert.shopId === ctx.shopId) {
      void loadAlerts();
      watchDeliveries();
    }
  });
}

/** @typedef {'connecting' | 'live' | 'reconnecting' | 'down'} ConnState */
/** @type {Record<ConnState, string>} */
const CONN_TEXT = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', down: 'Not connected' };
/** @param {ConnState} state */
function setConnection(state) {
  ui.conn.dataset.state = state;
  if (ui.connText.textContent !== CONN_TEXT[state]) ui.connText.textContent = CONN_TEXT[state];
}

// ---------------------------------------------------------------------------------------------
// Download

ui.csvForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  void download();
});

async function download() {
  if (!ctx) return;
  const from = ui.csvFrom.value;
  const to = ui.csvTo.value;
  const say = (/** @type {string} */ t) => (ui.csvSaid.textContent = t);
  if (!from || !to) return say('Choose both dates.');
  if (to < from) return say('The end date must be on or after the start date.');
  if (daysBetween(from, to) > MAX_DOWNLOAD_DAYS) return say(`Choose at most ${MAX_DOWNLOAD_DAYS} days at a time (this is ${daysBetween(from, to)}).`);
  const path = `${shopPath()}/hourly.csv?from=${from}&to=${to}`;
  say('Preparing the download…');
  try {
    const res = await fetch(path, { cache: 'no-store', signal: AbortSignal.timeout(30_000) });
    if (res.status === 401) return goSignIn('expired');
    if (!res.ok) {
      /** @type {{ code?: string, message?: string }} */
      const body = await res.json().catch(() => ({}));
      throw new ApiError('http', path, { status: res.status, statusText: res.statusText, ...(body.code && { code: body.code }), ...(body.message && { message: body.message }) });
    }
    const blob = await res.blob();
    const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `${ctx.shopId}-hourly.csv`;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    say(`Downloaded ${name}: ${daysBetween(from, to) * 24} hours, one row each.`);
  } catch (err) {
    say(explain(err instanceof ApiError ? err : new ApiError(err instanceof DOMException && err.name === 'TimeoutError' ? 'timeout' : 'network', path), 'download the CSV'));
  }
}

void requireSession(ROLES).then((session) => {
  showSignedIn(session, { button: byId('sign-out'), who: byId('signed-in-as') });
  return boot();
});

