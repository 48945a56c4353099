// @ts-check
/**
 * Hourly (or daily) line charts (uPlot, loaded by the page as /vendor/uplot/uPlot.iife.min.js).
 * A chart is a picture only: it is hidden from screen readers, and every page that draws one
 * also shows its numbers as a table and a sentence. Lines differ by dash and thickness as well
 * as colour (solid with dots: counted; dashed: forecast; dotted: last week; shaded: the 80%
 * band, lighter: the 95% band; large dots: peaks; thick steps: a plan; thin steps with squares:
 * what is rostered), and the page's legend names each style in words. Times on the axis are
 * the site's, whatever the screen's timezone.
 */

/** @typedef {typeof import('uplot')} UPlotClass */
/** @typedef {import('uplot')} UPlot */
/** @typedef {import('uplot').Series} UPlotSeries */
/** @typedef {'counted' | 'forecast' | 'lastWeek' | 'bandLow' | 'bandHigh' | 'band95Low' | 'band95High' | 'peaks' | 'plan' | 'roster'} LineStyle */
/** @typedef {{ label: string, style: LineStyle, values: (number | null)[] }} Line */

/** @returns {UPlotClass | null} null when the library did not load: the tables still tell everything */
function library() {
  return /** @type {{ uPlot?: UPlotClass }} */ (/** @type {unknown} */ (globalThis)).uPlot ?? null;
}

/** @param {string} name @param {string} fallback */
function cssVar(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/**
 * Tick labels on the site's 24-hour clock: "13:00", and the day ("Tue 3") at midnight.
 * @param {string} timezone @returns {(t: number) => string}
 */
function siteTicks(timezone) {
  /** @param {string | undefined} tz */
  const make = (tz) => ({
    hour: new Intl.DateTimeFormat('en-GB', { ...(tz && { timeZone: tz }), hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
    day: new Intl.DateTimeFormat('en-GB', { ...(tz && { timeZone: tz }), weekday: 'short', day: 'numeric' }),
  });
  let f;
  try {
    f = make(timezone);
  } catch {
    f = make(undefined);
  }
  const { hour, day } = f;
  return (t) => {
    const h = hour.format(t);
    return h === '00:00' ? day.format(t) : h;
  };
}

/** @param {LineStyle} style @param {string} label @returns {UPlotSeries} */
function seriesFor(style, label) {
  const counted = cssVar('--chart-counted', '#58a6ff');
  const forecast = cssVar('--chart-forecast', '#f2d46b');
  switch (style) {
    case 'counted':
      return { label, stroke: counted, width: 2.5, points: { show: true, size: 5, fill: counted, stroke: counted }, spanGaps: false };
    case 'forecast':
      return { label, stroke: forecast, width: 2, dash: [7, 5], points: { show: false } };
    case 'lastWeek':
      return { label, stroke: cssVar('--chart-last-week', '#c9d1d9'), width: 1.5, dash: [2, 4], points: { show: false } };
    case 'bandLow':
    case 'bandHigh':
    case 'band95Low':
    case 'band95High':
      return { label, stroke: 'transparent', width: 0, points: { show: false } };
    case 'peaks':
      return { label, stroke: cssVar('--chart-peak', '#f0605d'), width: 0, paths: () => null, points: { show: true, size: 13, width: 3, fill: cssVar('--bg', '#0d1117'), stroke: cssVar('--chart-peak', '#f0605d') } };
    case 'plan':
      return { label, stroke: forecast, width: 3.5, paths: steps(), points: { show: false } };
    case 'roster':
      return { label, stroke: counted, width: 1.5, paths: steps(), points: { show: true, size: 7, fill: counted, stroke: counted } };
  }
}

/** Step lines (a staffing level holds for the hour), when the library offers them. */
function steps() {
  return library()?.paths.stepped?.({ align: 1 });
}

/**
 * A chart in `host` that follows its width. `draw` replaces the data; an unchanged line set
 * keeps the same chart, so a refresh every minute does not rebuild the canvas.
 * @param {HTMLElement} host
 * @param {{ timezone: string, height?: number, yMax?: number, yLabel?: (v: number) => string }} opts
 *   yMax: a fixed top of the scale (100 for percentages); yLabel: how the left axis writes a value
 */
export function createHourChart(host, opts) {
  const uPlot = library();
  /** @type {UPlot | null} */
  let chart = null;
  let shape = '';
  const height = opts.height ?? 240;
  const width = () => Math.max(280, Math.floor(host.clientWidth));
  const observer = new ResizeObserver(() => chart?.setSize({ width: width(), height }));
  observer.observe(host);

  return {
    /** false when the library is missing (the page says the chart could not be drawn) */
    available: uPlot !== null,
    /** @param {number[]} times hour starts (epoch ms) @param {readonly Line[]} lines */
    draw(times, lines) {
      if (!uPlot) return;
      const data = /** @type {import('uplot').AlignedData} */ ([times.map((t) => t / 1000), ...lines.map((l) => l.values)]);
      const nextShape = lines.map((l) => `${l.style}:${l.label}`).join('|');
      if (chart && nextShape === shape) {
        chart.setData(data);
        return;
      }
      chart?.destroy();
      shape = nextShape;
      const at = (/** @type {LineStyle} */ style) => lines.findIndex((l) => l.style === style) + 1;
      /** @type {import('uplot').Band[]} */
      const bands = [];
      if (at('band95Low') && at('band95High')) bands.push({ series: [at('band95High'), at('band95Low')], fill: cssVar('--chart-band-95', 'rgba(242, 212, 107, 0.1)') });
      if (at('bandLow') && at('bandHigh')) bands.push({ series: [at('bandHigh'), at('bandLow')], fill: cssVar('--chart-band', 'rgba(242, 212, 107, 0.2)') });
      const yLabel = opts.yLabel;
      const axis = { stroke: cssVar('--muted', '#9aa7b6'), grid: { stroke: cssVar('--line', '#2a3441'), width: 1 }, ticks: { stroke: cssVar('--line', '#2a3441'), width: 1 } };
      const tick = siteTicks(opts.timezone);
      chart = new uPlot(
        {
          width: width(),
          height,
          tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), opts.timezone),
          legend: { show: false },
          cursor: { drag: { x: false, y: false } },
          scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, opts.yMax ?? Math.max(10, max * 1.1)] } },
          axes: [{ ...axis, values: (_u, splits) => splits.map((s) => tick(s * 1000)) }, { ...axis, size: 48, ...(yLabel && { values: (_u, splits) => splits.map((v) => yLabel(v)) }) }],
          series: [{}, ...lines.map((l) => seriesFor(l.style, l.label))],
          ...(bands.length > 0 && { bands }),
        },
        data,
        host,
      );
    },
    destroy() {
      observer.disconnect();
      chart?.destroy();
      chart = null;
    },
  };
}
