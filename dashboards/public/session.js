// @ts-check
/**
 * The signed-in person, for every page. A page asks for the session once (GET /api/v1/session);
 * without one it goes to the sign-in page and comes back after; a role that may not see the
 * page is sent to its own home instead of an error. The session cookie is httpOnly: this
 * module never sees it, only the CSRF token that changes must carry.
 */

/** @typedef {import('./dispatch-model.js').Principal} Principal */
/** @typedef {{ principal: Principal, csrfToken: string, home: string, signedInAt: number, idleExpiresAt: number, expiresAt: number }} SessionInfo */

export const SESSION_PATH = '/api/v1/session';
/** Keep-alive at most this often; an open page keeps its session, a closed one lets it idle out. */
const KEEP_ALIVE_MAX_MS = 5 * 60_000;

/** @type {SessionInfo | null} */
let current = null;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let keepAliveTimer;

/** The CSRF token for changes ('' before the session is known). */
export const csrfToken = () => current?.csrfToken ?? '';

/**
 * Leaves for the sign-in page, which brings the person back here afterwards.
 * @param {'expired' | 'signed-out' | ''} [why]
 */
export function goSignIn(why = '') {
  const next = location.pathname + location.search;
  location.replace(`/signin.html?next=${encodeURIComponent(next)}${why ? `&why=${why}` : ''}`);
}

/** @returns {Promise<SessionInfo | null>} null: not signed in (or no longer) */
async function fetchSession() {
  const res = await fetch(SESSION_PATH, { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (res.status === 401) return null;
  if (!res.ok) throw new Error(`the cloud answered ${res.status} for ${SESSION_PATH}`);
  return /** @type {SessionInfo} */ (await res.json());
}

function scheduleKeepAlive() {
  clearTimeout(keepAliveTimer);
  if (!current) return;
  const left = Math.min(current.idleExpiresAt, current.expiresAt) - Date.now();
  keepAliveTimer = setTimeout(() => void keepAlive(), Math.max(1000, Math.min(KEEP_ALIVE_MAX_MS, left / 3)));
}

async function keepAlive() {
  try {
    const s = await fetchSession();
    if (!s) return goSignIn('expired');
    current = s;
  } catch {
    // the cloud is unreachable: the page shows that itself; try again later
  }
  scheduleKeepAlive();
}

/**
 * The session if its role may see this page. Otherwise the browser is already leaving (to
 * sign-in, or to the role's home) and the promise never settles, so the page shows nothing.
 * @param {readonly string[]} roles
 * @returns {Promise<SessionInfo>}
 */
export async function requireSession(roles) {
  const s = await fetchSession();
  if (!s) {
    goSignIn();
    return new Promise(() => {});
  }
  if (!roles.includes(s.principal.role)) {
    location.replace(s.home);
    return new Promise(() => {});
  }
  current = s;
  scheduleKeepAlive();
  return s;
}

/** Ends the session and shows the sign-in page. */
export async function signOut() {
  clearTimeout(keepAliveTimer);
  await fetch(SESSION_PATH, { method: 'DELETE', headers: { 'x-csrf-token': csrfToken() } }).catch(() => undefined);
  current = null;
  location.replace('/signin.html?why=signed-out');
}

/**
 * Wires a page's "Sign out" button and shows who is signed in.
 * @param {SessionInfo} s
 * @param {{ button: HTMLButtonElement, who?: HTMLElement | null }} ui
 */
export function showSignedIn(s, ui) {
  if (ui.who) ui.who.textContent = `${s.principal.userId} (${s.principal.role})`;
  ui.button.addEventListener('click', () => void signOut());
}
