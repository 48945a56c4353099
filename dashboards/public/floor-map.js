// @ts-check
/**
 * One floor's plan as SVG: built once from the site model, then only the changed zones'
 * text, class and tooltip are touched. Geometry is in metres (the viewBox); label sizes are
 * recomputed from the rendered size when the map is resized, so text stays ~12 px on screen.
 */
import { floorBounds, labelLayout } from './live-model.js';

/** @typedef {import('./live-model.js').Floor} Floor */
/** @typedef {import('./live-model.js').Zone} Zone */
/** @typedef {import('./live-model.js').ZoneView} ZoneView */

const SVG_NS = 'http://www.w3.org/2000/svg';
/** A changed zone lights up and fades back. */
const FLASH = [{ opacity: 1 }, { opacity: 0 }];

/**
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | number>} [attrs]
 * @returns {SVGElementTagNameMap[K]}
 */
function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/**
 * @typedef {object} ZoneShape
 * @property {Zone} zone
 * @property {SVGGElement} g
 * @property {SVGRectElement} flash
 * @property {Animation | undefined} flashing  the zone's one highlight, replayed on each change
 * @property {SVGTextElement} name
 * @property {SVGTextElement} value
 * @property {SVGTSpanElement} count
 * @property {SVGTSpanElement} level
 * @property {SVGTitleElement} title
 * @property {string} titleText  what the title says, so an unchanged one is not rewritten
 * @property {SVGGElement} alarm  the open-alarm marker, shown while the zone has one
 * @property {string} alarmText  e.g. "open alarm: Security breach, critical"; '' when none
 * @property {SVGTextElement} staff  how many staff are here, bottom left; empty when none
 * @property {string} staffText  e.g. "staff here: Gita Guard (free)"; '' when none
 * @property {ZoneView | undefined} view
 */

/**
 * @typedef {object} FloorMap
 * @property {HTMLElement} element
 * @property {(zoneId: string, view: ZoneView, flash: boolean) => void} update
 * @property {(zoneId: string | null) => void} select
 * @property {(parts: string[]) => void} setStats  e.g. ['1,204 people', '2 busy']
 * @property {(zoneId: string) => void} reveal
 * @property {(zoneId: string, alarm: { label: string, severity: string } | null) => void} setAlarm  marks a zone with its most severe open alarm
 * @property {(zoneId: string, people: ReadonlyArray<{ name: string, status: string }>) => void} setStaff  staff on shift last known in the zone, with what they are doing
 * @property {() => void} destroy
 */

/**
 * @param {Floor} floor
 * @param {readonly Zone[]} zones the floor's zones
 * @param {{ onSelect: (zoneId: string) => void, reducedMotion: () => boolean }} opts
 * @returns {FloorMap}
 */
export function createFloorMap(floor, zones, opts) {
  const titleId = `floor-${floor.id}-title`;
  const section = document.createElement('section');
  section.className = 'floor';
  section.id = `floor-${floor.id}`;
  section.setAttribute('aria-labelledby', titleId);
  section.dataset.floorId = floor.id;

  const head = document.createElement('div');
  head.className = 'floor-head';
  const h2 = document.createElement('h2');
  h2.id = titleId;
  h2.textContent = floor.name;
  const stats = document.createElement('span');
  stats.className = 'floor-stats';
  head.append(h2, stats);

  const b = floorBounds(zones);
  const root = svg('svg', { viewBox: `${b.x} ${b.y} ${b.w} ${b.h}`, preserveAspectRatio: 'xMidYMid meet', class: 'floor-map', role: 'group', 'aria-label': `Plan of ${floor.name}` });
  const outline = svg('rect', { class: 'floor-outline', x: b.x, y: b.y, width: b.w, height: b.h, rx: Math.min(b.w, b.h) * 0.01 });
  root.append(outline);

  /** @type {Map<string, ZoneShape>} */
  const shapes = new Map();
  for (const zone of zones) {
    const { x, y, w, h } = zone.rect;
    const g = svg('g', { class: 'zone lvl-none', tabindex: 0, role: 'button', 'data-zone-id': zone.id });
    const title = svg('title');
    const shape = svg('rect', { class: 'zone-shape', x, y, width: w, height: h });
    const flash = svg('rect', { class: 'zone-flash', x, y, width: w, height: h });
    // The plan's labels may be shortened to fit; the zone's name for assistive technology is its
    // <title> (full name, reading, alarm), so the labels are hidden from it and not read twice.
    const name = svg('text', { class: 'zone-name', x: x + w / 2, y: y + h / 2, 'aria-hidden': 'true' });
    name.textContent = zone.name;
    const value = svg('text', { class: 'zone-value', x: x + w / 2, y: y + h / 2, 'aria-hidden': 'true' });
    const count = svg('tspan', { class: 'zone-count' });
    const level = svg('tspan', { class: 'zone-level' });
    value.append(count, level);
    // A badge in the zone's top-right corner; sized in layout() like the labels.
    const alarm = svg('g', { class: 'zone-alarm', 'aria-hidden': 'true' });
    alarm.append(svg('circle', { cx: 0, cy: 0, r: 1 }), Object.assign(svg('text', { x: 0, y: 0 }), { textContent: '!' }));
    alarm.style.display = 'none';
    const staff = svg('text', { class: 'zone-staff', x: x + 0.5, y: y + h - 0.5, 'aria-hidden': 'true' });
    g.append(title, shape, flash, name, value, alarm, staff);
    g.addEventListener('click', () => opts.onSelect(zone.id));
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        opts.onSelect(zone.id);
      }
    });
    root.append(g);
    shapes.set(zone.id, { zone, g, flash, flashing: undefined, name, value, count, level, title, titleText: '', alarm, alarmText: '', staff, staffText: '', view: undefined });
  }

  const wrap = document.createElement('div');
  wrap.className = 'map-wrap';
  wrap.append(root);
  section.append(head, wrap);

  let statsKey = '';
  /** Screen pixels per metre, from the last resize; 0 until the map is laid out. */
  let pxPerM = 0;

  /** @param {ZoneShape} s */
  const layout = (s) => {
    if (pxPerM <= 0) return;
    const { x, y, w, h } = s.zone.rect;
    const v = s.view;
    const countText = v?.occupancy ?? '—';
    const levelText = v?.level.label ?? 'No data';
    const l = labelLayout(w * pxPerM, h * pxPerM, s.zone.name, countText, levelText);
    const fs = l.size / pxPerM; // px → metres
    const cx = x + w / 2;
    const cy = y + h / 2;
    s.name.setAttribute('font-size', String(fs));
    s.value.setAttribute('font-size', String(fs * 1.2));
    if (s.name.textContent !== l.name) s.name.textContent = l.name;
    s.name.style.display = l.name ? '' : 'none';
    s.value.style.display = l.count ? '' : 'none';
    s.level.style.display = l.level ? '' : 'none';
    if (l.name) {
      s.name.setAttribute('y', String(cy - fs * 0.65));
      s.value.setAttribute('y', String(cy + fs * 0.8));
    } else {
      s.value.setAttribute('y', String(cy));
    }
    s.name.setAttribute('x', String(cx));
    s.value.setAttribute('x', String(cx));
    const r = Math.min(9 / pxPerM, w / 4, h / 4);
    s.alarm.setAttribute('transform', `translate(${x + w - r * 1.3} ${y + r * 1.3}) scale(${r})`);
    // 12 px on screen, like the labels, tucked in the bottom-left corner.
    const staffFs = 12 / pxPerM;
    s.staff.setAttribute('font-size', String(staffFs));
    s.staff.setAttribute('x', String(x + staffFs * 0.4));
    s.staff.setAttribute('y', String(y + h - staffFs * 0.4));
  };

  /** @param {ZoneShape} s */
  const describe = (s) => {
    const v = s.view;
    const people = !v || v.occupancy === '—' ? 'no reading yet' : `${v.occupancy} people, ${v.density} per m², ${v.level.label}`;
    const alarm = s.alarmText ? `; ${s.alarmText}` : '';
    const staff = s.staffText ? `; ${s.staffText}` : '';
    const text = `${s.zone.name}: ${people}${alarm}${staff} (${s.zone.kind}, ${s.zone.areaM2} m²)`;
    // Footfall or CO₂ alone change nothing here, and rewriting the same text is still DOM work.
    if (text === s.titleText) return;
    s.titleText = text;
    s.title.textContent = text;
  };

  const resize = new ResizeObserver(() => {
    const r = root.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return;
    const next = Math.min(r.width / b.w, r.height / b.h);
    if (Math.abs(next - pxPerM) < 0.01) return;
    pxPerM = next;
    for (const s of shapes.values()) layout(s);
  });
  resize.observe(root);

  return {
    element: section,
    update(zoneId, view, flash) {
      const s = shapes.get(zoneId);
      if (!s) return;
      const prev = s.view;
      s.view = view;
      if (prev?.level.id !== view.level.id) {
        if (prev) s.g.classList.remove(`lvl-${prev.level.id}`);
        else s.g.classList.remove('lvl-none');
        s.g.classList.add(`lvl-${view.level.id}`);
      }
      if (prev?.occupancy !== view.occupancy) s.count.textContent = view.occupancy;
      if (prev?.level.id !== view.level.id) s.level.textContent = ` · ${view.level.label}`;
      describe(s);
      // Relayout only when the text got longer or shorter (e.g. 9 → 10 people, Busy → Moderate).
      if (prev?.occupancy.length !== view.occupancy.length || prev?.level.label !== view.level.label) layout(s);
      // One animation per zone, restarted: a new one per change kept hundreds running on a busy site.
      if (flash && !opts.reducedMotion()) {
        if (s.flashing) {
          s.flashing.currentTime = 0;
          s.flashing.play();
        } else s.flashing = s.flash.animate(FLASH, { duration: 1200, easing: 'ease-out' });
      }
    },
    select(zoneId) {
      for (const [id, s] of shapes) s.g.classList.toggle('selected', id === zoneId);
    },
    setStats(parts) {
      if (parts.join('|') === statsKey) return;
      statsKey = parts.join('|');
      stats.replaceChildren(
        ...parts.map((t) => {
          const span = document.createElement('span');
          span.textContent = t;
          return span;
        }),
      );
    },
    setAlarm(zoneId, alarm) {
      const s = shapes.get(zoneId);
      if (!s) return;
      const text = alarm ? `open alarm: ${alarm.label}, ${alarm.severity}` : '';
      if (text === s.alarmText) return;
      s.alarmText = text;
      s.g.classList.toggle('has-alarm', alarm !== null);
      for (const sev of ['info', 'minor', 'major', 'critical']) s.g.classList.toggle(`alarm-${sev}`, alarm?.severity === sev);
      s.alarm.style.display = alarm ? '' : 'none';
      describe(s);
    },
    setStaff(zoneId, people) {
      const s = shapes.get(zoneId);
      if (!s) return;
      const text = people.length === 0 ? '' : `staff here: ${people.map((p) => `${p.name} (${p.status})`).join(', ')}`;
      if (text === s.staffText) return;
      s.staffText = text;
      // The count in words on the plan; names and what they do in the zone's title (and tooltip).
      const free = people.filter((p) => p.status === 'free').length;
      s.staff.textContent = people.length === 0 ? '' : `${people.length} staff${free < people.length ? `, ${free} free` : ''}`;
      s.g.classList.toggle('has-staff', people.length > 0);
      describe(s);
    },
    reveal(zoneId) {
      const s = shapes.get(zoneId);
      if (!s) return;
      s.g.scrollIntoView({ block: 'nearest', behavior: opts.reducedMotion() ? 'auto' : 'smooth' });
    },
    destroy() {
      resize.disconnect();
      section.remove();
    },
  };
}
