// @ts-check
/**
 * The control room's active work orders: priority, status, who has it and the SLA clock to
 * the next deadline, red once it is missed. Operators can give an order to someone else (an
 * available person with the role, from the roster) or cancel it with a reason; an order a
 * supervisor must sign off can be verified. Forms open inside the row, so they work with
 * the keyboard and on a phone without a modal layer.
 */
import { reconcileList } from './keyed-list.js';
import { button } from './alarms-panel.js';
import { ORDER_STATUS_LABEL, canCancel, canReassign, canVerify, compareOrders, explainError, slaView, typeLabel } from './dispatch-model.js';

/** @typedef {import('./dispatch-model.js').WorkOrder} WorkOrder */
/** @typedef {import('./dispatch-model.js').StaffMember} StaffMember */
/**
 * @typedef {{ kind: 'assign', staffId: string, reason: string } | { kind: 'cancel', reason: string } | { kind: 'verify' }} OrderCommand
 */

/**
 * @typedef {object} OrderRow
 * @property {HTMLLIElement} li
 * @property {HTMLElement} prio
 * @property {HTMLElement} type
 * @property {HTMLElement} zone
 * @property {HTMLElement} status
 * @property {HTMLElement} assignee
 * @property {HTMLElement} sla
 * @property {HTMLButtonElement} reassign
 * @property {HTMLButtonElement} cancel
 * @property {HTMLButtonElement} verify
 * @property {HTMLButtonElement} details
 * @property {HTMLFormElement | null} form  the open reassign or cancel form
 * @property {HTMLElement} error
 * @property {string} key
 * @property {string} slaText
 */

/**
 * @param {object} opts
 * @param {HTMLElement} opts.list
 * @param {HTMLElement} opts.count
 * @param {HTMLElement} opts.empty
 * @param {(zoneId: string) => string} opts.zoneName
 * @param {(staffId: string) => string} opts.staffName
 * @param {(order: WorkOrder) => StaffMember[]} opts.candidates  who it could go to now
 * @param {(order: WorkOrder, cmd: OrderCommand) => Promise<void>} opts.act  throws an ApiError when refused
 * @param {() => number} opts.now  the site clock
 * @param {(order: WorkOrder, from: HTMLElement) => void} opts.details  opens the order's detail (focus returns to `from`)
 */
export function createOrdersPanel(opts) {
  /** @type {Map<string, OrderRow>} */
  const rows = new Map();
  /** @type {Map<string, WorkOrder>} */
  const current = new Map();

  /** @param {WorkOrder} o */
  function build(o) {
    const li = document.createElement('li');
    li.dataset.orderId = o.id;
    const head = document.createElement('p');
    head.className = 'order-head';
    const prio = span('prio');
    const type = span('order-type');
    const zone = span('order-zone');
    head.append(prio, ' ', type, ' ', zone);
    const facts = document.createElement('dl');
    facts.className = 'order-facts';
    const status = fact(facts, 'Status', 'order-status');
    const assignee = fact(facts, 'Assignee', 'order-assignee');
    const sla = fact(facts, 'SLA', 'order-sla');
    const actions = document.createElement('div');
    actions.className = 'row-actions';
    const reassign = button('Reassign…', 'act-reassign');
    const cancel = button('Cancel…', 'act-cancel');
    const verify = button('Verify', 'act-verify');
    const details = button('Details', 'act-details');
    reassign.setAttribute('aria-expanded', 'false');
    cancel.setAttribute('aria-expanded', 'false');
    actions.append(details, reassign, cancel, verify);
    const error = span('row-error');
    error.setAttribute('role', 'alert');
    error.hidden = true;
    li.append(head, facts, actions, error);
    /** @type {OrderRow} */
    const row = { li, prio, type, zone, status, assignee, sla, reassign, cancel, verify, details, form: null, error, key: '', slaText: '' };
    details.addEventListener('click', () => {
      const order = current.get(li.dataset.orderId ?? '');
      if (order) opts.details(order, details);
    });
    reassign.addEventListener('click', () => toggleForm(row, 'reassign'));
    cancel.addEventListener('click', () => toggleForm(row, 'cancel'));
    verify.addEventListener('click', () => void send(row, { kind: 'verify' }, 'verify this order', verify));
    return row;
  }

  /**
   * @param {OrderRow} row
   * @param {'reassign' | 'cancel'} which
   */
  function toggleForm(row, which) {
    const opener = which === 'reassign' ? row.reassign : row.cancel;
    const wasOpen = row.form?.dataset.form === which;
    closeForm(row, false);
    if (wasOpen) return opener.focus();
    const order = current.get(row.li.dataset.orderId ?? '');
    if (!order) return;
    const form = which === 'reassign' ? reassignForm(row, order) : cancelForm(row);
    form.dataset.form = which;
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        closeForm(row, true);
      }
    });
    row.form = form;
    opener.setAttribute('aria-expanded', 'true');
    row.li.insertBefore(form, row.error);
    /** @type {HTMLElement | null} */ (form.querySelector('select, textarea, input, button'))?.focus();
  }

  /** @param {OrderRow} row @param {boolean} refocus */
  function closeForm(row, refocus) {
    if (!row.form) return;
    const opener = row.form.dataset.form === 'reassign' ? row.reassign : row.cancel;
    row.form.remove();
    row.form = null;
    row.reassign.setAttribute('aria-expanded', 'false');
    row.cancel.setAttribute('aria-expanded', 'false');
    if (refocus) opener.focus();
  }

  /** @param {OrderRow} row @param {WorkOrder} order */
  function reassignForm(row, order) {
    const form = document.createElement('form');
    form.className = 'order-form';
    const people = opts.candidates(order);
    if (people.length === 0) {
      const p = document.createElement('p');
      p.textContent = `Nobody else with the role “${order.role}” is on shift and available now.`;
      const back = button('Back', 'act-back');
      back.addEventListener('click', () => closeForm(row, true));
      form.append(p, back);
      return form;
    }
    const pick = labelled('Give it to', document.createElement('select'));
    pick.field.name = 'staffId';
    for (const m of people) pick.field.append(new Option(m.name === m.id ? m.id : `${m.name} (${m.id})`, m.id));
    const reason = labelled('Reason (optional)', document.createElement('input'));
    reason.field.name = 'reason';
    reason.field.maxLength = 2000;
    const submit = document.createElement('button');
    submit.type = 'submit';
    submit.textContent = 'Reassign';
    const back = button('Back', 'act-back');
    back.addEventListener('click', () => closeForm(row, true));
    const buttons = document.createElement('div');
    buttons.className = 'row-actions';
    buttons.append(submit, back);
    form.append(pick.label, reason.label, buttons);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void send(row, { kind: 'assign', staffId: pick.field.value, reason: reason.field.value.trim() }, 'reassign this order', submit);
    });
    return form;
  }

  /** @param {OrderRow} row */
  function cancelForm(row) {
    const form = document.createElement('form');
    form.className = 'order-form';
    const reason = labelled('Why cancel it?', document.createElement('textarea'));
    reason.field.name = 'reason';
    reason.field.rows = 2;
    reason.field.maxLength = 2000;
    const submit = document.createElement('button');
    submit.type = 'submit';
    submit.className = 'danger';
    submit.textContent = 'Cancel the order';
    const back = button('Back', 'act-back');
    back.addEventListener('click', () => closeForm(row, true));
    const buttons = document.createElement('div');
    buttons.className = 'row-actions';
    buttons.append(submit, back);
    form.append(reason.label, buttons);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      // The cloud checks the reason (and says so in words); no second set of rules here.
      void send(row, { kind: 'cancel', reason: reason.field.value }, 'cancel this order', submit);
    });
    return form;
  }

  /**
   * @param {OrderRow} row
   * @param {OrderCommand} cmd
   * @param {string} doing
   * @param {HTMLButtonElement} btn
   */
  async function send(row, cmd, doing, btn) {
    const order = current.get(row.li.dataset.orderId ?? '');
    if (!order) return;
    btn.disabled = true;
    row.error.hidden = true;
    try {
      await opts.act(order, cmd);
      closeForm(row, false);
      requestAnimationFrame(() => focusFirstAction(row)); // after the redraw the answer triggers
    } catch (err) {
      row.error.textContent = explainError(/** @type {import('./api.js').ApiError} */ (err), doing);
      row.error.hidden = false;
    } finally {
      btn.disabled = false;
    }
  }

  /** After an action the button pressed may be gone; keep the keyboard in the row. @param {OrderRow} row */
  function focusFirstAction(row) {
    if (!row.li.isConnected || row.li.contains(document.activeElement)) return;
    const next = [row.reassign, row.cancel, row.verify].find((b) => !b.hidden);
    next?.focus();
  }

  /** @param {OrderRow} row @param {WorkOrder} o */
  function update(row, o) {
    const zoneName = opts.zoneName(o.zoneId);
    const who = o.assignee ? opts.staffName(o.assignee) : 'nobody yet';
    // Alarms grouped into one order (several sensors quiet in one zone) show as one row with their count.
    const grouped = o.alarmIds.length > 1 ? ` (${o.alarmIds.length} alarms)` : '';
    const key = `${o.status}|${o.priority}|${o.type}|${zoneName}|${who}|${grouped}`;
    if (key !== row.key) {
      row.key = key;
      const what = `${typeLabel(o.type)} in ${zoneName}`;
      row.prio.textContent = `P${o.priority}`;
      row.prio.title = `priority ${o.priority} (1 is the most urgent)`;
      row.type.textContent = typeLabel(o.type) + grouped;
      row.zone.textContent = zoneName;
      row.status.textContent = ORDER_STATUS_LABEL[o.status];
      row.assignee.textContent = who;
      row.reassign.hidden = !canReassign(o);
      row.cancel.hidden = !canCancel(o);
      row.verify.hidden = !canVerify(o);
      row.reassign.setAttribute('aria-label', `Reassign ${what}`);
      row.cancel.setAttribute('aria-label', `Cancel ${what}`);
      row.verify.setAttribute('aria-label', `Verify ${what}`);
      row.details.setAttribute('aria-label', `Details of ${what}`);
      // A form for a step that is no longer possible would only earn a refusal.
      if (row.form && ((row.form.dataset.form === 'reassign' && !canReassign(o)) || (row.form.dataset.form === 'cancel' && !canCancel(o)))) closeForm(row, false);
    }
    tickRow(row, o);
  }

  /** @param {OrderRow} row @param {WorkOrder} o */
  function tickRow(row, o) {
    const v = slaView(o, opts.now());
    const text = v.breached && !v.text.includes('overdue') ? `${v.text} (missed)` : v.text;
    if (text !== row.slaText) {
      row.slaText = text;
      row.sla.textContent = text;
    }
    row.li.className = `order prio-${Math.min(o.priority, 4)} st-${o.status}${v.breached ? ' breached' : ''}`;
    row.sla.classList.toggle('breached', v.breached);
  }

  return {
    /** @param {Iterable<WorkOrder>} orders the active ones */
    render(orders) {
      const sorted = [...orders].sort(compareOrders);
      current.clear();
      for (const o of sorted) current.set(o.id, o);
      reconcileList(opts, rows, sorted, build, update);
    },
    /** Moves the SLA clocks on; called every second. */
    tick() {
      for (const [id, row] of rows) {
        const o = current.get(id);
        if (o) tickRow(row, o);
      }
    },
  };
}

/** @param {string} className */
function span(className) {
  const s = document.createElement('span');
  s.className = className;
  return s;
}

/**
 * @param {HTMLDListElement} dl
 * @param {string} term
 * @param {string} className
 */
function fact(dl, term, className) {
  const div = document.createElement('div');
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.className = className;
  div.append(dt, dd);
  dl.append(div);
  return dd;
}

/**
 * @template {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} F
 * @param {string} text
 * @param {F} field
 * @returns {{ label: HTMLLabelElement, field: F }}
 */
function labelled(text, field) {
  const label = document.createElement('label');
  const t = document.createElement('span');
  t.textContent = text;
  label.append(t, field);
  return { label, field };
}
