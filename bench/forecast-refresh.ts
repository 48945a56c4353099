import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import { loadSiteFile, type SiteModel, type SubjectKind } from '@atrium/shared';
import { backfillHistory } from '@atrium/firmware-sim';
import { createCalendarStore } from '../cloud/src/calendar/calendar-store.ts';
import { openPglite } from '../cloud/src/db/pglite.ts';
import { inlineCompute } from '../cloud/src/forecast/compute.ts';
import { createForecastStore } from '../cloud/src/forecast/forecast-store.ts';
import { loadHistoryFromMinutes, loadHourlyHistory } from '../cloud/src/forecast/history.ts';
import { createForecastRefresh, subjectsOf } from '../cloud/src/forecast/refresh.ts';
import { workerCompute } from '../cloud/src/forecast/worker-compute.ts';
import { createSqlSeriesStore } from '../cloud/src/series/pglite-series-store.ts';
import type { SeriesStore } from '../cloud/src/series/series-store.ts';
import { percentile, progress, writeResult } from './support.ts';

/**
 * The hourly forecast refresh of every series of the demo mall (149) and of ten malls' worth
 * (1,490), each run in a process of its own so its peak memory is its own, on the embedded
 * store on disk as `npm start` keeps it. While it runs, a thread of the same process asks a
 * /health-like endpoint on the main event loop every 20 ms (answered from memory, as the
 * cloud's /health is since it stopped counting rows) and times the answers: what the live path
 * sees meanwhile. Each child makes its run at its own minute, so none finds its rows stored.
 *
 * Baseline in the same run: the refresh as it was, reading each series' history from minute
 * rows (one query per series) and forecasting on the main thread without yielding (it stores
 * through the same forecast store). Measured: hourly rollups, chunks of 25 series, forecasts
 * on a worker thread while the previous chunk is stored, one row per series (migration 11).
 * The refresh's own log line says where its time went (read, compute, store waits).
 *
 * History: the demo mall's backfill (16 weeks), written through the series store (so the
 * rollup is kept by the write path). The other nine malls' rollup rows are copies of the
 * first's under other subject ids, made in SQL; their minute rows are not copied (4.2 M rows
 * take a quarter of an hour to insert on a shared machine), so the baseline reads the first
 * mall's minute rows for each copy: the same rows per series, from a smaller database, which
 * flatters the baseline if anything. The fixture is vacuumed once, as pages of a store that
 * has been read before would be.
 */
const H = 3_600_000;
const END = Date.UTC(2025, 2, 20, 3); // Thursday 14:00 in Melbourne
const PROBE_MS = 20;

type Variant = 'minutes-main-thread' | 'hourly-worker';
interface ChildArgs {
  dir: string;
  copies: number;
  variant: Variant;
  /** when the run is made: each child its own minute of the same hour, so no run finds its rows already stored by an earlier one */
  madeAt: number;
  /** write a V8 CPU profile of the child into this directory (node --cpu-prof) */
  cpuProfDir?: string | undefined;
}

const mib = (bytes: number) => Math.round(bytes / 104_857.6) / 10;
const copyId = (id: string, k: number) => `${id}-x${k}`;

function multiplied(site: SiteModel, copies: number): Record<SubjectKind, string[]> {
  const base = subjectsOf(site);
  const times = (ids: string[]) => [...ids, ...Array.from({ length: copies - 1 }, (_, k) => ids.map((id) => copyId(id, k + 1))).flat()];
  return { zone: times(base.zone), entrance: times(base.entrance), shop: times(base.shop) };
}

/** The baseline's view of the store: a copy's minute rows are its original's. */
function minutesOfOriginals(store: SeriesStore): Pick<SeriesStore, 'footfall'> {
  return {
    footfall: async (r) => {
      const original = r.subjectId?.replace(/-x\d+$/, '');
      return (await store.footfall({ ...r, subjectId: original })).map((p) => ({ ...p, subjectId: r.subjectId ?? p.subjectId }));
    },
  };
}

async function buildFixture(dir: string, weeks: number, copies: number) {
  const site = loadSiteFile();
  const sql = await openPglite(dir);
  const store = await createSqlSeriesStore(sql, { ownsClient: false });
  const t = performance.now();
  const filled = await backfillHistory(store, site, { end: END, weeks });
  const backfillMs = Math.round(performance.now() - t);
  progress(`forecast refresh: ${filled.records} hourly records written in ${backfillMs} ms; copying the rollup ${copies - 1}× under other ids`);
  await sql.query(
    `insert into footfall_hourly select site_id, subject_kind, subject_id || '-x' || k, day, in_h, out_h
       from footfall_hourly, generate_series(1, $1::int) as k where site_id = $2`,
    [copies - 1, site.id],
  );
  const calendar = createCalendarStore(sql, site.id);
  await calendar.ensure(filled.holidays.map((h) => ({ date: h.date, name: h.name, kind: 'holiday' as const })), 'bench', END);
  await sql.exec('vacuum');
  await sql.close();
  return { records: filled.records, backfillMs };
}

/** A thread that asks GET /health every PROBE_MS and keeps the answer times (its own event loop, so a blocked main thread shows). */
const PROBE_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let on = true;
let errors = 0;
const samples = [];
const ask = () => {
  if (!on) return;
  const t = performance.now();
  const at = performance.timeOrigin + t;
  http.get({ host: '127.0.0.1', port: workerData.port, path: '/health', agent }, (res) => {
    res.resume();
    res.on('end', () => { samples.push([at, performance.now() - t]); setTimeout(ask, workerData.everyMs); });
  }).on('error', () => { errors++; setTimeout(ask, workerData.everyMs); });
};
parentPort.on('message', () => {
  on = false; parentPort.postMessage({ samples, errors }); agent.destroy();
});
ask();
const peak = { rss: 0 };
setInterval(() => { peak.rss = Math.max(peak.rss, process.memoryUsage().rss); parentPort.postMessage({ peakRss: peak.rss }); }, 50).unref();
`;

/** One refresh in this process: the child's side. */
async function runChild(a: ChildArgs) {
  const site = loadSiteFile();
  const sql = await openPglite(a.dir);
  const store = await createSqlSeriesStore(sql, { ownsClient: false });
  const subjects = multiplied(site, a.copies);
  const series = subjects.zone.length + subjects.entrance.length + subjects.shop.length;
  // As the cloud's /health answers: from memory (uplink-tally.ts), so what it measures is how long the event loop kept it waiting.
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'ok', uplinks: 0 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const probe = new Worker(PROBE_SOURCE, { eval: true, workerData: { port, everyMs: PROBE_MS } });
  let peakRss = 0;
  let stopped: (m: { samples: Array<[number, number]>; errors: number }) => void = () => undefined;
  probe.on('message', (m: { peakRss?: number; samples?: Array<[number, number]>; errors?: number }) => {
    if (m.peakRss !== undefined) peakRss = Math.max(peakRss, m.peakRss);
    else stopped(m as { samples: Array<[number, number]>; errors: number });
  });
  await new Promise((r) => setTimeout(r, 3000)); // idle answers first, for reference (the probe thread takes a while to start on a loaded machine)

  // The refresh logs where its time went; the child keeps that line for the result.
  let phases: Record<string, number> = {};
  const logger = pino({ level: 'info' }, { write: (line: string) => void (phases = (JSON.parse(line) as { phases?: Record<string, number> }).phases ?? phases) });
  const refresh = createForecastRefresh({
    site,
    series: store,
    forecasts: createForecastStore(sql, site.id),
    calendar: createCalendarStore(sql, site.id),
    logger,
    subjects,
    ...(a.variant === 'minutes-main-thread'
      ? { compute: () => inlineCompute({ sliceMs: Number.POSITIVE_INFINITY }), loadHistory: (_s, q) => loadHistoryFromMinutes(minutesOfOriginals(store), q) }
      : { compute: () => workerCompute(), loadHistory: loadHourlyHistory }),
  });
  let heapPeak = getHeapStatistics().used_heap_size;
  const heapTimer = setInterval(() => (heapPeak = Math.max(heapPeak, getHeapStatistics().used_heap_size)), 100);
  // How long the event loop was held at a time, whatever held it: the probe's answers say what a client saw, this says why.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu = process.cpuUsage();
  const t = performance.now();
  // …and when: the five longest holds, as ms after the refresh started.
  const holds: Array<[number, number]> = [];
  let tick = t;
  const holdTimer = setInterval(() => {
    const now = performance.now();
    if (now - tick > 100) holds.push([Math.round(tick - t), Math.round(now - tick)]);
    tick = now;
  }, 10);
  const startedAt = performance.timeOrigin + t;
  const summary = await refresh.run(a.madeAt);
  const ms = performance.now() - t;
  const cpuUsed = process.cpuUsage(cpu);
  loop.disable();
  clearInterval(holdTimer);
  // A refresh that never let the loop turn (the baseline) is one hold from start to end, which neither timer saw.
  if (performance.now() - tick > 100) holds.push([Math.round(tick - t), Math.round(performance.now() - tick)]);
  clearInterval(heapTimer);
  const endedAt = performance.timeOrigin + performance.now();
  const { samples, errors } = await new Promise<{ samples: Array<[number, number]>; errors: number }>((resolve) => ((stopped = resolve), probe.postMessage('stop')));
  await probe.terminate();
  server.close();
  await sql.close();
  // A request sent during the refresh counts for it, however late its answer came.
  const idle = samples.filter(([at]) => at < startedAt).map(([, ms]) => ms).sort((x, y) => x - y);
  const busy = samples.filter(([at]) => at >= startedAt && at <= endedAt).map(([, ms]) => ms).sort((x, y) => x - y);
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return {
    variant: a.variant,
    series,
    stored: summary.series,
    ms: Math.round(ms),
    cpuMs: Math.round((cpuUsed.user + cpuUsed.system) / 1000),
    peakRssMiB: mib(Math.max(peakRss, process.resourceUsage().maxRSS * 1024)),
    mainHeapPeakMiB: mib(heapPeak),
    phases,
    loopDelayMs: { p99: r1(loop.percentile(99) / 1e6), max: r1(Math.max(loop.max / 1e6, ...holds.map(([, ms]) => ms))), longest: holds.sort((x, y) => y[1] - x[1]).slice(0, 5).map(([atMs, ms]) => ({ atMs, ms })) },
    /** the machine's 1, 5 and 15 minute load averages as the run ended: it is shared */
    loadAvg: loadavg().map((l) => Math.round(l * 10) / 10),
    health: { samples: busy.length, errors, p50Ms: r1(percentile(busy, 50)), p99Ms: r1(percentile(busy, 99)), maxMs: r1(busy.at(-1) ?? Number.NaN), idleP50Ms: r1(percentile(idle, 50)), idleP99Ms: r1(percentile(idle, 99)) },
  };
}

type ChildResult = Awaited<ReturnType<typeof runChild>>;

function inChild(a: ChildArgs): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const prof = a.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', a.cpuProfDir] : [];
    const child = spawn(process.execPath, [...prof, '--import', 'tsx', fileURLToPath(import.meta.url), '--child', JSON.stringify(a)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code === 0) resolve(JSON.parse(last) as ChildResult);
      else reject(new Error(`forecast refresh child (${a.variant}, ×${a.copies}) exited ${code}: ${out}`));
    });
  });
}

export interface ForecastBenchOptions {
  weeks: number;
  copies: number;
  /** keep the fixture in this directory and reuse it when it is already there (profiling runs) */
  fixtureDir?: string | undefined;
  /** only these variants (default both) */
  variants?: readonly Variant[] | undefined;
  /** only this many copies of the mall (default 1 and `copies`) */
  only?: number | undefined;
  cpuProfDir?: string | undefined;
}

export async function benchForecastRefresh(o: ForecastBenchOptions) {
  const keep = o.fixtureDir !== undefined;
  const dir = o.fixtureDir ?? mkdtempSync(join(tmpdir(), 'atrium-bench-forecast-'));
  const info = join(dir, 'bench-fixture.json');
  try {
    let fixture: { records: number; backfillMs: number };
    if (keep && existsSync(info)) {
      fixture = JSON.parse(readFileSync(info, 'utf8')) as typeof fixture;
      progress(`forecast refresh: reusing the fixture in ${dir}`);
    } else {
      progress(`forecast refresh: backfilling ${o.weeks} weeks of the demo mall into ${dir}`);
      fixture = await buildFixture(dir, o.weeks, o.copies);
      if (keep) writeFileSync(info, JSON.stringify(fixture));
    }
    const runs: ChildResult[] = [];
    for (const copies of o.only !== undefined ? [o.only] : [1, o.copies]) {
      for (const variant of o.variants ?? (['minutes-main-thread', 'hourly-worker'] as const)) {
        const r = await inChild({ dir, copies, variant, madeAt: END + (5 + runs.length) * 60_000, cpuProfDir: o.cpuProfDir });
        progress(`forecast refresh: ${r.series} series, ${variant}: ${r.ms} ms (cpu ${r.cpuMs} ms), peak RSS ${r.peakRssMiB} MiB, /health p50/p99/max ${r.health.p50Ms}/${r.health.p99Ms}/${r.health.maxMs} ms, phases ${JSON.stringify(r.phases)}, load ${r.loadAvg.join(' ')}`);
        runs.push(r);
      }
    }
    return { weeksOfHistory: o.weeks, backfillRecords: fixture.records, backfillMs: fixture.backfillMs, probeEveryMs: PROBE_MS, runs };
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

export function forecastRows(r: Awaited<ReturnType<typeof benchForecastRefresh>>): string[] {
  const by = (series: number, v: Variant) => r.runs.find((x) => x.series === series && x.variant === v);
  return [...new Set(r.runs.map((x) => x.series))].map((series) => {
    const base = by(series, 'minutes-main-thread');
    const x = by(series, 'hourly-worker');
    const load = (y: ChildResult) => `load ${y.loadAvg.join(' / ')}`;
    // A refresh that held the event loop throughout has no answer inside it: say so rather than print nulls.
    const health = (y: ChildResult) =>
      y.health.samples === 0
        ? `/health: no answer during the refresh (longest event-loop hold ${y.loopDelayMs.max} ms; ${load(y)})`
        : `/health p50 / p99 / max ${y.health.p50Ms} / ${y.health.p99Ms} / ${y.health.maxMs} ms (${y.health.samples} answers; before the refresh p50 / p99 ${y.health.idleP50Ms} / ${y.health.idleP99Ms} ms; longest event-loop hold ${y.loopDelayMs.max} ms; ${load(y)})`;
    const measured = x ? `${x.ms} ms (cpu ${x.cpuMs} ms, all threads), peak RSS ${x.peakRssMiB} MiB, ${health(x)}` : 'not run';
    const baseline = base
      ? ` — baseline (minute rows, main thread): ${base.ms} ms (cpu ${base.cpuMs} ms), peak RSS ${base.peakRssMiB} MiB, ${health(base)}${x ? `; ×${Math.round((base.ms / x.ms) * 10) / 10} faster` : ''}`
      : '';
    return `| forecast refresh, ${series} series (${r.weeksOfHistory} weeks of history), embedded store on disk | ${measured}${baseline} |`;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // `npx tsx bench/forecast-refresh.ts [--quick] [--fixture DIR] [--only 10] [--variant hourly-worker] [--cpu-prof DIR]`
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      child: { type: 'string' },
      fixture: { type: 'string' },
      only: { type: 'string' },
      variant: { type: 'string', multiple: true },
      'cpu-prof': { type: 'string' },
    },
  });
  if (values.child) {
    console.log(JSON.stringify(await runChild(JSON.parse(values.child) as ChildArgs)));
    process.exit(0);
  }
  const variants = values.variant?.map((v) => {
    if (v !== 'minutes-main-thread' && v !== 'hourly-worker') throw new Error(`--variant: "${v}" is not minutes-main-thread or hourly-worker`);
    return v;
  });
  const result = await benchForecastRefresh({
    weeks: values.quick ? 4 : 16,
    copies: 10,
    fixtureDir: values.fixture,
    variants,
    only: values.only === undefined ? undefined : Number(values.only),
    cpuProfDir: values['cpu-prof'],
  });
  const path = writeResult('forecast-refresh', result);
  console.log(`\n| measure | value |\n| --- | --- |\n${forecastRows(result).join('\n')}\n\nwritten to ${path}`);
  process.exit(0);
}
