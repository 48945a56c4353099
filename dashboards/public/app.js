// @ts-check
/**
 * Atrium control room: open alarms and active work orders (dispatch-board.js), the site's
 * floor plans coloured by live density, and a sortable zone table. Data: GET /api/v1/site
 * and /api/v1/zones/live once, then socket.io (`hello` with every zone on each (re)connect,
 * `zones` with the ones that changed; the board reloads its lists on each `hello`).
 *
 * Rendering is built once per site; pushes are coalesced per animation frame and only the
 * nodes whose shown value changed are touched.
 */
import { DENSITY_LEVELS, NO_DATA, changeBurst, fmtCount, viewChanges, zoneView } from './live-model.js';
import { createFloorMap } from './floor-map.js';
import { createZoneTable } from './zone-table.js';
import { createDispatchBoard } from './dispatch-board.js';
import { SOCKET_CLIENT, socketClient } from './socket-client.js';
import { requireSession, showSignedIn } from './session.js';
import { ApiError, FETCH_TIMEOUT_MS, callApi } from './api.js';
import { createSiteClock } from './site-clock.js';
import { mountControlNav } from './control-nav.js';

/** @typedef {import('./live-model.js').SiteModel} SiteModel */
/** @typedef {import('./live-model.js').Floor} Floor */
/** @typedef {import('./live-model.js').Zone} Zone */
/** @typedef {import('./live-model.js').ZoneLive} ZoneLive */
/** @typedef {import('./live-model.js').ZoneView} ZoneView */
/** @typedef {import('./live-model.js').Sort} Sort */
/** @typedef {import('./floor-map.js').FloorMap} FloorMap */
/** @typedef {import('./zone-table.js').ZoneTable} ZoneTable */
/** @typedef {import('./dispatch-model.js').LiveSocket} Socket */
/** @typedef {typeof import('socket.io-client').io} IoFactory */

const API = { site: '/api/v1/site', zones: '/api/v1/zones/live' };
/** After this long without the live connection, say so in a banner, not only in the header. */
const STALE_WARNING_MS = 10_000;
/** The table re-sorts at most this often under a stream of pushes, so rows don't jitter. */
const RESORT_EVERY_MS = 1_000;
/** Changed zones are highlighted unless most of the site changed within this long (a highlight lasts ~1 s). */
const BURST_WINDOW_MS = 1_000;
const SORT_STORAGE_KEY = 'atrium.controlRoom.sort';
const FIT_STORAGE_KEY = 'atrium.controlRoom.fitFloors';
/** Who may use this screen; anyone else is sent to their own home. */
const ROLES = ['admin', 'operator', 'supervisor'];

/**
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @returns {T}
 */
function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return /** @type {T} */ (el);
}

const ui = {
  siteName: byId('site-name'),
  conn: byId('conn'),
  connText: byId('conn-text'),
  updated: byId('last-update'),
  kpiPeople: byId('kpi-people'),
  kpiBusy: byId('kpi-busy'),
  kpiCrowded: byId('kpi-crowded'),
  problem: byId('problem'),
  problemTitle: byId('problem-title'),
  problemDetail: byId('problem-detail'),
  problemHelp: byId('problem-help'),
  problemActions: byId('problem-actions'),
  retry: /** @type {HTMLButtonElement} */ (byId('retry')),
  retryIn: byId('retry-in'),
  content: byId('content'),
  maps: byId('maps'),
  floorNav: byId('floor-nav'),
  fitToggle: /** @type {HTMLButtonElement} */ (byId('fit-toggle')),
  legend: byId('legend'),
  tableHost: byId('table-host'),
  alarmsList: byId('alarms-list'),
  alarmsCount: byId('alarms-count'),
  alarmsEmpty: byId('alarms-empty'),
  ordersList: byId('orders-list'),
  ordersCount: byId('orders-count'),
  ordersEmpty: byId('orders-empty'),
  dispatchProblem: byId('dispatch-problem'),
  drawer: byId('detail'),
  raiseToggle: /** @type {HTMLButtonElement} */ (byId('raise-toggle')),
  raiseHost: byId('raise-order'),
  raiseStatus: byId('raise-status'),
  mute: /** @type {HTMLButtonElement} */ (byId('mute')),
};

/** The site's clock (cloud time and rate): every time and countdown on this page reads it. */
const siteClock = createSiteClock();
mountControlNav(byId('control-nav'), 'live');

// Asked once and followed on change: every zone update asks, hundreds of times a second.
const motionQuery = window.matchMedia('(prefers-reduced-motion: reduce)');
let motionReduced = motionQuery.matches;
motionQuery.addEventListener('change', (e) => {
  motionReduced = e.matches;
});
const reducedMotion = () => motionReduced;

// ---------------------------------------------------------------------------------------------
// Page state

/**
 * @typedef {object} Page
 * @property {SiteModel} site
 * @property {Map<string, Zone>} zones
 * @property {Map<string, FloorMap>} maps by floor id
 * @property {Map<string, HTMLElement>} floorLinks by floor id
 * @property {ZoneTable} table
 * @property {ReturnType<typeof createDispatchBoard>} board  alarms and work orders
 * @property {Map<string, ZoneLive>} live
 * @property {Map<string, ZoneView>} views
 * @property {Intl.DateTimeFormat} clock in the site's time zone
 * @property {boolean} painted  false until the first data is on screen (nothing flashes then)
 * @property {(now: number, changed: number) => boolean} burst  true while most zones are changing (nothing flashes then)
 * @property {string | null} selected
 */

/** @type {Page | null} */
let page = null;
/** @type {Map<string, ZoneLive>} pushes not yet drawn, newest per zone */
const pending = new Map();
let frame = 0;
/** Site-clock time of the last data received, for the header. */
let lastDataAt = 0;
let lastSortAt = 0;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let sortTimer;

/** @typedef {'connecting' | 'live' | 'reconnecting' | 'offline' | 'down'} ConnState */
/** @type {Record<ConnState, string>} */
const CONN_TEXT = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline', down: 'Not connected' };
/** @type {ConnState} */
let connState = 'connecting';
/** @type {ReturnType<typeof setTimeout> | undefined} */
let staleTimer;
/** @type {Socket | undefined} */
let socket;

// ---------------------------------------------------------------------------------------------
// Loading

class LoadError extends Error {
  /**
   * @param {string} message what went wrong, in words for the person at the screen
   * @param {string} [detail]
   */
  constructor(message, detail = '') {
    super(message);
    this.detail = detail;
  }
}

/**
 * @param {string} path
 * @returns {Promise<unknown>}
 */
async function getJson(path) {
  try {
    return await callApi('GET', path);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    throw loadErrorOf(err);
  }
}

/** @param {ApiError} err @returns {LoadError} */
function loadErrorOf(err) {
  const { path } = err;
  switch (err.kind) {
    case 'network':
    case 'timeout':
      return new LoadError(
        `Can't reach the Atrium cloud at ${location.host}.`,
        err.kind === 'timeout' ? `It did not answer ${path} within ${FETCH_TIMEOUT_MS / 1000} seconds.` : `The request for ${path} failed: the cloud service is down, restarting, or not reachable from this screen.`,
      );
    case 'not_json':
      return new LoadError(`The answer for ${path} is not JSON.`, 'Something between this screen and the cloud (a proxy or a wrong address) answered instead of the Atrium cloud.');
    case 'http':
      if (err.status === 401) return new LoadError('Your session has ended.', 'Taking you to the sign-in page…');
      return new LoadError(
        `The Atrium cloud answered ${err.status}${err.statusText ? ` ${err.statusText}` : ''} for ${path}.`,
        `A server answered, but without the data this page needs.${err.said ? ` It said: “${err.said}”.` : ''}`,
      );
  }
}

/**
 * @param {unknown} site
 * @returns {SiteModel}
 */
function checkSite(site) {
  const s = /** @type {Partial<SiteModel> | null} */ (site);
  if (!s || typeof s.name !== 'string' || !Array.isArray(s.floors) || !Array.isArray(s.zones)) {
    throw new LoadError('The site model from the cloud is not in the expected shape.', 'The cloud and this page may be from different versions; reload after an update, or check the cloud log.');
  }
  if (s.floors.length === 0 || s.zones.length === 0) throw new LoadError(`The site “${s.name}” has no floors or no zones to show.`, 'Check the site file the cloud was started with.');
  return /** @type {SiteModel} */ (s);
}

let attempt = 0;
/** @type {ReturnType<typeof setInterval> | undefined} */
let retryTimer;

async function boot() {
  clearInterval(retryTimer);
  ui.retry.disabled = true;
  if (!page) setConnection('connecting');
  socketClient().catch(() => undefined); // start the download now; connectLive reports a failure
  try {
    const [site, zones] = await Promise.all([getJson(API.site), getJson(API.zones)]);
    if (!page) build(checkSite(site));
    receive(zones);
    attempt = 0;
    hideProblem();
    await connectLive();
  } catch (err) {
    const e = err instanceof LoadError ? err : new LoadError('The control room could not start.', err instanceof Error ? err.message : String(err));
    console.error(err);
    if (!page) {
      setConnection('down');
      ui.siteName.textContent = 'Site not loaded';
    }
    scheduleRetry(e);
  } finally {
    ui.retry.disabled = false;
  }
}

/** @param {LoadError} err */
function scheduleRetry(err) {
  let left = Math.min(30, 3 * 2 ** attempt);
  attempt += 1;
  showProblem(
    page ? 'Live updates are not available' : err.message,
    page ? `${err.message} ${err.detail}` : err.detail,
    `What to do: check that the Atrium cloud service is running (on the server: npm start, or your service manager) and that this screen's network can reach ${location.origin}. Its own health check is at ${location.origin}/health. This page retries by itself.`,
    true,
  );
  const tick = () => {
    ui.retryIn.textContent = left > 0 ? `Retrying in ${left} s…` : 'Retrying…';
    if (left-- <= 0) {
      clearInterval(retryTimer);
      void boot();
    }
  };
  tick();
  retryTimer = setInterval(tick, 1000);
}

ui.retry.addEventListener('click', () => void boot());

/**
 * @param {string} title
 * @param {string} detail
 * @param {string} help
 * @param {boolean} retry  show the retry button and countdown (an error); otherwise a warning
 */
function showProblem(title, detail, help, retry) {
  ui.problem.classList.toggle('warn', !retry); // no retry button: the page recovers by itself
  ui.problemTitle.textContent = title;
  ui.problemDetail.textContent = detail;
  ui.problemHelp.textContent = help;
  ui.problemActions.hidden = !retry;
  ui.problem.hidden = false;
}

function hideProblem() {
  clearInterval(retryTimer);
  ui.problem.hidden = true;
}

// ---------------------------------------------------------------------------------------------
// Live connection

async function connectLive() {
  if (socket) return;
  /** @type {IoFactory} */
  let io;
  try {
    io = (await socketClient()).io;
  } catch {
    throw new LoadError(`The live-update client (${SOCKET_CLIENT}) could not be loaded.`, 'The plans show the state when the page loaded but will not update.');
  }
  // the session cookie travels with the handshake
  socket = /** @type {Socket} */ (io({ reconnectionDelay: 500, reconnectionDelayMax: 5000, timeout: 8000 }));
  socket.on('connect', () => setConnection('live'));
  socket.on('disconnect', (reason) => {
    setConnection(navigator.onLine ? 'reconnecting' : 'offline');
    // After a server-side disconnect socket.io does not retry by itself.
    if (reason === 'io server disconnect') socket?.connect();
  });
  socket.on('connect_error', () => setConnection(navigator.onLine ? 'reconnecting' : 'offline'));
  socket.on('hello', (msg) => receive(msg.zones));
  socket.on('clock', (r) => siteClock.set(r));
  page?.board.attach(socket);
  socket.on('zones', (zones) => receive(zones));
}

window.addEventListener('offline', () => setConnection('offline'));
window.addEventListener('online', () => {
  if (socket && !socket.connected) {
    setConnection('reconnecting');
    socket.connect();
  }
});

/** @param {ConnState} state */
function setConnection(state) {
  connState = state;
  ui.conn.dataset.state = state;
  const text = CONN_TEXT[state];
  if (ui.connText.textContent !== text) ui.connText.textContent = text;
  document.body.classList.toggle('stale', page !== null && state !== 'live');
  if (state === 'live') {
    clearTimeout(staleTimer);
    staleTimer = undefined;
    if (!ui.problem.hidden && ui.problemActions.hidden) hideProblem();
  } else if (page && socket && !staleTimer) {
    // counted from the moment the connection was lost, not from the latest failed retry
    staleTimer = setTimeout(() => {
      const since = lastDataAt ? ` since ${page?.clock.format(lastDataAt)}` : '';
      showProblem(
        'Live updates lost',
        `No connection to the Atrium cloud${since}. The plans and the table show the last values received and may be out of date.`,
        `What to do: nothing if this clears within a minute (the page reconnects by itself). Otherwise check that the cloud service is running and that this screen's network can reach ${location.origin} (health check: ${location.origin}/health).`,
        false,
      );
    }, STALE_WARNING_MS);
  }
  renderUpdated();
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** @param {SiteModel} site */
function build(site) {
  const floors = [...site.floors].sort((a, b) => a.level - b.level);
  const floorById = new Map(floors.map((f) => [f.id, f]));
  /** @type {Intl.DateTimeFormat} */
  let clock;
  try {
    // Times are the mall's; name the zone only when this screen is elsewhere.
    const elsewhere = Intl.DateTimeFormat().resolvedOptions().timeZone !== site.timezone;
    clock = new Intl.DateTimeFormat(undefined, { timeZone: site.timezone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', ...(elsewhere && { timeZoneName: 'short' }) });
  } catch {
    clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  }
  ui.siteName.textContent = site.name;
  document.title = `${site.name} · Atrium control room`;

  ui.legend.replaceChildren(
    ...[...DENSITY_LEVELS, NO_DATA].map((l) => {
      const li = document.createElement('li');
      li.className = `lvl-${l.id}`;
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.setAttribute('aria-hidden', 'true');
      const label = document.createElement('span');
      label.className = 'legend-label';
      label.textContent = l.label;
      const range = document.createElement('span');
      range.className = 'legend-range';
      range.textContent = l.id === 'none' ? '' : l.range;
      li.append(sw, label, range);
      return li;
    }),
  );

  /** @type {Map<string, FloorMap>} */
  const maps = new Map();
  /** @type {Map<string, HTMLElement>} */
  const floorLinks = new Map();
  for (const floor of floors) {
    const zones = site.zones.filter((z) => z.floorId === floor.id);
    const map = createFloorMap(floor, zones, { onSelect: (id) => select(id, 'map'), reducedMotion });
    maps.set(floor.id, map);
    ui.maps.append(map.element);
    const a = document.createElement('a');
    a.href = `#floor-${floor.id}`;
    a.textContent = floor.name;
    const n = document.createElement('span');
    n.className = 'floor-nav-count';
    a.append(' ', n);
    floorLinks.set(floor.id, n);
    ui.floorNav.append(a);
  }
  ui.floorNav.hidden = floors.length < 2;
  document.body.classList.toggle('single-floor', floors.length < 2);

  const table = createZoneTable(site.zones, floorById, { initial: loadSort(), onSelect: (id) => select(id, 'table'), onSort: saveSort, reducedMotion });
  ui.tableHost.replaceChildren(table.element);

  const board = createDispatchBoard({
    site,
    maps,
    clock: siteClock,
    ui: {
      alarmsList: ui.alarmsList,
      alarmsCount: ui.alarmsCount,
      alarmsEmpty: ui.alarmsEmpty,
      ordersList: ui.ordersList,
      ordersCount: ui.ordersCount,
      ordersEmpty: ui.ordersEmpty,
      problem: ui.dispatchProblem,
      drawer: ui.drawer,
      raiseToggle: ui.raiseToggle,
      raiseHost: ui.raiseHost,
      raiseStatus: ui.raiseStatus,
      mute: ui.mute,
    },
  });
  page = { site, zones: new Map(site.zones.map((z) => [z.id, z])), maps, floorLinks, table, board, live: new Map(), views: new Map(), clock, painted: false, selected: null, burst: changeBurst(site.zones.length, BURST_WINDOW_MS) };
  // Every zone starts as "no data" until the snapshot says otherwise.
  for (const z of site.zones) {
    const v = zoneView(undefined);
    page.views.set(z.id, v);
    maps.get(z.floorId)?.update(z.id, v, false);
    table.update(z.id, undefined, v, false);
  }
  ui.content.hidden = false;
}

/**
 * Queue zone states for the next frame; many pushes per frame cost one render.
 * @param {unknown} zones
 */
function receive(zones) {
  if (!Array.isArray(zones)) return;
  for (const z of zones) {
    if (z && typeof z === 'object' && typeof z.zoneId === 'string') pending.set(z.zoneId, /** @type {ZoneLive} */ (z));
  }
  lastDataAt = siteClock.now();
  renderUpdated();
  if (!frame) frame = requestAnimationFrame(flush);
}

function flush() {
  frame = 0;
  if (!page) return;
  const p = page;
  const drawn = [];
  for (const [id, live] of pending) {
    const zone = p.zones.get(id);
    if (!zone) continue;
    const prev = p.views.get(id);
    const next = zoneView(live);
    const ch = viewChanges(prev, next);
    drawn.push({ id, zone, live, prev, next, ch, shownChanged: ch.occupancy || ch.density || ch.level || ch.footfall || ch.co2 });
  }
  pending.clear();
  // Counted first: whether this frame's changes flash depends on how many there are.
  const highlight = !p.burst(performance.now(), drawn.filter((d) => d.shownChanged).length) && p.painted;
  let sortMoved = false;
  for (const { id, zone, live, prev, next, ch, shownChanged } of drawn) {
    p.live.set(id, live);
    if (shownChanged) {
      p.views.set(id, next);
      p.maps.get(zone.floorId)?.update(id, next, highlight && (ch.occupancy || ch.level));
    }
    // The table also keeps the raw values for sorting, which can move without the shown text.
    sortMoved = p.table.update(id, live, shownChanged ? next : prev ?? next, highlight && shownChanged) || sortMoved;
  }
  p.painted = true;
  if (sortMoved) scheduleSort();
  renderTotals(p);
}

function scheduleSort() {
  if (sortTimer) return;
  const wait = Math.max(0, lastSortAt + RESORT_EVERY_MS - Date.now());
  sortTimer = setTimeout(() => {
    sortTimer = undefined;
    lastSortAt = Date.now();
    page?.table.sort();
  }, wait);
}

/** @param {Page} p */
function renderTotals(p) {
  let people = 0;
  let any = false;
  let busy = 0;
  let crowded = 0;
  /** @type {Map<string, { people: number, any: boolean, busy: number, crowded: number }>} */
  const perFloor = new Map();
  for (const zone of p.site.zones) {
    const live = p.live.get(zone.id);
    const level = p.views.get(zone.id)?.level.id;
    const f = perFloor.get(zone.floorId) ?? { people: 0, any: false, busy: 0, crowded: 0 };
    perFloor.set(zone.floorId, f);
    if (live?.occupancy !== null && live?.occupancy !== undefined) {
      people += live.occupancy;
      f.people += live.occupancy;
      any = f.any = true;
    }
    if (level === 'busy') (busy++, f.busy++);
    if (level === 'crowded') (crowded++, f.crowded++);
  }
  setText(ui.kpiPeople, any ? fmtCount(people) : '—');
  setText(ui.kpiBusy, String(busy));
  setText(ui.kpiCrowded, String(crowded));
  ui.kpiCrowded.parentElement?.classList.toggle('alert', crowded > 0);
  for (const [floorId, map] of p.maps) {
    const f = perFloor.get(floorId) ?? { people: 0, any: false, busy: 0, crowded: 0 };
    const parts = [f.any ? `${fmtCount(f.people)} people` : 'no readings yet'];
    if (f.busy) parts.push(`${f.busy} busy`);
    if (f.crowded) parts.push(`${f.crowded} crowded`);
    map.setStats(parts);
    const link = p.floorLinks.get(floorId);
    if (link) setText(link, f.any ? fmtCount(f.people) : '');
  }
}

function renderUpdated() {
  if (!lastDataAt) return setText(ui.updated, '—');
  const clock = page?.clock;
  const time = clock ? clock.format(lastDataAt) : new Date(lastDataAt).toLocaleTimeString();
  const ageS = Math.round((siteClock.now() - lastDataAt) / 1000);
  // While live, a quiet mall sends nothing new, so an age would look like a fault; say it only when not live.
  const text = connState !== 'live' && ageS >= 5 ? `${time} (${formatAge(ageS)} ago)` : time;
  setText(ui.updated, text);
  ui.updated.setAttribute('datetime', new Date(lastDataAt).toISOString());
}
setInterval(renderUpdated, 1000);

/** @param {number} s */
function formatAge(s) {
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/**
 * @param {HTMLElement} el
 * @param {string} text
 */
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/**
 * @param {string} zoneId
 * @param {'map' | 'table'} from
 */
function select(zoneId, from) {
  if (!page) return;
  const next = page.selected === zoneId && from === 'map' ? null : zoneId;
  page.selected = next;
  for (const m of page.maps.values()) m.select(next);
  page.table.select(next);
  if (!next) return;
  if (from === 'map') page.table.reveal(next);
  else page.maps.get(page.zones.get(next)?.floorId ?? '')?.reveal(next);
}

/** "Fit all floors" (default) shows every plan at once; off, each plan is full width and the panel scrolls. */
function setupFitToggle() {
  /** @param {boolean} on */
  const apply = (on) => {
    document.body.classList.toggle('maps-fit', on);
    ui.fitToggle.setAttribute('aria-pressed', String(on));
  };
  let on = true;
  try {
    on = localStorage.getItem(FIT_STORAGE_KEY) !== 'false';
  } catch {
    // storage blocked: default
  }
  apply(on);
  ui.fitToggle.addEventListener('click', () => {
    on = !on;
    apply(on);
    try {
      localStorage.setItem(FIT_STORAGE_KEY, String(on));
    } catch {
      // not remembered
    }
  });
}
setupFitToggle();

/** @returns {Sort} */
function loadSort() {
  try {
    const s = JSON.parse(localStorage.getItem(SORT_STORAGE_KEY) ?? 'null');
    if (s && ['name', 'floor', 'occupancy', 'density', 'footfall', 'co2'].includes(s.key) && (s.dir === 'asc' || s.dir === 'desc')) return s;
  } catch {
    // storage blocked or garbage: fall back to the default
  }
  return { key: 'density', dir: 'desc' };
}

/** @param {Sort} sort */
function saveSort(sort) {
  try {
    localStorage.setItem(SORT_STORAGE_KEY, JSON.stringify(sort));
  } catch {
    // private mode: the sort just won't be remembered
  }
}

void requireSession(ROLES).then((session) => {
  showSignedIn(session, { button: byId('sign-out'), who: byId('signed-in-as') });
  return boot();
});
