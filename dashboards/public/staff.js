// @ts-check
/**
 * The staff phone page (an installable app: staff.webmanifest, staff-sw.js), for a signed-in
 * staff member or supervisor. Who they are (the session), their jobs (GET /api/v1/work-orders:
 * the API gives staff only their own) with what raised each (…/cause), the jobs they finished,
 * their messages (GET /api/v1/notifications), all kept live by socket.io (`work_order`,
 * `notification` and `staff` for their own room; every `hello` reloads the lists), and
 * whether they can take jobs (PATCH /api/v1/staff/{id}). Times and countdowns are on the
 * site's clock. Actions go through the phone's outbox (staff-queue.js), so one taken without
 * a connection is sent, once, when it returns.
 */
import { requireSession, SESSION_PATH, showSignedIn } from './session.js';
import { ApiError, callApi } from './api.js';
import { EVENTS, STAFF_ORDER_STATUSES, compareOrders, createLiveRows, explainError, siteTimeFormat, typeLabel } from './dispatch-model.js';
import { socketClient } from './socket-client.js';
import { createJobList } from './staff-jobs.js';
import { createHistoryList, FINISHED_STATUSES } from './staff-history.js';
import { createOutbox, withPending } from './staff-queue.js';
import { createJobAlert } from './staff-alert.js';
import { createSiteClock } from './site-clock.js';

/** @typedef {import('./dispatch-model.js').WorkOrder} WorkOrder */
/** @typedef {import('./dispatch-model.js').StaffMember} StaffMember */
/** @typedef {import('./dispatch-model.js').Principal} Principal */
/** @typedef {import('./live-model.js').SiteModel} SiteModel */
/** @typedef {import('./dispatch-model.js').LiveSocket} Socket */

/** Who may use this page; anyone else is sent to their own home. */
const ROLES = ['staff', 'supervisor'];
const MAX_MESSAGES = 20;
const MAX_HISTORY = 20;
/** How often a send that got no answer is tried again while the page thinks it is online. */
const RETRY_EVERY_MS = 5000;
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
  history: byId('history'),
  historyCount: byId('history-count'),
  historyEmpty: byId('history-empty'),
  outbox: byId('outbox'),
  sound: /** @type {HTMLInputElement} */ (byId('sound')),
};

/** @type {{ me: Principal & { staffId: string }, site: SiteModel, fmtTime: (ts: number, now?: number) => string } | null} */
let ctx = null;
/** the site's clock, from sign-in on (asking for it before would send a signed-out visitor to sign-in as "expired") */
/** @type {import('./site-clock.js').SiteClock | null} */
let clock = null;
/** Site time now; nothing is shown before the clock exists, so the 0 is never seen. */
const siteNow = () => clock?.now() ?? 0;
const alert = createJobAlert({ toggle: ui.sound });
/** @type {ReturnType<typeof createOutbox> | null} */
let outbox = null;
/** what each card is waiting for, by the outbox key of the action it sent */
/** @type {Map<string, { resolve: (v: 'applied' | 'queued') => void, reject: (e: unknown) => void }>} */
const waiters = new Map();
/** offers already announced (sound), so a reload or a repeat push does not ring again; a job offered again later rings again */
const announced = new Set();
/** @param {WorkOrder} o */
const offerOf = (o) => `${o.id}@${o.assignedAt}`;
/** @type {Map<string, Promise<string>>} */
const causes = new Map();
/** @type {Socket | undefined} */
let socket;
let generation = 0;
/** @type {import('./dispatch-model.js').LiveRows<WorkOrder>} */
const jobs = createLiveRows((o) => o.assignee === ctx?.me.staffId && IN_HAND.has(o.status));
/** finished jobs of mine, newest first (kept apart: the live rows drop what leaves the hand) */
/** @type {Map<string, WorkOrder>} */
let finished = new Map();

/** @param {string} zoneId */
const where = (zoneId) => {
  const zone = ctx?.site.zones.find((z) => z.id === zoneId);
  const floor = zone && ctx?.site.floors.find((f) => f.id === zone.floorId);
  return zone ? `${zone.name}${floor ? `, ${floor.name}` : ''}` : zoneId;
};
/** @param {number} ts */
const siteTime = (ts) => ctx?.fmtTime(ts, siteNow()) ?? '';

/** @type {Record<import('./dispatch-model.js').StaffStep, string>} */
const STEP_WORDS = { accept: 'accepted', decline: 'declined', arrive: 'arrived', resolve: 'resolved' };

const jobList = createJobList({
  list: ui.jobs,
  count: ui.jobsCount,
  empty: ui.jobsEmpty,
  said: ui.jobsSaid,
  where,
  now: siteNow,
  cause: (order) => {
    let c = causes.get(order.id);
    if (!c) {
      c = callApi('GET', `/api/v1/work-orders/${encodeURIComponent(order.id)}/cause`).then((r) => describeCause(order, /** @type {import('@atrium/shared').OrderCause} */ (r)));
      c.catch(() => causes.delete(order.id)); // offline now: ask again when the card is built again
      causes.set(order.id, c);
    }
    return c;
  },
  pending: (orderId) => {
    const waiting = outbox?.offlineFor(orderId) ?? [];
    return waiting.length === 0 ? '' : `Not sent yet (no connection): ${waiting.map((a) => STEP_WORDS[a.step]).join(', then ')}. It goes by itself when the connection returns.`;
  },
  act(order, step, body) {
    return new Promise((resolve, reject) => {
      const box = outbox;
      const key = box?.add(order.id, step, body);
      if (!box || !key) return reject(new Error('outbox full'));
      // Behind sends that found no connection, it waits too: say so now rather than when they go.
      if (box.waiting()) resolve('queued');
      else waiters.set(key, { resolve, reject });
    });
  },
});
setInterval(() => jobList.tick(), 1000);

const historyList = createHistoryList({ list: ui.history, count: ui.historyCount, empty: ui.historyEmpty, where, time: siteTime });

/** My jobs as they will be once what is queued on this phone reaches the cloud. */
function renderJobs() {
  const shown = [...jobs.values()].map((o) => withPending(o, outbox?.offlineFor(o.id) ?? [])).filter((o) => IN_HAND.has(o.status));
  jobList.render(shown.sort(compareOrders));
  const n = outbox?.waiting() ? outbox.size() : 0;
  ui.outbox.hidden = n === 0;
  ui.outbox.textContent = n === 0 ? '' : `${n === 1 ? '1 action' : `${n} actions`} saved on this phone, waiting for a connection to be sent.`;
}
const renderHistory = () => historyList.render([...finished.values()].sort((a, b) => (b.resolvedAt ?? b.closedAt ?? 0) - (a.resolvedAt ?? a.closedAt ?? 0)).slice(0, MAX_HISTORY));

/** @param {WorkOrder} order @param {import('@atrium/shared').OrderCause} c */
function describeCause(order, c) {
  if (c.alarms.length === 0) {
    // raised by a person (a phone call to the control room): their note says what it is about
    const note = order.history.find((h) => h.action === 'created')?.reason;
    return `Raised by hand in the control room${note ? `: ${note}` : '.'}`;
  }
  return c.alarms
    .map((a) => `${a.what}: ${a.reading ?? a.rule}${a.reading && a.rule ? `. ${a.rule}` : ''} (raised ${siteTime(a.raisedAt)})`)
    .join(' · ');
}

/** A row of mine from a push or an answer: in hand, just finished, or a new job to announce. @param {WorkOrder} o */
function takeRow(o) {
  jobs.push(o);
  const mine = o.assignee === ctx?.me.staffId || o.resolvedBy === ctx?.me.staffId;
  if (mine && /** @type {readonly string[]} */ (FINISHED_STATUSES).includes(o.status)) {
    finished.set(o.id, o);
    renderHistory();
  }
  if (o.assignee === ctx?.me.staffId && o.status === 'assigned' && !announced.has(offerOf(o))) {
    announced.add(offerOf(o));
    alert.newJob();
  }
}

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
    clock ??= createSiteClock();
    const [site, self] = await Promise.all([
      callApi('GET', '/api/v1/site').then((r) => /** @type {SiteModel} */ (r)),
      // their own roster entry: their name and whether they are on a break (a missing one is not fatal)
      callApi('GET', `/api/v1/staff/${encodeURIComponent(me.staffId)}`).then(
        (r) => /** @type {StaffMember} */ (r),
        () => null,
      ),
      clock.ready,
    ]);
    ctx = { me: { ...me, staffId: me.staffId }, site, fmtTime: siteTimeFormat(clock.timeZone() || site.timezone) };
    outbox ??= openOutbox(me.userId);
    ui.name.textContent = me.staffId;
    if (self) showMember(self);
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
  s.on('connect', () => {
    setConnection('live');
    void outbox?.flush();
  });
  s.on('clock', (r) => clock?.set(r));
  s.on('disconnect', (reason) => {
    setConnection('reconnecting');
    if (reason === 'io server disconnect') s.connect();
  });
  s.on('connect_error', () => setConnection('reconnecting'));
  s.on(EVENTS.hello, () => void load());
  s.on(EVENTS.workOrder, (m) => {
    takeRow(m.order);
    renderJobs();
  });
  s.on(EVENTS.notification, (n) => {
    if (ctx && n.to.includes(ctx.me.staffId)) addMessages([{ at: siteNow(), message: n.message }]);
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
    const [orders, done, notes] = await Promise.all([
      callApi('GET', `/api/v1/work-orders?status=${STAFF_ORDER_STATUSES.join(',')}`),
      callApi('GET', `/api/v1/work-orders?status=${FINISHED_STATUSES.join(',')}&limit=${MAX_HISTORY}`),
      callApi('GET', `/api/v1/notifications?limit=${MAX_MESSAGES}`),
    ]);
    if (gen !== generation) return;
    const list = /** @type {WorkOrder[]} */ (orders);
    // Jobs already waiting when the page opened were seen on the list: no sound for them.
    for (const o of list) announced.add(offerOf(o));
    jobs.adopt(list);
    finished = new Map(/** @type {WorkOrder[]} */ (done).map((o) => [o.id, o]));
    renderHistory();
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
    time.textContent = ctx?.fmtTime(n.at, siteNow()) ?? '';
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

// ---------------------------------------------------------------------------------------------
// The outbox: actions kept on the phone until the cloud has them

/** @param {string} userId */
function openOutbox(userId) {
  const box = createOutbox({
    storage: localStorage,
    storageKey: `atrium.staff.outbox.${userId}`,
    now: siteNow,
    newKey: () => crypto.randomUUID(),
    async send(a) {
      try {
        const order = /** @type {WorkOrder} */ (await callApi('POST', `/api/v1/work-orders/${encodeURIComponent(a.orderId)}/${a.step}`, a.body, { 'idempotency-key': a.key }));
        return { kind: 'applied', order };
      } catch (err) {
        // No answer, or the cloud could not do it now (restarting, store down): the same key goes again later.
        const e = /** @type {ApiError} */ (err);
        // A 401 is a session that ended: the page is off to sign-in, and the action goes after it, not nowhere.
        const retry = !(e instanceof ApiError) || e.kind === 'network' || e.kind === 'timeout' || e.status >= 500 || e.status === 429 || e.status === 401 || e.code === 'ATRIUM_IDEMPOTENCY_KEY_BUSY';
        return retry ? { kind: 'retry', error: err } : { kind: 'refused', error: err };
      }
    },
    onEvent(ev) {
      if (ev.kind === 'changed') return renderJobs();
      const waiter = waiters.get(ev.action.key);
      if (ev.kind === 'waiting') {
        // Everything queued waits for the connection now: no card should keep its button down.
        for (const w of waiters.values()) w.resolve('queued');
        waiters.clear();
        setTimeout(() => void box.flush(), RETRY_EVERY_MS);
        return;
      }
      waiters.delete(ev.action.key);
      if (ev.kind === 'applied') {
        takeRow(ev.order);
        renderJobs();
        if (waiter) waiter.resolve('applied');
        else ui.jobsSaid.textContent = `Sent now that the connection is back: ${STEP_WORDS[ev.action.step]}, ${typeLabel(ev.order.type)}, ${where(ev.order.zoneId)}.`;
      } else if (waiter) waiter.reject(ev.error);
      else ui.jobsSaid.textContent = explainError(/** @type {ApiError} */ (ev.error), `send “${STEP_WORDS[ev.action.step]}”, saved on this phone while offline`);
    },
  });
  addEventListener('online', () => void box.flush());
  return box;
}

// Installable, and opens without a connection: the service worker keeps the app's files.
if ('serviceWorker' in navigator) void navigator.serviceWorker.register('staff-sw.js', { scope: './staff' }).catch(() => undefined);

void requireSession(ROLES).then(
  (session) => {
    showSignedIn(session, { button: byId('sign-out') });
    return boot();
  },
  () => {
    // Opened from the home screen with no connection (the files came from the service worker):
    // say so, and start properly the moment the phone is back online.
    setConnection('down');
    showProblem('No connection to the Atrium cloud.', 'Your jobs appear here as soon as the phone is back online.', false);
    const again = () => location.reload();
    addEventListener('online', again, { once: true });
    // not every browser says when it is back: ask now and then (any answer at all means there is a connection)
    setInterval(() => void fetch(SESSION_PATH, { cache: 'no-store' }).then(again, () => undefined), RETRY_EVERY_MS);
  },
);
