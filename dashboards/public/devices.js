// @ts-check
/**
 * Device health per gateway and the environment per zone (GET /api/v1/control/devices and
 * /environment). Every state is a word with a shape (control.css .state-*), never a colour
 * alone; every time is on the site's clock. Refreshed every REFRESH_MS.
 */
import { callApi } from './api.js';
import { h, startControlPage } from './control-shell.js';
import { explainError } from './dispatch-model.js';
import { fmtCount } from './live-model.js';

/** @typedef {import('@atrium/shared').DeviceHealthReport} DeviceHealthReport */
/** @typedef {import('@atrium/shared').DeviceHealth} DeviceHealth */
/** @typedef {import('@atrium/shared').RejectedCount} RejectedCount */
/** @typedef {import('@atrium/shared').EnvironmentReport} EnvironmentReport */
/** @typedef {import('@atrium/shared').MetricReading} MetricReading */
/** @typedef {import('@atrium/shared').SiteModel} SiteModel */

const REFRESH_MS = 15_000;

const STATUS_WORD = { online: 'Online', offline: 'Offline', unknown: 'Unknown' };
const REASON_WORDS = {
  heard: 'reporting',
  silent: 'silent too long',
  reported_offline: 'gateway reported it offline',
  gateway_quiet: 'its gateway is quiet',
  never_heard: 'not heard yet',
};
const KIND_WORD = { radar: 'Footfall radar', env: 'Environment sensor', locker: 'Locker controller', gate: 'Gate controller' };
/** @type {Record<string, { label: string, unit: string, digits: number }>} */
const METRIC = {
  co2: { label: 'CO₂', unit: 'ppm', digits: 0 },
  tempC: { label: 'Temperature', unit: '°C', digits: 1 },
  rh: { label: 'Humidity', unit: '%', digits: 0 },
  pm25: { label: 'PM2.5', unit: 'µg/m³', digits: 0 },
  noiseDb: { label: 'Noise', unit: 'dB', digits: 0 },
};
const STATE_WORD = { ok: 'OK', over: 'Over', alarm: 'Alarm', none: '' };

/** @param {string} status @param {string} text */
const stateEl = (status, text) => h('span', { class: `state state-${status}` }, [text]);

const ui = {
  problem: /** @type {HTMLElement} */ (document.getElementById('problem')),
  gateways: /** @type {HTMLElement} */ (document.getElementById('gateways')),
  devicesSummary: /** @type {HTMLElement} */ (document.getElementById('devices-summary')),
  filter: /** @type {HTMLSelectElement} */ (document.getElementById('device-filter')),
  envSummary: /** @type {HTMLElement} */ (document.getElementById('environment-summary')),
  envTable: /** @type {HTMLTableElement} */ (document.getElementById('environment-table')),
};

/** A refusal reason code (docs/protocol.md) in words: invalid_payload → "invalid payload". @param {string} code */
const reasonWords = (code) => code.replaceAll('_', ' ');

/** "3" with "mostly invalid payload" under it; "0" alone. @param {RejectedCount} r */
const rejectedCell = (r) => [fmtCount(r.count), ...(r.topReason === null ? [] : [h('span', { class: 'sub' }, [`mostly ${reasonWords(r.topReason)}`])])];

/** @param {DeviceHealth} d @param {string} filter */
const shown = (d, filter) => filter === 'all' || d.status === filter || (filter === 'problems' && d.status !== 'online');

/**
 * @param {DeviceHealthReport} r
 * @param {{ zoneName: (id: string) => string, timeOf: (t: number) => string }} ctx
 */
function renderDevices(r, ctx) {
  const filter = ui.filter.value;
  const total = { online: 0, offline: 0, unknown: 0 };
  for (const g of r.gateways) for (const k of /** @type {const} */ (['online', 'offline', 'unknown'])) total[k] += g.counts[k];
  ui.devicesSummary.textContent = `${fmtCount(total.online)} online, ${fmtCount(total.offline)} offline, ${fmtCount(total.unknown)} unknown across ${r.gateways.length} gateway${r.gateways.length === 1 ? '' : 's'}. A gateway quiet for more than ${Math.round(r.gatewayQuietS)} s is offline and the devices behind it are unknown. Rejected messages are those the gateway refused since the cloud started (${ctx.timeOf(r.rejectedSince)}); gateways report them at most once a minute.`;
  const sections = r.gateways.map((g) => {
    const id = `gw-${g.gatewayId}`;
    const rows = g.devices.filter((d) => shown(d, filter)).map((d) =>
      h('tr', { 'data-device': d.deviceId, 'data-status': d.status }, [
        h('th', { scope: 'row' }, [d.deviceId, h('span', { class: 'sub' }, [KIND_WORD[d.kind] ?? d.kind])]),
        h('td', {}, [ctx.zoneName(d.zoneId)]),
        h('td', {}, [stateEl(d.status, STATUS_WORD[d.status]), h('span', { class: 'sub' }, [REASON_WORDS[d.reason]])]),
        h('td', { class: 'num' }, [d.battery === null ? '—' : `${Math.round(d.battery)}%`]),
        h('td', {}, [d.lastSeen === null ? 'never' : ctx.timeOf(d.lastSeen)]),
        h('td', { class: 'num', 'data-rejected': String(d.rejected.count) }, rejectedCell(d.rejected)),
      ]),
    );
    const table = h('table', { class: 'data', 'aria-labelledby': `${id}-title` }, [
      h('thead', {}, [h('tr', {}, ['Device', 'Zone', 'Status', 'Battery', 'Last seen', 'Rejected messages'].map((c, i) => h('th', { scope: 'col', ...(i === 3 || i === 5 ? { class: 'num' } : {}) }, [c])))]),
      h('tbody', {}, rows.length > 0 ? rows : [h('tr', {}, [h('td', { colspan: '6' }, ['No devices to show with this filter.'])])]),
    ]);
    return h('section', { class: 'gateway', 'data-gateway': g.gatewayId, 'aria-labelledby': `${id}-title` }, [
      h('div', { class: 'gateway-head' }, [
        h('h3', { id: `${id}-title` }, [`${g.name} (${g.gatewayId})`]),
        stateEl(g.status, `Gateway ${STATUS_WORD[g.status].toLowerCase()}`),
        h('span', { class: 'counts' }, [`last heard ${g.lastSeen === null ? 'never' : ctx.timeOf(g.lastSeen)} · ${g.counts.online} online, ${g.counts.offline} offline, ${g.counts.unknown} unknown`]),
        ...(g.rejectedUnknown.count === 0 ? [] : [h('span', { class: 'counts', 'data-rejected-unknown': String(g.rejectedUnknown.count) }, [`${fmtCount(g.rejectedUnknown.count)} messages refused from ids not on this site${g.rejectedUnknown.topReason === null ? '' : `, mostly ${reasonWords(g.rejectedUnknown.topReason)}`}`])]),
      ]),
      h('div', { class: 'table-wrap' }, [table]),
    ]);
  });
  ui.gateways.replaceChildren(...sections);
}

/** @param {number | null} v @param {string} metric */
const valueText = (v, metric) => (v === null ? '—' : v.toLocaleString('en', { maximumFractionDigits: METRIC[metric]?.digits ?? 1, minimumFractionDigits: METRIC[metric]?.digits ?? 0 }));

/** "alarm above 1,000 for 10 min" for each threshold that applies. @param {MetricReading} m */
function limitsText(m) {
  return m.thresholds
    .map((t) => `${t.above !== null ? `above ${valueText(t.above, m.metric)}` : `below ${valueText(t.below, m.metric)}`} for ${Math.round(t.forS / 60)} min`)
    .join('; ');
}

/** @param {EnvironmentReport} r @param {{ timeOf: (t: number) => string }} ctx */
function renderEnvironment(r, ctx) {
  const alarms = r.zones.flatMap((z) => z.readings.filter((m) => m.state === 'alarm').map((m) => `${METRIC[m.metric]?.label ?? m.metric} in ${z.name}`));
  const over = r.zones.flatMap((z) => z.readings.filter((m) => m.state === 'over').map((m) => `${METRIC[m.metric]?.label ?? m.metric} in ${z.name}`));
  ui.envSummary.textContent = [
    alarms.length ? `Alarm: ${alarms.join(', ')}.` : 'No environment alarm.',
    over.length ? `Over a threshold, not yet for long enough to alarm: ${over.join(', ')}.` : 'No reading over a threshold.',
    'Thresholds are the rules file’s; a dash means no reading or no rule.',
  ].join(' ');
  const head = h('thead', {}, [
    h('tr', {}, [h('th', { scope: 'col' }, ['Zone']), ...r.metrics.map((m) => h('th', { scope: 'col', class: 'num' }, [`${METRIC[m]?.label ?? m} (${METRIC[m]?.unit ?? ''})`])), h('th', { scope: 'col' }, ['Updated'])]),
  ]);
  const body = h(
    'tbody',
    {},
    r.zones.map((z) =>
      h('tr', { 'data-zone': z.zoneId }, [
        h('th', { scope: 'row' }, [z.name]),
        ...z.readings.map((m) => {
          const limits = limitsText(m);
          const cell = h('td', { class: 'num', 'data-metric': m.metric, 'data-state': m.state }, [valueText(m.value, m.metric)]);
          if (m.state !== 'none') cell.append(' ', stateEl(m.state, STATE_WORD[m.state]));
          if (limits) cell.append(h('span', { class: 'sub' }, [`limit ${limits}`]));
          return cell;
        }),
        h('td', {}, [z.updatedAt === null ? 'never' : ctx.timeOf(z.updatedAt)]),
      ]),
    ),
  );
  ui.envTable.replaceChildren(head, body);
}

async function main() {
  const { timeOf } = await startControlPage('devices');
  const site = /** @type {SiteModel} */ (await callApi('GET', '/api/v1/site'));
  const names = new Map(site.zones.map((z) => [z.id, z.name]));
  const ctx = { timeOf, zoneName: (/** @type {string} */ id) => names.get(id) ?? id };
  /** @type {DeviceHealthReport | null} */
  let devices = null;
  const load = async () => {
    try {
      const [d, e] = await Promise.all([callApi('GET', '/api/v1/control/devices'), callApi('GET', '/api/v1/control/environment')]);
      devices = /** @type {DeviceHealthReport} */ (d);
      renderDevices(devices, ctx);
      renderEnvironment(/** @type {EnvironmentReport} */ (e), ctx);
      ui.problem.hidden = true;
    } catch (err) {
      ui.problem.textContent = explainError(/** @type {any} */ (err), 'load device health and the environment');
      ui.problem.hidden = false;
    }
    setTimeout(() => void load(), REFRESH_MS);
  };
  ui.filter.addEventListener('change', () => devices && renderDevices(devices, ctx));
  await load();
}

void main();
