import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FootfallMinute, MinuteUplink } from '@atrium/shared';
import { openPglite } from '../cloud/src/db/pglite.ts';
import type { SqlClient } from '../cloud/src/db/sql-client.ts';
import { uplinkLines } from '../cloud/src/series/influx-lines.ts';
import { createInfluxSeriesStore, ensureInfluxSchema } from '../cloud/src/series/influx-series-store.ts';
import { startInfluxd, type TestInfluxd } from '../cloud/test/support/influxd.ts';
import { progress } from './support.ts';

export interface InfluxWriteBenchOptions {
  /** Points per measurement. */
  points: number;
  batchSizes: number[];
  /** Records per uplink, as one edge minute uplink would carry. */
  recordsPerUplink: number;
  /** writeUplink calls in flight at once (gateways delivering concurrently). */
  concurrency: number;
  /** Measurements of each path per batch size; the median counts (default 3). */
  rounds?: number;
}

type Path = 'direct' | 'adapter';

/**
 * Points per second into a real InfluxDB (Debian's influxd 1.x, started on a free loopback
 * port) through the series-store adapter — ledger and disk buffer in PGlite, line protocol,
 * WriteApi batches with gzip, delete after 204 — next to POSTing the same line protocol,
 * in the same batch sizes, straight to `/write` one request after another.
 *
 * Each measurement gets its own freshly started influxd: with one server for both paths, the
 * second one measured paid for the first one's cache snapshots and compactions (influxd
 * compacts in the background for seconds after a burst), which alone cost the adapter about
 * a third of its rate when it always came second. The paths alternate which goes first, and
 * the median of `rounds` measurements counts, so a neighbour's burst of CPU on a shared
 * machine moves one sample, not the ratio.
 */
export async function benchInfluxWrite(opts: InfluxWriteBenchOptions) {
  const rounds = opts.rounds ?? 3;
  // On disk, as the cloud runs it (the InfluxDB store refuses a throwaway operational database).
  const pgDir = mkdtempSync(join(tmpdir(), 'atrium-bench-pg-'));
  const sql = await openPglite(pgDir);
  await ensureInfluxSchema(sql);
  const T0 = Date.UTC(2026, 10, 21, 0, 0, 0);
  const uplinks: MinuteUplink[] = [];
  for (let u = 0; u * opts.recordsPerUplink < opts.points; u++) {
    const footfall: FootfallMinute[] = [];
    for (let d = 0; d < opts.recordsPerUplink; d++) {
      footfall.push({ deviceId: `radar-${d}`, floorId: `f${d % 4}`, zoneId: `z${d % 50}`, minute: T0 + u * 60_000, subjectKind: 'zone', subjectId: `z${d % 50}`, in: d % 17, out: d % 13, samples: 2, occupancySum: d % 40, occupancyCount: 2, occupancyMax: d % 25 });
    }
    uplinks.push({ v: 1, id: randomUUID(), siteId: 'bench', gatewayId: 'gw-1', sentAt: T0, kind: 'minute', footfall, env: [] });
  }
  const total = uplinks.length * opts.recordsPerUplink;
  // The very lines the adapter writes (same sequence numbers, so the same timestamps).
  const lines = uplinks.flatMap((u, i) => uplinkLines(u, i + 1).lines);

  const runs: Array<{ batchPoints: number; directPointsPerSecond: number; adapterPointsPerSecond: number; ratioAdapterToDirect: number; samples: Record<Path, number[]> }> = [];
  try {
    for (const batchPoints of opts.batchSizes) {
      const seconds: Record<Path, number[]> = { direct: [], adapter: [] };
      for (let round = 0; round < rounds; round++) {
        const order: Path[] = round % 2 === 0 ? ['direct', 'adapter'] : ['adapter', 'direct'];
        for (const path of order) {
          const server = await startInfluxd();
          try {
            await server.admin('CREATE DATABASE "bench"');
            progress(`influx write: ${path}, ${total} points, batches of ${batchPoints}, round ${round + 1}/${rounds}`);
            const s = path === 'direct' ? await writeDirect(server, lines, batchPoints) : await writeThroughAdapter(server, sql, uplinks, batchPoints, opts.concurrency, total);
            const stored = await countPoints(server);
            if (stored !== total) throw new Error(`${path}: ${stored} points stored, expected ${total}`);
            seconds[path].push(s);
          } finally {
            await server.stop();
          }
        }
      }
      const [direct, adapter] = [median(seconds.direct), median(seconds.adapter)];
      const rate = (s: number) => Math.round(total / s);
      const run = {
        batchPoints,
        directPointsPerSecond: rate(direct),
        adapterPointsPerSecond: rate(adapter),
        ratioAdapterToDirect: Math.round((direct / adapter) * 100) / 100,
        samples: { direct: seconds.direct.map(rate), adapter: seconds.adapter.map(rate) },
      };
      progress(`influx write: ${JSON.stringify(run)}`);
      runs.push(run);
    }
  } finally {
    await sql.close();
    rmSync(pgDir, { recursive: true, force: true });
  }
  return { server: 'influxd 1.x (Debian), loopback, a fresh server per measurement', points: total, recordsPerUplink: opts.recordsPerUplink, concurrency: opts.concurrency, rounds: rounds, runs };
}

const basic = (s: TestInfluxd) => `Basic ${Buffer.from(`${s.username}:${s.password}`).toString('base64')}`;

/** Baseline: the lines POSTed to /write, one request after another. */
async function writeDirect(server: TestInfluxd, lines: string[], batchPoints: number): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < lines.length; i += batchPoints) {
    const res = await fetch(`${server.url}/write?db=bench&precision=ns`, { method: 'POST', headers: { Authorization: basic(server) }, body: lines.slice(i, i + batchPoints).join('\n') });
    if (res.status !== 204) throw new Error(`direct write answered ${res.status}: ${await res.text()}`);
  }
  return (performance.now() - t) / 1000;
}

/** The adapter as the ingest drives it: `concurrency` uplinks in flight, each answered once stored; then its buffer drained. */
async function writeThroughAdapter(server: TestInfluxd, sql: SqlClient, uplinks: MinuteUplink[], batchPoints: number, concurrency: number, total: number): Promise<number> {
  await sql.exec('truncate uplinks, influx_outbox, influx_dead_letter, influx_rollup_pending cascade');
  const store = await createInfluxSeriesStore({
    sql, ownsSql: false, connection: { url: server.url, username: server.username, password: server.password, timeoutMs: 30_000 },
    minute: { db: 'bench' }, rollup: { db: 'bench' }, minuteRetentionDays: 0, batchPoints, bufferMaxPoints: 10 * total,
    startupTimeoutMs: 5000, rollupIntervalMs: 0,
  });
  try {
    const t = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < uplinks.length) await store.writeUplink(uplinks[next++]!, Date.now());
      }),
    );
    if (!(await store.drain(300_000))) throw new Error('adapter did not drain its buffer within 300 s');
    return (performance.now() - t) / 1000;
  } finally {
    await store.close();
  }
}

async function countPoints(server: TestInfluxd): Promise<number> {
  const res = await fetch(`${server.url}/query?db=bench&q=${encodeURIComponent('SELECT count("in") FROM "footfall_minute"')}`, { headers: { Authorization: basic(server) } });
  const body = (await res.json()) as { results: Array<{ series?: Array<{ values: number[][] }> }> };
  return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
