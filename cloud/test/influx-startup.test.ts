import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../src/db/pglite.ts';
import { createCloud, parseCloudConfig } from '../src/index.ts';
import { ensureInfluxSchema } from '../src/series/influx-series-store.ts';
import { hasStatus } from '../src/series/open-series-store.ts';
import { miniSite } from '../../tests/support/mini-site.ts';
import { freePort, startEntryPoint } from '../../tests/support/processes.ts';
import { startInfluxd, type TestInfluxd } from './support/influxd.ts';

/**
 * Start-up against a real InfluxDB 1.x (Debian's influxd), the way an operator meets it: the
 * cloud's own entry point with a bad setting stops with what to fix (exit code 2), and the
 * least-privilege layout the README shows for 1.x (a non-admin user, a named 30-day policy
 * for minute data, rollups in their own database) starts and writes where it says.
 * Needs /usr/bin/influxd (apt-get install -y influxdb): without it the suite fails and says so.
 */
describe('cloud start-up with ATRIUM_SERIES_STORE=influxdb', () => {
  let s: TestInfluxd;
  const dir = mkdtempSync(join(tmpdir(), 'atrium-influx-startup-'));
  // Creating an embedded database takes several seconds of CPU; each cloud here starts from a
  // copy of one made (and migrated) once, as a cloud restarting on its data directory does.
  const template = join(dir, 'template');
  beforeAll(async () => {
    const sql = await openPglite(template);
    await ensureInfluxSchema(sql);
    await sql.close();
    s = await startInfluxd();
    // The README's InfluxDB 1.x example, statement for statement.
    await s.admin('CREATE DATABASE atrium WITH DURATION 30d NAME minute');
    await s.admin('CREATE DATABASE atrium_rollup');
    await s.admin(`CREATE USER atrium WITH PASSWORD 'atrium-password'; GRANT ALL ON atrium TO atrium; GRANT ALL ON atrium_rollup TO atrium`);
  });
  afterAll(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const dataDir = () => {
    const d = join(dir, randomUUID());
    cpSync(template, d, { recursive: true });
    return d;
  };
  const base = () => ({
    ATRIUM_GATEWAY_SECRET: 'test-secret-test-secret', ATRIUM_CLOUD_HTTP_PORT: '0', ATRIUM_CLOUD_MQTT_PORT: '0', ATRIUM_DATA_DIR: dataDir(),
    ATRIUM_SERIES_STORE: 'influxdb', ATRIUM_INFLUX_URL: s.url, ATRIUM_INFLUX_USERNAME: 'atrium', ATRIUM_INFLUX_PASSWORD: 'atrium-password',
    ATRIUM_INFLUX_DATABASE: 'atrium', ATRIUM_INFLUX_RETENTION_POLICY: 'minute', ATRIUM_INFLUX_ROLLUP_DATABASE: 'atrium_rollup', ATRIUM_INFLUX_MINUTE_RETENTION_DAYS: '30',
  });

  // A 1.x user without privileges cannot tell a missing database from a forbidden one (403).
  const missingDatabase = /refused access to database "atrium_rollups" \(ATRIUM_INFLUX_ROLLUP_DATABASE\).*create the database if it is missing.*GRANT ALL ON "atrium_rollups"/;
  const unreachable = /cannot reach InfluxDB at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED.*check ATRIUM_INFLUX_URL and that the server is running/;

  it('the entry point stops with exit code 2 and the message, not a stack trace: wrong URL, missing database', async () => {
    const nothingListens = `http://127.0.0.1:${await freePort()}`;
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['wrong URL', { ...base(), ATRIUM_INFLUX_URL: nothingListens, ATRIUM_INFLUX_STARTUP_TIMEOUT_MS: '0' }, unreachable],
      ['missing database', { ...base(), ATRIUM_INFLUX_ROLLUP_DATABASE: 'atrium_rollups' }, missingDatabase],
    ];
    // One process per case, at once: each is the cloud as deployed, reading its environment.
    const results = await Promise.all(
      cases.map(async ([name, env, message]) => {
        const p = startEntryPoint('cloud/src/main.ts', { ...env, LOG_LEVEL: 'warn' });
        const code = await new Promise<number | null>((r) => p.once('exit', (c) => r(c)));
        return { name, code, output: p.output(), message };
      }),
    );
    for (const r of results) {
      expect({ case: r.name, code: r.code }).toEqual({ case: r.name, code: 2 });
      expect(r.output, r.name).toMatch(r.message);
      expect(r.output, r.name).toContain('Set the variables named above');
      expect(r.output, r.name).not.toMatch(/\n\s+at /);
    }
  }, 60_000); // two cloud processes starting at once on a small, shared machine: not a timing assertion

  it('refuses to start, naming what to fix, for a wrong password or token, a missing database or retention policy', async () => {
    const env = base(); // one data directory: a refused start leaves nothing behind that would change the next
    const { ATRIUM_INFLUX_USERNAME: _user, ATRIUM_INFLUX_PASSWORD: _password, ...noBasicAuth } = env;
    const open = (e: Record<string, string>) => createCloud(parseCloudConfig(e), { site: miniSite, logger: pino({ level: 'silent' }) });
    await expect(open({ ...env, ATRIUM_INFLUX_PASSWORD: 'not-the-password' })).rejects.toThrow(/refused the credentials \(HTTP 401.*check ATRIUM_INFLUX_TOKEN, or ATRIUM_INFLUX_USERNAME and ATRIUM_INFLUX_PASSWORD/);
    await expect(open({ ...noBasicAuth, ATRIUM_INFLUX_TOKEN: 'atrium:not-the-password' })).rejects.toThrow(/refused the credentials \(HTTP 401/);
    await expect(open({ ...env, ATRIUM_INFLUX_ROLLUP_DATABASE: 'atrium_rollups' })).rejects.toThrow(missingDatabase);
    await expect(open({ ...env, ATRIUM_INFLUX_RETENTION_POLICY: 'minutes' })).rejects.toThrow(/retention policy "minutes" \(ATRIUM_INFLUX_RETENTION_POLICY\) does not exist in database "atrium"/);
  });

  it('starts with the README’s 1.x layout and writes minute data to its policy and hourly rollups to their own database', async () => {
    const cloud = await createCloud(parseCloudConfig(base()), { site: miniSite, logger: pino({ level: 'silent' }) });
    try {
      const T = Date.UTC(2026, 0, 10, 10, 0, 0);
      await cloud.store.writeUplink({
        v: 1, id: randomUUID(), siteId: 'mini', gatewayId: 'gw-1', sentAt: T, kind: 'minute', env: [],
        footfall: [{ deviceId: 'radar-hall-1', floorId: 'g', zoneId: 'hall', minute: Date.now() - (Date.now() % 60_000), subjectKind: 'zone', subjectId: 'hall', in: 7, out: 2, samples: 1, occupancySum: 3, occupancyCount: 1, occupancyMax: 3 }],
      }, T);
      expect(hasStatus(cloud.store)).toBe(true);
      if (!hasStatus(cloud.store)) return;
      expect(await cloud.store.drain(5000)).toBe(true);
      expect(await cloud.store.rollup()).toBe(1);
      const stored = async (q: string, db: string) => JSON.stringify(await s.admin(q, db));
      expect(await stored('SELECT sum("in") FROM "minute"."footfall_minute"', 'atrium')).toMatch(/"values":\[\["1970-01-01T00:00:00Z",7\]\]/);
      expect(await stored('SELECT sum("in") FROM "footfall_hour"', 'atrium_rollup')).toMatch(/"values":\[\["1970-01-01T00:00:00Z",7\]\]/);
      expect((await cloud.store.status()).influx).toMatchObject({ writing: true });
    } finally {
      await cloud.stop();
    }
  });
});
