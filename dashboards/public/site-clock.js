// @ts-check
/**
 * The site's clock on a page. SLA deadlines are on the cloud's clock, which in an accelerated
 * demo runs many times faster than the wall and is never this device's clock; so a page keeps
 * the last reading the cloud gave (GET /api/v1/clock, then the socket's `clock` event) and
 * extrapolates it with performance.now() × rate. Every countdown (dispatch-model.js slaView) and time on a page reads
 * `now()` from here, never Date.now().
 */
import { callApi } from './api.js';

/** @typedef {{ now: number, rate: number, timeZone: string }} SiteClockReading */
/**
 * @typedef {object} SiteClock
 * @property {() => number} now the site clock, epoch ms
 * @property {() => number} rate site ms per real ms (1 live)
 * @property {() => string} timeZone the site's IANA zone ('' until the first reading)
 * @property {Promise<void>} ready settles after the first reading (or the first failure: then the device clock stands in)
 * @property {(fn: (r: SiteClockReading) => void) => void} onChange called on every reading
 * @property {(r: SiteClockReading) => void} set take a reading (the socket's `clock` event)
 */

/**
 * @param {{ socket?: { on(event: 'clock', fn: (r: SiteClockReading) => void): unknown } }} [opts]
 * @returns {SiteClock}
 */
export function createSiteClock(opts = {}) {
  /** @type {SiteClockReading} */
  let last = { now: Date.now(), rate: 1, timeZone: '' };
  let takenAt = performance.now();
  /** @type {Array<(r: SiteClockReading) => void>} */
  const listeners = [];
  /** @param {SiteClockReading} r */
  const set = (r) => {
    if (!Number.isFinite(r?.now) || !(r.rate > 0) || typeof r.timeZone !== 'string') return;
    last = r;
    takenAt = performance.now();
    for (const fn of listeners) fn(r);
  };
  opts.socket?.on('clock', set);
  // Half the round trip is the best guess of how old the answer is when it lands.
  const asked = performance.now();
  const ready = callApi('GET', '/api/v1/clock').then(
    (r) => {
      const reading = /** @type {SiteClockReading} */ (r);
      const lag = (performance.now() - asked) / 2;
      set({ ...reading, now: reading.now + lag * reading.rate });
    },
    () => undefined,
  );
  return {
    now: () => last.now + (performance.now() - takenAt) * last.rate,
    rate: () => last.rate,
    timeZone: () => last.timeZone,
    ready,
    onChange: (fn) => void listeners.push(fn),
    set,
  };
}

