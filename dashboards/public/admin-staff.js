// @ts-check
/**
 * The staff roster and its shifts. Shifts are entered and shown as dates and times on the
 * site's clock (site.timezone), whatever the admin's own device is set to; admin-time.js turns
 * them into the epoch milliseconds the API stores, across daylight-saving changes too.
 * Saving is PUT /api/v1/staff/{id} with the whole entry.
 */
import { callApi } from './api.js';
import { STAFF_ROLES, STAFF_ROLE_LABEL, routeHref, slugProblem } from './admin-forms.js';
import { addDays, durationLabel, isKnownZone, offsetLabel, shiftFromInputs, shiftLabel, shiftToInputs, siteTimeLabel, siteToday } from './admin-time.js';
import { byId, el, formErrors, keepingFocus } from './admin-ui.js';

/** @typedef {import('./admin-ui.js').AdminContext} AdminContext */
/** @typedef {import('./admin-ui.js').AdminData} AdminData */
/** @typedef {import('./admin-ui.js').StaffMember} StaffMember */
/** @typedef {import('./admin-time.js').ShiftInputs} ShiftInputs */
/** @typedef {import('./admin-time.js').ShiftField} ShiftField */
/** @typedef {{ li: HTMLLIElement, legend: HTMLElement, remove: HTMLButtonElement, inputs: Record<ShiftField, HTMLInputElement>, note: HTMLElement, error: HTMLElement }} ShiftRow */

/** @type {Array<[ShiftField, string, 'date' | 'time']>} */
const SHIFT_INPUTS = [
  ['fromDate', 'Start date', 'date'],
  ['fromTime', 'Start time', 'time'],
  ['toDate', 'End date', 'date'],
  ['toTime', 'End time', 'time'],
];
/** The API's names for a shift's ends, and the input each is shown on. @type {Record<string, ShiftField>} */
const API_SHIFT_FIELD = { from: 'fromTime', to: 'toTime' };

/** @param {AdminContext} ctx @returns {import('./admin-ui.js').AdminSection} */
export function createStaffSection(ctx) {
  const ui = {
    add: /** @type {HTMLButtonElement} */ (byId('staff-add')),
    form: /** @type {HTMLFormElement} */ (byId('staff-form')),
    formTitle: byId('staff-form-title'),
    id: /** @type {HTMLInputElement} */ (byId('staff-id')),
    idHint: byId('staff-id-hint'),
    name: /** @type {HTMLInputElement} */ (byId('staff-name')),
    roleBoxes: byId('staff-role-boxes'),
    zone: /** @type {HTMLSelectElement} */ (byId('staff-zone')),
    available: /** @type {HTMLInputElement} */ (byId('staff-available')),
    shiftsHint: byId('shifts-hint'),
    shiftRows: byId('shift-rows'),
    shiftAdd: /** @type {HTMLButtonElement} */ (byId('shift-add')),
    save: /** @type {HTMLButtonElement} */ (byId('staff-save')),
    rows: byId('staff-rows'),
    count: byId('staff-count'),
    said: byId('staff-said'),
    empty: byId('staff-empty'),
    tzNote: byId('tz-note'),
  };
  const tz = () => ctx.data().site.timezone;

  /** @type {Record<string, HTMLInputElement>} */
  const roleBox = {};
  for (const r of STAFF_ROLES) {
    const box = el('input', { type: 'checkbox', id: `staff-role-${r}`, name: 'roles', value: r });
    roleBox[r] = box;
    ui.roleBoxes.append(el('span', { class: 'check' }, [box, el('label', { for: `staff-role-${r}`, text: STAFF_ROLE_LABEL[r] })]));
  }

  // ---------------------------------------------------------------------------------------
  // Shift rows

  /** @type {ShiftRow[]} */
  let shiftRows = [];
  let rowSeq = 0;

  /** @param {ShiftRow} row */
  function updateNote(row) {
    const v = inputsOf(row);
    if (!v.fromDate || !v.fromTime || !v.toDate || !v.toTime) {
      row.note.textContent = '';
      return;
    }
    const r = shiftFromInputs(v, tz());
    row.note.textContent = r.ok ? [`Lasts ${durationLabel(r.shift.to - r.shift.from)}.`, ...r.notes].join(' ') : r.message;
  }
  /** @param {ShiftRow} row @returns {ShiftInputs} */
  const inputsOf = (row) => ({ fromDate: row.inputs.fromDate.value, fromTime: row.inputs.fromTime.value, toDate: row.inputs.toDate.value, toTime: row.inputs.toTime.value });

  function renumber() {
    shiftRows.forEach((r, i) => {
      r.legend.textContent = `Shift ${i + 1}`;
      r.remove.textContent = `Remove shift ${i + 1}`;
    });
    ui.shiftsHint.textContent = `${shiftRows.length ? '' : 'No shifts: they will not be given jobs. '}Dates and times on the site's clock (${tz()}). A shift may run past midnight: give its end date.`;
  }

  /** @param {ShiftInputs} values */
  function addShiftRow(values) {
    const n = ++rowSeq;
    const note = el('p', { id: `shift-${n}-note`, class: 'shift-note', 'aria-live': 'polite' });
    const error = el('p', { id: `shift-${n}-error`, class: 'field-error', hidden: true });
    /** @type {Partial<Record<ShiftField, HTMLInputElement>>} */
    const inputs = {};
    const fields = SHIFT_INPUTS.map(([key, label, type]) => {
      const input = el('input', { type, id: `shift-${n}-${key}`, name: key, required: true, 'aria-describedby': `shift-${n}-note shift-${n}-error` });
      input.value = values[key];
      inputs[key] = input;
      return el('div', { class: `field ${key}` }, [el('label', { for: input.id, text: label }), input]);
    });
    const legend = el('legend');
    const remove = el('button', { type: 'button', class: 'quiet' });
    const li = el('li', { class: 'shift-row' }, [el('fieldset', {}, [legend, el('div', { class: 'shift-grid' }, fields), note, error, remove])]);
    /** @type {ShiftRow} */
    const row = { li, legend, remove, inputs: /** @type {Record<ShiftField, HTMLInputElement>} */ (inputs), note, error };
    li.addEventListener('input', () => updateNote(row));
    remove.addEventListener('click', () => {
      const at = shiftRows.indexOf(row);
      shiftRows.splice(at, 1);
      li.remove();
      renumber();
      (shiftRows[Math.min(at, shiftRows.length - 1)]?.inputs.fromDate ?? ui.shiftAdd).focus();
    });
    shiftRows.push(row);
    ui.shiftRows.append(li);
    updateNote(row);
    renumber();
    return row;
  }

  ui.shiftAdd.addEventListener('click', () => {
    // the day after the last shift, at the same hours; a first shift today, 09:00–17:00
    const last = shiftRows.at(-1);
    const lastV = last && inputsOf(last);
    const date = lastV?.fromDate ? addDays(lastV.fromDate, 1) : siteToday(Date.now(), tz());
    const from = lastV?.fromTime || '09:00';
    const to = lastV?.toTime || '17:00';
    const ends = lastV?.toDate && lastV.fromDate ? addDays(date, Math.round((Date.parse(lastV.toDate) - Date.parse(lastV.fromDate)) / 86_400_000)) : date;
    addShiftRow({ fromDate: date, fromTime: from, toDate: ends, toTime: to }).inputs.fromDate.focus();
  });

  // ---------------------------------------------------------------------------------------
  // The editor

  const errors = formErrors(byId('staff-form-error'), (field) => {
    const slot = (/** @type {string} */ id, /** @type {string} */ label) => ({ input: byId(id), error: byId(`${id}-error`), label });
    if (field === 'id') return slot('staff-id', 'Staff id:');
    if (field === 'name') return slot('staff-name', 'Name:');
    if (field === 'roles' || field.startsWith('roles.')) return { input: /** @type {HTMLElement} */ (roleBox[STAFF_ROLES[0] ?? 'cleaner']), error: byId('staff-roles-error'), label: 'Roles:' };
    if (field === 'zoneId') return slot('staff-zone', 'Where they are:');
    if (field === 'shifts') return { input: ui.shiftAdd, error: byId('shifts-error'), label: 'Shifts:' };
    const m = /^shifts\.(\d+)(?:\.(\w+))?$/.exec(field);
    const row = m ? shiftRows[Number(m[1])] : undefined;
    if (!m || !row) return undefined;
    const key = /** @type {ShiftField} */ (m[2] && m[2] in row.inputs ? m[2] : (API_SHIFT_FIELD[m[2] ?? ''] ?? 'fromDate'));
    return { input: row.inputs[key], error: row.error, label: `Shift ${Number(m[1]) + 1}:` };
  });

  /** @type {StaffMember | null} null: a new member */
  let editing = null;
  /** @type {HTMLElement | null} where the keyboard goes back to when the editor closes */
  let openedFrom = null;

  /** @param {StaffMember | null} m */
  function openEditor(m) {
    editing = m;
    openedFrom = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    errors.clear();
    ui.form.reset();
    ui.formTitle.textContent = m ? `Edit ${m.name}` : 'Add a staff member';
    ui.id.value = m?.id ?? '';
    ui.id.readOnly = m !== null;
    ui.idHint.textContent = m ? 'The id cannot change: users and work orders name it.' : 'Lower-case letters, digits, “-” and “_”; it cannot change later.';
    ui.name.value = m?.name ?? '';
    for (const r of STAFF_ROLES) /** @type {HTMLInputElement} */ (roleBox[r]).checked = m?.roles.includes(r) ?? false;
    ui.zone.value = m?.zoneId ?? '';
    ui.available.checked = m?.available ?? true;
    ui.shiftRows.replaceChildren();
    shiftRows = [];
    for (const s of [...(m?.shifts ?? [])].sort((a, b) => a.from - b.from)) addShiftRow(shiftToInputs(s, tz()));
    renumber();
    ui.form.hidden = false;
    ui.add.hidden = true;
    ui.formTitle.focus();
  }

  function closeEditor() {
    ui.form.hidden = true;
    ui.add.hidden = false;
    errors.clear();
    const back = openedFrom?.isConnected ? openedFrom : editing ? document.querySelector(`[data-key="edit:${CSS.escape(editing.id)}"]`) : ui.add;
    editing = null;
    if (back instanceof HTMLElement) back.focus();
  }

  ui.add.addEventListener('click', () => openEditor(null));
  byId('staff-cancel').addEventListener('click', closeEditor);
  ui.form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') closeEditor();
  });

  ui.form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clear();
    const id = ui.id.value.trim();
    const name = ui.name.value.trim();
    const roles = STAFF_ROLES.filter((r) => roleBox[r]?.checked);
    /** @type {Array<{ field: string, text: string }>} */
    const problems = [];
    if (!editing) {
      const idProblem = slugProblem(id);
      const taken = ctx.data().staff.find((m) => m.id === id);
      if (idProblem) problems.push({ field: 'id', text: idProblem });
      else if (taken) problems.push({ field: 'id', text: `is already ${taken.name}'s: edit them in the list instead` });
    }
    if (!name) problems.push({ field: 'name', text: 'is required' });
    if (roles.length === 0) problems.push({ field: 'roles', text: 'choose at least one' });
    const shifts = [];
    for (const [i, row] of shiftRows.entries()) {
      const r = shiftFromInputs(inputsOf(row), tz());
      if (r.ok) shifts.push(r.shift);
      else problems.push({ field: `shifts.${i}.${r.field}`, text: r.message });
    }
    if (problems.length) return errors.show(problems);
    ui.save.disabled = true;
    try {
      const body = { name, roles, shifts, zoneId: ui.zone.value || null, available: ui.available.checked };
      const saved = /** @type {StaffMember} */ (await callApi('PUT', `/api/v1/staff/${encodeURIComponent(id)}`, body));
      await ctx.reload('staff').catch(() => undefined);
      openedFrom = document.querySelector(`[data-key="edit:${CSS.escape(saved.id)}"]`);
      closeEditor();
      ui.said.textContent = `Saved ${saved.name} with ${saved.shifts.length} shift${saved.shifts.length === 1 ? '' : 's'}.`;
    } catch (err) {
      errors.fromApi(err, `save ${name || 'the staff member'}`);
    } finally {
      ui.save.disabled = false;
    }
  });

  // ---------------------------------------------------------------------------------------
  // The list

  /** @param {StaffMember} m @param {number} now */
  function shiftsCell(m, now) {
    const zone = tz();
    const current = m.shifts.find((s) => s.from <= now && now < s.to);
    const next = m.shifts.filter((s) => s.from > now).sort((a, b) => a.from - b.from)[0];
    const lines = [];
    if (current) lines.push(el('span', { class: 'state state-on' }, [el('span', { 'aria-hidden': 'true', text: '● ' }), `On shift now, until ${siteTimeLabel(current.to, zone)}`]));
    if (next) lines.push(el('span', {}, [`Next: ${shiftLabel(next, zone)}`]));
    if (!current && !next) lines.push(el('span', { class: 'muted', text: 'No shift now or later' }));
    lines.push(el('span', { class: 'muted', text: `${m.shifts.length} shift${m.shifts.length === 1 ? '' : 's'} in all` }));
    return el('td', { 'data-label': 'Shifts' }, [el('div', { class: 'lines' }, lines)]);
  }

  /** @param {StaffMember} m @param {AdminData} d @param {number} now */
  function row(m, d, now) {
    const zone = m.zoneId ? d.site.zones.find((z) => z.id === m.zoneId) : undefined;
    const users = d.users.filter((u) => u.staffId === m.id);
    const edit = el('button', { type: 'button', 'data-key': `edit:${m.id}`, 'aria-label': `Edit ${m.name}`, text: 'Edit' });
    edit.addEventListener('click', () => openEditor(m));
    return el('tr', { id: `staff-row-${m.id}`, 'data-staff-id': m.id, tabindex: '-1' }, [
      el('th', { scope: 'row', 'data-label': 'Name' }, [m.name, el('span', { class: 'muted id', text: ` · ${m.id}` })]),
      el('td', { 'data-label': 'Roles', text: m.roles.map((r) => STAFF_ROLE_LABEL[r]).join(', ') }),
      el('td', { 'data-label': 'Where', text: zone ? zone.name : m.zoneId ?? 'Not known' }),
      el('td', { 'data-label': 'Available' }, [
        m.available ? el('span', { class: 'state state-on' }, [el('span', { 'aria-hidden': 'true', text: '✓ ' }), 'Yes']) : el('span', { class: 'state state-warn' }, [el('span', { 'aria-hidden': 'true', text: '⏸ ' }), 'On a break']),
      ]),
      el('td', { 'data-label': 'Signs in as' }, [
        users.length
          ? el('span', {}, users.flatMap((u, i) => [i > 0 ? ', ' : '', el('a', { href: routeHref('users', u.userId), text: u.disabled ? `${u.userId} (disabled)` : u.userId })]))
          : el('a', { href: routeHref('users', 'new', m.roles.includes('supervisor') ? 'supervisor' : 'staff', m.id), text: 'Create a user' }),
      ]),
      shiftsCell(m, now),
      el('td', { 'data-label': 'Actions' }, [edit]),
    ]);
  }

  /** @param {AdminData} d */
  function fillZones(d) {
    const was = ui.zone.value;
    const floors = new Map(d.site.floors.map((f) => [f.id, f]));
    const zones = [...d.site.zones].sort((a, b) => (floors.get(a.floorId)?.level ?? 0) - (floors.get(b.floorId)?.level ?? 0) || a.name.localeCompare(b.name));
    ui.zone.replaceChildren(el('option', { value: '', text: 'Not known' }), ...zones.map((z) => el('option', { value: z.id, text: `${z.name} (${floors.get(z.floorId)?.name ?? z.floorId})` })));
    ui.zone.value = was;
  }

  return {
    render(d) {
      const zone = d.site.timezone;
      const known = isKnownZone(zone);
      const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
      ui.tzNote.textContent = known
        ? `Times are the site's local time, ${zone} (${offsetLabel(Date.now(), zone)} now)${here && here !== zone ? `, not this device's (${here})` : ''}.`
        : `This browser does not know the site's time zone “${zone}”, so shifts cannot be shown or edited here.`;
      ui.add.disabled = !known;
      fillZones(d);
      const now = Date.now();
      const staff = [...d.staff].sort((a, b) => a.name.localeCompare(b.name));
      keepingFocus(() => {
        ui.rows.replaceChildren(...(known ? staff.map((m) => row(m, d, now)) : []));
      });
      ui.count.textContent = String(staff.length);
      ui.empty.hidden = staff.length > 0;
    },
    open(rest) {
      const target = rest[0] ? document.getElementById(`staff-row-${rest[0]}`) : null;
      if (target) {
        target.classList.add('highlight');
        target.focus();
        setTimeout(() => target.classList.remove('highlight'), 2000);
      }
    },
  };
}
