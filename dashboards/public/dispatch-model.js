// @ts-check
/**
 * Pure helpers for alarms, work orders and staff, shared by the control room and the staff
 * phone page: ordering, the SLA clock, words for codes, and merging live rows. No DOM here,
 * so the unit tests import this module directly in Node.
 *
 * The row shapes and socket events are the shared package's schemas (what the API and the
 * socket send), imported for checking only, so the pages cannot drift from them.
 */

/** @typedef {import('@atrium/shared').Alarm} Alarm */
/** @typedef {import('@atrium/shared').WorkOrder} WorkOrder */
/** @typedef {import('@atrium/shared').OrderStatus} OrderStatus */
/** @typedef {import('@atrium/shared').SlaStage} SlaStage */
/** @typedef {import('@atrium/shared').StaffMember} StaffMember */
/** @typedef {import('@atrium/shared').NotifyEffect} Notify */
/** @typedef {import('@atrium/shared').Principal} Principal */
/** @typedef {Alarm['severity']} Severity */
/** A socket typed by the shared event maps: a handler for an event gets that event's payload. */
/** @typedef {import('socket.io-client').Socket<import('@atrium/shared').ServerToClientEvents, import('@atrium/shared').ClientToServerEvents>} LiveSocket */

/** The socket.io events the pages listen to; typed against the shared names so a rename fails the check. */
/** @type {Pick<typeof import('@atrium/shared').LIVE_EVENTS, 'hello' | 'alarm' | 'workOrder' | 'notification' | 'staff'>} */
export const EVENTS = { hello: 'hello', alarm: 'alarm', workOrder: 'work_order', notification: 'notification', staff: 'staff' };

/** What the control room lists: alarms not yet cleared, orders not yet closed. */
export const OPEN_ALARM_STATUSES = /** @type {const} */ (['raised', 'acknowledged']);
export const BOARD_ORDER_STATUSES = /** @type {const} */ (['open', 'assigned', 'accepted', 'on_site', 'resolved']);
/** What a member of staff has in hand. */
export const STAFF_ORDER_STATUSES = /** @type {const} */ (['assigned', 'accepted', 'on_site']);

/** @type {Record<Severity, number>} */
const SEVERITY_RANK = { critical: 4, major: 3, minor: 2, info: 1 };
/** @type {Record<Severity, string>} */
export const SEVERITY_LABEL = { critical: 'Critical', major: 'Major', minor: 'Minor', info: 'Info' };

/** @type {Record<Alarm['status'], string>} */
export const ALARM_STATUS_LABEL = { raised: 'Raised', acknowledged: 'Acknowledged', cleared: 'Cleared' };

/** @type {Record<OrderStatus, string>} */
export const ORDER_STATUS_LABEL = {
  open: 'Waiting for someone',
  assigned: 'Assigned',
  accepted: 'Accepted',
  on_site: 'On site',
  resolved: 'Resolved, to verify',
  verified: 'Verified',
  cancelled: 'Cancelled',
};

/** @type {Record<SlaStage, string>} */
const STAGE_LABEL = { accept: 'Accept', arrive: 'Arrive', resolve: 'Resolve' };

/** `security_breach` → `Security breach`: alarm and order types are slugs from the rules file. */
export function typeLabel(/** @type {string} */ type) {
  const words = type.replace(/[_-]+/g, ' ').trim();
  return words ? words[0]?.toUpperCase() + words.slice(1) : type;
}

/** Most severe first, then newest; ties by id so the order is stable. @param {Alarm} a @param {Alarm} b */
export function compareAlarms(a, b) {
  return SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.raisedAt - a.raisedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The SLA step an order is racing now and its deadline; null once resolved or closed.
 * Mirrors the cloud's breach check (dispatcher.ts): a step counts as done once its time is set.
 * @param {WorkOrder} o
 * @returns {{ stage: SlaStage, dueAt: number, breachedAt: number | null } | null}
 */
export function nextDue(o) {
  if (o.status === 'resolved' || o.status === 'verified' || o.status === 'cancelled') return null;
  /** @type {SlaStage} */
  const stage = o.acceptedAt === null ? 'accept' : o.arrivedAt === null ? 'arrive' : 'resolve';
  const dueAt = stage === 'accept' ? o.due.acceptBy : stage === 'arrive' ? o.due.arriveBy : o.due.resolveBy;
  return { stage, dueAt, breachedAt: o.breaches[stage] ?? null };
}

/** Priority first (P1 on top), then the nearest deadline; orders waiting for verification last. @param {WorkOrder} a @param {WorkOrder} b */
export function compareOrders(a, b) {
  const da = nextDue(a);
  const db = nextDue(b);
  if (!da !== !db) return da ? -1 : 1;
  return a.priority - b.priority || (da && db ? da.dueAt - db.dueAt : 0) || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** `95_000` → `1:35`, `4_000_000` → `1:06:40`, more than a day → `2 d 3 h`. @param {number} ms */
export function fmtDuration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s >= 86_400) return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/**
 * What the SLA cell says at `now`: the step, the time left (or how late), and whether it is
 * breached (past the deadline here, or already recorded as breached by the cloud).
 * @param {WorkOrder} o
 * @param {number} now
 * @returns {{ text: string, breached: boolean, stage: SlaStage | null }}
 */
export function slaView(o, now) {
  const d = nextDue(o);
  if (!d) return { text: o.status === 'resolved' ? 'Awaiting verification' : '—', breached: false, stage: null };
  const left = d.dueAt - now;
  const breached = left < 0 || d.breachedAt !== null;
  const text = left >= 0 ? `${STAGE_LABEL[d.stage]} in ${fmtDuration(left)}` : `${STAGE_LABEL[d.stage]} overdue ${fmtDuration(-left)}`;
  return { text, breached, stage: d.stage };
}

/** @param {StaffMember} m @param {number} now */
export const onShift = (m, now) => m.shifts.some((s) => s.from <= now && now < s.to);

/**
 * People the control room can give an order to: with the order's role, on shift, available,
 * not the one who has it now; fewest active jobs first, then by name.
 * @param {readonly StaffMember[]} roster
 * @param {WorkOrder} order
 * @param {ReadonlyMap<string, number>} activeJobs by staff id
 * @param {number} now
 */
export function reassignCandidates(roster, order, activeJobs, now) {
  return roster
    .filter((m) => m.roles.includes(order.role) && m.available && onShift(m, now) && m.id !== order.assignee)
    .sort((a, b) => (activeJobs.get(a.id) ?? 0) - (activeJobs.get(b.id) ?? 0) || a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
}

/** Orders that can still change hands (the cloud refuses once someone is on site). @param {WorkOrder} o */
export const canReassign = (o) => o.status === 'open' || o.status === 'assigned' || o.status === 'accepted';
/** @param {WorkOrder} o */
export const canCancel = (o) => o.status === 'open' || o.status === 'assigned' || o.status === 'accepted' || o.status === 'on_site';
/** Awaiting a person's sign-off (the order type's policy says a supervisor verifies). @param {WorkOrder} o */
export const canVerify = (o) => o.status === 'resolved' && o.verify.by === 'supervisor';

/**
 * @typedef {'accept' | 'decline' | 'arrive' | 'resolve'} StaffStep
 */
/**
 * The buttons a member of staff gets for one of their jobs, main step first.
 * @param {WorkOrder} o
 * @returns {StaffStep[]}
 */
export function staffSteps(o) {
  switch (o.status) {
    case 'assigned':
      return ['accept', 'decline'];
    case 'accepted':
      return ['arrive', 'decline'];
    case 'on_site':
      return ['resolve'];
    default:
      return [];
  }
}

/**
 * @template {{ id: string, history: readonly unknown[] }} T
 * @typedef {object} LiveRows
 * @property {() => void} hold  from now on, pushes wait until the list arrives (adopt) or fails (release)
 * @property {(list: readonly T[]) => void} adopt  the list replaces the rows, then the held pushes apply on top
 * @property {() => void} release  the list did not come: apply the held pushes to what there was
 * @property {(row: T) => void} push  a row from a push or from an action's answer
 * @property {() => IterableIterator<T>} values
 * @property {(id: string) => T | undefined} get
 */

/**
 * The rows a page shows, kept current from a list load plus pushes. Pushes and list loads
 * can cross on the wire; a row's history only ever grows, so its length says which of two
 * copies of the same alarm or order is newer, and an older copy never replaces a newer one.
 * @template {{ id: string, history: readonly unknown[] }} T
 * @param {(row: T) => boolean} shown  whether a row belongs in the view (e.g. still open)
 * @returns {LiveRows<T>}
 */
export function createLiveRows(shown) {
  /** @type {Map<string, T>} */
  let rows = new Map();
  /** history length last applied, by id; kept after a row leaves the view */
  const versions = new Map();
  /** @type {T[] | null} */
  let held = null;
  /** @param {T} row */
  const apply = (row) => {
    const seen = versions.get(row.id);
    if (seen !== undefined && seen > row.history.length) return;
    versions.set(row.id, row.history.length);
    if (shown(row)) rows.set(row.id, row);
    else rows.delete(row.id);
  };
  const replay = () => {
    const pushes = held ?? [];
    held = null;
    for (const row of pushes) apply(row);
  };
  return {
    hold() {
      held ??= [];
    },
    adopt(list) {
      /** @type {Map<string, T>} */
      const next = new Map();
      for (const row of list) {
        // Pushed here before the list was read, and newer than the list's copy: keep it.
        const mine = rows.get(row.id);
        const keep = mine && mine.history.length > row.history.length ? mine : row;
        versions.set(row.id, keep.history.length);
        if (shown(keep)) next.set(row.id, keep);
      }
      rows = next;
      replay();
    },
    release: replay,
    push(row) {
      if (held) held.push(row);
      else apply(row);
    },
    values: () => rows.values(),
    get: (id) => rows.get(id),
  };
}

/**
 * What to tell a person when the cloud refuses or cannot be reached, in words first, with
 * the cloud's own message after it for the record.
 * @param {{ kind: string, status: number, code: string, said: string }} err an ApiError
 * @param {string} doing e.g. "decline this job"
 */
export function explainError(err, doing) {
  if (typeof err?.kind !== 'string') return `Could not ${doing}: something went wrong on this page. Reload it and try again.`;
  const said = err.said ? ` (The cloud said: “${err.said}”.)` : '';
  if (err.kind === 'network') return `Could not ${doing}: no connection to the Atrium cloud. Check the network and try again.`;
  if (err.kind === 'timeout') return `Could not ${doing}: the Atrium cloud did not answer in time. Try again.`;
  if (err.kind === 'not_json') return `Could not ${doing}: something other than the Atrium cloud answered. Try again, or tell the control room.`;
  const aboutReason = err.code === 'ATRIUM_WORK_ORDER_REASON_REQUIRED' || (err.code === 'ATRIUM_INVALID_REQUEST' && /\breason\b/.test(err.said));
  if (aboutReason) return `A reason is needed to ${doing}: write a few words about why, then send it again.${said}`;
  switch (err.code) {
    case 'ATRIUM_WORK_ORDER_INVALID_TRANSITION':
    case 'ATRIUM_ALARM_INVALID_TRANSITION':
      return `Could not ${doing}: it has changed in the meantime, and the list now shows it as it is.${said}`;
    case 'ATRIUM_WORK_ORDER_NOT_ASSIGNEE':
      return `Could not ${doing}: this job is no longer assigned to you.${said}`;
    case 'ATRIUM_WORK_ORDER_NOT_FOUND':
    case 'ATRIUM_ALARM_NOT_FOUND':
      return `Could not ${doing}: the cloud does not know it (any more).${said}`;
    case 'ATRIUM_STAFF_UNAVAILABLE':
      return `Could not ${doing}: that person is not on shift or is on a break.${said}`;
    case 'ATRIUM_STAFF_LACKS_ROLE':
      return `Could not ${doing}: that person does not have the role this job needs.${said}`;
    case 'ATRIUM_UNAUTHENTICATED':
      return `Could not ${doing}: this key is not accepted any more. Ask the control room for a new link.${said}`;
    case 'ATRIUM_FORBIDDEN':
    case 'ATRIUM_NOT_SUPERVISOR':
      return `Could not ${doing}: you are not allowed to.${said}`;
    default:
      return `Could not ${doing}: the Atrium cloud answered ${err.status}.${said || ' Try again in a moment.'}`;
  }
}

/**
 * Times as the mall's clock shows them: the time of day for today (in the site's time zone),
 * with the date for anything older. The zone's name is added when this screen is elsewhere.
 * @param {string} timezone the site's IANA time zone
 * @returns {(ts: number, now?: number) => string}
 */
export function siteTimeFormat(timezone) {
  /** @param {string | undefined} tz */
  const make = (tz) => {
    const elsewhere = tz !== undefined && Intl.DateTimeFormat().resolvedOptions().timeZone !== tz;
    const zone = { ...(tz !== undefined && { timeZone: tz }), ...(elsewhere && { timeZoneName: /** @type {const} */ ('short') }) };
    return {
      day: new Intl.DateTimeFormat('en-CA', { ...(tz !== undefined && { timeZone: tz }), year: 'numeric', month: '2-digit', day: '2-digit' }),
      time: new Intl.DateTimeFormat(undefined, { ...zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }),
      dated: new Intl.DateTimeFormat(undefined, { ...zone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
    };
  };
  let f;
  try {
    f = make(timezone);
  } catch {
    f = make(undefined); // an unknown zone name: this screen's own clock rather than nothing
  }
  const { day, time, dated } = f;
  return (ts, now = Date.now()) => (day.format(ts) === day.format(now) ? time.format(ts) : dated.format(ts));
}
