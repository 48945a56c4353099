// @ts-check
/**
 * The staff phone's outbox: every action on a job (accept, decline, arrive, resolve) is put
 * here first, kept in the phone's storage, and sent one at a time, oldest first. Without a
 * connection it waits, and goes when the connection returns; a reload or a closed tab loses
 * nothing. Each action carries its own Idempotency-Key, so sending it again after an answer
 * that never arrived cannot apply it twice (the cloud returns the first result).
 *
 * No DOM here: storage, sending and the clock are passed in, so the unit tests run it in Node.
 */

/** @typedef {import('./dispatch-model.js').WorkOrder} WorkOrder */
/** @typedef {import('./dispatch-model.js').StaffStep} StaffStep */
/** @typedef {{ note?: string, reason?: string }} StepBody */
/**
 * @typedef {object} QueuedAction
 * @property {string} key  the Idempotency-Key, unique per action
 * @property {string} orderId
 * @property {StaffStep} step
 * @property {StepBody} body
 * @property {number} queuedAt  site clock
 * @property {number} tries  sends that got no answer
 * @property {boolean} [offline]  stuck behind a missing connection: the page shows it as done, and as not sent yet
 */
/**
 * What a send came to: `applied` (the cloud's order after it), `refused` (the cloud said no:
 * dropped, with the error), `retry` (no answer, or the cloud could not do it now: kept, in place).
 * @typedef {{ kind: 'applied', order: WorkOrder } | { kind: 'refused', error: unknown } | { kind: 'retry', error: unknown }} SendResult
 */
/** @typedef {{ getItem(k: string): string | null, setItem(k: string, v: string): void }} KeyValueStore */

/** More than a shift's worth of taps; beyond it the oldest unsent are not dropped, new ones are refused. */
export const MAX_QUEUED = 200;

/**
 * @param {object} opts
 * @param {KeyValueStore} opts.storage  localStorage on the page
 * @param {string} opts.storageKey  one outbox per signed-in user
 * @param {(a: QueuedAction) => Promise<SendResult>} opts.send
 * @param {() => number} opts.now
 * @param {() => string} opts.newKey  a fresh random key (crypto.randomUUID on the page)
 * @param {(event: { kind: 'applied', action: QueuedAction, order: WorkOrder } | { kind: 'refused', action: QueuedAction, error: unknown } | { kind: 'waiting', action: QueuedAction, error: unknown } | { kind: 'changed' }) => void} opts.onEvent
 */
export function createOutbox(opts) {
  /** @type {QueuedAction[]} */
  let items = load();
  let sending = false;
  let again = false;

  /** @returns {QueuedAction[]} */
  function load() {
    try {
      const raw = JSON.parse(opts.storage.getItem(opts.storageKey) ?? '[]');
      return Array.isArray(raw) ? raw.filter((a) => typeof a?.key === 'string' && typeof a?.orderId === 'string' && typeof a?.step === 'string') : [];
    } catch {
      return []; // unreadable (another version's format): nothing can be sent from it
    }
  }
  function save() {
    opts.storage.setItem(opts.storageKey, JSON.stringify(items));
    opts.onEvent({ kind: 'changed' });
  }

  /** Sends what is queued, oldest first, until it is empty or there is no answer. */
  async function flush() {
    if (sending) {
      again = true;
      return;
    }
    sending = true;
    try {
      do {
        again = false;
        while (items.length > 0) {
          const action = /** @type {QueuedAction} */ (items[0]);
          const r = await opts.send(action);
          if (r.kind === 'retry') {
            // Everything queued now waits for the connection, this one and the ones behind it.
            items = items.map((a, i) => ({ ...a, offline: true, tries: i === 0 ? a.tries + 1 : a.tries }));
            save();
            opts.onEvent({ kind: 'waiting', action, error: r.error });
            return;
          }
          items = items.filter((a) => a.key !== action.key);
          save();
          opts.onEvent(r.kind === 'applied' ? { kind: 'applied', action, order: r.order } : { kind: 'refused', action, error: r.error });
        }
      } while (again);
    } finally {
      sending = false;
    }
  }

  return {
    /**
     * Queues an action and starts sending. Answers its key, or null when the outbox is full.
     * @param {string} orderId @param {StaffStep} step @param {StepBody} body
     * @returns {string | null}
     */
    add(orderId, step, body) {
      if (items.length >= MAX_QUEUED) return null;
      const key = opts.newKey();
      items = [...items, { key, orderId, step, body, queuedAt: opts.now(), tries: 0, offline: items.some((a) => a.offline) }];
      save();
      void flush();
      return key;
    },
    flush,
    /** @param {string} orderId @returns {QueuedAction[]} oldest first */
    pendingFor: (orderId) => items.filter((a) => a.orderId === orderId),
    /** What is waiting for a connection (not what is on its way now), oldest first. @param {string} orderId */
    offlineFor: (orderId) => items.filter((a) => a.orderId === orderId && a.offline),
    size: () => items.length,
    /** Whether what is queued is waiting for a connection (the last send got no answer). */
    waiting: () => items.some((a) => a.offline),
  };
}

/**
 * An order as it will be once the queued actions reach the cloud, so a person working without
 * a connection sees the next step (accepted → Arrived) rather than the same button again.
 * The cloud's copy replaces it when the action is applied. Only for actions waiting for a
 * connection (offlineFor): one on its way now may still be refused, and its card must stay to say so.
 * @param {WorkOrder} o
 * @param {readonly QueuedAction[]} pending oldest first
 * @returns {WorkOrder}
 */
export function withPending(o, pending) {
  let r = o;
  for (const a of pending) {
    if (a.step === 'accept' && r.status === 'assigned') r = { ...r, status: 'accepted', acceptedAt: a.queuedAt };
    else if (a.step === 'arrive' && r.status === 'accepted') r = { ...r, status: 'on_site', arrivedAt: a.queuedAt };
    else if (a.step === 'resolve' && r.status === 'on_site') r = { ...r, status: 'resolved', resolvedAt: a.queuedAt };
    else if (a.step === 'decline' && (r.status === 'assigned' || r.status === 'accepted')) r = { ...r, status: 'open', assignee: null };
  }
  return r;
}
