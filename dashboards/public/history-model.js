// @ts-check
/**
 * Words and queries for the record of what happened: audit-trail actions in words, and the
 * history page's filters as the API's query string. No DOM here, so tests import it in Node.
 */

/** @typedef {import('@atrium/shared').OrderHistoryAction} OrderHistoryAction */

/** @type {Record<OrderHistoryAction, string>} */
const AUDIT_LABEL = {
  created: 'Created',
  assign: 'Assigned',
  unassign: 'Taken back',
  accept: 'Accepted',
  decline: 'Declined',
  arrive: 'Arrived on site',
  resolve: 'Resolved',
  verify: 'Verified',
  reopen: 'Reopened',
  cancel: 'Cancelled',
  sla_breach: 'SLA missed',
  alarm_linked: 'Further alarm joined',
  queued: 'Queued: nobody free',
};

/** @param {OrderHistoryAction} action */
export const auditLabel = (action) => AUDIT_LABEL[action] ?? action;

/** How many rows a history page shows at once (the API allows up to 1,000). */
export const HISTORY_PAGE = 50;

/**
 * @typedef {object} HistoryFilters
 * @property {'orders' | 'alarms'} kind
 * @property {string} zoneId  '' for any
 * @property {string} type  '' for any
 * @property {string} staff  '' for anyone
 * @property {number | null} from  site-clock epoch ms, inclusive
 * @property {number | null} to  exclusive
 * @property {string} q  text to find
 * @property {number} offset
 */

/**
 * The list query for the filters: closed ones only (cleared alarms; verified or cancelled
 * orders), newest first, one page.
 * @param {HistoryFilters} f
 */
export function historyQuery(f) {
  const p = new URLSearchParams();
  p.set('status', f.kind === 'orders' ? 'verified,cancelled' : 'cleared');
  if (f.zoneId) p.set('zoneId', f.zoneId);
  if (f.type) p.set('type', f.type);
  if (f.staff) p.set('staff', f.staff);
  if (f.from !== null) p.set('from', String(f.from));
  if (f.to !== null) p.set('to', String(f.to));
  const q = f.q.trim().slice(0, 100);
  if (q) p.set('q', q);
  // one more than shown: whether there is a next page, without counting them all
  p.set('limit', String(HISTORY_PAGE + 1));
  if (f.offset > 0) p.set('offset', String(f.offset));
  return `/api/v1/${f.kind === 'orders' ? 'work-orders' : 'alarms'}?${p}`;
}

/**
 * A date-time field's value (`2026-03-01T14:30`, the mall's wall clock) as epoch ms, in the
 * site's time zone whatever this screen's is. null when empty or not a time.
 * @param {string} value
 * @param {string} timeZone
 * @returns {number | null}
 */
export function siteLocalToEpoch(value, timeZone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  // The zone's offset at that wall time: guess with the offset at the UTC reading, then correct once (DST edges).
  const off1 = offsetAt(asUtc, timeZone);
  const off2 = offsetAt(asUtc - off1, timeZone);
  return asUtc - off2;
}

/**
 * Epoch ms as the field's value on the site's wall clock.
 * @param {number} ts
 * @param {string} timeZone
 */
export function epochToSiteLocal(ts, timeZone) {
  const d = new Date(ts + offsetAt(ts, timeZone));
  return d.toISOString().slice(0, 16);
}

/** The zone's offset from UTC at `ts`, in ms. @param {number} ts @param {string} timeZone */
function offsetAt(ts, timeZone) {
  /** @type {Intl.DateTimeFormat} */
  let f;
  try {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  } catch {
    return 0;
  }
  /** @type {Record<string, number>} */
  const parts = {};
  for (const p of f.formatToParts(ts)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return wall - Math.floor(ts / 1000) * 1000;
}
