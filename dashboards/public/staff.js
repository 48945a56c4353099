// @ts-check
/**
 * The staff phone page, for a signed-in staff member or supervisor. Who they are (the session), their
 * jobs (GET /api/v1/work-orders: the API gives staff only their own), their messages
 * (GET /api/v1/notifications), all kept live by socket.io (`work_order`, `notification` and
 * `staff` for their own room; every `hello` reloads the lists), and whether they can take
 * jobs (PATCH /api/v1/staff/{id}).
 */
import { requireSession, showSignedIn } from './session.js';
import { ApiError, callApi } from './api.js';
import { EVENTS, STAFF_ORDER_STATUSES, compareOrders, createLiveRows, explainError, siteTimeFormat } from './dispatch-model.js';
import { socketClient } from './socket-client.js';
import { createJobList } from './staff-jobs.js';

/** @typedef {import('./dispatch-model.js').WorkOrder} WorkOrder */
/** @typedef {import('./dispatch-model.js').StaffMember} StaffMember */
/** @typedef {import('./dispatch-model.js').Principal} Principal */
/** @typedef {import('./live-model.js').SiteModel} SiteModel */
/** @typedef {import('./dispatch-model.js').LiveSocket} Socket */

/** Who may use this page; anyone else is sent to their own home. */
const ROLES = ['staff', 'supervisor'];
const MAX_MESSAGES = 20;
/** @type {ReadonlySet<string>} */
const IN_HAND = new Set(STAFF_ORDER_STATUSES);

/** @template {HTMLElement} [T=HTMLElement] @param {string} id @returns {T} */
function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`staff.html has no #${id}`);
  return /** @type {T} */ (el);
}

const ui = {
  name: byId('me-name'),
  detail: byId('me-detail'),
  conn: byId('conn'),
  connText: byId('conn-text'),
  problem: byId('problem'),
  problemTitle: byId('problem-title'),
  problemDetail: byId('problem-detail'),
  retry: /** @type {HTMLButtonElement} */ (byId('retry')),
  content: byId('content'),
  available: /** @type {HTMLButtonElement} */ (byId('set-available')),
  onBreak: /** @type {HTMLButtonElement} */ (byId('set-break')),
  availNote: byId('avail-note'),
  jobs: byId('jobs'),
  jobsCount: byId('jobs-count'),
  jobsEmpty: byId('jobs-empty'),
  jobsSaid: byId('jobs-said'),
  messages: byId('messages'),
  messagesEmpty: byId('messages-empty'),
};

/** @type {{ me: Principal & { staffId: string }, site: SiteModel, fmtTime: (ts: number) => string } | null} */
let ctx = null;
/** @type {Socket | undefined} */
let socket;
let generation = 0;
/** @type {import('./dispatch-model.js').LiveRows<WorkOrder>} */
const jobs = createLiveRows((o) => o.assignee === ctx?.me.staffId && IN_HAND.has(o.status));

const jobList = createJobList({
  list: ui.jobs,
  count: ui.jobsCount,
  empty: ui.jobsEmpty,
  said: ui.jobsSaid,
  where: (zoneId) => {
    const zone = ctx?.site.zones.find((z) => z.id === zoneId);
    const floor = zone && ctx?.site.floors.find((f) => f.id === zone.floorId);
    return zone ? `${zone.name}${floor ? `, ${floor.name}` : ''}` : zoneId;
  },
  async act(order, step, body) {
    jobs.push(/** @type {WorkOrder} */ (await callApi('POST', `/api/v1/work-orders/${encodeURIComponent(order.id)}/${step}`, body)));
    renderJobs();
  },
});
setInterval(() => jobList.tick(), 1000);

const renderJobs = () => jobList.render([...jobs.values()].sort(compareOrders));

// ---------------------------------------------------------------------------------------------
// Start

/** @param {string} title @param {string} detail @param {boolean} retry */
function showProblem(title, detail, retry) {
  ui.problemTitle.textContent = title;
  ui.problemDetail.textContent = detail;
  ui.retry.hidden = !retry;
  ui.problem.hidden = false;
}

async function boot() {
  ui.problem.hidden = true;
  try {
    const me = (await requireSession(ROLES)).principal;
    if (!me.staffId) {
      setConnection('down');
      return showProblem('This account is not a member of staff.', `It belongs to “${me.userId}” (${me.role}). Ask the control room to link it to the roster.`, false);
    }
    const site = /** @type {SiteModel} */ (await callApi('GET', '/api/v1/site'));
    ctx = { me: { ...me, staffId: me.staffId }, site, fmtTime: siteTimeFormat(site.timezone) };
    ui.name.textContent = me.staffId;
    ui.detail.textContent = `${me.role === 'supervisor' ? 'Supervisor' : 'Staff'} · ${site.name}`;
    document.title = `My jobs · ${site.name}`;
    ui.content.hidden = false;
    await connect();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    setConnection('down');
    if (err.status === 401) return showProblem('Your session has ended.', 'Taking you to the sign-in page…', false);
    showProblem('Could not start.', explainError(err, 'load your jobs'), true);
  }
}
ui.retry.addEventListener('click', () => void boot());

async function connect() {
  if (socket) return;
  const { io } = await socketClient().catch(() => {
    throw new ApiError('network', '/socket.io/');
  });
  const s = (socket = /** @type {Socket} */ (io({ reconnectionDelay: 500, reconnectionDelayMax: 5000, timeout: 8000 })));
  s.on('connect', () => setConnection('live'));
  s.on('disconnect', (reason) => {
    setConnection('reconnecting');
    if (reason === 'io server disconnect') s.connect();
  });
  s.on('connect_error', () => setConnection('reconnecting'));
  s.on(EVENTS.hello, () => void load());
  s.on(EVENTS.workOrder, (m) => {
    jobs.push(m.order);
    renderJobs();
  });
  s.on(EVENTS.notification, (n) => {
    if (ctx && n.to.includes(ctx.me.staffId)) addMessages([{ at: Date.now(), message: n.message }]);
  });
  s.on(EVENTS.staff, (m) => {
    if (m.id === ctx?.me.staffId) showMember(m);
  });
}

/** Jobs and messages, on every (re)connection: whatever happened while away is in them. */
async function load() {
  const gen = ++generation;
  jobs.hold();
  try {
    const [orders, notes] = await Promise.all([
      callApi('GET', `/api/v1/work-orders?status=${STAFF_ORDER_STATUSES.join(',')}`),
      callApi('GET', `/api/v1/notifications?limit=${MAX_MESSAGES}`),
    ]);
    if (gen !== generation) return;
    jobs.adopt(/** @type {WorkOrder[]} */ (orders));
    ui.messages.replaceChildren();
    addMessages(/** @type {Array<{ at: number, message: string }>} */ (notes).slice().reverse());
    ui.jobsSaid.textContent = '';
  } catch (err) {
    if (gen !== generation) return;
    ui.jobsSaid.textContent = explainError(/** @type {ApiError} */ (err), 'load your jobs');
  } finally {
    if (gen === generation) {
      jobs.release();
      renderJobs();
    }
  }
}

/** @param {Array<{ at: number, message: string }>} notes oldest first */
function addMessages(notes) {
  for (const n of notes) {
    const li = document.createElement('li');
    const time = document.createElement('time');
    time.dateTime = new Date(n.at).toISOString();
    time.textContent = ctx?.fmtTime(n.at) ?? '';
    const text = document.createElement('span');
    text.textContent = n.message;
    li.append(time, ' ', text);
    ui.messages.prepend(li);
  }
  while (ui.messages.children.length > MAX_MESSAGES) ui.messages.lastElementChild?.remove();
  ui.messagesEmpty.hidden = ui.messages.children.length > 0;
}

// ---------------------------------------------------------------------------------------------
// Available / on a break

/** @param {StaffMember} m */
function showMember(m) {
  ui.name.textContent = m.name;
  ui.available.setAttribute('aria-pressed', String(m.available));
  ui.onBreak.setAttribute('aria-pressed', String(!m.available));
  ui.availNote.textContent = m.available ? 'You can be given new jobs.' : 'On a break: no new jobs for you until you are back.';
}

/** @param {boolean} available */
async function setAvailable(available) {
  if (!ctx) return;
  ui.available.disabled = ui.onBreak.disabled = true;
  try {
    showMember(/** @type {StaffMember} */ (await callApi('PATCH', `/api/v1/staff/${encodeURIComponent(ctx.me.staffId)}`, { available })));
  } catch (err) {
    ui.availNote.textContent = explainError(/** @type {ApiError} */ (err), available ? 'say you are available' : 'say you are on a break');
  } finally {
    ui.available.disabled = ui.onBreak.disabled = false;
  }
}
ui.available.addEventListener('click', () => void setAvailable(true));
ui.onBreak.addEventListener('click', () => void setAvailable(false));

// ---------------------------------------------------------------------------------------------

/** @typedef {'connecting' | 'live' | 'reconnecting' | 'down'} ConnState */
/** @type {Record<ConnState, string>} */
const CONN_TEXT = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', down: 'Not connected' };
/** @param {ConnState} state */
function setConnection(state) {
  ui.conn.dataset.state = state;
  if (ui.connText.textContent !== CONN_TEXT[state]) ui.connText.textContent = CONN_TEXT[state];
  document.body.classList.toggle('stale', ctx !== null && state !== 'live');
}

void requireSession(ROLES).then((session) => {
  showSignedIn(session, { button: byId('sign-out') });
  return boot();
});
