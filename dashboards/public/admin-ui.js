// @ts-check
/**
 * Small pieces the admin sections share: building elements, errors in words and on the field
 * they are about, a confirmation dialog, and the panel that shows a key or reset link once.
 */
import { ApiError, FETCH_TIMEOUT_MS } from './api.js';
import { fieldErrors } from './admin-forms.js';

/** @template {HTMLElement} [T=HTMLElement] @param {string} id @returns {T} */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`admin.html has no #${id}`);
  return /** @type {T} */ (el);
}

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Partial<Record<string, string | boolean>>} [attrs] attributes (true: present, false/undefined: absent); `text` sets the text
 * @param {Array<Node | string | null | undefined | false>} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'text') node.textContent = String(v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

/**
 * An API failure in words for the admin, naming what they were doing.
 * @param {unknown} err @param {string} doing e.g. 'create the user'
 */
export function explain(err, doing) {
  if (!(err instanceof ApiError)) return `Could not ${doing}: something went wrong on this page (${err instanceof Error ? err.message : String(err)}). Reload it and try again.`;
  const said = err.said ? ` The cloud said: “${err.said}”.` : '';
  switch (err.kind) {
    case 'network':
      return `Could not ${doing}: no connection to the Atrium cloud at ${location.host}. Check the network and try again.`;
    case 'timeout':
      return `Could not ${doing}: the Atrium cloud did not answer within ${FETCH_TIMEOUT_MS / 1000} s. Try again.`;
    case 'not_json':
      return `Could not ${doing}: something other than the Atrium cloud answered (a proxy?). Try again.`;
    case 'http':
      if (err.status === 401) return `Your session has ended: taking you to the sign-in page…`;
      if (err.status === 403 && err.code === 'ATRIUM_CSRF_TOKEN_INVALID') return `Could not ${doing}: this page's session token is out of date. Reload the page and try again.`;
      if (err.status === 403) return `Could not ${doing}: this account may not.${said}`;
      if (err.status === 429) return `Could not ${doing}: too many requests just now. Wait a minute and try again.`;
      return `Could not ${doing}: the Atrium cloud answered ${err.status}.${said || ' Try again in a moment.'}`;
  }
}

/** @typedef {{ input: HTMLElement, error: HTMLElement, label: string }} FieldSlot */

/**
 * Errors for one form: each on its own field (aria-invalid, its message next to it and tied to
 * it by aria-describedby), and a summary that names the fields, so neither colour nor position
 * is the only signal.
 * @param {HTMLElement} summary the form's role=alert paragraph
 * @param {(apiField: string) => FieldSlot | undefined} slotOf the form field an API field name is about
 */
export function formErrors(summary, slotOf) {
  /** @type {FieldSlot[]} */
  let marked = [];
  const clear = () => {
    for (const s of marked) {
      s.input.removeAttribute('aria-invalid');
      s.error.hidden = true;
      s.error.textContent = '';
    }
    marked = [];
    summary.hidden = true;
    summary.textContent = '';
  };
  /** @param {Array<{ field: string, text: string }>} errors @param {string} [lead] */
  const show = (errors, lead = 'Check the form:') => {
    clear();
    const lines = [];
    for (const e of errors) {
      const slot = e.field ? slotOf(e.field) : undefined;
      if (slot) {
        slot.input.setAttribute('aria-invalid', 'true');
        slot.error.textContent = `${slot.label} ${e.text}`;
        slot.error.hidden = false;
        marked.push(slot);
        lines.push(`${slot.label} ${e.text}`);
      } else lines.push(e.field ? `${e.field}: ${e.text}` : e.text);
    }
    summary.textContent = `${lead} ${lines.join(' · ')}`;
    summary.hidden = false;
    const first = marked[0]?.input;
    if (first && 'focus' in first) first.focus();
  };
  return {
    clear,
    show,
    /** A refusal from the cloud: a 400 or 409 that names fields lands on them; anything else in the summary. @param {unknown} err @param {string} doing */
    fromApi(err, doing) {
      if (err instanceof ApiError && (err.status === 400 || err.status === 409) && err.said) {
        const errors = fieldErrors(err.said);
        if (errors.some((e) => e.field && slotOf(e.field))) return show(errors, `Could not ${doing}. Check:`);
      }
      show([{ field: '', text: explain(err, doing) }], '');
    },
  };
}

const dialog = /** @type {HTMLDialogElement} */ (byId('confirm'));
/**
 * Asks before something that cannot be undone; Escape and Cancel say no.
 * @param {{ title: string, text: string, ok: string }} q @returns {Promise<boolean>}
 */
export function confirmAction(q) {
  byId('confirm-title').textContent = q.title;
  byId('confirm-text').textContent = q.text;
  byId('confirm-ok').textContent = q.ok;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }));
}

/**
 * Copies `text`; where the clipboard API is missing (plain HTTP on a LAN address) the old
 * way, from the selected field. @param {string} text @param {HTMLInputElement | HTMLTextAreaElement} field
 * @returns {Promise<boolean>}
 */
export async function copyText(text, field) {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // refused (no permission, page not focused): try the selection
  }
  field.focus();
  field.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}

/** @typedef {import('@atrium/shared').SiteModel} SiteModel */
/** @typedef {import('@atrium/shared').User} User */
/** @typedef {import('@atrium/shared').StaffMember} StaffMember */
/** @typedef {import('@atrium/shared').Principal} Principal */
/** @typedef {{ site: SiteModel, users: User[], staff: StaffMember[], me: Principal }} AdminData */
/**
 * What a section gets from the page: the data as last loaded, a way to reload part of it
 * (every section is drawn again after), and a place to say what happened.
 * @typedef {object} AdminContext
 * @property {() => AdminData} data
 * @property {(what: 'users' | 'staff') => Promise<void>} reload
 */
/**
 * @typedef {object} AdminSection
 * @property {(data: AdminData) => void} render  draws the section from the data
 * @property {(rest: string[]) => void} open  shown: what the address asks for (`#staff/guard-1`: that member)
 */

/**
 * Runs `draw` and puts the focus back on the control that had it, found again by its
 * `data-key`, so redrawing a list never throws a keyboard user back to the top.
 * @param {() => void} draw
 */
export function keepingFocus(draw) {
  const active = document.activeElement;
  const key = active instanceof HTMLElement ? active.dataset.key : undefined;
  draw();
  if (key && !(document.activeElement instanceof HTMLElement && document.activeElement.dataset.key === key)) {
    const again = document.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again instanceof HTMLElement) again.focus();
  }
}
