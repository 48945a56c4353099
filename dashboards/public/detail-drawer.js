// @ts-check
/**
 * The control room's detail drawer for one alarm or one work order: what it is, what raised
 * it (the rule and the reading, in the cloud's words), the staff's notes, the whole audit
 * trail, the actions a supervisor takes (acknowledge or clear; reassign, cancel, verify), and
 * the link between an alarm and its order both ways. A side panel, not a modal: the live
 * lists stay usable beside it. Escape closes it and the keyboard goes back where it was.
 *
 * Rows come from the board when it has them (live) and from the API otherwise (a closed one
 * opened from the history page); a push for the row on show redraws it.
 */
import { callApi } from './api.js';
import { ALARM_STATUS_LABEL, ORDER_STATUS_LABEL, SEVERITY_LABEL, canCancel, canReassign, canVerify, explainError, slaView, typeLabel } from './dispatch-model.js';
import { auditLabel } from './history-model.js';
import { orderPhotos } from './drawer-photos.js';

/** @typedef {import('./dispatch-model.js').Alarm} Alarm */
/** @typedef {import('./dispatch-model.js').WorkOrder} WorkOrder */
/** @typedef {import('./dispatch-model.js').StaffMember} StaffMember */
/** @typedef {import('@atrium/shared').OrderCause} OrderCause */
/** @typedef {{ kind: 'alarm', id: string } | { kind: 'order', id: string }} Shown */

/**
 * @typedef {object} DrawerDeps
 * @property {HTMLElement} host  the drawer element (an <aside> in the page)
 * @property {(zoneId: string | null) => string} zoneName
 * @property {(staffId: string) => string} staffName  a name for a staff or user id ('system' stays)
 * @property {(ts: number) => string} fmtTime  on the site's clock, in its time zone
 * @property {() => number} now  the site clock
 * @property {(id: string) => Alarm | undefined} [liveAlarm]  the board's copy, if it has one
 * @property {(id: string) => WorkOrder | undefined} [liveOrder]
 * @property {(order: WorkOrder) => StaffMember[]} [candidates]  who an order could go to now
 * @property {(row: Alarm | WorkOrder) => void} [onChanged]  an action's answer, for the board
 * @property {boolean} [readOnly]  history: no actions
 */

/** @param {DrawerDeps} deps */
export function createDetailDrawer(deps) {
  const { host } = deps;
  host.classList.add('drawer');
  host.setAttribute('role', 'dialog');
  host.setAttribute('aria-modal', 'false');
  host.setAttribute('aria-labelledby', 'detail-title');
  host.hidden = true;
  host.tabIndex = -1;

  /** @type {Shown | null} */
  let shown = null;
  /** @type {Alarm | WorkOrder | null} */
  let row = null;
  /** @type {HTMLElement | null} where the keyboard was when the drawer opened */
  let opener = null;
  /** @type {HTMLElement | null} the SLA line, moved on every second */
  let slaEl = null;
  let loadSeq = 0;

  host.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      close();
    }
  });
  setInterval(() => {
    if (slaEl && row && shown?.kind === 'order') slaEl.textContent = slaText(/** @type {WorkOrder} */ (row));
  }, 1000);

  /** @param {WorkOrder} o */
  const slaText = (o) => {
    const v = slaView(o, deps.now());
    return v.breached && !v.text.includes('overdue') ? `${v.text} (missed)` : v.text;
  };

  /**
   * @param {Shown} what
   * @param {HTMLElement | null} [from]  focus returns here on close (default: what has it now)
   */
  async function open(what, from) {
    if (!shown) opener = from ?? /** @type {HTMLElement | null} */ (document.activeElement);
    shown = what;
    const seq = ++loadSeq;
    const live = what.kind === 'alarm' ? deps.liveAlarm?.(what.id) : deps.liveOrder?.(what.id);
    host.hidden = false;
    document.body.classList.add('drawer-open');
    if (live) row = live;
    else {
      host.replaceChildren(heading('Loading…'), closeButton());
      focusTitle();
      try {
        row = /** @type {Alarm | WorkOrder} */ (await callApi('GET', `/api/v1/${what.kind === 'alarm' ? 'alarms' : 'work-orders'}/${encodeURIComponent(what.id)}`));
      } catch (err) {
        if (seq !== loadSeq) return;
        host.replaceChildren(heading('Not available'), para(explainError(/** @type {import('./api.js').ApiError} */ (err), `show ${what.id}`)), closeButton());
        return;
      }
      if (seq !== loadSeq) return;
    }
    await draw(seq);
    focusTitle();
  }

  function close() {
    if (!shown) return;
    shown = null;
    row = null;
    slaEl = null;
    loadSeq++;
    host.hidden = true;
    host.replaceChildren();
    document.body.classList.remove('drawer-open');
    const back = opener;
    opener = null;
    if (back?.isConnected) back.focus();
  }

  function focusTitle() {
    /** @type {HTMLElement | null} */ (host.querySelector('#detail-title'))?.focus();
  }

  /** @param {number} seq */
  async function draw(seq) {
    if (!row || !shown) return;
    const parts = shown.kind === 'alarm' ? await alarmParts(/** @type {Alarm} */ (row)) : await orderParts(/** @type {WorkOrder} */ (row));
    if (seq !== loadSeq) return;
    // Keep the keyboard where it was if a push redraws the drawer under it.
    const focusedId = document.activeElement instanceof HTMLElement && host.contains(document.activeElement) ? document.activeElement.dataset.focusKey : undefined;
    host.replaceChildren(...parts, closeButton());
    if (focusedId) /** @type {HTMLElement | null} */ (host.querySelector(`[data-focus-key="${focusedId}"]`))?.focus();
  }

  // ── an alarm ───────────────────────────────────────────────────────────────────────────────

  /** @param {Alarm} a */
  async function alarmParts(a) {
    const orders = await callApi('GET', `/api/v1/work-orders?alarmId=${encodeURIComponent(a.id)}&limit=5`).catch(() => []);
    const order = /** @type {WorkOrder[]} */ (orders)[0];
    const reading = order ? await causeOf(order.id).then((c) => c?.alarms.find((x) => x.id === a.id) ?? null) : null;
    const facts = dl([
      ['Status', ALARM_STATUS_LABEL[a.status]],
      ['Where', deps.zoneName(a.zoneId)],
      ['Raised', deps.fmtTime(a.raisedAt)],
      ['Rule', reading ? `${reading.rule} (${a.ruleId})` : a.ruleId],
      ['Reading', reading?.reading ?? (a.value === null ? 'no number: an event the device reported' : String(a.value))],
      ['Observed', deps.fmtTime(a.observedAt)],
      ...(a.acknowledgedBy ? /** @type {Array<[string, string]>} */ ([['Acknowledged', `${deps.staffName(a.acknowledgedBy)}, ${deps.fmtTime(a.acknowledgedAt ?? a.raisedAt)}`]]) : []),
      ...(a.clearedAt !== null ? /** @type {Array<[string, string]>} */ ([['Cleared', `${deps.staffName(a.clearedBy ?? 'system')}, ${deps.fmtTime(a.clearedAt)}${a.clearReason ? ` (${a.clearReason})` : ''}`]]) : []),
    ]);
    const link = section('Work order');
    if (order) link.append(linkButton(`${order.id}: ${typeLabel(order.type)}, ${ORDER_STATUS_LABEL[order.status]}`, { kind: 'order', id: order.id }));
    else link.append(para('No work order: this alarm type is shown to the control room but nobody is sent.'));
    const trail = section('Timeline');
    trail.append(
      timeline(
        a.history.map((h) => ({ at: h.at, what: ALARM_STATUS_LABEL[h.action], by: h.by, note: h.note })),
      ),
    );
    return [heading(`${SEVERITY_LABEL[a.severity]} · ${typeLabel(a.type)} · ${deps.zoneName(a.zoneId)}`, a.id), facts, link, ...(deps.readOnly ? [] : [alarmActions(a)]), trail];
  }

  /** @param {Alarm} a */
  function alarmActions(a) {
    const box = section('Actions');
    if (a.status === 'cleared') {
      box.append(para('Cleared: nothing more to do.'));
      return box;
    }
    const form = document.createElement('form');
    form.className = 'drawer-form';
    const note = labelled('Note for the record (optional)', document.createElement('textarea'), 'alarm-note');
    note.field.rows = 2;
    note.field.maxLength = 2000;
    const buttons = document.createElement('div');
    buttons.className = 'row-actions';
    const ack = actionButton('Acknowledge', 'ack');
    ack.hidden = a.status !== 'raised';
    const clear = actionButton('Clear the alarm', 'clear');
    const error = errorLine();
    buttons.append(ack, clear);
    form.append(note.label, buttons, error);
    form.addEventListener('submit', (e) => e.preventDefault());
    for (const [btn, action] of /** @type {const} */ ([[ack, 'acknowledge'], [clear, 'clear']])) {
      btn.addEventListener('click', () =>
        void run(btn, error, `${action} this alarm`, async () => {
          const text = note.field.value.trim();
          return /** @type {Alarm} */ (await callApi('POST', `/api/v1/alarms/${encodeURIComponent(a.id)}/${action}`, text ? { note: text } : {}));
        }),
      );
    }
    box.append(form);
    return box;
  }

  // ── a work order ───────────────────────────────────────────────────────────────────────────

  /** @param {WorkOrder} o */
  async function orderParts(o) {
    const [cause, photos] = await Promise.all([o.alarmIds.length > 0 ? causeOf(o.id) : null, orderPhotos(o.id, deps)]);
    const created = o.history[0];
    const byHand = o.alarmIds.length === 0 && created && created.by !== 'system';
    const sla = document.createElement('span');
    sla.textContent = slaText(o);
    slaEl = sla;
    const facts = dl([
      ['Status', ORDER_STATUS_LABEL[o.status]],
      ['Where', deps.zoneName(o.zoneId)],
      ['Priority', `P${o.priority} (1 is the most urgent)`],
      ['Who', o.assignee ? deps.staffName(o.assignee) : `nobody yet (needs a ${o.role})`],
      ['SLA', sla],
      ['Created', deps.fmtTime(o.createdAt)],
      ['Due', `accept by ${deps.fmtTime(o.due.acceptBy)}, on site by ${deps.fmtTime(o.due.arriveBy)}, resolved by ${deps.fmtTime(o.due.resolveBy)}`],
      ...(o.resolvedAt !== null ? /** @type {Array<[string, string]>} */ ([['Resolved', `${deps.staffName(o.resolvedBy ?? 'system')}, ${deps.fmtTime(o.resolvedAt)}`]]) : []),
      ...(o.closedAt !== null ? /** @type {Array<[string, string]>} */ ([['Closed', deps.fmtTime(o.closedAt)]]) : []),
    ]);
    const why = section('What raised it');
    if (byHand && created) why.append(para(`Raised by hand by ${deps.staffName(created.by)}${created.reason && created.reason !== 'raised by hand' ? `: “${created.reason}”` : '.'}`));
    const alarms = document.createElement('ul');
    alarms.className = 'drawer-links';
    for (const id of o.alarmIds) {
      const c = cause?.alarms.find((x) => x.id === id);
      const li = document.createElement('li');
      li.append(linkButton(c ? `${c.what}: ${c.rule}${c.reading ? ` — ${c.reading}` : ''}` : `Alarm ${id}`, { kind: 'alarm', id }));
      alarms.append(li);
    }
    if (o.alarmIds.length > 0) why.append(alarms);
    const notes = o.history.filter((h) => (h.action === 'resolve' || h.action === 'decline') && h.reason && h.by !== 'system');
    const noteBox = section('Notes from staff');
    if (notes.length === 0) noteBox.append(para('None yet.'));
    for (const h of notes) noteBox.append(quote(`${deps.staffName(h.by)} (${auditLabel(h.action).toLowerCase()}, ${deps.fmtTime(h.at)})`, (h.reason ?? '')));
    const photoBox = section('Photos from staff');
    photoBox.append(photos);
    const trail = section('Audit trail');
    trail.append(timeline(o.history.map((h) => ({ at: h.at, what: auditLabel(h.action), by: h.by, note: h.reason, to: h.staffId && h.action === 'assign' ? deps.staffName(h.staffId) : null }))));
    return [heading(`P${o.priority} · ${typeLabel(o.type)} · ${deps.zoneName(o.zoneId)}`, o.id), facts, why, noteBox, photoBox, ...(deps.readOnly ? [] : [orderActions(o)]), trail];
  }

  /** @param {WorkOrder} o */
  function orderActions(o) {
    const box = section('Actions');
    const any = canReassign(o) || canCancel(o) || canVerify(o);
    if (!any) {
      box.append(para(o.status === 'resolved' ? 'Resolved: the sensors verify it.' : 'Closed: nothing more to do.'));
      return box;
    }
    if (canVerify(o)) {
      const error = errorLine();
      const verify = actionButton('Verify: the job is done', 'verify');
      verify.addEventListener('click', () => void run(verify, error, 'verify this order', () => orderCall(o, 'verify', {})));
      const wrap = document.createElement('div');
      wrap.className = 'row-actions';
      wrap.append(verify);
      box.append(wrap, error);
    }
    if (canReassign(o)) {
      const people = deps.candidates?.(o) ?? [];
      const form = document.createElement('form');
      form.className = 'drawer-form';
      if (people.length === 0) form.append(para(`Nobody else with the role “${o.role}” is on shift and available now.`));
      else {
        const pick = labelled('Give it to', document.createElement('select'), 'reassign-to');
        for (const m of people) pick.field.append(new Option(m.name === m.id ? m.id : `${m.name} (${m.id})`, m.id));
        const reason = labelled('Reason (optional)', document.createElement('input'), 'reassign-reason');
        reason.field.maxLength = 2000;
        const submit = actionButton('Reassign', 'reassign');
        submit.type = 'submit';
        const error = errorLine();
        form.append(pick.label, reason.label, wrapActions(submit), error);
        form.addEventListener('submit', (e) => {
          e.preventDefault();
          const why = reason.field.value.trim();
          void run(submit, error, 'reassign this order', () => orderCall(o, 'assign', { staffId: pick.field.value, ...(why && { reason: why }) }));
        });
      }
      box.append(form);
    }
    if (canCancel(o)) {
      const form = document.createElement('form');
      form.className = 'drawer-form';
      const reason = labelled('Why cancel it?', document.createElement('textarea'), 'cancel-reason');
      reason.field.rows = 2;
      reason.field.maxLength = 2000;
      const submit = actionButton('Cancel the order', 'cancel');
      submit.type = 'submit';
      submit.classList.add('danger');
      const error = errorLine();
      form.append(reason.label, wrapActions(submit), error);
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        void run(submit, error, 'cancel this order', () => orderCall(o, 'cancel', { reason: reason.field.value }));
      });
      box.append(form);
    }
    return box;
  }

  /**
   * @param {WorkOrder} o
   * @param {'verify' | 'assign' | 'cancel'} action
   * @param {object} body
   */
  async function orderCall(o, action, body) {
    return /** @type {WorkOrder} */ (await callApi('POST', `/api/v1/work-orders/${encodeURIComponent(o.id)}/${action}`, body));
  }

  /** @type {Map<string, Promise<OrderCause | null>>} */
  const causes = new Map();
  /** What raised an order, in the cloud's words (the rule, the reading against its limit); null if not to be had. @param {string} orderId */
  function causeOf(orderId) {
    let p = causes.get(orderId);
    if (!p) {
      p = /** @type {Promise<OrderCause | null>} */ (callApi('GET', `/api/v1/work-orders/${encodeURIComponent(orderId)}/cause`).catch(() => null));
      causes.set(orderId, p);
      // Joined alarms change the answer: ask again next time after a while.
      setTimeout(() => causes.delete(orderId), 30_000);
    }
    return p;
  }

  /**
   * @param {HTMLButtonElement} btn
   * @param {HTMLElement} error
   * @param {string} doing
   * @param {() => Promise<Alarm | WorkOrder>} call
   */
  async function run(btn, error, doing, call) {
    btn.disabled = true;
    error.hidden = true;
    try {
      const next = await call();
      deps.onChanged?.(next);
      show(next);
    } catch (err) {
      error.textContent = explainError(/** @type {import('./api.js').ApiError} */ (err), doing);
      error.hidden = false;
    } finally {
      btn.disabled = false;
    }
  }

  /** A newer copy of a row (a push, an action's answer): redrawn if it is the one on show. @param {Alarm | WorkOrder} next */
  function show(next) {
    if (!shown || next.id !== shown.id || !row) return;
    if (next.history.length < row.history.length) return; // an older copy crossing on the wire
    row = next;
    void draw(loadSeq);
  }

  /** @typedef {{ at: number, what: string, by: string, note: string | null, to?: string | null }} Step */
  /** The audit trail, oldest first, as an ordered list: when (site clock), what, who, why. @param {Step[]} steps */
  function timeline(steps) {
    const ol = document.createElement('ol');
    ol.className = 'timeline';
    for (const s of steps) {
      const li = document.createElement('li');
      li.dataset.at = String(s.at);
      const t = document.createElement('time');
      t.dateTime = new Date(s.at).toISOString();
      t.className = 'tl-time';
      t.textContent = deps.fmtTime(s.at);
      const what = document.createElement('span');
      what.className = 'tl-what';
      what.textContent = s.to ? `${s.what} to ${s.to}` : s.what;
      const by = document.createElement('span');
      by.className = 'tl-by';
      by.dataset.by = s.by;
      by.textContent = `by ${s.by === 'system' ? 'Atrium' : deps.staffName(s.by)}`;
      li.append(t, ' ', what, ' ', by);
      if (s.note) {
        const n = document.createElement('span');
        n.className = 'tl-note';
        n.textContent = s.note;
        li.append(' ', n);
      }
      ol.append(li);
    }
    return ol;
  }

  // ── building blocks ────────────────────────────────────────────────────────────────────────

  /** @param {string} text @param {string} [id] */
  function heading(text, id) {
    const head = document.createElement('div');
    head.className = 'drawer-head';
    const h = document.createElement('h2');
    h.id = 'detail-title';
    h.tabIndex = -1;
    h.textContent = text;
    head.append(h);
    if (id) head.append(para(id, 'drawer-id'));
    return head;
  }

  function closeButton() {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'drawer-close';
    b.textContent = 'Close';
    b.setAttribute('aria-label', 'Close the details (Escape)');
    b.addEventListener('click', close);
    return b;
  }

  /** @param {string} text @param {Shown} to */
  function linkButton(text, to) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'link-button drawer-link';
    b.textContent = `${text} →`;
    b.dataset.focusKey = `${to.kind}-${to.id}`;
    b.addEventListener('click', () => void open(to));
    return b;
  }

  /** @param {string} text @param {string} key */
  function actionButton(text, key) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.dataset.focusKey = key;
    return b;
  }

  return {
    /** @param {string} id @param {HTMLElement | null} [from] */
    openAlarm: (id, from) => open({ kind: 'alarm', id }, from),
    /** @param {string} id @param {HTMLElement | null} [from] */
    openOrder: (id, from) => open({ kind: 'order', id }, from),
    close,
    show,
    /** @returns {Shown | null} */
    shown: () => shown,
  };
}

/** @param {string} title */
function section(title) {
  const s = document.createElement('section');
  s.className = 'drawer-section';
  const h = document.createElement('h3');
  h.textContent = title;
  s.append(h);
  return s;
}

/** @param {string} text @param {string} [className] */
function para(text, className) {
  const p = document.createElement('p');
  if (className) p.className = className;
  p.textContent = text;
  return p;
}

/** @param {Array<[string, string | HTMLElement]>} rows */
function dl(rows) {
  const d = document.createElement('dl');
  d.className = 'drawer-facts';
  for (const [term, value] of rows) {
    const div = document.createElement('div');
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.append(value);
    div.append(dt, dd);
    d.append(div);
  }
  return d;
}

/** @param {string} who @param {string} text */
function quote(who, text) {
  const fig = document.createElement('figure');
  fig.className = 'drawer-note';
  const q = document.createElement('blockquote');
  q.textContent = text;
  const cap = document.createElement('figcaption');
  cap.textContent = who;
  fig.append(q, cap);
  return fig;
}

function errorLine() {
  const p = document.createElement('p');
  p.className = 'row-error';
  p.setAttribute('role', 'alert');
  p.hidden = true;
  return p;
}

/** @param {HTMLElement} b */
function wrapActions(b) {
  const d = document.createElement('div');
  d.className = 'row-actions';
  d.append(b);
  return d;
}

/**
 * @template {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} F
 * @param {string} text
 * @param {F} field
 * @param {string} key
 */
function labelled(text, field, key) {
  // Beside its label, not inside it (a select's options would join its name).
  const wrap = document.createElement('div');
  wrap.className = 'field';
  const label = document.createElement('label');
  label.textContent = text;
  field.dataset.focusKey = key;
  field.id = `detail-${key}`;
  label.htmlFor = field.id;
  wrap.append(label, field);
  return { label: wrap, field };
}

