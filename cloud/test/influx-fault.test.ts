import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceEventRecord, FootfallMinute, Uplink } from '@atrium/shared';
import { createCloud, parseCloudConfig } from '../src/index.ts';
import { openPglite } from '../src/db/pglite.ts';
import { createInfluxSeriesStore, SeriesBufferFullError, type InfluxSeriesStore } from '../src/series/influx-series-store.ts';
import { miniSite } from '../../tests/support/mini-site.ts';
import { startInfluxd, type TestInfluxd } from './support/influxd.ts';

/**
 * InfluxDB killed mid-run and restarted; the adapter restarted once while points sit in its
 * disk buffer; uplinks redelivered throughout; the buffer filled up on purpose. Afterwards the
 * stored totals equal what was sent and every contribution is stored exactly once.
 */
describe('InfluxDB series store under faults', () => {
  let s: TestInfluxd;
  const dir = mkdtempSync(join(tmpdir(), 'atrium-influx-fault-'));
  beforeAll(async () => {
    s = await startInfluxd();
    await s.admin('CREATE DATABASE "fault"');
  });
  afterAll(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const T = Date.UTC(2026, 0, 10, 10, 0, 0);
  const SITE = 'mini';
  const LIMIT = 120; // points the disk buffer may hold
  const open = async (): Promise<InfluxSeriesStore> =>
    createInfluxSeriesStore({
      sql: await openPglite(join(dir, 'pg')),
      ownsSql: true,
      connection: { url: s.url, username: s.username, password: s.password, timeoutMs: 1000 },
      minute: { db: 'fault' },
      rollup: { db: 'fault' },
      minuteRetentionDays: 0,
      batchPoints: 25, // several batches per run, so a kill lands between and inside them
      bufferMaxPoints: LIMIT,
      startupTimeoutMs: 2000,
      retry: { minDelayMs: 50, maxDelayMs: 300, batchRetryTimeMs: 1500 },
      ackWaitMs: 500,
      rollupIntervalMs: 0,
    });

  // What was sent and acknowledged, to reconcile against.
  const expectedIn = new Map<string, number>();
  const expectedOut = new Map<string, number>();
  let contributions = 0; // footfall points: one per device-minute per stored uplink
  let events = 0;
  const zones = ['hall', 'wc', 'food'];
  let k = 0;
  const makeUplink = (): Uplink => {
    k += 1;
    if (k % 5 === 0) {
      const evs: DeviceEventRecord[] = [0, 1].map((j) => ({ deviceId: `g${k}`, floorId: 'g', zoneId: 'hall', ts: T + k * 1000, seq: k * 2 + j, family: 'gate', type: 'entry', data: {} }));
      return { v: 1, id: randomUUID(), siteId: SITE, gatewayId: 'gw-1', sentAt: T, kind: 'events', events: evs };
    }
    // Radars r0..r3 over a handful of minutes, so many uplinks hit a device-minute already stored (late records).
    const footfall: FootfallMinute[] = [0, 1, 2, 3].map((d) => {
      const zone = zones[(k + d) % zones.length]!;
      return { deviceId: `r${d}-${zone}`, floorId: 'g', zoneId: zone, minute: T + ((k + d) % 4) * 60_000, subjectKind: 'zone', subjectId: zone, in: (k % 7) + d, out: k % 3, samples: 1, occupancySum: 1, occupancyCount: 1, occupancyMax: 1 };
    });
    return { v: 1, id: randomUUID(), siteId: SITE, gatewayId: 'gw-1', sentAt: T, kind: 'minute', footfall, env: [] };
  };
  const account = (u: Uplink) => {
    if (u.kind === 'minute') {
      for (const f of u.footfall) {
        expectedIn.set(f.subjectId, (expectedIn.get(f.subjectId) ?? 0) + f.in);
        expectedOut.set(f.subjectId, (expectedOut.get(f.subjectId) ?? 0) + f.out);
      }
      contributions += new Set(u.footfall.map((f) => `${f.deviceId}/${f.minute}`)).size;
    } else if (u.kind === 'events') {
      events += u.events.length;
    }
  };
  const sent: Uplink[] = [];
  /** Writes like the ingest does: stored → acknowledged (counted); refused → the edge keeps it. */
  const deliver = async (store: InfluxSeriesStore, u: Uplink) => {
    const r = await store.writeUplink(u, T);
    if (r.stored) {
      account(u);
      sent.push(u);
    }
    return r;
  };

  it('keeps every acknowledged uplink through an InfluxDB crash, a full buffer and an adapter restart', async () => {
    let store = await open();
    // 1. Running normally; InfluxDB is SIGKILLed while uplinks keep coming.
    let killed: Promise<void> | undefined;
    for (let i = 0; i < 30; i++) {
      if (i === 10) killed = s.kill(); // not awaited: the kill lands while the next writes are in flight
      await deliver(store, makeUplink());
    }
    await killed;
    let status = await store.status();
    expect(status.influx.writing).toBe(false);
    expect(status.influx.lastError).toMatch(/^unreachable: (ECONNREFUSED|ECONNRESET)/);
    expect(status.buffer.points).toBeGreaterThan(0);

    // 2. Redeliveries are no-ops, whether the first copy reached InfluxDB or still waits in the buffer.
    for (const u of [sent[0]!, sent[sent.length - 1]!]) expect(await store.writeUplink(u, T + 1)).toEqual({ stored: false });

    // 3. The buffer fills: the next uplinks are refused (not acknowledged), never dropped.
    const refused: Uplink[] = [];
    for (let i = 0; i < 40 && refused.length < 3; i++) {
      const u = makeUplink();
      await deliver(store, u).catch((err: unknown) => {
        expect(err).toBeInstanceOf(SeriesBufferFullError);
        expect((err as Error).message).toMatch(/series write buffer full \(\d+ of 120 points waiting for InfluxDB.*uplink not acknowledged/);
        refused.push(u);
      });
    }
    expect(refused).toHaveLength(3);
    status = await store.status();
    expect(status.buffer.points).toBeLessThanOrEqual(LIMIT);
    const bufferedBeforeRestart = status.buffer;

    // 4. The adapter restarts while InfluxDB is still down: it starts from its disk buffer.
    await store.close();
    store = await open();
    expect((await store.status()).buffer).toEqual(bufferedBeforeRestart);
    expect(await store.writeUplink(sent[1]!, T + 2)).toEqual({ stored: false });

    // 5. InfluxDB returns: the buffer empties, and the refused uplinks are redelivered and stored.
    await s.start();
    expect(await store.drain(20_000)).toBe(true);
    for (const u of refused) expect(await deliver(store, u)).toEqual({ stored: true });
    for (let i = 0; i < 5; i++) await deliver(store, makeUplink());
    expect(await store.drain(10_000)).toBe(true);
    status = await store.status();
    expect(status).toMatchObject({ accepting: true, buffer: { points: 0, uplinks: 0 }, deadLetter: { uplinks: 0, points: 0 }, influx: { writing: true } });

    // Reconciliation: totals equal what was acknowledged; one point per contribution (none twice).
    const totals = await store.footfallTotals({ siteId: SITE, subjectKind: 'zone' });
    expect(totals).toEqual([...expectedIn.keys()].sort().map((subjectId) => ({ subjectId, in: expectedIn.get(subjectId), out: expectedOut.get(subjectId) })));
    const counts = await store.counts(SITE);
    expect(counts).toEqual({ uplinks: sent.length, footfallRecords: contributions, envRecords: 0, events });
    expect(sent.length).toBeGreaterThan(30);
    await store.close();
  }, 120_000); // several PGlite opens and influxd restarts: slow on a loaded 2-core machine, not a timing assertion
});

describe('cloud start-up with the InfluxDB store', () => {
  let s: TestInfluxd;
  const dir = mkdtempSync(join(tmpdir(), 'atrium-influx-cloud-'));
  beforeAll(async () => {
    s = await startInfluxd();
  });
  afterAll(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops with what to fix when the database is missing, and reports the buffer in /health once it exists', async () => {
    const env = {
      ATRIUM_GATEWAY_SECRET: 'test-secret-test-secret', ATRIUM_CLOUD_HTTP_PORT: '0', ATRIUM_CLOUD_MQTT_PORT: '0', ATRIUM_DATA_DIR: dir,
      ATRIUM_SERIES_STORE: 'influxdb', ATRIUM_INFLUX_URL: s.url, ATRIUM_INFLUX_USERNAME: s.username, ATRIUM_INFLUX_PASSWORD: s.password, ATRIUM_INFLUX_DATABASE: 'atrium',
      ATRIUM_ADMIN_KEY: 'atr_influx-fault-admin-key-0001',
    };
    const logger = pino({ level: 'silent' });
    await expect(createCloud(parseCloudConfig(env), { site: miniSite, logger })).rejects.toThrow(/database "atrium" \(ATRIUM_INFLUX_DATABASE\) does not exist/);
    await s.admin('CREATE DATABASE "atrium"');
    const cloud = await createCloud(parseCloudConfig(env), { site: miniSite, logger });
    try {
      const base = `http://127.0.0.1:${(await cloud.start()).httpPort}`;
      const health = await (await fetch(`${base}/health`)).json();
      expect(health).toMatchObject({ status: 'ok', store: { ok: true, kind: 'influxdb', accepting: true, buffer: { points: 0, uplinks: 0 }, influx: { url: s.url, writing: true } } });
      const metrics = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${env.ATRIUM_ADMIN_KEY}` } })).text();
      expect(metrics).toMatch(/atrium_cloud_series_buffer_points 0/);
      expect(metrics).toContain('atrium_cloud_series_write_errors_total');
    } finally {
      await cloud.stop();
    }
  });
});
