import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { z } from 'zod';
import { deviceTopic, FootfallPoint, loadSiteFile } from '@atrium/shared';
import { startInfluxd, type TestInfluxd } from '../cloud/test/support/influxd.ts';
import { startStack } from '../scripts/stack.ts';
import { connectDevice, publish } from '../tests/support/device.ts';
import { percentile, progress } from './support.ts';

export interface InfluxLatencyBenchOptions {
  samples: number;
  /** How often "is it there yet?" is asked, for every path alike (the figures' resolution). */
  pollMs: number;
  /** Up to this long (random) between samples, so publishes do not lock onto the edge's tick. */
  gapMs: number;
}

/**
 * End-to-end delay from a radar's publish at the edge to its count being queryable through
 * the cloud's REST API, with the cloud's series store in a real InfluxDB (Debian's influxd
 * 1.x on loopback) — next to, in the same run, the same path with the embedded PGlite store,
 * and a plain `/write` followed by `/query` polling against the same influxd (InfluxDB's own
 * floor). Each sample's reading lands in a minute of its own and the device's next reading
 * (one minute later on its clock, edge lateness 0) closes that minute at once, so the figure
 * is the pipeline's delay, not the aggregation window an operator configures.
 */
export async function benchInfluxLatency(opts: InfluxLatencyBenchOptions) {
  const server = await startInfluxd();
  const dir = mkdtempSync(join(tmpdir(), 'atrium-bench-latency-'));
  try {
    await server.admin('CREATE DATABASE "latency"');
    const direct = await directWriteToQuery(server, opts);
    progress(`influx latency: plain /write → /query ${JSON.stringify(direct)}`);
    const embedded = await publishToQueryable('embedded', { dataDir: join(dir, 'embedded') }, opts);
    progress(`influx latency: embedded store ${JSON.stringify(embedded)}`);
    const influx = await publishToQueryable(
      'influxdb',
      {
        dataDir: join(dir, 'influx'),
        cloudEnv: { ATRIUM_SERIES_STORE: 'influxdb', ATRIUM_INFLUX_URL: server.url, ATRIUM_INFLUX_USERNAME: server.username, ATRIUM_INFLUX_PASSWORD: server.password, ATRIUM_INFLUX_DATABASE: 'latency' },
      },
      opts,
    );
    progress(`influx latency: InfluxDB store ${JSON.stringify(influx)}`);
    return {
      server: 'influxd 1.x (Debian), loopback; cloud and edge in one process',
      samples: opts.samples,
      warmupSamples: WARMUP,
      pollMs: opts.pollMs,
      influx,
      embedded,
      directWriteToQuery: direct,
      ratioInfluxToEmbeddedP50: round(influx.p50Ms / embedded.p50Ms, 2),
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Summary = { received: number; p50Ms: number; p99Ms: number; maxMs: number };
const round = (n: number, digits = 1) => +n.toFixed(digits);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SAMPLE_TIMEOUT_MS = 5000;
/** First samples of each path are left out: connections, first writes and JIT warm up there. */
const WARMUP = 3;

function summarise(delays: number[]): Summary {
  const sorted = [...delays].sort((a, b) => a - b);
  return { received: sorted.length, p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)), maxMs: round(sorted.at(-1) ?? NaN) };
}

/** Polls `seen` every `pollMs` until it is true; the delay since `t`, or undefined after the timeout. */
async function until(seen: () => Promise<boolean>, t: number, pollMs: number): Promise<number | undefined> {
  for (;;) {
    if (await seen()) return performance.now() - t;
    if (performance.now() - t > SAMPLE_TIMEOUT_MS) return undefined;
    await sleep(pollMs);
  }
}

/** Minute-aligned, two days back: the readings lie in the past, as late data would. */
const firstMinute = () => Math.floor(Date.now() / 60_000) * 60_000 - 2 * 86_400_000;

async function publishToQueryable(store: 'embedded' | 'influxdb', stackOpts: { dataDir: string; cloudEnv?: Record<string, string> }, opts: InfluxLatencyBenchOptions): Promise<Summary> {
  const site = loadSiteFile();
  const radar = site.devices.find((d) => d.kind === 'radar' && d.subject?.kind === 'zone');
  if (!radar?.subject) throw new Error('the demo mall has no zone radar');
  const zoneId = radar.subject.id;
  const stack = await startStack({ site, logger: pino({ level: 'warn' }), ...stackOpts, edge: { lateness: 0, idle: 600_000, flushEvery: 10 } });
  const device = await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, radar.id);
  const topic = deviceTopic(site.id, radar.id, 'count');
  const points = z.array(FootfallPoint);
  const headers = { Authorization: `Bearer ${stack.adminKey}` };
  progress(`influx latency: ${opts.samples} publishes on ${radar.id} → queryable via GET /api/v1/series/footfall, ${store} store`);
  const delays: number[] = [];
  const T0 = firstMinute();
  try {
    for (let i = 0; i < WARMUP + opts.samples; i++) {
      const minute = T0 + 2 * i * 60_000;
      const count = i + 1; // unique, so the answer is matched to its publish
      const url = `${stack.urls.page}api/v1/series/footfall?subjectKind=zone&subjectId=${zoneId}&from=${minute}&to=${minute + 60_000}&every=1m`;
      const t = performance.now();
      await publish(device, topic, { ts: minute + 1000, seq: 2 * i, periodS: 30, in: count, out: 0 });
      // The next reading on the device's clock closes the minute above (lateness 0).
      await publish(device, topic, { ts: minute + 61_000, seq: 2 * i + 1, periodS: 30, in: 0, out: 0 });
      const delay = await until(async () => points.parse(await (await fetch(url, { headers })).json()).some((p) => p.in === count), t, opts.pollMs);
      if (delay !== undefined && i >= WARMUP) delays.push(delay);
      await sleep(Math.random() * opts.gapMs);
    }
  } finally {
    device.end(true);
    await stack.stop();
  }
  return summarise(delays);
}

/** InfluxDB's own floor: one point POSTed to /write, then /query polled until it answers with it. */
async function directWriteToQuery(server: TestInfluxd, opts: InfluxLatencyBenchOptions): Promise<Summary> {
  const auth = { Authorization: `Basic ${Buffer.from(`${server.username}:${server.password}`).toString('base64')}` };
  const answer = z.object({ results: z.array(z.object({ series: z.array(z.object({ values: z.array(z.array(z.unknown())) })).optional() })) });
  const delays: number[] = [];
  const T0 = firstMinute();
  for (let i = 0; i < WARMUP + opts.samples; i++) {
    const ts = T0 + i * 60_000;
    const q = new URLSearchParams({ db: 'latency', epoch: 'ms', q: `SELECT "in" FROM "probe" WHERE time = ${ts}ms` });
    const t = performance.now();
    const res = await fetch(`${server.url}/write?db=latency&precision=ms`, { method: 'POST', headers: auth, body: `probe,device=bench in=${i + 1}i ${ts}` });
    if (res.status !== 204) throw new Error(`/write answered ${res.status}: ${await res.text()}`);
    const delay = await until(async () => (answer.parse(await (await fetch(`${server.url}/query?${q.toString()}`, { headers: auth })).json()).results[0]?.series?.length ?? 0) > 0, t, opts.pollMs);
    if (delay !== undefined && i >= WARMUP) delays.push(delay);
    await sleep(Math.random() * opts.gapMs);
  }
  return summarise(delays);
}
