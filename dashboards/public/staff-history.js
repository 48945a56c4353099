// @ts-check
/**
 * "Done today": the person's finished jobs, newest first, with when (the mall's time), how it
 * ended and the note they left, so they can answer "did I do the first-floor restroom?"
 * without calling the control room.
 */
import { reconcileList } from './keyed-list.js';
import { typeLabel } from './dispatch-model.js';

/** @typedef {import('./dispatch-model.js').WorkOrder} WorkOrder */

/** What a member of staff's list shows: the jobs that left their hands by being done or called off. */
export const FINISHED_STATUSES = /** @type {const} */ (['resolved', 'verified', 'cancelled']);

/** @type {Partial<Record<WorkOrder['status'], string>>} */
const ENDED = { resolved: 'Resolved, awaiting a check', verified: 'Resolved and checked', cancelled: 'Cancelled' };

/**
 * @param {object} opts
 * @param {HTMLElement} opts.list
 * @param {HTMLElement} opts.count
 * @param {HTMLElement} opts.empty
 * @param {(zoneId: string) => string} opts.where
 * @param {(ts: number) => string} opts.time  the mall's clock
 */
export function createHistoryList(opts) {
  /** @type {Map<string, { li: HTMLLIElement, key: string }>} */
  const rows = new Map();
  return {
    /** @param {readonly WorkOrder[]} orders newest first */
    render(orders) {
      reconcileList(
        opts,
        rows,
        orders,
        () => ({ li: document.createElement('li'), key: '' }),
        (row, o) => {
          const ended = o.resolvedAt ?? o.closedAt ?? o.createdAt;
          const note = [...o.history].reverse().find((h) => h.action === 'resolve' || h.action === 'cancel')?.reason ?? '';
          const key = `${o.status}|${ended}|${note}`;
          if (row.key === key) return;
          row.key = key;
          row.li.className = `done-job st-${o.status}`;
          const head = document.createElement('p');
          head.className = 'done-head';
          const what = document.createElement('strong');
          what.textContent = typeLabel(o.type);
          head.append(what, `, ${opts.where(o.zoneId)}`);
          const when = document.createElement('p');
          when.className = 'done-when';
          const t = document.createElement('time');
          t.dateTime = new Date(ended).toISOString();
          t.textContent = opts.time(ended);
          when.append(`${ENDED[o.status] ?? o.status} · `, t);
          row.li.replaceChildren(head, when);
          if (note) {
            const n = document.createElement('p');
            n.className = 'done-note';
            n.textContent = `${o.status === 'cancelled' ? 'Why' : 'Note'}: ${note}`;
            row.li.append(n);
          }
        },
      );
    },
  };
}
