// @ts-check
/**
 * A member of staff's jobs on their phone: one card per job with big buttons for the next
 * step (accept or decline, arrived, resolved), where it is, what raised it and the SLA clock
 * (on the site's clock). Declining asks for a reason and resolving offers a note, in a form
 * inside the card; whatever the cloud refuses is said in words there. An action taken without
 * a connection is kept on the phone and the card says it is waiting to be sent.
 */
import { reconcileList } from './keyed-list.js';
import { explainError, slaView, staffSteps, typeLabel } from './dispatch-model.js';
import { createPhotoControl } from './staff-photos.js';

/** @typedef {import('./dispatch-model.js').WorkOrder} WorkOrder */
/** @typedef {import('./dispatch-model.js').StaffStep} StaffStep */
/** @typedef {{ note?: string, reason?: string }} StepBody */

/** @type {Record<StaffStep, { label: string, doing: string, done: string }>} */
const STEPS = {
  accept: { label: 'Accept', doing: 'accept this job', done: 'Accepted' },
  decline: { label: 'Decline…', doing: 'decline this job', done: 'Declined; the control room has been told' },
  arrive: { label: 'Arrived', doing: 'say you have arrived', done: 'Arrived' },
  resolve: { label: 'Resolved…', doing: 'resolve this job', done: 'Resolved, thank you' },
};

/** @type {Partial<Record<WorkOrder['status'], string>>} */
const STATUS_TEXT = {
  assigned: 'New job for you: accept or decline',
  accepted: 'Accepted: on your way',
  on_site: 'On site: resolve it when done',
};

/**
 * @typedef {object} JobCard
 * @property {HTMLLIElement} li
 * @property {HTMLElement} prio
 * @property {HTMLElement} type
 * @property {HTMLElement} where
 * @property {HTMLElement} status
 * @property {HTMLElement} sla
 * @property {HTMLElement} cause
 * @property {HTMLElement} pending
 * @property {HTMLElement} steps
 * @property {HTMLElement | null} photos  built when the job is first accepted or on site
 * @property {HTMLFormElement | null} form
 * @property {HTMLElement} error
 * @property {string} key
 */

/**
 * @param {object} opts
 * @param {HTMLElement} opts.list
 * @param {HTMLElement} opts.count
 * @param {HTMLElement} opts.empty
 * @param {HTMLElement} opts.said  a polite live region for what just happened
 * @param {(zoneId: string) => string} opts.where  e.g. "Restroom, Ground floor"
 * @param {(order: WorkOrder, step: StaffStep, body: StepBody) => Promise<'applied' | 'queued'>} opts.act  throws an ApiError when refused
 * @param {() => number} opts.now  the site's clock (SLA deadlines are on it)
 * @param {(order: WorkOrder) => Promise<string>} opts.cause  what raised it, in words
 * @param {(orderId: string) => string} opts.pending  what is waiting to be sent for it, in words ('' for nothing)
 */
export function createJobList(opts) {
  /** @type {Map<string, JobCard>} */
  const cards = new Map();
  /** @type {Map<string, WorkOrder>} */
  const current = new Map();

  /** @param {WorkOrder} o */
  function build(o) {
    const li = document.createElement('li');
    li.dataset.orderId = o.id;
    const head = p('job-head');
    const prio = span('prio');
    const type = span('job-type');
    head.append(prio, ' ', type);
    const where = p('job-where');
    const status = p('job-status');
    const sla = p('job-sla');
    const cause = p('job-cause');
    cause.textContent = 'What raised it: …';
    void opts.cause(o).then(
      (text) => (cause.textContent = text),
      () => (cause.hidden = true),
    );
    const pending = p('job-pending');
    pending.hidden = true;
    const steps = document.createElement('div');
    steps.className = 'job-steps';
    const error = p('row-error');
    error.setAttribute('role', 'alert');
    error.hidden = true;
    li.append(head, where, cause, status, sla, pending, steps, error);
    return { li, prio, type, where, status, sla, cause, pending, steps, photos: null, form: null, error, key: '' };
  }

  /** @param {JobCard} card @param {WorkOrder} o */
  function update(card, o) {
    const key = `${o.status}|${o.priority}|${o.type}|${o.zoneId}`;
    if (key !== card.key) {
      card.key = key;
      card.prio.textContent = `P${o.priority}`;
      card.type.textContent = typeLabel(o.type);
      card.where.textContent = opts.where(o.zoneId);
      card.status.textContent = STATUS_TEXT[o.status] ?? o.status;
      closeForm(card);
      card.steps.replaceChildren(
        ...staffSteps(o).map((step, i) => {
          const b = document.createElement('button');
          b.type = 'button';
          b.className = `step step-${step}${i === 0 ? ' main' : ''}`;
          b.textContent = STEPS[step].label;
          b.setAttribute('aria-label', `${STEPS[step].label.replace('…', '')}: ${typeLabel(o.type)}, ${opts.where(o.zoneId)}`);
          b.addEventListener('click', () => (step === 'decline' || step === 'resolve' ? openForm(card, step) : void send(card, step, {}, b)));
          return b;
        }),
      );
    }
    // Photos belong to a job being worked: from accepting it until it is resolved.
    const working = o.status === 'accepted' || o.status === 'on_site';
    if (working && !card.photos) card.li.insertBefore((card.photos = createPhotoControl(o.id, `${typeLabel(o.type)}, ${opts.where(o.zoneId)}`)), card.error);
    if (card.photos) card.photos.hidden = !working;
    const waiting = opts.pending(o.id);
    if (card.pending.textContent !== waiting) card.pending.textContent = waiting;
    card.pending.hidden = waiting === '';
    tick(card, o);
  }

  /** @param {JobCard} card @param {WorkOrder} o */
  function tick(card, o) {
    const v = slaView(o, opts.now());
    if (card.sla.textContent !== v.text) card.sla.textContent = v.text;
    card.sla.classList.toggle('breached', v.breached);
    card.li.className = `job prio-${Math.min(o.priority, 4)} st-${o.status}${v.breached ? ' breached' : ''}`;
  }

  /** @param {JobCard} card @param {'decline' | 'resolve'} step */
  function openForm(card, step) {
    closeForm(card);
    const form = document.createElement('form');
    form.className = 'job-form';
    form.dataset.step = step;
    const label = document.createElement('label');
    const t = document.createElement('span');
    t.textContent = step === 'decline' ? 'Why can’t you take it?' : 'Note for the control room (optional)';
    const field = document.createElement('textarea');
    field.name = step === 'decline' ? 'reason' : 'note';
    field.rows = 3;
    field.maxLength = 2000;
    label.append(t, field);
    const submit = document.createElement('button');
    submit.type = 'submit';
    submit.className = `step main${step === 'decline' ? ' danger' : ''}`;
    submit.textContent = step === 'decline' ? 'Send decline' : 'Mark resolved';
    const back = document.createElement('button');
    back.type = 'button';
    back.className = 'step';
    back.textContent = 'Back';
    back.addEventListener('click', () => {
      closeForm(card);
      /** @type {HTMLElement | null} */ (card.steps.querySelector('button'))?.focus();
    });
    const buttons = document.createElement('div');
    buttons.className = 'job-steps';
    buttons.append(submit, back);
    form.append(label, buttons);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = field.value.trim();
      // The cloud decides whether a reason is needed and says so; the page adds no rules of its own.
      void send(card, step, step === 'decline' ? { reason: field.value } : text ? { note: text } : {}, submit);
    });
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') back.click();
    });
    card.form = form;
    card.steps.hidden = true;
    card.li.insertBefore(form, card.error);
    field.focus();
  }

  /** @param {JobCard} card */
  function closeForm(card) {
    card.form?.remove();
    card.form = null;
    card.steps.hidden = false;
  }

  /**
   * @param {JobCard} card
   * @param {StaffStep} step
   * @param {StepBody} body
   * @param {HTMLButtonElement} btn
   */
  async function send(card, step, body, btn) {
    const order = current.get(card.li.dataset.orderId ?? '');
    if (!order) return;
    btn.disabled = true;
    card.error.hidden = true;
    try {
      const outcome = await opts.act(order, step, body);
      const done = `${STEPS[step].done}: ${typeLabel(order.type)}, ${opts.where(order.zoneId)}.`;
      opts.said.textContent = outcome === 'applied' ? done : `${done} Saved on this phone: it will be sent when the connection returns.`;
      requestAnimationFrame(() => {
        // keep the keyboard on the card's next step, if it still has one
        if (card.li.isConnected && !card.li.contains(document.activeElement)) /** @type {HTMLElement | null} */ (card.steps.querySelector('button'))?.focus();
      });
    } catch (err) {
      card.error.textContent = explainError(/** @type {import('./api.js').ApiError} */ (err), STEPS[step].doing);
      card.error.hidden = false;
    } finally {
      btn.disabled = false;
    }
  }

  return {
    /** @param {Iterable<WorkOrder>} orders the ones in hand, most urgent first */
    render(orders) {
      const list = [...orders];
      current.clear();
      for (const o of list) current.set(o.id, o);
      reconcileList(opts, cards, list, build, update);
    },
    tick() {
      for (const [id, card] of cards) {
        const o = current.get(id);
        if (o) tick(card, o);
      }
    },
  };
}

/** @param {string} className */
function p(className) {
  const e = document.createElement('p');
  e.className = className;
  return e;
}

/** @param {string} className */
function span(className) {
  const e = document.createElement('span');
  e.className = className;
  return e;
}
