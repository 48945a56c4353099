// @ts-check
/**
 * The control room's alarms and work orders: keeps the open ones, loads the lists on every
 * (re)connection, follows the socket.io pushes, sends the operators' actions to the REST API
 * and marks zones with an open alarm on the floor plans.
 *
 * Pushes that arrive while the lists load are held and replayed on top of them
 * (createLiveRows), so a late list never undoes a push.
 */
import { callApi } from './api.js';
import { createAlarmsPanel } from './alarms-panel.js';
import { createOrdersPanel } from './orders-panel.js';
import { createDetailDrawer } from './detail-drawer.js';
import { createRaiseOrder } from './raise-order.js';
import { createAlarmCue } from './alarm-cue.js';
import { BOARD_ORDER_STATUSES, EVENTS, OPEN_ALARM_STATUSES, SEVERITY_LABEL, compareAlarms, createLiveRows, explainError, onShift, reassignCandidates, siteTimeFormat, typeLabel } from './dispatch-model.js';

/** @typedef {import('./dispatch-model.js').Alarm} Alarm */
/** @typedef {import('./dispatch-model.js').WorkOrder} WorkOrder */
/** @typedef {import('./dispatch-model.js').StaffMember} StaffMember */
/** @typedef {import('./live-model.js').SiteModel} SiteModel */
/** @typedef {import('./floor-map.js').FloorMap} FloorMap */
/** @typedef {import('./dispatch-model.js').LiveSocket} Socket */
/** @typedef {import('./site-clock.js').SiteClock} SiteClock */

const RETRY_MS = 5_000;
const ACTIVE = new Set(['assigned', 'accepted', 'on_site']);
/** @type {ReadonlySet<string>} */
const OPEN_ALARM = new Set(OPEN_ALARM_STATUSES);
/** @type {ReadonlySet<string>} */
const ON_BOARD = new Set(BOARD_ORDER_STATUSES);

/**
 * @param {object} opts
 * @param {SiteModel} opts.site
 * @param {Map<string, FloorMap>} opts.maps by floor id
 * @param {SiteClock} opts.clock  the site's clock: every countdown and time
 * @param {{ alarmsList: HTMLElement, alarmsCount: HTMLElement, alarmsEmpty: HTMLElement, ordersList: HTMLElement, ordersCount: HTMLElement, ordersEmpty: HTMLElement, problem: HTMLElement,
 *   drawer: HTMLElement, raiseToggle: HTMLButtonElement, raiseHost: HTMLElement, raiseStatus: HTMLElement, mute: HTMLButtonElement }} opts.ui
 */
export function createDispatchBoard({ site, maps, clock, ui }) {
  const zones = new Map(site.zones.map((z) => [z.id, z]));
  const zoneName = (/** @type {string | null} */ id) => (id ? (zones.get(id)?.name ?? id) : 'somewhere on site');
  const siteTime = siteTimeFormat(site.timezone);
  const fmtTime = (/** @type {number} */ ts) => siteTime(ts, clock.now());
  /** People by name; user ids that are not on the roster (an operator) stay as they are. */
  const staffName = (/** @type {string} */ id) => roster.get(id)?.name ?? id;
  const cue = createAlarmCue(ui.mute);

  /** @type {import('./dispatch-model.js').LiveRows<Alarm>} */
  const alarms = createLiveRows((a) => OPEN_ALARM.has(a.status));
  /** @type {import('./dispatch-model.js').LiveRows<WorkOrder>} */
  const orders = createLiveRows((o) => ON_BOARD.has(o.status));
  /** @type {Map<string, StaffMember>} the roster; a push replaces one person */
  const roster = new Map();
  let generation = 0;
  /** @type {Socket | undefined} */
  let socket;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let retryTimer;
  let frame = 0;

  const alarmsPanel = createAlarmsPanel({
    list: ui.alarmsList,
    count: ui.alarmsCount,
    empty: ui.alarmsEmpty,
    zoneName,
    fmtTime,
    async act(alarm, action) {
      changed(/** @type {Alarm} */ (await callApi('POST', `/api/v1/alarms/${encodeURIComponent(alarm.id)}/${action}`, {})));
    },
    details: (alarm, from) => void drawer.openAlarm(alarm.id, from),
  });

  const ordersPanel = createOrdersPanel({
    list: ui.ordersList,
    count: ui.ordersCount,
    empty: ui.ordersEmpty,
    zoneName: (id) => zoneName(id),
    staffName,
    candidates,
    now: () => clock.now(),
    async act(order, cmd) {
      const path = `/api/v1/work-orders/${encodeURIComponent(order.id)}/${cmd.kind}`;
      const body = cmd.kind === 'assign' ? { staffId: cmd.staffId, ...(cmd.reason && { reason: cmd.reason }) } : cmd.kind === 'cancel' ? { reason: cmd.reason } : {};
      changed(/** @type {WorkOrder} */ (await callApi('POST', path, body)));
    },
    details: (order, from) => void drawer.openOrder(order.id, from),
  });
  setInterval(() => ordersPanel.tick(), 1000);

  const drawer = createDetailDrawer({
    host: ui.drawer,
    zoneName,
    staffName,
    fmtTime,
    now: () => clock.now(),
    liveAlarm: (id) => alarms.get(id),
    liveOrder: (id) => orders.get(id),
    candidates,
    onChanged: changed,
  });

  createRaiseOrder({ toggle: ui.raiseToggle, host: ui.raiseHost, status: ui.raiseStatus, site, onRaised: changed });

  /** @param {WorkOrder} order */
  function candidates(order) {
    return reassignCandidates([...roster.values()], order, activeJobs(), clock.now());
  }

  /** An action's answer: on the board and in the drawer at once, before the push arrives. @param {Alarm | WorkOrder} row */
  function changed(row) {
    if ('ruleId' in row) alarms.push(row);
    else orders.push(row);
    drawer.show(row);
    schedule();
  }

  function activeJobs() {
    /** @type {Map<string, number>} */
    const n = new Map();
    for (const o of orders.values()) if (o.assignee && ACTIVE.has(o.status)) n.set(o.assignee, (n.get(o.assignee) ?? 0) + 1);
    return n;
  }

  async function load() {
    const gen = ++generation;
    clearTimeout(retryTimer);
    alarms.hold();
    orders.hold();
    try {
      const [a, o, s] = await Promise.all([
        callApi('GET', `/api/v1/alarms?status=${OPEN_ALARM_STATUSES.join(',')}&limit=1000`),
        callApi('GET', `/api/v1/work-orders?status=${BOARD_ORDER_STATUSES.join(',')}&limit=1000`),
        callApi('GET', '/api/v1/staff'),
      ]);
      if (gen !== generation) return;
      alarms.adopt(/** @type {Alarm[]} */ (a));
      cue.known(/** @type {Alarm[]} */ (a));
      orders.adopt(/** @type {WorkOrder[]} */ (o));
      roster.clear();
      for (const m of /** @type {StaffMember[]} */ (s)) roster.set(m.id, m);
      ui.problem.hidden = true;
    } catch (err) {
      if (gen !== generation) return;
      const e = /** @type {import('./api.js').ApiError} */ (err);
      // A session that may not read these lists will not be let in by waiting.
      const hopeless = e.status === 401 || e.status === 403;
      ui.problem.textContent = `${explainError(e, 'load the alarms and work orders')}${hopeless ? '' : ` Retrying in ${RETRY_MS / 1000} s.`}`;
      ui.problem.hidden = false;
      if (!hopeless) retryTimer = setTimeout(() => {
        if (socket?.connected) void load();
      }, RETRY_MS);
    } finally {
      if (gen === generation) {
        alarms.release(); // no-op after adopt; after a failure the pushes still count
        orders.release();
        schedule();
      }
    }
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(render);
  }

  function render() {
    frame = 0;
    alarmsPanel.render(alarms.values());
    ordersPanel.render(orders.values());
    // The most severe open alarm of each zone marks it on its plan.
    /** @type {Map<string, Alarm>} */
    const worst = new Map();
    for (const a of alarms.values()) {
      if (!a.zoneId) continue;
      const w = worst.get(a.zoneId);
      if (!w || compareAlarms(a, w) < 0) worst.set(a.zoneId, a);
    }
    // Staff on shift where their zone is known, with what they are doing.
    /** @type {Map<string, Array<{ name: string, status: string }>>} */
    const people = new Map();
    const now = clock.now();
    const jobs = activeJobs();
    for (const m of roster.values()) {
      if (!m.zoneId || !onShift(m, now) || !m.roles.some((r) => r !== 'supervisor')) continue;
      const status = !m.available ? 'on a break' : (jobs.get(m.id) ?? 0) > 0 ? 'on a job' : 'free';
      people.set(m.zoneId, [...(people.get(m.zoneId) ?? []), { name: m.name, status }]);
    }
    for (const z of site.zones) {
      const a = worst.get(z.id);
      const map = maps.get(z.floorId);
      map?.setAlarm(z.id, a ? { label: typeLabel(a.type), severity: SEVERITY_LABEL[a.severity].toLowerCase() } : null);
      map?.setStaff(z.id, people.get(z.id) ?? []);
    }
  }

  return {
    /** Follows a live connection; every `hello` (first connection and each reconnection) reloads the lists. @param {Socket} s */
    attach(s) {
      socket = s;
      s.on(EVENTS.hello, () => void load());
      s.on(EVENTS.alarm, (m) => {
        alarms.push(m.alarm);
        cue.pushed(m.alarm);
        drawer.show(m.alarm);
        schedule();
      });
      s.on(EVENTS.workOrder, (m) => {
        orders.push(m.order);
        drawer.show(m.order);
        schedule();
      });
      s.on(EVENTS.staff, (m) => {
        roster.set(m.id, m);
        schedule();
      });
    },
  };
}
