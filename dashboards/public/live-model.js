// @ts-check
/**
 * Pure helpers of the control-room page: density levels, formatting, sorting and the diff of
 * one zone's live state. No DOM here, so the unit tests import this module directly in Node.
 */

/** @typedef {import('@atrium/shared').SiteModel} SiteModel */
/** @typedef {import('@atrium/shared').Floor} Floor */
/** @typedef {import('@atrium/shared').Zone} Zone */
/** @typedef {import('@atrium/shared').ZoneLive} ZoneLive */

/**
 * @typedef {object} DensityLevel
 * @property {'none' | 'quiet' | 'moderate' | 'busy' | 'crowded'} id  CSS class suffix (`lvl-<id>`)
 * @property {string} label  the word shown next to the colour, so colour is never the only cue
 * @property {string} range  legend text, people per m²
 * @property {number} min  inclusive lower bound, people per m²
 */

/** Density bands in people per m², lowest first. */
export const DENSITY_LEVELS = /** @type {const} */ ([
  { id: 'quiet', label: 'Quiet', range: '< 0.2', min: 0 },
  { id: 'moderate', label: 'Moderate', range: '0.2–0.5', min: 0.2 },
  { id: 'busy', label: 'Busy', range: '0.5–1', min: 0.5 },
  { id: 'crowded', label: 'Crowded', range: '≥ 1', min: 1 },
]);

/** @type {DensityLevel} */
export const NO_DATA = { id: 'none', label: 'No data', range: 'no reading yet', min: NaN };

/**
 * @param {number | null | undefined} density people per m²
 * @returns {DensityLevel}
 */
export function densityLevel(density) {
  if (density === null || density === undefined || !Number.isFinite(density) || density < 0) return NO_DATA;
  /** @type {DensityLevel} */
  let level = DENSITY_LEVELS[0];
  for (const l of DENSITY_LEVELS) if (density >= l.min) level = l;
  return level;
}

/** CO2 above this (ppm) is flagged in the table: ventilation is not keeping up. */
export const CO2_HIGH_PPM = 1000;

const intFmt = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const densityFmt = new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** @param {number | null | undefined} n */
export const fmtCount = (n) => (n === null || n === undefined || !Number.isFinite(n) ? '—' : intFmt.format(n));
/** @param {number | null | undefined} d */
export const fmtDensity = (d) => (d === null || d === undefined || !Number.isFinite(d) ? '—' : densityFmt.format(d));

/**
 * The values the page shows for one zone, already formatted: comparing two of these tells
 * exactly which nodes need touching, and identical pushes cost nothing.
 * @typedef {object} ZoneView
 * @property {string} occupancy
 * @property {string} density
 * @property {DensityLevel} level
 * @property {string} footfall
 * @property {string} co2
 * @property {boolean} co2High
 */

/**
 * @param {ZoneLive | undefined} live
 * @returns {ZoneView}
 */
export function zoneView(live) {
  const co2 = live?.env?.co2;
  return {
    occupancy: fmtCount(live?.occupancy),
    density: fmtDensity(live?.density),
    level: densityLevel(live?.density),
    footfall: fmtCount(live?.footfallLastMinute),
    co2: fmtCount(co2),
    co2High: co2 !== undefined && co2 > CO2_HIGH_PPM,
  };
}

/**
 * Which shown values differ between two views.
 * @param {ZoneView | undefined} a
 * @param {ZoneView} b
 */
export function viewChanges(a, b) {
  return {
    occupancy: a?.occupancy !== b.occupancy,
    density: a?.density !== b.density,
    level: a?.level.id !== b.level.id,
    footfall: a?.footfall !== b.footfall,
    co2: a?.co2 !== b.co2 || a?.co2High !== b.co2High,
  };
}

/** @typedef {'name' | 'floor' | 'occupancy' | 'density' | 'footfall' | 'co2'} SortKey */
/** @typedef {{ key: SortKey, dir: 'asc' | 'desc' }} Sort */

/**
 * A row of the zone table as the sorter sees it.
 * @typedef {object} SortRow
 * @property {Zone} zone
 * @property {Floor | undefined} floor
 * @property {ZoneLive | undefined} live
 */

/**
 * @param {SortRow} r
 * @param {SortKey} key
 * @returns {number | string | null}
 */
export function sortValue(r, key) {
  switch (key) {
    case 'name':
      return r.zone.name.toLocaleLowerCase();
    case 'floor':
      return r.floor?.level ?? null;
    case 'occupancy':
      return r.live?.occupancy ?? null;
    case 'density':
      return r.live?.density ?? null;
    case 'footfall':
      return r.live?.footfallLastMinute ?? null;
    case 'co2':
      return r.live?.env?.co2 ?? null;
  }
}

/**
 * Comparator for the table: zones without a value go last in either direction, ties by name.
 * @param {Sort} sort
 * @returns {(a: SortRow, b: SortRow) => number}
 */
export function compareRows(sort) {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return (a, b) => {
    const va = sortValue(a, sort.key);
    const vb = sortValue(b, sort.key);
    if (va !== vb) {
      if (va === null) return 1;
      if (vb === null) return -1;
      return (va < vb ? -1 : 1) * sign;
    }
    const na = a.zone.name.toLocaleLowerCase();
    const nb = b.zone.name.toLocaleLowerCase();
    return na < nb ? -1 : na > nb ? 1 : a.zone.id < b.zone.id ? -1 : 1;
  };
}

/**
 * Which rows can stay where they are when a list is put in a new order: given, for each row in
 * the new order, its current position, the indices (in the new order) of a longest run of rows
 * already in increasing position. Only the others need moving, so a re-sort of a big live table
 * where a few values changed moves a few rows instead of most of them. O(n log n).
 * @param {readonly number[]} positions
 * @returns {Set<number>}
 */
export function rowsInPlace(positions) {
  /** @type {number[]} tails[k]: index (into positions) of the smallest tail of an increasing run of length k + 1 */
  const tails = [];
  /** @type {number[]} the previous index in the run ending at each index */
  const prev = new Array(positions.length).fill(-1);
  positions.forEach((p, i) => {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (/** @type {number} */ (positions[/** @type {number} */ (tails[mid])]) < p) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = /** @type {number} */ (tails[lo - 1]);
    tails[lo] = i;
  });
  /** @type {Set<number>} */
  const keep = new Set();
  for (let i = tails.at(-1) ?? -1; i >= 0; i = /** @type {number} */ (prev[i])) keep.add(i);
  return keep;
}

/** Fewer changes than this in a window are never a burst, however small the site. */
const MIN_BURST = 10;

/**
 * Tells whether most of a site's zones changed lately, from the number of zones each frame
 * changed: highlighting nearly everything at once points at nothing, so the page shows no
 * highlight then. Counted over a window because changes arrive in batches (the edge forwards
 * every 100 ms): a single frame does not show a burst. Fewer than MIN_BURST changes are never
 * a burst: on a small site each one can still be seen.
 * @param {number} zones  how many zones the site has
 * @param {number} windowMs
 * @returns {(now: number, changed: number) => boolean}  now in ms; true while most changed within the window up to now
 */
export function changeBurst(zones, windowMs) {
  const threshold = Math.max(zones / 2, MIN_BURST);
  /** @type {{ at: number, n: number }[]} */
  const recent = [];
  let sum = 0;
  return (now, changed) => {
    if (changed > 0) {
      recent.push({ at: now, n: changed });
      sum += changed;
    }
    while ((recent[0]?.at ?? Infinity) <= now - windowMs) sum -= recent.shift()?.n ?? 0;
    return sum > threshold;
  };
}

/**
 * The extent of a floor's zones in metres, with a margin: the SVG viewBox of its map.
 * @param {readonly Zone[]} zones
 * @returns {{ x: number, y: number, w: number, h: number }}
 */
export function floorBounds(zones) {
  if (zones.length === 0) return { x: 0, y: 0, w: 10, h: 5 };
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const z of zones) {
    minX = Math.min(minX, z.rect.x);
    minY = Math.min(minY, z.rect.y);
    maxX = Math.max(maxX, z.rect.x + z.rect.w);
    maxY = Math.max(maxY, z.rect.y + z.rect.h);
  }
  const pad = Math.max(maxX - minX, maxY - minY) * 0.02;
  return { x: minX - pad, y: minY - pad, w: maxX - minX + 2 * pad, h: maxY - minY + 2 * pad };
}

/**
 * How to label a zone of `wPx` × `hPx` on screen: font size in px (0 = no room), the name as
 * shown (shortened with an ellipsis if need be, '' = left out) and whether the count and the
 * level word fit. Widths are estimated from the character count so the layout needs no text
 * measurement (it runs for every zone on every resize).
 * @param {number} wPx
 * @param {number} hPx
 * @param {string} name
 * @param {string} count e.g. "37"
 * @param {string} level e.g. "Busy"
 * @returns {{ size: number, name: string, count: boolean, level: boolean }}
 */
export function labelLayout(wPx, hPx, name, count, level) {
  const MAX = 15;
  const MIN = 8;
  const CHAR = 0.6; // average glyph width in em for the UI fonts, a little generous
  const room = Math.max(0, wPx - 6);
  /** @param {number} chars */
  const fit = (chars) => room / (Math.max(chars, 1) * CHAR);
  const both = `${count} · ${level}`.length;
  const twoLines = (hPx - 4) / 2.8;
  if (twoLines >= MIN && fit(Math.min(name.length, 4)) >= MIN) {
    const size = Math.min(MAX, twoLines, Math.max(MIN, fit(name.length)));
    const maxChars = Math.floor(room / (size * CHAR));
    const shown = name.length <= maxChars ? name : `${name.slice(0, Math.max(1, maxChars - 1)).trimEnd()}…`;
    return { size, name: shown, count: fit(count.length) >= size * 1.2, level: fit(both) >= size * 1.2 };
  }
  // One line only: the count matters most, the name is in the table and the tooltip.
  const size = Math.min(11, fit(count.length) / 1.2, (hPx - 4) / 1.4);
  if (size >= MIN) return { size, name: '', count: true, level: false };
  return { size: 0, name: '', count: false, level: false };
}
