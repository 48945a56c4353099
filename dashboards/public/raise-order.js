// @ts-check
/**
 * "Raise a work order" in the control room: someone rang, or a camera shows a spill. The
 * operator names the zone, the kind of job (a common one from the list, or any word the site
 * uses), who should go and, if it differs from usual, how urgent; the cloud dispatches it at
 * once. The cloud checks the fields and its refusal names the one at fault, shown here.
 */
import { callApi } from './api.js';
import { explainError, typeLabel } from './dispatch-model.js';

/** @typedef {import('./dispatch-model.js').WorkOrder} WorkOrder */
/** @typedef {import('./live-model.js').SiteModel} SiteModel */

/** Offered first; the shared list, checked against it. @type {typeof import('@atrium/shared').HAND_RAISED_TYPES} */
const COMMON_TYPES = ['spill', 'cleaning', 'repair', 'security_check', 'assistance', 'lost_property'];
/** @type {Record<import('@atrium/shared').DispatchRole, string>} */
const ROLE_LABEL = { cleaner: 'Cleaner', security: 'Security', technician: 'Technician' };
/** A type's usual role, so picking "spill" picks a cleaner. */
/** @type {Record<string, import('@atrium/shared').DispatchRole>} */
const USUAL_ROLE = { spill: 'cleaner', cleaning: 'cleaner', repair: 'technician', security_check: 'security', assistance: 'security', lost_property: 'security' };

/**
 * @param {object} opts
 * @param {HTMLButtonElement} opts.toggle  opens and closes the form (aria-expanded)
 * @param {HTMLElement} opts.host  where the form goes
 * @param {HTMLElement} opts.status  a polite live region: what happened
 * @param {SiteModel} opts.site
 * @param {(order: WorkOrder) => void} opts.onRaised
 */
export function createRaiseOrder({ toggle, host, status, site, onRaised }) {
  host.hidden = true;
  toggle.setAttribute('aria-expanded', 'false');
  toggle.setAttribute('aria-controls', host.id);

  const form = document.createElement('form');
  form.className = 'raise-form';
  form.noValidate = true; // the cloud's answer names the field; one set of rules
  const zone = field('Zone', document.createElement('select'), 'zoneId');
  const floors = new Map(site.floors.map((f) => [f.id, f.name]));
  for (const z of [...site.zones].sort((a, b) => a.name.localeCompare(b.name))) zone.field.append(new Option(`${z.name} (${floors.get(z.floorId) ?? z.floorId})`, z.id));
  const type = field('Kind of job', document.createElement('input'), 'type');
  type.field.setAttribute('list', 'raise-types');
  type.field.maxLength = 64;
  type.field.autocomplete = 'off';
  type.field.placeholder = 'e.g. spill';
  const types = document.createElement('datalist');
  types.id = 'raise-types';
  for (const t of COMMON_TYPES) types.append(new Option(typeLabel(t), t));
  const role = field('Who goes', document.createElement('select'), 'role');
  for (const [id, label] of Object.entries(ROLE_LABEL)) role.field.append(new Option(label, id));
  const priority = field('Priority', document.createElement('select'), 'priority');
  priority.field.append(new Option('As usual for the job', ''));
  for (const p of [1, 2, 3, 4]) priority.field.append(new Option(`P${p}${p === 1 ? ' (most urgent)' : ''}`, String(p)));
  const note = field('What do we know? (optional)', document.createElement('textarea'), 'note');
  note.field.rows = 2;
  note.field.maxLength = 2000;
  const submit = document.createElement('button');
  submit.type = 'submit';
  submit.textContent = 'Raise the work order';
  const back = document.createElement('button');
  back.type = 'button';
  back.textContent = 'Back';
  const buttons = document.createElement('div');
  buttons.className = 'row-actions';
  buttons.append(submit, back);
  const error = document.createElement('p');
  error.className = 'row-error';
  error.setAttribute('role', 'alert');
  error.hidden = true;
  form.append(zone.label, type.label, types, role.label, priority.label, note.label, buttons, error);
  host.append(form);

  type.field.addEventListener('change', () => {
    const usual = USUAL_ROLE[type.field.value.trim()];
    if (usual) role.field.value = usual;
  });

  /** @param {boolean} open @param {boolean} [refocus] */
  const setOpen = (open, refocus = false) => {
    host.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) zone.field.focus();
    else if (refocus) toggle.focus();
  };
  toggle.addEventListener('click', () => setOpen(host.hidden));
  back.addEventListener('click', () => setOpen(false, true));
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      setOpen(false, true);
    }
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    const text = note.field.value.trim();
    const body = {
      zoneId: zone.field.value,
      type: type.field.value.trim().toLowerCase().replace(/\s+/g, '_'),
      role: role.field.value,
      ...(priority.field.value && { priority: Number(priority.field.value) }),
      ...(text && { note: text }),
    };
    try {
      const order = /** @type {WorkOrder} */ (await callApi('POST', '/api/v1/work-orders', body));
      onRaised(order);
      status.textContent = `${order.id} raised: ${typeLabel(order.type)} in ${site.zones.find((z) => z.id === order.zoneId)?.name ?? order.zoneId}.`;
      type.field.value = '';
      note.field.value = '';
      priority.field.value = '';
      setOpen(false, true);
    } catch (err) {
      error.textContent = explainError(/** @type {import('./api.js').ApiError} */ (err), 'raise this work order');
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });
}

/**
 * @template {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} F
 * @param {string} text
 * @param {F} input
 * @param {string} name
 */
function field(text, input, name) {
  // The field beside its label, not inside it: a label around a select would take the
  // options' text into the field's name.
  const wrap = document.createElement('div');
  wrap.className = 'field';
  const label = document.createElement('label');
  label.textContent = text;
  input.name = name;
  input.id = `raise-${name}`;
  label.htmlFor = input.id;
  wrap.append(label, input);
  return { label: wrap, field: input };
}
