// @ts-check
/**
 * Insights: footfall against the forecast with its 80%/95% ranges per zone or entrance, the
 * staffing plan against the roster, and SLA attainment by day with the SLA report and its CSV.
 * Each chart is a picture only (chart-hours.js); a sentence and a table carry the same numbers.
 */
import { callApi } from './api.js';
import { createHourChart } from './chart-hours.js';
import { fillTable, startControlPage } from './control-shell.js';
import { explainError } from './dispatch-model.js';
import { fmtCount } from './live-model.js';
import { addDays, siteTimeToEpoch, siteToday } from './admin-time.js';

/** @typedef {import('@atrium/shared').SiteModel} SiteModel */
/** @typedef {import('@atrium/shared').VsActual} VsActual */
/** @typedef {import('@atrium/shared').StoredSeriesForecast} Forecast */
/** @typedef {import('@atrium/shared').StaffingPlan} StaffingPlan */
/** @typedef {import('@atrium/shared').SlaRow} SlaRow */
/** @typedef {import('./chart-hours.js').Line} Line */

const HOUR = 3_600_000;
const PAST_HOURS = 48;
const AHEAD_HOURS = 24;
const SLA_DAYS = 14;
const REFRESH_MS = 60_000;

const byId = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const problem = byId('problem');
/** @param {unknown} err @param {string} doing */
const fail = (err, doing) => {
  problem.textContent = explainError(/** @type {any} */ (err), doing);
  problem.hidden = false;
};
const pct = (/** @type {number | null} */ v) => (v === null ? '—' : `${Math.round(v * 1000) / 10}%`);

/**
 * Past hours: counted and the forecast made a day ahead; coming hours: the newest forecast.
 * @param {VsActual} past @param {Forecast | null} ahead @param {number} now
 */
export function footfallRows(past, ahead, now) {
  /** @type {Array<{ t: number, counted: number | null, mean: number | null, lo80: number | null, hi80: number | null, lo95: number | null, hi95: number | null }>} */
  const rows = past.hours.map((x) => ({ t: x.t, counted: x.actual, mean: x.made24h?.mean ?? null, lo80: x.made24h?.lo80 ?? null, hi80: x.made24h?.hi80 ?? null, lo95: x.made24h?.lo95 ?? null, hi95: x.made24h?.hi95 ?? null }));
  const last = rows.at(-1)?.t ?? -Infinity;
  for (const f of ahead?.hours ?? []) if (f.t > last && f.t < now + AHEAD_HOURS * HOUR) rows.push({ t: f.t, counted: null, mean: f.mean, lo80: f.lo80, hi80: f.hi80, lo95: f.lo95, hi95: f.hi95 });
  return rows;
}

async function main() {
  const { clock, timeZone, timeOf } = await startControlPage('insights');
  const site = /** @type {SiteModel} */ (await callApi('GET', '/api/v1/site'));
  const subject = /** @type {HTMLSelectElement} */ (byId('subject'));
  for (const [kind, list] of /** @type {const} */ ([['entrance', site.entrances], ['zone', site.zones]])) {
    const group = document.createElement('optgroup');
    group.label = kind === 'entrance' ? 'Entrances' : 'Zones';
    for (const s of list) group.append(new Option(s.name, `${kind}/${s.id}`));
    subject.append(group);
  }

  const footfallChart = createHourChart(byId('footfall-chart'), { timezone: timeZone, height: 280 });
  async function loadFootfall() {
    const now = clock.now();
    const [kind, id] = subject.value.split('/');
    const name = subject.selectedOptions[0]?.textContent ?? id;
    const from = Math.floor(now / HOUR) * HOUR - PAST_HOURS * HOUR;
    const past = /** @type {VsActual} */ (await callApi('GET', `/api/v1/forecasts/${kind}/${id}/vs-actual?from=${from}&to=${Math.floor(now)}`));
    /** @type {Forecast | null} */
    let ahead = null;
    try {
      ahead = /** @type {Forecast} */ (await callApi('GET', `/api/v1/forecasts/${kind}/${id}`));
    } catch (err) {
      if (/** @type {any} */ (err)?.code !== 'ATRIUM_FORECAST_NOT_READY') throw err;
    }
    const rows = footfallRows(past, ahead, now);
    /** @type {Line[]} */
    const lines = [
      { label: 'Counted', style: 'counted', values: rows.map((r) => r.counted) },
      { label: 'Forecast', style: 'forecast', values: rows.map((r) => r.mean) },
      { label: '80% low', style: 'bandLow', values: rows.map((r) => r.lo80) },
      { label: '80% high', style: 'bandHigh', values: rows.map((r) => r.hi80) },
      { label: '95% low', style: 'band95Low', values: rows.map((r) => r.lo95) },
      { label: '95% high', style: 'band95High', values: rows.map((r) => r.hi95) },
    ];
    footfallChart.draw(rows.map((r) => r.t), lines);
    const counted = rows.filter((r) => r.counted !== null && r.mean !== null);
    const sumC = counted.reduce((s, r) => s + (r.counted ?? 0), 0);
    const sumF = counted.reduce((s, r) => s + (r.mean ?? 0), 0);
    const inside = counted.filter((r) => r.lo80 !== null && r.hi80 !== null && (r.counted ?? 0) >= r.lo80 && (r.counted ?? 0) <= r.hi80).length;
    byId('footfall-summary').textContent = counted.length === 0
      ? `${name}: no hour yet with both a count and a forecast in the last ${PAST_HOURS} hours.${ahead ? '' : ' No forecast has been made for it yet.'}`
      : `${name}, last ${PAST_HOURS} hours: ${fmtCount(sumC)} counted against ${fmtCount(sumF)} forecast (${sumF > 0 ? `${Math.round(((sumC - sumF) / sumF) * 100)}%` : '—'}); ${inside} of ${counted.length} hours inside the 80% range.`;
    const n = (/** @type {number | null} */ v) => (v === null ? '—' : Math.round(v));
    fillTable(/** @type {HTMLTableElement} */ (byId('footfall-table')), ['Hour (site time)', 'Counted', 'Forecast', '80% range', '95% range'],
      rows.map((r) => [timeOf(r.t), n(r.counted), n(r.mean), r.lo80 === null ? '—' : `${n(r.lo80)}–${n(r.hi80)}`, r.lo95 === null ? '—' : `${n(r.lo95)}–${n(r.hi95)}`]));
  }

  const staffingChart = createHourChart(byId('staffing-chart'), { timezone: timeZone });
  const role = /** @type {HTMLSelectElement} */ (byId('staff-role'));
  /** @type {StaffingPlan | null} */
  let plan = null;
  function renderStaffing() {
    if (!plan) return;
    const key = role.value === 'security' ? 'security' : 'cleaners';
    const word = key === 'security' ? 'guards' : 'cleaners';
    const hours = plan.hours;
    staffingChart.draw(hours.map((x) => x.t), [
      { label: 'Recommended', style: 'plan', values: hours.map((x) => x.site[key].recommended) },
      { label: 'Rostered', style: 'roster', values: hours.map((x) => x.site[key].rostered) },
    ]);
    const short = hours.filter((x) => x.site[key].gap > 0);
    const first = short[0];
    byId('staffing-summary').textContent = hours.length === 0
      ? 'No staffing plan yet: it follows the first forecast.'
      : `Next ${hours.length} hours: ${!first ? `enough ${word} rostered every hour` : `short of ${word} in ${short.length} hour${short.length === 1 ? '' : 's'}, first at ${timeOf(first.t)} (${first.site[key].gap} short)`}.`;
    fillTable(/** @type {HTMLTableElement} */ (byId('staffing-table')), ['Hour (site time)', 'Open', 'Recommended', 'Rostered', 'Short by'],
      hours.map((x) => [timeOf(x.t), x.open ? 'open' : 'closed', x.site[key].recommended, x.site[key].rostered, Math.max(0, x.site[key].gap)]));
  }
  async function loadStaffing() {
    plan = /** @type {StaffingPlan} */ (await callApi('GET', '/api/v1/staffing/plan'));
    renderStaffing();
  }

  // SLA: a day chart on UTC midnights labelled by the site's date (the report's days are site dates)
  const slaChart = createHourChart(byId('sla-chart'), { timezone: 'UTC', yMax: 100, yLabel: (v) => `${v}%` });
  const fromInput = /** @type {HTMLInputElement} */ (byId('sla-from'));
  const toInput = /** @type {HTMLInputElement} */ (byId('sla-to'));
  const today = siteToday(clock.now(), timeZone);
  fromInput.value = addDays(today, -(SLA_DAYS - 1));
  toInput.value = today;
  function slaRange() {
    const from = siteTimeToEpoch(fromInput.value, '00:00', timeZone)?.ms;
    const to = siteTimeToEpoch(addDays(toInput.value, 1), '00:00', timeZone)?.ms;
    return from === undefined || to === undefined ? null : `from=${from}&to=${to}`;
  }
  async function loadSla() {
    const range = slaRange();
    if (!range) return;
    /** @type {HTMLAnchorElement} */ (byId('sla-csv')).href = `/api/v1/reports/sla?${range}&format=csv`;
    const rows = /** @type {SlaRow[]} */ (await callApi('GET', `/api/v1/reports/sla?${range}`));
    const days = rows.filter((r) => r.type === 'all' && r.day !== 'all');
    slaChart.draw(days.map((r) => Date.parse(`${r.day}T00:00:00Z`)), [
      { label: 'Resolved in time', style: 'counted', values: days.map((r) => (r.resolve.compliance === null ? null : r.resolve.compliance * 100)) },
      { label: 'Accepted in time', style: 'forecast', values: days.map((r) => (r.accept.compliance === null ? null : r.accept.compliance * 100)) },
    ]);
    const total = rows.find((r) => r.type === 'all' && r.day === 'all');
    byId('sla-summary').textContent = total
      ? `${fromInput.value} to ${toInput.value}: ${fmtCount(total.orders)} orders; accepted in time ${pct(total.accept.compliance)}, on site in time ${pct(total.arrive.compliance)}, resolved in time ${pct(total.resolve.compliance)}.`
      : `${fromInput.value} to ${toInput.value}: no work orders.`;
    const stage = (/** @type {SlaRow['accept']} */ s) => (s.due === 0 ? '—' : `${pct(s.compliance)} (${s.met}/${s.due})`);
    const mean = (/** @type {number | null} */ s) => (s === null ? '—' : `${Math.round(s / 6) / 10} min`);
    fillTable(/** @type {HTMLTableElement} */ (byId('sla-table')), ['Type', 'Day', 'Orders', 'Accepted in time', 'On site in time', 'Resolved in time', 'Mean to resolve'],
      rows.map((r) => [r.type === 'all' ? 'All types' : r.type, r.day === 'all' ? 'All days' : r.day, r.orders, stage(r.accept), stage(r.arrive), stage(r.resolve), mean(r.resolve.meanS)]));
  }

  /** @param {() => Promise<void>} fn @param {string} doing */
  const guarded = (fn, doing) => () => fn().then(() => void (problem.hidden = true), (err) => fail(err, doing));
  const footfall = guarded(loadFootfall, 'load footfall and its forecast');
  const staffing = guarded(loadStaffing, 'load the staffing plan');
  const sla = guarded(loadSla, 'load the SLA report');
  subject.addEventListener('change', footfall);
  role.addEventListener('change', renderStaffing);
  byId('sla-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void sla();
  });
  await Promise.all([footfall(), staffing(), sla()]);
  if (location.hash === '#sla') byId('sla').focus();
  setInterval(() => void Promise.all([footfall(), staffing()]), REFRESH_MS);
}

void main();
