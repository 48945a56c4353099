// @ts-check
/**
 * Sign-in, and choosing a password from an admin's reset link (`signin.html#reset=<token>`:
 * the token stays in the fragment, so it is never sent to a server log). After signing in, the
 * person goes back where they were (`?next=`, this site's own paths only) or to their role's home.
 */

/** @template {HTMLElement} [T=HTMLElement] @param {string} id @returns {T} */
function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`signin.html has no #${id}`);
  return /** @type {T} */ (el);
}

const ui = {
  title: byId('title'),
  notice: byId('notice'),
  form: /** @type {HTMLFormElement} */ (byId('signin-form')),
  userId: /** @type {HTMLInputElement} */ (byId('user-id')),
  password: /** @type {HTMLInputElement} */ (byId('password')),
  error: byId('signin-error'),
  submit: /** @type {HTMLButtonElement} */ (byId('signin-submit')),
  resetForm: /** @type {HTMLFormElement} */ (byId('reset-form')),
  newPassword: /** @type {HTMLInputElement} */ (byId('new-password')),
  repeat: /** @type {HTMLInputElement} */ (byId('repeat-password')),
  resetError: byId('reset-error'),
  resetSubmit: /** @type {HTMLButtonElement} */ (byId('reset-submit')),
};

const params = new URLSearchParams(location.search);
const WHY = { expired: 'Your session ended. Sign in again to carry on.', 'signed-out': 'You are signed out.' };

/** Only a path on this site: `//elsewhere` or `https://…` would make sign-in an open redirect. */
function nextPath() {
  const next = params.get('next') ?? '';
  return /^\/(?![/\\])/.test(next) ? next : null;
}

/** @param {HTMLElement} el @param {string} text */
function showError(el, text) {
  el.textContent = text;
  el.hidden = text === '';
}

/**
 * @param {string} path
 * @param {unknown} body
 * @returns {Promise<{ status: number, body: any, retryAfter: number }>}
 */
async function post(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
  let json = {};
  try {
    json = await res.json();
  } catch {
    // not JSON: the status says enough
  }
  return { status: res.status, body: json, retryAfter: Number(res.headers.get('retry-after') ?? 0) };
}

/** @type {ReturnType<typeof setInterval> | undefined} */
let waitTimer;
/** Counts down a throttle, keeping the button off until it may be tried again. @param {number} seconds */
function waitThenRetry(seconds) {
  clearInterval(waitTimer);
  let left = Math.max(1, seconds);
  ui.submit.disabled = true;
  const tick = () => {
    if (left <= 0) {
      clearInterval(waitTimer);
      ui.submit.disabled = false;
      showError(ui.error, 'You can try again now.');
      return;
    }
    showError(ui.error, `Too many wrong passwords. Wait ${left} s before the next try, or ask your administrator for a reset link.`);
    left -= 1;
  };
  tick();
  waitTimer = setInterval(tick, 1000);
}

ui.form.addEventListener('submit', async (event) => {
  event.preventDefault();
  showError(ui.error, '');
  const userId = ui.userId.value.trim();
  if (!userId || !ui.password.value) {
    showError(ui.error, !userId ? 'Enter your user name.' : 'Enter your password.');
    (!userId ? ui.userId : ui.password).focus();
    return;
  }
  ui.submit.disabled = true;
  try {
    const r = await post('/api/v1/session', { userId, password: ui.password.value });
    if (r.status === 200) {
      location.replace(nextPath() ?? r.body.home);
      return;
    }
    ui.password.value = '';
    if (r.status === 429) return waitThenRetry(r.retryAfter);
    showError(ui.error, r.status === 401 ? 'That user name or password is not right. Check both and try again.' : r.status === 400 ? `Check the form: ${r.body.message ?? 'a field is not valid'}.` : `The Atrium cloud answered ${r.status}. Try again in a moment.`);
    ui.password.focus();
    ui.submit.disabled = false;
  } catch {
    showError(ui.error, `Can't reach the Atrium cloud at ${location.host}. Check the network and try again.`);
    ui.submit.disabled = false;
  }
});

/** @param {string} token */
function showReset(token) {
  history.replaceState(null, '', location.pathname); // the token leaves the address bar (and screenshots)
  ui.title.textContent = 'Choose your password';
  ui.form.hidden = true;
  ui.resetForm.hidden = false;
  ui.newPassword.focus();
  ui.resetForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const pw = ui.newPassword.value;
    if (pw.length < 10) return showError(ui.resetError, 'The password needs at least 10 characters.');
    if (pw !== ui.repeat.value) return showError(ui.resetError, 'The two passwords are not the same.');
    ui.resetSubmit.disabled = true;
    const r = await post('/api/v1/password-reset', { token, newPassword: pw }).catch(() => null);
    ui.resetSubmit.disabled = false;
    if (!r) return showError(ui.resetError, `Can't reach the Atrium cloud at ${location.host}.`);
    if (r.status !== 200) return showError(ui.resetError, r.body.code === 'ATRIUM_RESET_TOKEN_INVALID' ? 'This reset link has been used or has expired. Ask your administrator for a new one.' : (r.body.message ?? `The cloud answered ${r.status}.`));
    ui.resetForm.hidden = true;
    ui.form.hidden = false;
    ui.title.textContent = 'Sign in';
    ui.notice.textContent = 'Your password is set. Sign in with it now.';
    ui.userId.value = r.body.userId;
    ui.password.focus();
  });
}

const resetToken = new URLSearchParams(location.hash.slice(1)).get('reset');
if (resetToken) showReset(resetToken);
else {
  const why = params.get('why');
  if (why === 'expired' || why === 'signed-out') ui.notice.textContent = WHY[why];
  ui.userId.focus();
}
