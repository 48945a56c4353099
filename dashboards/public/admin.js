// @ts-check
/**
 * The admin's home: users and keys, merchants and their shops, the staff roster and shifts.
 * Data: GET /api/v1/site, /api/v1/users and /api/v1/staff once, each list again after a change
 * to it. One section shows at a time, chosen by the address (`#users`, `#merchants`,
 * `#staff/guard-1`), so the browser's back button and bookmarks work and the navigation is
 * plain links.
 */
import { requireSession, showSignedIn } from './session.js';
import { callApi } from './api.js';
import { SECTIONS, parseRoute } from './admin-forms.js';
import { byId, explain } from './admin-ui.js';
import { createUsersSection } from './admin-users.js';
import { createMerchantsSection } from './admin-merchants.js';
import { createStaffSection } from './admin-staff.js';

/** @typedef {import('./admin-ui.js').AdminData} AdminData */
/** @typedef {import('./admin-ui.js').AdminSection} AdminSection */
/** @typedef {import('./admin-forms.js').Section} Section */

const ROLES = ['admin'];
/** @type {Record<Section, string>} */
const TITLES = { users: 'Users and keys', merchants: 'Merchants and shops', staff: 'Staff and shifts' };

const ui = {
  siteName: byId('site-name'),
  main: byId('main'),
  problem: byId('problem'),
  problemTitle: byId('problem-title'),
  problemDetail: byId('problem-detail'),
  retry: /** @type {HTMLButtonElement} */ (byId('retry')),
};

/** @type {AdminData | null} */
let data = null;
const ctx = {
  data: () => /** @type {AdminData} */ (data),
  /** @param {'users' | 'staff'} what */
  async reload(what) {
    if (!data) return;
    if (what === 'users') data.users = /** @type {AdminData['users']} */ (await callApi('GET', '/api/v1/users'));
    else data.staff = /** @type {AdminData['staff']} */ (await callApi('GET', '/api/v1/staff'));
    renderAll();
  },
};

/** @type {Record<Section, AdminSection>} */
const sections = {
  users: createUsersSection(ctx),
  merchants: createMerchantsSection(ctx),
  staff: createStaffSection(ctx),
};

function renderAll() {
  if (!data) return;
  for (const s of SECTIONS) sections[s].render(data);
}

/** Shows the section the address names; `focus`: move the keyboard there (a navigation, not the first load). @param {boolean} focus */
function route(focus) {
  const { section, rest } = parseRoute(location.hash);
  for (const s of SECTIONS) {
    byId(`${s}-section`).hidden = s !== section;
    const link = byId(`nav-${s}`);
    if (s === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${TITLES[section]} · Atrium admin`;
  if (focus && rest.length === 0) byId(`${section}-title`).focus();
  if (data) sections[section].open(rest);
}

addEventListener('hashchange', () => {
  // only the sections' own addresses move the page; anything else is an ordinary anchor
  const head = location.hash.replace(/^#/, '').split('/')[0] ?? '';
  if (/** @type {readonly string[]} */ (SECTIONS).includes(head) || head === '') route(true);
});
// a link to where the page already is (the same merchant's "create a user" twice) still acts
document.addEventListener('click', (e) => {
  const a = e.target instanceof Element ? e.target.closest('a[href^="#"]') : null;
  if (a && a.getAttribute('href') === location.hash) route(true);
});
// "Skip to the content" moves the keyboard without changing the section
document.querySelector('.skip-link')?.addEventListener('click', (e) => {
  e.preventDefault();
  ui.main.focus();
});

/** @param {string} title @param {string} detail */
function showProblem(title, detail) {
  ui.problemTitle.textContent = title;
  ui.problemDetail.textContent = detail;
  ui.problem.hidden = false;
}

/** @param {import('./session.js').SessionInfo} session */
async function boot(session) {
  ui.problem.hidden = true;
  ui.retry.disabled = true;
  try {
    const [site, users, staff] = await Promise.all([callApi('GET', '/api/v1/site'), callApi('GET', '/api/v1/users'), callApi('GET', '/api/v1/staff')]);
    data = { site: /** @type {AdminData['site']} */ (site), users: /** @type {AdminData['users']} */ (users), staff: /** @type {AdminData['staff']} */ (staff), me: session.principal };
    ui.siteName.textContent = data.site.name;
    renderAll();
    ui.main.hidden = false;
    route(false);
  } catch (err) {
    console.error(err);
    showProblem(data ? 'Could not reload.' : 'The admin pages could not start.', explain(err, 'load the users, the roster and the site'));
  } finally {
    ui.retry.disabled = false;
  }
}
void requireSession(ROLES).then((session) => {
  showSignedIn(session, { button: /** @type {HTMLButtonElement} */ (byId('sign-out')), who: byId('signed-in-as') });
  ui.retry.addEventListener('click', () => void boot(session));
  return boot(session);
});
