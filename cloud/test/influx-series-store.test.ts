import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FootfallMinute, MinuteUplink } from '@atrium/shared';
import { parseCloudConfig } from '../src/config.ts';
import { openPglite } from '../src/db/pglite.ts';
import { V1WriteTransport } from '../src/series/influx-http.ts';
import { minuteOffsetNs, nsOf, uplinkLines } from '../src/series/influx-lines.ts';
import { createInfluxSeriesStore, ensureInfluxSchema, InfluxConfigError, type InfluxSeriesStoreOptions } from '../src/series/influx-series-store.ts';
import { seriesStoreContract } from './series-store.contract.ts';
import { startInfluxd, type TestInfluxd } from './support/influxd.ts';

// One real InfluxDB 1.6 server (Debian's influxd, v1 HTTP API only) and one embedded engine
// for the ledger and buffer; each store gets a fresh database and emptied ledger tables.
const server = startInfluxd();
server.catch(() => undefined); // reported by every test that needs it, with how to install influxd
const engine = openPglite('memory://');
afterAll(async () => {
  await (await server.catch(() => undefined))?.stop();
  await (await engine).close();
});

let n = 0;
async function freshStore(s: TestInfluxd, extra: Partial<InfluxSeriesStoreOptions> = {}) {
  const sql = await engine;
  const db = `atrium_${++n}`;
  await s.admin(`CREATE DATABASE "${db}"`);
  await ensureInfluxSchema(sql);
  await sql.exec('truncate uplinks, influx_outbox, influx_dead_letter, influx_rollup_pending cascade');
  const store = await createInfluxSeriesStore({
    sql,
    ownsSql: false,
    connection: { url: s.url, username: s.username, password: s.password, timeoutMs: 5000 },
    minute: { db },
    rollup: { db },
    minuteRetentionDays: 0,
    batchPoints: 5000,
    bufferMaxPoints: 100_000,
    startupTimeoutMs: 2000,
    rollupIntervalMs: 0,
    ...extra,
  });
  return { store, db };
}

seriesStoreContract('InfluxDB 1.6 over the v1 API', async () => (await freshStore(await server)).store);

describe('InfluxDB series store', () => {
  let s: TestInfluxd;
  beforeAll(async () => {
    s = await server;
  });
  const T = Date.UTC(2026, 0, 10, 10, 0, 0);
  const foot = (deviceId: string, zoneId: string, minute: number, inN: number, outN = 0): FootfallMinute => ({
    deviceId, floorId: 'g', zoneId, minute, subjectKind: 'zone', subjectId: zoneId, in: inN, out: outN, samples: 1, occupancySum: inN, occupancyCount: 1, occupancyMax: inN,
  });
  const minute = (footfall: FootfallMinute[], env: MinuteUplink['env'] = []): MinuteUplink => ({ v: 1, id: randomUUID(), siteId: 'mini', gatewayId: 'gw-1', sentAt: T, kind: 'minute', footfall, env });

  it('maps the library’s v2 write path to the v1 /write endpoint, keeping db, rp and precision', () => {
    expect(V1WriteTransport.path('/api/v2/write?org=&bucket=atrium&precision=ns')).toBe('/write?db=atrium&precision=ns');
    expect(V1WriteTransport.path('/api/v2/write?org=&bucket=atrium%2Fminute&precision=ms')).toBe('/write?db=atrium&rp=minute&precision=ms');
    expect(V1WriteTransport.path('/query?db=x&q=SHOW')).toBe('/query?db=x&q=SHOW');
  });

  it('gives each uplink its own point per device-minute, inside the minute, and sums records within an uplink', () => {
    const u = minute([foot('r1', 'hall', T, 5), foot('r1', 'hall', T, 2), foot('r2', 'hall', T, 1)]);
    const { lines, hours } = uplinkLines(u, 42);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^footfall_minute,device=r1,floor=g,site=mini,subject_id=hall,subject_kind=zone,zone=hall in=7i,occ_count=2i,occ_max=5,occ_sum=7,out=0i,samples=2i \d+$/);
    expect(BigInt(lines[0]!.split(' ')[2]!)).toBe(BigInt(T) * 1_000_000n + 42n);
    expect(minuteOffsetNs(60_000_000_000 + 7)).toBe(7n);
    for (const [ms, off] of [[T, 0n], [T, 1n], [T, 999_999n], [T, 1_000_000n], [T + 60_000, 59_999_999_999n], [0, 123_456_789n]] as const) {
      expect(nsOf(ms, off)).toBe((BigInt(ms) * 1_000_000n + off).toString());
    }
    expect(hours).toEqual([T]);
  });

  it('rolls minute data up into hours, and recomputes an hour when a late record arrives', async () => {
    const { store, db } = await freshStore(s);
    try {
      await store.writeUplink(minute([foot('r1', 'hall', T, 5), foot('r2', 'hall', T + 5 * 60_000, 3), foot('r3', 'wc', T + 59 * 60_000, 1)]), T);
      await store.writeUplink(minute([], [{ deviceId: 'e1', floorId: 'g', zoneId: 'hall', minute: T, metrics: { co2: { sum: 1600, count: 2, min: 700, max: 900 } } }]), T);
      expect(await store.rollup()).toBe(1);
      const hourly = async () => (await s.admin(`SELECT "in", "occ_max", "subject_id" FROM "footfall_hour" WHERE time >= '2026-01-10T10:00:00Z' AND time < '2026-01-10T11:00:00Z'`, db)) as { results: Array<{ series?: Array<{ values: unknown[][] }> }> };
      expect((await hourly()).results[0]!.series![0]!.values).toEqual([
        ['2026-01-10T10:00:00Z', 8, 5, 'hall'],
        ['2026-01-10T10:00:00Z', 1, 1, 'wc'],
      ]);
      await store.writeUplink(minute([foot('r1', 'hall', T, 2)]), T);
      expect((await store.status()).rollupPendingHours).toBe(1);
      expect(await store.rollup()).toBe(1);
      expect(await store.rollup()).toBe(0);
      expect((await hourly()).results[0]!.series![0]!.values[0]).toEqual(['2026-01-10T10:00:00Z', 10, 5, 'hall']);
    } finally {
      await store.close();
    }
  });

  it('reads ranges older than the minute retention from the hourly rollups', async () => {
    // Minute data kept 30 days; "now" is 40 days after the data, so it must come from the rollups.
    let clock = T + 3_600_000;
    const { store } = await freshStore(s, { minuteRetentionDays: 30, now: () => clock });
    try {
      await store.writeUplink(minute([foot('r1', 'hall', T, 5), foot('r1', 'hall', T + 61 * 60_000, 4), foot('r3', 'wc', T, 9)], [{ deviceId: 'e1', floorId: 'g', zoneId: 'hall', minute: T, metrics: { co2: { sum: 1600, count: 2, min: 700, max: 900 } } }]), T);
      expect(await store.rollup()).toBe(2);
      const fromMinutes = await store.footfall({ siteId: 'mini', subjectKind: 'zone', from: T, to: T + 2 * 3_600_000, everyMs: 3_600_000 });
      clock = T + 40 * 86_400_000;
      const fromHours = await store.footfall({ siteId: 'mini', subjectKind: 'zone', from: T, to: T + 2 * 3_600_000, everyMs: 3_600_000 });
      expect(fromHours).toEqual(fromMinutes);
      expect(fromHours).toEqual([
        { subjectId: 'hall', t: T, in: 5, out: 0 },
        { subjectId: 'hall', t: T + 3_600_000, in: 4, out: 0 },
        { subjectId: 'wc', t: T, in: 9, out: 0 },
      ]);
      expect(await store.footfallTotals({ siteId: 'mini', subjectKind: 'zone' })).toEqual([
        { subjectId: 'hall', in: 9, out: 0 },
        { subjectId: 'wc', in: 9, out: 0 },
      ]);
      expect(await store.env({ siteId: 'mini', metric: 'co2', from: T, to: T + 3_600_000, everyMs: 3_600_000 })).toEqual([{ zoneId: 'hall', t: T, mean: 800, min: 700, max: 900 }]);
    } finally {
      await store.close();
    }
  });

  it('moves points InfluxDB refuses as invalid to the dead-letter table instead of retrying them forever', async () => {
    const { store, db } = await freshStore(s);
    try {
      // A field of another type already in place: InfluxDB answers 400 (partial write: field type conflict).
      // (Field types are per shard in 1.x, so the conflicting point sits right next to the new one.)
      const res = await fetch(`${s.url}/write?db=${db}&precision=ns`, { method: 'POST', headers: { Authorization: `Basic ${Buffer.from(`${s.username}:${s.password}`).toString('base64')}` }, body: `footfall_minute,site=mini in="text" ${BigInt(T) * 1_000_000n - 1n}` });
      expect(res.status).toBe(204);
      await store.writeUplink(minute([foot('r1', 'hall', T, 5)]), T);
      expect(await store.drain(5000)).toBe(true);
      expect((await store.status()).deadLetter).toEqual({ uplinks: 1, points: 1 });
      expect((await store.status()).influx.lastError).toMatch(/rejected: HTTP 400.*type conflict/);
    } finally {
      await store.close();
    }
  });
});

describe('InfluxDB series store start-up refuses bad configuration', () => {
  let s: TestInfluxd;
  let notInflux: Server;
  let notInfluxUrl: string;
  beforeAll(async () => {
    s = await server;
    await s.admin('CREATE DATABASE "atrium_cfg"');
    notInflux = createServer((_req, res) => res.writeHead(404).end('not here'));
    await new Promise<void>((r) => notInflux.listen(0, '127.0.0.1', () => r()));
    notInfluxUrl = `http://127.0.0.1:${(notInflux.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => notInflux.close(() => r())));

  const open = async (conn: Partial<InfluxSeriesStoreOptions['connection']>, db = 'atrium_cfg') => {
    const sql = await engine;
    return createInfluxSeriesStore({
      sql, ownsSql: false, connection: { url: s.url, username: s.username, password: s.password, timeoutMs: 2000, ...conn },
      minute: { db }, rollup: { db }, minuteRetentionDays: 0, batchPoints: 1000, bufferMaxPoints: 1000, startupTimeoutMs: 300, rollupIntervalMs: 0,
    });
  };

  it('names the variable to fix: unreachable URL, not InfluxDB, wrong credentials, missing database or policy', async () => {
    await expect(open({ url: 'http://127.0.0.1:9' })).rejects.toThrow(/cannot reach InfluxDB at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED.*check ATRIUM_INFLUX_URL/);
    await expect(open({ url: notInfluxUrl })).rejects.toThrow(/not an InfluxDB server; check ATRIUM_INFLUX_URL/);
    await expect(open({ password: 'wrong' })).rejects.toThrow(/refused the credentials \(HTTP 401.*check ATRIUM_INFLUX_TOKEN, or ATRIUM_INFLUX_USERNAME and ATRIUM_INFLUX_PASSWORD/);
    await expect(open({ username: undefined, password: undefined, token: 'not-a-token' })).rejects.toThrow(/refused the credentials/);
    await expect(open({}, 'no_such_db')).rejects.toThrow(/database "no_such_db" \(ATRIUM_INFLUX_DATABASE\) does not exist .*CREATE DATABASE "no_such_db"/);
    const sql = await engine;
    await expect(
      createInfluxSeriesStore({
        sql, ownsSql: false, connection: { url: s.url, username: s.username, password: s.password, timeoutMs: 2000 },
        minute: { db: 'atrium_cfg', rp: 'nope' }, rollup: { db: 'atrium_cfg' }, minuteRetentionDays: 0, batchPoints: 1000, bufferMaxPoints: 1000, startupTimeoutMs: 300, rollupIntervalMs: 0,
      }),
    ).rejects.toThrow(/retention policy "nope" \(ATRIUM_INFLUX_RETENTION_POLICY\) does not exist/);
    await expect(open({}, 'no_such_db')).rejects.toBeInstanceOf(InfluxConfigError);
  });

  it('refuses incomplete or contradictory InfluxDB settings when parsing the environment', () => {
    const base = { ATRIUM_GATEWAY_SECRET: 'test-secret-test-secret', ATRIUM_SERIES_STORE: 'influxdb', ATRIUM_DATA_DIR: '/tmp/x' };
    expect(() => parseCloudConfig(base)).toThrow(/ATRIUM_INFLUX_URL: required when ATRIUM_SERIES_STORE=influxdb.*ATRIUM_INFLUX_DATABASE: required/);
    expect(() => parseCloudConfig({ ...base, ATRIUM_INFLUX_URL: 'influx:8086', ATRIUM_INFLUX_DATABASE: 'a' })).toThrow(/ATRIUM_INFLUX_URL: must be an http:\/\/ or https:\/\/ URL/);
    expect(() => parseCloudConfig({ ...base, ATRIUM_INFLUX_URL: 'http://i:8086', ATRIUM_INFLUX_DATABASE: 'a', ATRIUM_INFLUX_TOKEN: 't', ATRIUM_INFLUX_USERNAME: 'u', ATRIUM_INFLUX_PASSWORD: 'p' })).toThrow(/either a token or/);
    expect(() => parseCloudConfig({ ...base, ATRIUM_INFLUX_URL: 'http://i:8086', ATRIUM_INFLUX_DATABASE: 'a', ATRIUM_INFLUX_USERNAME: 'u' })).toThrow(/ATRIUM_INFLUX_PASSWORD: username and password go together/);
    expect(() => parseCloudConfig({ ...base, ATRIUM_INFLUX_URL: 'http://i:8086', ATRIUM_INFLUX_DATABASE: 'a/b' })).toThrow(/ATRIUM_INFLUX_DATABASE: must be/);
    expect(() => parseCloudConfig({ ...base, ATRIUM_DATA_DIR: 'memory://', ATRIUM_INFLUX_URL: 'http://i:8086', ATRIUM_INFLUX_DATABASE: 'a' })).toThrow(/ATRIUM_DATA_DIR: must be a directory/);
    const ok = parseCloudConfig({ ...base, ATRIUM_INFLUX_URL: 'http://i:8086', ATRIUM_INFLUX_DATABASE: 'atrium', ATRIUM_INFLUX_TOKEN: 't', ATRIUM_INFLUX_RETENTION_POLICY: '' });
    expect(ok.influx).toMatchObject({ url: 'http://i:8086', token: 't', minute: { db: 'atrium' }, batchPoints: 5000 });
    expect(ok.influx?.minute.rp).toBeUndefined();
    expect(parseCloudConfig({ ATRIUM_GATEWAY_SECRET: 'test-secret-test-secret' }).influx).toBeNull();
  });
});

describe('InfluxDB series store and request size limits', () => {
  // InfluxDB 1.6 enforces max-body-size only on requests with a Content-Length, which the
  // library's gzipped bodies (chunked) do not have: this store sends plain bodies.
  const T = Date.UTC(2026, 0, 10, 10, 0, 0);
  const uplink = (points: number, m: number): MinuteUplink => ({
    v: 1, id: randomUUID(), siteId: 'mini', gatewayId: 'gw-1', sentAt: T, kind: 'minute', env: [],
    footfall: Array.from({ length: points }, (_, d) => ({ deviceId: `radar-${d}`, floorId: 'g', zoneId: 'hall', minute: T + m * 60_000, subjectKind: 'zone' as const, subjectId: 'hall', in: 1, out: 0, samples: 1, occupancySum: 1, occupancyCount: 1, occupancyMax: 1 })),
  });
  const small = [0, 1, 2].map((m) => uplink(40, m));
  const big = uplink(150, 3);
  const size = (us: MinuteUplink[]) => Buffer.byteLength(us.flatMap((u, i) => uplinkLines(u, i + 1).lines).join('\n'));
  const limit = Math.round((size(small.slice(0, 2)) + size(small)) / 2); // two small uplinks fit, three do not
  let limited: TestInfluxd;
  beforeAll(async () => {
    limited = await startInfluxd({ maxBodySize: limit });
    await limited.admin('CREATE DATABASE "small"');
  });
  afterAll(async () => limited?.stop());

  it('splits a batch the server finds too large (413), and dead-letters a single uplink that alone is too large', async () => {
    expect(size([big])).toBeGreaterThan(limit);
    const sql = await engine;
    await ensureInfluxSchema(sql);
    await sql.exec('truncate uplinks, influx_outbox, influx_dead_letter, influx_rollup_pending cascade');
    const open = () =>
      createInfluxSeriesStore({
        sql, ownsSql: false, connection: { url: limited.url, username: limited.username, password: limited.password, timeoutMs: 2000 },
        minute: { db: 'small' }, rollup: { db: 'small' }, minuteRetentionDays: 0, batchPoints: 1000, bufferMaxPoints: 100_000,
        startupTimeoutMs: 2000, rollupIntervalMs: 0, ackWaitMs: 0, gzipThreshold: Number.MAX_SAFE_INTEGER, retry: { minDelayMs: 50, maxDelayMs: 200, batchRetryTimeMs: 500 },
      });
    // The uplinks queue up while the server is down, so they leave together as one batch.
    let store = await open();
    await limited.kill();
    for (const u of [...small, big]) await store.writeUplink(u, T);
    await store.close();
    await limited.start();
    store = await open();
    try {
      expect(await store.drain(10_000)).toBe(true);
      expect(await store.footfallTotals({ siteId: 'mini', subjectKind: 'zone' })).toEqual([{ subjectId: 'hall', in: 120, out: 0 }]);
      const status = await store.status();
      expect(status.deadLetter).toEqual({ uplinks: 1, points: 150 });
      expect(status.influx.lastError).toMatch(/^too_large: HTTP 413/);
    } finally {
      await store.close();
    }
  });
});
