// @ts-check
/**
 * The control room's history: closed work orders (verified or cancelled) and cleared alarms,
 * found by zone, type, member of staff, a time range on the mall's clock and free text,
 * newest first, a page at a time. The filters are the API's (the cloud searches; nothing is
 * downloaded to be filtered here) and live in the address, so a search can be shared.
 * Each row opens the same detail drawer as the live page, read-only.
 */
import { callApi } from './api.js';
import { requireSession, showSignedIn } from './session.js';
import { mountControlNav } from './control-nav.js';
import { createSiteClock } from './site-clock.js';
import { createDetailDrawer } from './detail-drawer.js';
import { ALARM_STATUS_LABEL, ORDER_STATUS_LABEL, SEVERITY_LABEL, explainError, siteTimeFormat, typeLabel } from './dispatch-model.js';
import { HISTORY_PAGE, epochToSiteLocal, historyQuery, siteLocalToEpoch } from './history-model.js';

/** @typedef {import('./dispatch-model.js').Alarm} Alarm */
/** @typedef {import('./dispatch-model.js').WorkOrder} WorkOrder */
/** @typedef {import('./dispatch-model.js').StaffMember} StaffMember */
/** @typedef {import('./live-model.js').SiteModel} SiteModel */
/** @typedef {import('./history-model.js').HistoryFilters} HistoryFilters */

const ROLES = ['admin', 'operator', 'supervisor'];

/**
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @returns {T}
 */
function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`history.html has no #${id}`);
  return /** @type {T} */ (el);
}

const ui = {
  form: /** @type {HTMLFormElement} */ (byId('filters')),
  q: /** @type {HTMLInputElement} */ (byId('f-q')),
  zone: /** @type {HTMLSelectElement} */ (byId('f-zone')),
  type: /** @type {HTMLInputElement} */ (byId('f-type')),
  types: byId('f-types'),
  staff: /** @type {HTMLSelectElement} */ (byId('f-staff')),
  from: /** @type {HTMLInputElement} */ (byId('f-from')),
  to: /** @type {HTMLInputElement} */ (byId('f-to')),
  body: byId('results-body'),
  summary: byId('results-summary'),
  problem: byId('results-problem'),
  newer: /** @type {HTMLButtonElement} */ (byId('newer')),
  older: /** @type {HTMLButtonElement} */ (byId('older')),
  siteName: byId('site-name'),
};

mountControlNav(byId('control-nav'), 'history');
const clock = createSiteClock();

/** @typedef {{ site: SiteModel, staff: Map<string, StaffMember>, fmt: (ts: number) => string, drawer: ReturnType<typeof createDetailDrawer> }} Ctx */
/** @type {Ctx | null} */
let ctx = null;
let offset = 0;
let searchSeq = 0;

/** @returns {'orders' | 'alarms'} */
const kind = () => (/** @type {HTMLInputElement | null} */ (ui.form.querySelector('input[name=kind]:checked'))?.value === 'alarms' ? 'alarms' : 'orders');

/** @returns {HistoryFilters} */
function filters() {
  const tz = ctx?.site.timezone ?? 'UTC';
  return {
    kind: kind(),
    zoneId: ui.zone.value,
    type: ui.type.value.trim().toLowerCase().replace(/\s+/g, '_'),
    staff: ui.staff.value,
    from: siteLocalToEpoch(ui.from.value, tz),
    to: siteLocalToEpoch(ui.to.value, tz),
    q: ui.q.value,
    offset,
  };
}

/** The filters in the address (without reloading), so the search can be bookmarked or sent. @param {HistoryFilters} f */
function remember(f) {
  const p = new URLSearchParams();
  if (f.kind === 'alarms') p.set('kind', 'alarms');
  for (const [k, v] of /** @type {const} */ ([['q', f.q.trim()], ['zoneId', f.zoneId], ['type', f.type], ['staff', f.staff], ['from', ui.from.value], ['to', ui.to.value]])) if (v) p.set(k, v);
  if (f.offset) p.set('offset', String(f.offset));
  history.replaceState(null, '', `${location.pathname}${p.size ? `?${p}` : ''}`);
}

function restore() {
  const p = new URLSearchParams(location.search);
  if (p.get('kind') === 'alarms') /** @type {HTMLInputElement} */ (ui.form.querySelector('input[value=alarms]')).checked = true;
  ui.q.value = p.get('q') ?? '';
  ui.zone.value = p.get('zoneId') ?? '';
  ui.type.value = p.get('type') ?? '';
  ui.staff.value = p.get('staff') ?? '';
  ui.from.value = p.get('from') ?? '';
  ui.to.value = p.get('to') ?? '';
  offset = Math.max(0, Math.min(100_000, Number(p.get('offset')) || 0));
}

async function search() {
  if (!ctx) return;
  const c = ctx;
  const seq = ++searchSeq;
  const f = filters();
  remember(f);
  ui.problem.hidden = true;
  ui.summary.textContent = 'Searching…';
  ui.body.setAttribute('aria-busy', 'true');
  try {
    const rows = /** @type {Array<Alarm | WorkOrder>} */ (await callApi('GET', historyQuery(f)));
    if (seq !== searchSeq) return;
    const more = rows.length > HISTORY_PAGE;
    const page = rows.slice(0, HISTORY_PAGE);
    ui.body.replaceChildren(...page.map((r) => ('ruleId' in r ? alarmRow(c, r) : orderRow(c, r))));
    const what = f.kind === 'orders' ? 'closed work orders' : 'cleared alarms';
    ui.summary.textContent = page.length === 0 ? `No ${what} match.` : `${what[0]?.toUpperCase()}${what.slice(1)} ${f.offset + 1}–${f.offset + page.length}${more ? ', more older ones' : ''}, newest first.`;
    ui.newer.disabled = f.offset === 0;
    ui.older.disabled = !more;
  } catch (err) {
    if (seq !== searchSeq) return;
    ui.problem.textContent = explainError(/** @type {import('./api.js').ApiError} */ (err), 'search the history');
    ui.problem.hidden = false;
    ui.summary.textContent = '';
  } finally {
    if (seq === searchSeq) ui.body.removeAttribute('aria-busy');
  }
}

/**
 * @param {Ctx} c
 * @param {WorkOrder} o
 */
function orderRow(c, o) {
  const who = o.resolvedBy ?? o.assignee;
  const closedBy = o.history[o.history.length - 1];
  const outcome = `${ORDER_STATUS_LABEL[o.status]}${closedBy?.reason && o.status === 'cancelled' ? `: ${closedBy.reason}` : ''}`;
  return row(c, o.createdAt, `P${o.priority} ${typeLabel(o.type)}`, o.zoneId, who ? name(c, who) : '—', outcome, o.id, () => c.drawer.openOrder(o.id));
}

/**
 * @param {Ctx} c
 * @param {Alarm} a
 */
function alarmRow(c, a) {
  const by = a.clearedBy ?? a.acknowledgedBy;
  const outcome = `${ALARM_STATUS_LABEL[a.status]}${a.clearReason ? ` (${a.clearReason})` : ''}`;
  return row(c, a.raisedAt, `${SEVERITY_LABEL[a.severity]}: ${typeLabel(a.type)}`, a.zoneId, by ? name(c, by) : '—', outcome, a.id, () => c.drawer.openAlarm(a.id));
}

/** @param {Ctx} c @param {string} id */
const name = (c, id) => (id === 'system' ? 'Atrium' : (c.staff.get(id)?.name ?? id));

/**
 * @param {Ctx} c
 * @param {number} at
 * @param {string} what
 * @param {string | null} zoneId
 * @param {string} who
 * @param {string} outcome
 * @param {string} id
 * @param {() => void} open
 */
function row(c, at, what, zoneId, who, outcome, id, open) {
  const tr = document.createElement('tr');
  tr.dataset.id = id;
  const time = document.createElement('time');
  time.dateTime = new Date(at).toISOString();
  time.textContent = c.fmt(at);
  const zone = zoneId ? (c.site.zones.find((z) => z.id === zoneId)?.name ?? zoneId) : '—';
  const details = document.createElement('button');
  details.type = 'button';
  details.className = 'act-details';
  details.textContent = 'Details';
  details.setAttribute('aria-label', `Details of ${id}: ${what} in ${zone}`);
  details.addEventListener('click', open);
  const cells = [time, what, zone, who, outcome, details];
  for (const v of cells) {
    const td = document.createElement('td');
    td.append(v);
    tr.append(td);
  }
  return tr;
}

ui.form.addEventListener('submit', (e) => {
  e.preventDefault();
  offset = 0;
  void search();
});
ui.form.addEventListener('reset', () => {
  // after the browser has reset the fields
  setTimeout(() => {
    offset = 0;
    void search();
  });
});
for (const radio of ui.form.querySelectorAll('input[name=kind]')) radio.addEventListener('change', () => {
  offset = 0;
  void search();
});
ui.newer.addEventListener('click', () => {
  offset = Math.max(0, offset - HISTORY_PAGE);
  void search();
});
ui.older.addEventListener('click', () => {
  offset += HISTORY_PAGE;
  void search();
});

async function boot() {
  const [site, staff] = /** @type {[SiteModel, StaffMember[], void]} */ (await Promise.all([callApi('GET', '/api/v1/site'), callApi('GET', '/api/v1/staff'), clock.ready]));
  ui.siteName.textContent = `${site.name}: history`;
  document.title = `History · ${site.name} · Atrium control room`;
  for (const el of document.querySelectorAll('.tz')) el.textContent = `the mall's time, ${site.timezone}`;
  for (const z of [...site.zones].sort((a, b) => a.name.localeCompare(b.name))) ui.zone.append(new Option(z.name, z.id));
  for (const m of [...staff].sort((a, b) => a.name.localeCompare(b.name))) ui.staff.append(new Option(m.name === m.id ? m.id : `${m.name} (${m.id})`, m.id));
  for (const t of ['spill', 'cleaning', 'repair', 'security_check', 'security_breach', 'restroom_cleaning', 'air_quality']) ui.types.append(new Option(typeLabel(t), t));
  const siteTime = siteTimeFormat(site.timezone);
  const fmt = (/** @type {number} */ ts) => siteTime(ts, clock.now());
  const staffById = new Map(staff.map((m) => [m.id, m]));
  const drawer = createDetailDrawer({
    host: byId('detail'),
    zoneName: (id) => (id ? (site.zones.find((z) => z.id === id)?.name ?? id) : 'somewhere on site'),
    staffName: (id) => staffById.get(id)?.name ?? id,
    fmtTime: fmt,
    now: () => clock.now(),
    readOnly: true,
  });
  ctx = { site, staff: staffById, fmt, drawer };
  // Empty range fields start as the last seven days on the mall's clock, shown so they can be changed.
  restore();
  if (!ui.from.value && !new URLSearchParams(location.search).has('from')) ui.from.value = epochToSiteLocal(clock.now() - 7 * 86_400_000, site.timezone);
  await search();
}

void requireSession(ROLES).then((session) => {
  showSignedIn(session, { button: byId('sign-out'), who: byId('signed-in-as') });
  return boot().catch((err) => {
    ui.problem.textContent = explainError(/** @type {import('./api.js').ApiError} */ (err), 'load the history page');
    ui.problem.hidden = false;
  });
});
