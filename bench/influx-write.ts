import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FootfallMinute, MinuteUplink } from '@atrium/shared';
import { openPglite } from '../cloud/src/db/pglite.ts';
import { uplinkLines } from '../cloud/src/series/influx-lines.ts';
import { createInfluxSeriesStore, ensureInfluxSchema } from '../cloud/src/series/influx-series-store.ts';
import { startInfluxd } from '../cloud/test/support/influxd.ts';
import { progress } from './support.ts';

export interface InfluxWriteBenchOptions {
  /** Points per run (per batch size and per path). */
  points: number;
  batchSizes: number[];
  /** Records per uplink, as one edge minute uplink would carry. */
  recordsPerUplink: number;
  /** writeUplink calls in flight at once (gateways delivering concurrently). */
  concurrency: number;
}

/**
 * Points per second into a real InfluxDB (Debian's influxd 1.x, started on a free loopback
 * port) through the series-store adapter — ledger and disk buffer in PGlite, line protocol,
 * WriteApi batches with gzip, delete after 204 — next to POSTing the same line protocol,
 * in the same batch sizes, straight to `/write` one request after another. Same run, same
 * server, a fresh database per measurement.
 */
export async function benchInfluxWrite(opts: InfluxWriteBenchOptions) {
  const server = await startInfluxd();
  // On disk, as the cloud runs it (the InfluxDB store refuses a throwaway operational database).
  const pgDir = mkdtempSync(join(tmpdir(), 'atrium-bench-pg-'));
  const sql = await openPglite(pgDir);
  const auth = `Basic ${Buffer.from(`${server.username}:${server.password}`).toString('base64')}`;
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
  const count = async (db: string) => {
    const res = await fetch(`${server.url}/query?db=${db}&q=${encodeURIComponent('SELECT count("in") FROM "footfall_minute"')}`, { headers: { Authorization: auth } });
    const body = (await res.json()) as { results: Array<{ series?: Array<{ values: number[][] }> }> };
    return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
  };

  const runs: Array<{ batchPoints: number; directPointsPerSecond: number; adapterPointsPerSecond: number; ratioAdapterToDirect: number }> = [];
  try {
    for (const batchPoints of opts.batchSizes) {
      // Baseline: the very lines the adapter would write, POSTed straight to /write.
      const directDb = `bench_direct_${batchPoints}`;
      await server.admin(`CREATE DATABASE "${directDb}"`);
      const lines = uplinks.flatMap((u, i) => uplinkLines(u, i + 1).lines);
      progress(`influx write: direct /write, ${lines.length} points in batches of ${batchPoints}`);
      let t = performance.now();
      for (let i = 0; i < lines.length; i += batchPoints) {
        const res = await fetch(`${server.url}/write?db=${directDb}&precision=ns`, { method: 'POST', headers: { Authorization: auth }, body: lines.slice(i, i + batchPoints).join('\n') });
        if (res.status !== 204) throw new Error(`direct write answered ${res.status}: ${await res.text()}`);
      }
      const directSeconds = (performance.now() - t) / 1000;

      const adapterDb = `bench_adapter_${batchPoints}`;
      await server.admin(`CREATE DATABASE "${adapterDb}"`);
      await ensureInfluxSchema(sql);
      await sql.exec('truncate uplinks, influx_outbox, influx_dead_letter, influx_rollup_pending cascade');
      const store = await createInfluxSeriesStore({
        sql, ownsSql: false, connection: { url: server.url, username: server.username, password: server.password, timeoutMs: 30_000 },
        minute: { db: adapterDb }, rollup: { db: adapterDb }, minuteRetentionDays: 0, batchPoints, bufferMaxPoints: 10 * total,
        startupTimeoutMs: 5000, rollupIntervalMs: 0,
      });
      progress(`influx write: adapter, ${total} points in ${uplinks.length} uplinks (${opts.concurrency} in flight), batches of ${batchPoints}`);
      t = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: opts.concurrency }, async () => {
          while (next < uplinks.length) await store.writeUplink(uplinks[next++]!, Date.now());
        }),
      );
      if (!(await store.drain(300_000))) throw new Error('adapter did not drain its buffer within 300 s');
      const adapterSeconds = (performance.now() - t) / 1000;
      await store.close();

      const [direct, adapter] = [await count(directDb), await count(adapterDb)];
      if (direct !== total || adapter !== total) throw new Error(`points stored: direct ${direct}, adapter ${adapter}, expected ${total}`);
      const run = {
        batchPoints,
        directPointsPerSecond: Math.round(total / directSeconds),
        adapterPointsPerSecond: Math.round(total / adapterSeconds),
        ratioAdapterToDirect: Math.round((directSeconds / adapterSeconds) * 100) / 100,
      };
      progress(`influx write: ${JSON.stringify(run)}`);
      runs.push(run);
    }
  } finally {
    await sql.close();
    rmSync(pgDir, { recursive: true, force: true });
    await server.stop();
  }
  return { server: 'influxd 1.x (Debian), loopback', points: total, recordsPerUplink: opts.recordsPerUplink, concurrency: opts.concurrency, runs };
}
