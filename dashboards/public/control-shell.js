// @ts-check
/**
 * What every quieter control-room page (insights, devices) starts with: the session (control
 * room roles only), the nav, the header strip, and the site's clock for every time shown.
 */
import { requireSession, showSignedIn } from './session.js';
import { createSiteClock } from './site-clock.js';
import { siteTimeFormat } from './dispatch-model.js';
import { mountControlNav } from './control-nav.js';
import { mountKpiStrip } from './kpi-strip.js';

export const CONTROL_ROLES = ['admin', 'operator', 'supervisor'];

/**
 * @param {import('./control-nav.js').ControlPage} current
 * @returns {Promise<{ clock: import('./site-clock.js').SiteClock, timeZone: string, timeOf: (t: number) => string }>}
 */
export async function startControlPage(current) {
  const nav = document.getElementById('control-nav');
  if (nav) mountControlNav(nav, current);
  const session = await requireSession(CONTROL_ROLES);
  showSignedIn(session, { button: /** @type {HTMLButtonElement} */ (document.getElementById('sign-out')), who: document.getElementById('signed-in-as') });
  const clock = createSiteClock();
  await clock.ready;
  const timeZone = clock.timeZone() || Intl.DateTimeFormat().resolvedOptions().timeZone;
  const format = siteTimeFormat(timeZone);
  const timeOf = (/** @type {number} */ t) => format(t, clock.now());
  const strip = document.getElementById('kpi-strip');
  if (strip) mountKpiStrip(strip, { timeOf });
  const siteTime = document.getElementById('site-time');
  if (siteTime) {
    const tick = () => {
      siteTime.textContent = timeOf(clock.now());
      siteTime.setAttribute('datetime', new Date(clock.now()).toISOString());
    };
    tick();
    setInterval(tick, 1000);
  }
  return { clock, timeZone, timeOf };
}

/**
 * A small element builder for the pages' tables.
 * @param {string} tag @param {Record<string, string>} [attrs] @param {(Node | string)[]} [children]
 */
export function h(tag, attrs = {}, children = []) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

/** A table's head and rows from plain text cells (numbers right-aligned). @param {HTMLTableElement} table @param {string[]} columns @param {(string | number)[][]} rows */
export function fillTable(table, columns, rows) {
  /** @type {(v: unknown) => Record<string, string>} */
  const num = (v) => (typeof v === 'number' ? { class: 'num' } : {});
  table.replaceChildren(
    h('thead', {}, [h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, [c])))]),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((v, i) => (i === 0 ? h('th', { scope: 'row' }, [String(v)]) : h('td', num(v), [typeof v === 'number' ? v.toLocaleString('en') : v])))))),
  );
}
