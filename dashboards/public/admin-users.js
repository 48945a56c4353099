// @ts-check
/**
 * Users and keys: the list, creating a user (the link its role needs chosen from the roster or
 * the site's merchants), disabling and enabling, a new API key, and a password-reset link. A key
 * or link is shown once, in a panel with a copy button, because the cloud keeps only its hash.
 */
import { ApiError, callApi } from './api.js';
import { ROLE_INFO, USER_ROLES, linkFieldOf, routeHref, slugProblem } from './admin-forms.js';
import { siteTimeLabel } from './admin-time.js';
import { byId, confirmAction, copyText, el, explain, formErrors, keepingFocus } from './admin-ui.js';

/** @typedef {import('./admin-ui.js').AdminContext} AdminContext */
/** @typedef {import('./admin-ui.js').AdminData} AdminData */
/** @typedef {import('./admin-ui.js').User} User */
/** @typedef {import('@atrium/shared').Role} Role */

/** @param {AdminContext} ctx @returns {import('./admin-ui.js').AdminSection} */
export function createUsersSection(ctx) {
  const ui = {
    form: /** @type {HTMLFormElement} */ (byId('user-form')),
    userId: /** @type {HTMLInputElement} */ (byId('new-user-id')),
    role: /** @type {HTMLSelectElement} */ (byId('new-user-role')),
    roleHint: byId('new-user-role-hint'),
    staffField: byId('new-user-staff-field'),
    staff: /** @type {HTMLSelectElement} */ (byId('new-user-staff')),
    merchantField: byId('new-user-merchant-field'),
    merchant: /** @type {HTMLSelectElement} */ (byId('new-user-merchant')),
    create: /** @type {HTMLButtonElement} */ (byId('user-create')),
    rows: byId('users-rows'),
    count: byId('users-count'),
    said: byId('users-said'),
    secret: byId('secret'),
    secretTitle: byId('secret-title'),
    secretWarning: byId('secret-warning'),
    secretLabel: byId('secret-label'),
    secretValue: /** @type {HTMLTextAreaElement} */ (byId('secret-value')),
    secretDetail: byId('secret-detail'),
    secretCopied: byId('secret-copied'),
    secretReset: /** @type {HTMLButtonElement} */ (byId('secret-reset')),
  };
  const errors = formErrors(byId('user-form-error'), (field) => {
    const slot = (/** @type {string} */ id, /** @type {string} */ label) => ({ input: byId(id), error: byId(`${id}-error`), label });
    if (field === 'userId') return slot('new-user-id', 'User name:');
    if (field === 'role') return slot('new-user-role', 'Role:');
    if (field === 'staffId') return slot('new-user-staff', 'Staff member:');
    if (field === 'merchantId') return slot('new-user-merchant', 'Merchant:');
    return undefined;
  });

  for (const r of USER_ROLES) ui.role.append(el('option', { value: r, text: ROLE_INFO[r].label }));
  const syncRole = () => {
    const role = /** @type {Role} */ (ui.role.value);
    const link = linkFieldOf(role);
    ui.roleHint.textContent = `${ROLE_INFO[role].label}: ${ROLE_INFO[role].does}.`;
    ui.staffField.hidden = ui.staff.disabled = link !== 'staffId';
    ui.merchantField.hidden = ui.merchant.disabled = link !== 'merchantId';
  };
  ui.role.addEventListener('change', syncRole);
  syncRole();

  // ---------------------------------------------------------------------------------------
  // The one-time panel

  /** @type {string | null} the user a "make a reset link" button in the panel is for */
  let resetFor = null;
  /**
   * @param {{ title: string, label: string, value: string, warning: string, detail: string, offerResetFor?: string }} s
   */
  function showSecret(s) {
    ui.secretTitle.textContent = s.title;
    ui.secretLabel.textContent = s.label;
    ui.secretValue.value = s.value;
    ui.secretWarning.textContent = s.warning;
    ui.secretDetail.textContent = s.detail;
    ui.secretCopied.textContent = '';
    resetFor = s.offerResetFor ?? null;
    ui.secretReset.hidden = resetFor === null;
    ui.secretReset.textContent = resetFor ? `Make a password-reset link for ${resetFor}` : '';
    ui.secret.hidden = false;
    ui.secret.focus();
  }
  function hideSecret() {
    ui.secret.hidden = true;
    ui.secretValue.value = ''; // out of the page, not only out of sight
    resetFor = null;
  }
  byId('secret-copy').addEventListener('click', async () => {
    const ok = await copyText(ui.secretValue.value, ui.secretValue);
    ui.secretCopied.textContent = ok ? 'Copied to the clipboard.' : 'Could not copy: the text is selected, copy it with your keyboard or menu.';
  });
  byId('secret-done').addEventListener('click', () => {
    hideSecret();
    ui.userId.focus();
  });
  ui.secretReset.addEventListener('click', () => {
    if (resetFor) void resetPassword(resetFor, ui.secretReset);
  });

  // ---------------------------------------------------------------------------------------
  // Creating a user

  /** Fills the staff and merchant choices from the roster and the site, keeping what was chosen. @param {AdminData} d */
  function fillChoices(d) {
    const userOf = (/** @type {(u: User) => boolean} */ f) => d.users.filter(f).map((u) => u.userId);
    const fill = (/** @type {HTMLSelectElement} */ select, /** @type {string} */ empty, /** @type {Array<{ value: string, text: string }>} */ options) => {
      const was = select.value;
      select.replaceChildren(el('option', { value: '', text: options.length ? empty : 'None yet' }), ...options.map((o) => el('option', { value: o.value, text: o.text })));
      select.value = options.some((o) => o.value === was) ? was : '';
    };
    const members = [...d.staff].sort((a, b) => a.name.localeCompare(b.name));
    fill(
      ui.staff,
      'Choose a staff member',
      members.map((m) => {
        const has = userOf((u) => u.staffId === m.id);
        return { value: m.id, text: `${m.name} (${m.id})${has.length ? ` · signs in as ${has.join(', ')}` : ''}` };
      }),
    );
    fill(
      ui.merchant,
      'Choose a merchant',
      d.site.merchants.map((m) => {
        const shops = d.site.shops.filter((s) => s.merchantId === m.id).length;
        return { value: m.id, text: `${m.name} (${shops} shop${shops === 1 ? '' : 's'})` };
      }),
    );
  }

  ui.form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clear();
    const userId = ui.userId.value.trim();
    const role = /** @type {Role} */ (ui.role.value);
    const link = linkFieldOf(role);
    const problems = [];
    const idProblem = slugProblem(userId);
    if (idProblem) problems.push({ field: 'userId', text: idProblem });
    if (link === 'staffId' && !ui.staff.value) problems.push({ field: 'staffId', text: `choose who this ${ROLE_INFO[role].label.toLowerCase()} is on the roster` });
    if (link === 'merchantId' && !ui.merchant.value) problems.push({ field: 'merchantId', text: 'choose the merchant whose shops they will see' });
    if (problems.length) return errors.show(problems);
    ui.create.disabled = true;
    try {
      const body = { userId, role, ...(link === 'staffId' && { staffId: ui.staff.value }), ...(link === 'merchantId' && { merchantId: ui.merchant.value }) };
      const made = /** @type {{ user: User, key: string }} */ (await callApi('POST', '/api/v1/users', body));
      ui.form.reset();
      syncRole();
      ui.said.textContent = `Created ${made.user.userId} (${ROLE_INFO[made.user.role].label}).`;
      await ctx.reload('users').catch(() => undefined);
      showSecret({
        title: `API key for ${made.user.userId}`,
        label: 'API key',
        value: made.key,
        warning: 'Copy it now and keep it somewhere safe: Atrium keeps only a fingerprint of it and cannot show it again. Scripts send it as “Authorization: Bearer <key>”. People sign in with a password instead: make them a reset link to choose one.',
        detail: '',
        offerResetFor: made.user.userId,
      });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'ATRIUM_USER_EXISTS') errors.show([{ field: 'userId', text: `is taken: there is a user “${userId}” already` }]);
      else errors.fromApi(err, 'create the user');
    } finally {
      ui.create.disabled = false;
    }
  });

  // ---------------------------------------------------------------------------------------
  // Actions on a user

  /** @param {string} userId @param {HTMLButtonElement} button */
  async function resetPassword(userId, button) {
    button.disabled = true;
    try {
      const r = /** @type {{ token: string, link: string, expiresAt: number }} */ (await callApi('POST', `/api/v1/users/${encodeURIComponent(userId)}/password-reset`, {}));
      const tz = ctx.data().site.timezone;
      const hours = Math.round((r.expiresAt - Date.now()) / 3_600_000);
      showSecret({
        title: `Password reset link for ${userId}`,
        label: 'Reset link',
        value: `${location.origin}${r.link}`,
        warning: `Give it to ${userId} only, in person or where only they read it: whoever opens it chooses ${userId}'s password. It works once; a newer link replaces it.`,
        detail: `Valid until ${siteTimeLabel(r.expiresAt, tz)}, site time (${tz})${hours > 0 ? `, about ${hours} h from now` : ''}.`,
      });
      ui.said.textContent = `Made a password reset link for ${userId}.`;
    } catch (err) {
      ui.said.textContent = explain(err, `make a reset link for ${userId}`);
    } finally {
      button.disabled = false;
    }
  }

  /** @param {User} u @param {HTMLButtonElement} button */
  async function rotateKey(u, button) {
    const sure = await confirmAction({
      title: `New API key for ${u.userId}?`,
      text: `${u.userId}'s current key stops working at once, for every script that uses it. Signing in with a password is not affected. The new key is shown once.`,
      ok: 'Make a new key',
    });
    if (!sure) return button.focus();
    button.disabled = true;
    try {
      const r = /** @type {{ key: string }} */ (await callApi('POST', `/api/v1/users/${encodeURIComponent(u.userId)}/rotate-key`, {}));
      ui.said.textContent = `${u.userId} has a new API key; the old one no longer works.`;
      showSecret({
        title: `New API key for ${u.userId}`,
        label: 'API key',
        value: r.key,
        warning: 'Copy it now and put it where the old key was: the old key no longer works, and Atrium cannot show this one again.',
        detail: '',
      });
    } catch (err) {
      ui.said.textContent = explain(err, `make a new key for ${u.userId}`);
    } finally {
      button.disabled = false;
    }
  }

  /** @param {User} u @param {HTMLButtonElement} button */
  async function toggleDisabled(u, button) {
    const disable = !u.disabled;
    if (disable) {
      const sure = await confirmAction({
        title: `Disable ${u.userId}?`,
        text: `${u.userId} is signed out everywhere at once and can no longer sign in; their API key stops working. You can enable them again later.`,
        ok: `Disable ${u.userId}`,
      });
      if (!sure) return button.focus();
    }
    button.disabled = true;
    try {
      await callApi('POST', `/api/v1/users/${encodeURIComponent(u.userId)}/${disable ? 'disable' : 'enable'}`, {});
      ui.said.textContent = disable ? `${u.userId} is disabled: signed out, and their key is refused.` : `${u.userId} is enabled again (they sign in with their password; a new reset link if they have none).`;
      await ctx.reload('users');
    } catch (err) {
      ui.said.textContent = explain(err, `${disable ? 'disable' : 'enable'} ${u.userId}`);
    } finally {
      button.disabled = false;
    }
  }

  // ---------------------------------------------------------------------------------------
  // The list

  /** @param {User} u @param {AdminData} d */
  function linkCell(u, d) {
    if (u.staffId) {
      const m = d.staff.find((s) => s.id === u.staffId);
      return ['Staff member: ', el('a', { href: routeHref('staff', u.staffId), text: m ? `${m.name} (${u.staffId})` : u.staffId })];
    }
    if (u.merchantId) {
      const m = d.site.merchants.find((x) => x.id === u.merchantId);
      return ['Merchant: ', el('a', { href: routeHref('merchants', u.merchantId), text: m ? m.name : u.merchantId })];
    }
    return [el('span', { class: 'muted', text: 'none' })];
  }

  /** @param {User} u @param {AdminData} d */
  function row(u, d) {
    const self = u.userId === d.me.userId;
    const button = (/** @type {string} */ key, /** @type {string} */ text, /** @type {string} */ label, /** @type {(b: HTMLButtonElement) => void} */ act) => {
      const b = el('button', { type: 'button', 'data-key': `${key}:${u.userId}`, 'aria-label': label, text });
      b.addEventListener('click', () => act(b));
      return b;
    };
    const actions = [
      !self && button('toggle', u.disabled ? 'Enable' : 'Disable', `${u.disabled ? 'Enable' : 'Disable'} ${u.userId}`, (b) => void toggleDisabled(u, b)),
      button('rotate', 'New API key', `New API key for ${u.userId}`, (b) => void rotateKey(u, b)),
      !u.disabled && button('reset', 'Reset password', `Reset password for ${u.userId}`, (b) => void resetPassword(u.userId, b)),
    ];
    return el('tr', { id: `user-${u.userId}`, 'data-user-id': u.userId, class: u.disabled ? 'is-disabled' : undefined, tabindex: '-1' }, [
      el('th', { scope: 'row', 'data-label': 'User' }, [u.userId, self && el('span', { class: 'muted', text: ' (you)' })]),
      el('td', { 'data-label': 'Role', text: ROLE_INFO[u.role].label }),
      el('td', { 'data-label': 'Linked to' }, linkCell(u, d)),
      el('td', { 'data-label': 'Status' }, [
        u.disabled ? el('span', { class: 'state state-off' }, [el('span', { 'aria-hidden': 'true', text: '⊘ ' }), 'Disabled']) : el('span', { class: 'state state-on' }, [el('span', { 'aria-hidden': 'true', text: '● ' }), 'Active']),
      ]),
      el('td', { 'data-label': 'Created', text: siteTimeLabel(u.createdAt, d.site.timezone) }),
      el('td', { 'data-label': 'Actions' }, [el('div', { class: 'row-actions' }, actions)]),
    ]);
  }

  return {
    render(d) {
      fillChoices(d);
      keepingFocus(() => {
        const users = [...d.users].sort((a, b) => Number(a.disabled) - Number(b.disabled) || a.userId.localeCompare(b.userId));
        ui.rows.replaceChildren(...users.map((u) => row(u, d)));
        ui.count.textContent = String(users.length);
      });
    },
    open(rest) {
      if (rest[0] === 'new') {
        // a link from a merchant or a roster entry: the form comes ready for that person
        const role = /** @type {Role} */ (rest[1] ?? '');
        if (USER_ROLES.includes(role)) ui.role.value = role;
        syncRole();
        if (rest[2] && role === 'merchant') ui.merchant.value = rest[2];
        if (rest[2] && (role === 'staff' || role === 'supervisor')) ui.staff.value = rest[2];
        errors.clear();
        ui.userId.focus();
        return;
      }
      const target = rest[0] ? document.getElementById(`user-${rest[0]}`) : null;
      if (target) {
        target.classList.add('highlight');
        target.focus();
        setTimeout(() => target.classList.remove('highlight'), 2000);
      }
    },
  };
}
