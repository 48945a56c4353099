// @ts-check
/**
 * The header strip on the live control room (index.html): one element there, this script,
 * and the strip keeps itself fresh with its times on the site's clock.
 */
import { mountKpiStrip } from './kpi-strip.js';
import { createSiteClock } from './site-clock.js';
import { siteTimeFormat } from './dispatch-model.js';

const el = document.getElementById('kpi-strip');
if (el) {
  const clock = createSiteClock();
  void clock.ready.then(() => {
    const format = siteTimeFormat(clock.timeZone() || Intl.DateTimeFormat().resolvedOptions().timeZone);
    // People on site is already there, live from the socket: the strip adds what the page lacks.
    mountKpiStrip(el, { timeOf: (t) => format(t, clock.now()), omit: ['people'] });
  });
}
