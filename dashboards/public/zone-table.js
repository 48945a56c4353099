// @ts-check
/**
 * The side table of zones: one row per zone, built once; a push rewrites only the cells whose
 * shown value changed, and a re-sort moves only the rows that are out of place.
 */
import { compareRows, rowsInPlace, sortValue } from './live-model.js';

/** @typedef {import('./live-model.js').Floor} Floor */
/** @typedef {import('./live-model.js').Zone} Zone */
/** @typedef {import('./live-model.js').ZoneLive} ZoneLive */
/** @typedef {import('./live-model.js').ZoneView} ZoneView */
/** @typedef {import('./live-model.js').SortKey} SortKey */
/** @typedef {import('./live-model.js').Sort} Sort */

/** @param {string} text read by screen readers, not shown */
function hidden(text) {
  const span = document.createElement('span');
  span.className = 'visually-hidden';
  span.textContent = text;
  return span;
}

/** Row highlight after a change; WAAPI keyframes take no CSS variables reliably. */
const FLASH = [{ backgroundColor: 'rgba(120, 180, 255, 0.22)' }, { backgroundColor: 'rgba(120, 180, 255, 0)' }];

/** @type {{ key: SortKey, label: string, abbr?: string, numeric: boolean, first: 'asc' | 'desc' }[]} */
const COLUMNS = [
  { key: 'name', label: 'Zone', numeric: false, first: 'asc' },
  { key: 'floor', label: 'Floor', numeric: false, first: 'asc' },
  { key: 'occupancy', label: 'People', numeric: true, first: 'desc' },
  { key: 'density', label: 'Density', abbr: 'people per m²', numeric: true, first: 'desc' },
  { key: 'footfall', label: 'In/min', abbr: 'people who came in during the last minute', numeric: true, first: 'desc' },
  { key: 'co2', label: 'CO₂', abbr: 'carbon dioxide, ppm', numeric: true, first: 'desc' },
];

/**
 * @typedef {object} Row
 * @property {Zone} zone
 * @property {Floor | undefined} floor
 * @property {ZoneLive | undefined} live
 * @property {ZoneView | undefined} view
 * @property {HTMLTableRowElement} tr
 * @property {HTMLElement} occupancy
 * @property {HTMLElement} badge
 * @property {HTMLElement} density
 * @property {HTMLElement} footfall
 * @property {HTMLElement} co2
 * @property {Animation | null} flash  the row's highlight, replayed on each change rather than made anew
 */

/**
 * @typedef {object} ZoneTable
 * @property {HTMLElement} element
 * @property {(zoneId: string, live: ZoneLive | undefined, view: ZoneView, flash: boolean) => boolean} update  true when the sort key's value changed
 * @property {() => void} sort  put the rows in order (moves only misplaced rows)
 * @property {(zoneId: string | null) => void} select
 * @property {(zoneId: string) => void} reveal
 */

/**
 * @param {readonly Zone[]} zones
 * @param {Map<string, Floor>} floors
 * @param {{ initial: Sort, onSelect: (zoneId: string) => void, onSort: (sort: Sort) => void, reducedMotion: () => boolean }} opts
 * @returns {ZoneTable}
 */
export function createZoneTable(zones, floors, opts) {
  let current = opts.initial;
  const table = document.createElement('table');
  table.className = 'zones';
  const caption = document.createElement('caption');
  caption.className = 'visually-hidden';
  const colgroup = document.createElement('colgroup');
  for (const col of COLUMNS) {
    const c = document.createElement('col');
    c.className = `c-${col.key}`;
    colgroup.append(c);
  }
  table.append(colgroup);
  const thead = table.createTHead();
  const headRow = thead.insertRow();
  /** @type {Map<SortKey, { th: HTMLTableCellElement, button: HTMLButtonElement }>} */
  const heads = new Map();
  for (const col of COLUMNS) {
    const th = document.createElement('th');
    th.scope = 'col';
    if (col.numeric) th.classList.add('num');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'sort';
    button.dataset.sortKey = col.key;
    const label = document.createElement('span');
    label.textContent = col.label;
    if (col.abbr) button.title = `Sort by ${col.abbr}`;
    const arrow = document.createElement('span');
    arrow.className = 'sort-arrow';
    arrow.setAttribute('aria-hidden', 'true');
    button.append(label, arrow);
    button.addEventListener('click', () => {
      current = current.key === col.key ? { key: col.key, dir: current.dir === 'asc' ? 'desc' : 'asc' } : { key: col.key, dir: col.first };
      markHeads();
      sort();
      opts.onSort(current);
    });
    th.append(button);
    headRow.append(th);
    heads.set(col.key, { th, button });
  }
  const tbody = table.createTBody();

  /** @type {Map<string, Row>} */
  const rows = new Map();
  for (const zone of zones) {
    const floor = floors.get(zone.floorId);
    const tr = tbody.insertRow();
    tr.dataset.zoneId = zone.id;
    tr.className = 'lvl-none';
    const nameCell = document.createElement('th');
    nameCell.scope = 'row';
    const nameButton = document.createElement('button');
    nameButton.type = 'button';
    nameButton.className = 'zone-link';
    nameButton.textContent = zone.name;
    nameButton.title = `${zone.name} (${zone.kind}, ${zone.areaM2} m²): show it on the ${floor?.name ?? ''} plan`;
    nameButton.addEventListener('click', () => opts.onSelect(zone.id));
    nameCell.append(nameButton);
    tr.append(nameCell);
    const cell = (/** @type {string} */ cls) => {
      const td = tr.insertCell();
      td.className = cls;
      return td;
    };
    cell('floor-cell').textContent = floor?.name ?? zone.floorId;
    const occupancy = cell('num occupancy');
    const densityCell = cell('num density-cell');
    const badge = document.createElement('span');
    badge.className = 'badge';
    const density = document.createElement('span');
    density.className = 'density';
    densityCell.append(badge, density);
    const footfall = cell('num footfall');
    const co2 = cell('num co2');
    rows.set(zone.id, { zone, floor, live: undefined, view: undefined, tr, occupancy, badge, density, footfall, co2, flash: null });
  }

  const markHeads = () => {
    for (const [key, { th, button }] of heads) {
      const on = key === current.key;
      if (on) th.setAttribute('aria-sort', current.dir === 'asc' ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
      button.classList.toggle('active', on);
      const arrow = button.querySelector('.sort-arrow');
      if (arrow) arrow.textContent = on ? (current.dir === 'asc' ? '▲' : '▼') : '';
    }
    const col = COLUMNS.find((c) => c.key === current.key);
    caption.textContent = `Zones, sorted by ${col?.abbr ?? col?.label.toLowerCase()}, ${current.dir === 'asc' ? 'lowest' : 'highest'} first`;
  };

  // Rows already in order relative to each other stay; the others are moved, from the last one
  // up, in front of the row that follows them. With hundreds of zones changing every second, a
  // move per out-of-place position would touch most rows on every re-sort.
  const sort = () => {
    const ordered = [...rows.values()].sort(compareRows(current));
    const position = new Map(Array.from(tbody.rows, (tr, i) => [tr, i]));
    const stay = rowsInPlace(ordered.map((r) => position.get(r.tr) ?? -1));
    /** @type {HTMLTableRowElement | null} */
    let next = null;
    for (let i = ordered.length - 1; i >= 0; i--) {
      const tr = /** @type {Row} */ (ordered[i]).tr;
      if (!stay.has(i)) tbody.insertBefore(tr, next);
      next = tr;
    }
  };

  table.prepend(caption);
  markHeads();
  sort();

  return {
    element: table,
    update(zoneId, live, view, flash) {
      const r = rows.get(zoneId);
      if (!r) return false;
      const prev = r.view;
      const before = sortValue(r, current.key);
      r.live = live;
      r.view = view;
      if (prev?.level.id !== view.level.id) {
        r.tr.classList.remove(`lvl-${prev?.level.id ?? 'none'}`);
        r.tr.classList.add(`lvl-${view.level.id}`);
        r.badge.textContent = view.level.label;
      }
      if (prev?.occupancy !== view.occupancy) r.occupancy.textContent = view.occupancy;
      if (prev?.density !== view.density) r.density.textContent = view.density;
      if (prev?.footfall !== view.footfall) r.footfall.textContent = view.footfall;
      if (prev?.co2 !== view.co2 || prev?.co2High !== view.co2High) {
        r.co2.textContent = view.co2;
        if (view.co2High) r.co2.append(hidden(' ppm, high'));
        r.co2.classList.toggle('warn', view.co2High);
      }
      if (flash && !opts.reducedMotion()) {
        if (r.flash) {
          r.flash.currentTime = 0;
          r.flash.play();
        } else r.flash = r.tr.animate(FLASH, { duration: 1000, easing: 'ease-out' });
      }
      return sortValue(r, current.key) !== before;
    },
    sort,
    select(zoneId) {
      for (const [id, r] of rows) r.tr.classList.toggle('selected', id === zoneId);
    },
    reveal(zoneId) {
      rows.get(zoneId)?.tr.scrollIntoView({ block: 'nearest', behavior: opts.reducedMotion() ? 'auto' : 'smooth' });
    },
  };
}
