// @ts-check
/**
 * The control room's header figures on every control-room page: people on site, today's
 * entries against the forecast, open orders, SLA at risk and breached (GET
 * /api/v1/control/summary). It asks again every REFRESH_MS; a failed ask keeps the last
 * figures and says how old they are rather than blanking the strip on a wall screen.
 */
import { callApi } from './api.js';
import { fmtCount } from './live-model.js';

/** @typedef {import('@atrium/shared').ControlSummary} ControlSummary */

export const SUMMARY_PATH = '/api/v1/control/summary';
const REFRESH_MS = 15_000;

/** "+12%" / "−8%" against the forecast, in words for the screen reader too. @param {number | null} share */
export function vsForecastText(share) {
  if (share === null) return 'no forecast yet';
  const pct = Math.round(share * 100);
  if (pct === 0) return 'on forecast';
  return `${pct > 0 ? '+' : '−'}${Math.abs(pct)}% vs forecast`;
}

/**
 * Fills `el` (a `<dl>`) with the figures and keeps them fresh. Returns a stop function.
 * @param {HTMLElement} el
 * @param {{ timeOf: (t: number) => string, omit?: string[] }} opts how the page writes a time on the site's clock; figures the page already shows live
 */
export function mountKpiStrip(el, opts) {
  el.classList.add('kpis', 'kpi-strip');
  /** @type {HTMLElement[]} */
  const boxes = [];
  const item = (/** @type {string} */ key, /** @type {string} */ label) => {
    const box = document.createElement('div');
    box.className = 'kpi';
    box.dataset.kpi = key;
    const dt = document.createElement('dt');
    dt.textContent = label;
    const value = document.createElement('dd');
    value.textContent = '—';
    box.append(dt, value);
    boxes.push(box);
    return value;
  };
  const dd = {
    people: item('people', 'People on site'),
    footfall: item('footfall', 'Entries today'),
    open: item('open', 'Open orders'),
    risk: item('risk', 'SLA at risk'),
    breached: item('breached', 'SLA breached'),
  };
  el.replaceChildren(...boxes.filter((b) => !opts.omit?.includes(b.dataset.kpi ?? '')));
  el.setAttribute('aria-label', 'Site figures');

  /** @param {ControlSummary} s */
  const render = (s) => {
    dd.people.textContent = fmtCount(s.peopleOnSite);
    const f = s.footfallToday;
    dd.footfall.replaceChildren(document.createTextNode(fmtCount(f.counted)), Object.assign(document.createElement('small'), { textContent: ` ${vsForecastText(f.vsForecast)}` }));
    dd.footfall.title = f.forecastSoFar === null ? 'No forecast for today yet' : `Forecast for the hours so far: ${fmtCount(f.forecastSoFar)}`;
    dd.open.textContent = fmtCount(s.orders.open);
    dd.risk.textContent = fmtCount(s.orders.slaAtRisk);
    dd.breached.textContent = fmtCount(s.orders.slaBreached);
    // colour backs up the number; the number and the label carry the meaning
    el.querySelector('[data-kpi="risk"]')?.classList.toggle('kpi-warn', s.orders.slaAtRisk > 0);
    el.querySelector('[data-kpi="breached"]')?.classList.toggle('kpi-bad', s.orders.slaBreached > 0);
    el.dataset.asOf = String(s.asOf);
    el.title = `As of ${opts.timeOf(s.asOf)}`;
  };

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let stopped = false;
  const load = async () => {
    try {
      render(/** @type {ControlSummary} */ (await callApi('GET', SUMMARY_PATH)));
      el.classList.remove('kpi-stale');
    } catch {
      el.classList.add('kpi-stale');
    }
    if (!stopped) timer = setTimeout(() => void load(), REFRESH_MS);
  };
  void load();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
