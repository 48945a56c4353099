// @ts-check
/**
 * Merchants and their shops, from the site model, with the users who sign in for each merchant
 * and a link that opens the user form ready for a new one.
 */
import { routeHref } from './admin-forms.js';
import { byId, el } from './admin-ui.js';

/** @typedef {import('./admin-ui.js').AdminContext} AdminContext */
/** @typedef {import('./admin-ui.js').AdminData} AdminData */

/** @param {number} n @param {string} one @param {string} [many] */
const count = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** @param {AdminContext} _ctx @returns {import('./admin-ui.js').AdminSection} */
export function createMerchantsSection(_ctx) {
  const list = byId('merchants-list');
  const empty = byId('merchants-empty');

  /** @param {AdminData['site']['merchants'][number]} m @param {AdminData} d */
  function card(m, d) {
    const shops = d.site.shops.filter((s) => s.merchantId === m.id).sort((a, b) => a.name.localeCompare(b.name));
    const users = d.users.filter((u) => u.merchantId === m.id).sort((a, b) => a.userId.localeCompare(b.userId));
    const zoneName = (/** @type {string} */ zoneId) => {
      const z = d.site.zones.find((x) => x.id === zoneId);
      const f = z && d.site.floors.find((x) => x.id === z.floorId);
      return z ? `${z.name}${f ? `, ${f.name}` : ''}` : zoneId;
    };
    const titleId = `merchant-${m.id}-title`;
    return el('li', { id: `merchant-${m.id}`, class: 'card merchant', tabindex: '-1', 'aria-labelledby': titleId }, [
      el('h2', { id: titleId }, [m.name, el('span', { class: 'muted id', text: ` · ${m.id}` })]),
      el('h3', { text: `Shops (${shops.length})` }),
      shops.length
        ? el(
            'ul',
            { class: 'plain' },
            shops.map((s) => el('li', {}, [el('strong', { text: s.name }), ` · ${s.category} · ${zoneName(s.zoneId)} · ${s.areaM2} m²`])),
          )
        : el('p', { class: 'muted', text: 'No shops in the site model.' }),
      el('h3', { text: `Users (${users.length})` }),
      users.length
        ? el(
            'ul',
            { class: 'plain' },
            users.map((u) =>
              el('li', {}, [
                el('a', { href: routeHref('users', u.userId), text: u.userId }),
                u.disabled ? el('span', { class: 'state state-off' }, [' · ', el('span', { 'aria-hidden': 'true', text: '⊘ ' }), 'Disabled']) : el('span', { class: 'state state-on' }, [' · ', el('span', { 'aria-hidden': 'true', text: '● ' }), 'Active']),
              ]),
            ),
          )
        : el('p', { class: 'muted', text: 'Nobody signs in for this merchant yet.' }),
      el('p', {}, [el('a', { class: 'button-link', href: routeHref('users', 'new', 'merchant', m.id), text: `Create a user for ${m.name}` })]),
    ]);
  }

  return {
    render(d) {
      const merchants = [...d.site.merchants].sort((a, b) => a.name.localeCompare(b.name));
      list.replaceChildren(...merchants.map((m) => card(m, d)));
      empty.hidden = merchants.length > 0;
      byId('merchants-summary').textContent = `${count(merchants.length, 'merchant')} with ${count(d.site.shops.length, 'shop')} in ${d.site.name}.`;
    },
    open(rest) {
      const target = rest[0] ? document.getElementById(`merchant-${rest[0]}`) : null;
      target?.focus();
    },
  };
}
