// @ts-check
/**
 * The control room's open alarms: one list item per alarm, most severe and newest first,
 * with acknowledge and clear buttons and a way into its details. Rows are kept by id across
 * renders, so a push does not take the keyboard focus away from a button the operator is on.
 */
import { reconcileList } from './keyed-list.js';
import { ALARM_STATUS_LABEL, SEVERITY_LABEL, compareAlarms, explainError, typeLabel } from './dispatch-model.js';

/** @typedef {import('./dispatch-model.js').Alarm} Alarm */
/** @typedef {'acknowledge' | 'clear'} AlarmAction */

/**
 * @typedef {object} AlarmRow
 * @property {HTMLLIElement} li
 * @property {HTMLElement} severity
 * @property {HTMLElement} type
 * @property {HTMLElement} zone
 * @property {HTMLTimeElement} raised
 * @property {HTMLElement} status
 * @property {HTMLButtonElement} ack
 * @property {HTMLButtonElement} clear
 * @property {HTMLButtonElement} details
 * @property {HTMLElement} error
 * @property {string} key  what was last drawn, to skip identical pushes
 */

/**
 * @param {object} opts
 * @param {HTMLElement} opts.list  the <ul>
 * @param {HTMLElement} opts.count  the heading's count
 * @param {HTMLElement} opts.empty  shown when there is nothing open
 * @param {(zoneId: string | null) => string} opts.zoneName
 * @param {(ts: number) => string} opts.fmtTime  in the site's time zone
 * @param {(alarm: Alarm, action: AlarmAction) => Promise<void>} opts.act  throws an ApiError when refused
 * @param {(alarm: Alarm, from: HTMLElement) => void} opts.details  opens the alarm's detail (focus returns to `from`)
 */
export function createAlarmsPanel(opts) {
  /** @type {Map<string, AlarmRow>} */
  const rows = new Map();

  /** @param {Alarm} a */
  const build = (a) => {
    const li = document.createElement('li');
    li.className = 'alarm';
    li.dataset.alarmId = a.id;
    const head = el('p', 'alarm-head');
    const severity = el('span', 'sev');
    const type = el('span', 'alarm-type');
    const zone = el('span', 'alarm-zone');
    head.append(severity, ' ', type, ' ', zone);
    const meta = el('p', 'alarm-meta');
    const raised = /** @type {HTMLTimeElement} */ (document.createElement('time'));
    raised.className = 'alarm-raised';
    const status = el('span', 'alarm-status');
    meta.append('Raised ', raised, ' · ', status);
    const actions = el('div', 'row-actions');
    const ack = button('Acknowledge', 'act-ack');
    const clear = button('Clear', 'act-clear');
    const details = button('Details', 'act-details');
    actions.append(details, ack, clear);
    const error = el('p', 'row-error');
    error.setAttribute('role', 'alert');
    error.hidden = true;
    li.append(head, meta, actions, error);
    /** @type {AlarmRow} */
    const row = { li, severity, type, zone, raised, status, ack, clear, details, error, key: '' };
    details.addEventListener('click', () => {
      const alarm = current.get(li.dataset.alarmId ?? '');
      if (alarm) opts.details(alarm, details);
    });
    ack.addEventListener('click', () => run(row, 'acknowledge', 'acknowledge this alarm', 'Acknowledging…'));
    clear.addEventListener('click', () => run(row, 'clear', 'clear this alarm', 'Clearing…'));
    return row;
  };

  /** @type {Map<string, Alarm>} */
  const current = new Map();

  /**
   * @param {AlarmRow} row
   * @param {AlarmAction} action
   * @param {string} doing
   * @param {string} busyText
   */
  async function run(row, action, doing, busyText) {
    const alarm = current.get(row.li.dataset.alarmId ?? '');
    if (!alarm) return;
    const btn = action === 'acknowledge' ? row.ack : row.clear;
    const label = btn.textContent;
    row.ack.disabled = row.clear.disabled = true;
    btn.textContent = busyText;
    row.error.hidden = true;
    try {
      await opts.act(alarm, action);
    } catch (err) {
      row.error.textContent = explainError(/** @type {import('./api.js').ApiError} */ (err), doing);
      row.error.hidden = false;
    } finally {
      btn.textContent = label;
      row.ack.disabled = row.clear.disabled = false;
      const still = current.get(alarm.id);
      if (still) update(row, still, true);
    }
  }

  /**
   * @param {AlarmRow} row
   * @param {Alarm} a
   * @param {boolean} [force]
   */
  function update(row, a, force = false) {
    const zoneName = opts.zoneName(a.zoneId);
    const key = `${a.status}|${a.severity}|${a.type}|${zoneName}|${a.raisedAt}`;
    if (key === row.key && !force) return;
    row.key = key;
    const type = typeLabel(a.type);
    row.li.className = `alarm sev-${a.severity} st-${a.status}`;
    row.severity.textContent = SEVERITY_LABEL[a.severity];
    row.type.textContent = type;
    row.zone.textContent = zoneName;
    row.raised.textContent = opts.fmtTime(a.raisedAt);
    row.raised.dateTime = new Date(a.raisedAt).toISOString();
    row.status.textContent = ALARM_STATUS_LABEL[a.status];
    row.ack.hidden = a.status !== 'raised';
    row.ack.setAttribute('aria-label', `Acknowledge ${type} in ${zoneName}`);
    row.clear.setAttribute('aria-label', `Clear ${type} in ${zoneName}`);
    row.details.setAttribute('aria-label', `Details of ${type} in ${zoneName}`);
  }

  return {
    /** Draws exactly these alarms (the open ones), in order. @param {Iterable<Alarm>} alarms */
    render(alarms) {
      const sorted = [...alarms].sort(compareAlarms);
      current.clear();
      for (const a of sorted) current.set(a.id, a);
      reconcileList(opts, rows, sorted, build, update);
    },
  };
}

/**
 * @param {string} tag
 * @param {string} className
 */
function el(tag, className) {
  const e = document.createElement(tag);
  e.className = className;
  return e;
}

/**
 * @param {string} text
 * @param {string} className
 */
export function button(text, className) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = className;
  b.textContent = text;
  return b;
}
