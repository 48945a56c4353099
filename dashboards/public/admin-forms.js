// @ts-check
/**
 * What the admin pages know about their forms and addresses, without touching the page:
 * which field a cloud refusal is about, what each role needs, and which section the address
 * (`#users`, `#staff/guard-1`, `#users/new/merchant/m-1`) asks for.
 */

/** @typedef {import('@atrium/shared').Role} Role */
/** @typedef {import('@atrium/shared').StaffRole} StaffRole */
/** @typedef {{ field: string, text: string }} FieldError  `field` as the API names it: 'userId', 'shifts.0.to' */

/** Users' roles in words, in the order the form offers them. @type {Record<Role, { label: string, does: string }>} */
export const ROLE_INFO = {
  operator: { label: 'Operator', does: 'works in the control room: alarms, work orders, staff' },
  supervisor: { label: 'Supervisor', does: 'an operator who is also on the roster (reassigns, verifies, cancels)' },
  staff: { label: 'Staff', does: 'takes their own jobs on the staff phone app' },
  merchant: { label: 'Merchant', does: "sees their own shops' traffic, forecasts and alerts" },
  admin: { label: 'Admin', does: 'manages users, keys and the roster, and can do all an operator can' },
};
export const USER_ROLES = /** @type {Role[]} */ (Object.keys(ROLE_INFO));

/** Roster roles in words. @type {Record<StaffRole, string>} */
export const STAFF_ROLE_LABEL = { cleaner: 'Cleaner', security: 'Security', technician: 'Technician', supervisor: 'Supervisor' };
export const STAFF_ROLES = /** @type {StaffRole[]} */ (Object.keys(STAFF_ROLE_LABEL));

/**
 * The link a role's user must have: staff and supervisors act as a roster entry, merchant
 * users belong to a merchant; the others have none.
 * @param {Role} role @returns {'staffId' | 'merchantId' | null}
 */
export function linkFieldOf(role) {
  if (role === 'staff' || role === 'supervisor') return 'staffId';
  if (role === 'merchant') return 'merchantId';
  return null;
}

const SLUG_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** What is wrong with an id the API will refuse, in words, or '' when it is fine. @param {string} value */
export function slugProblem(value) {
  if (value === '') return 'is required';
  if (value.length > 64) return 'must be at most 64 characters';
  if (!SLUG_RE.test(value)) return 'may use only a-z, 0-9, "-" and "_", and must start with a letter or digit';
  return '';
}

/**
 * The fields a 400 from the cloud names, from its message: validation says
 * "invalid body: shifts.0.to: must be after from; name: …", the services say
 * "invalid request: staffId: no staff member …". A message that names no field is left to
 * the form as a whole (field '').
 * @param {string} message @returns {FieldError[]}
 */
export function fieldErrors(message) {
  const body = message.replace(/^invalid (?:request|body|params|querystring)(?::\s*|\s+)/, '');
  /** @type {FieldError[]} */
  const out = [];
  for (const piece of body.split(/;\s+/)) {
    const m = /^([A-Za-z_][\w]*(?:\.[\w]+)*): (.+)$/s.exec(piece.trim());
    if (!m) {
      if (piece.trim()) out.push({ field: '', text: piece.trim() });
      continue;
    }
    out.push({ field: /** @type {string} */ (m[1]).replace(/^body\./, ''), text: /** @type {string} */ (m[2]) });
  }
  return out;
}

export const SECTIONS = /** @type {const} */ (['users', 'merchants', 'staff']);
/** @typedef {(typeof SECTIONS)[number]} Section */
/** @typedef {{ section: Section, rest: string[] }} Route */

/**
 * The section an address asks for and what follows it; anything unknown is the users section.
 * @param {string} hash location.hash, with or without '#' @returns {Route}
 */
export function parseRoute(hash) {
  const [head = '', ...rest] = hash.replace(/^#/, '').split('/').map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return '';
    }
  });
  const section = /** @type {readonly string[]} */ (SECTIONS).includes(head) ? /** @type {Section} */ (head) : 'users';
  return { section, rest: section === head ? rest.filter((p) => p !== '') : [] };
}

/** @param {Section} section @param {...string} rest */
export const routeHref = (section, ...rest) => `#${[section, ...rest.map(encodeURIComponent)].join('/')}`;
