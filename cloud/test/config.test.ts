import { describe, expect, it } from 'vitest';
import { ConfigError } from '@atrium/shared';
import { DEFAULT_RULES_FILE, parseCloudConfig } from '../src/config.ts';

const SECRET = 'test-secret-test-secret';
const influx = { ATRIUM_GATEWAY_SECRET: SECRET, ATRIUM_SERIES_STORE: 'influxdb', ATRIUM_DATA_DIR: '/tmp/x', ATRIUM_INFLUX_URL: 'http://i:8086', ATRIUM_INFLUX_DATABASE: 'atrium' };

/** Every nested object of the config, so "deeply frozen" is checked at every level. */
function objectsIn(v: unknown): object[] {
  if (v === null || typeof v !== 'object') return [];
  return [v, ...Object.values(v).flatMap(objectsIn)];
}

describe('cloud configuration', () => {
  it('names each setting by what it is for, with the documented defaults', () => {
    expect(parseCloudConfig({ ATRIUM_GATEWAY_SECRET: SECRET })).toEqual({
      siteFile: undefined,
      logLevel: 'info',
      http: { host: '127.0.0.1', port: 8080, rateLimit: { anonymousPerMinute: 600, userPerMinute: 6000 }, metricsToken: undefined },
      mqtt: { host: '127.0.0.1', port: 1884, legacyGatewaySecret: SECRET },
      database: { url: undefined, dataDir: '.data/cloud' },
      users: { adminKey: undefined, adminPassword: undefined },
      signIn: { sessionIdleMs: 12 * 3_600_000, sessionMaxAgeMs: 7 * 24 * 3_600_000, resetValidMs: 72 * 3_600_000 },
      dispatch: { rulesFile: DEFAULT_RULES_FILE, tickMs: 1000, snapshotEveryMs: 60_000 },
      webhooks: { allowPrivate: [] },
      influx: null,
    });
    const c = parseCloudConfig({ ATRIUM_GATEWAY_SECRET: SECRET, ATRIUM_CLOUD_HOST: '0.0.0.0', ATRIUM_CLOUD_HTTP_PORT: '0', ATRIUM_DATABASE_URL: 'postgres://a:b@db:5432/atrium', ATRIUM_DISPATCH_TICK_MS: '100', LOG_LEVEL: 'warn' });
    expect(c).toMatchObject({ logLevel: 'warn', http: { host: '0.0.0.0', port: 0 }, mqtt: { host: '0.0.0.0' }, database: { url: 'postgres://a:b@db:5432/atrium' }, dispatch: { tickMs: 100 } });
  });

  it('is frozen all the way down', () => {
    const c = parseCloudConfig(influx);
    const all = objectsIn(c);
    expect(all.length).toBeGreaterThan(8);
    for (const o of all) expect(Object.isFrozen(o)).toBe(true);
    expect(() => {
      (c.http as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('puts hourly rollups with the minute data unless a rollup database or policy is named', () => {
    const target = (env: Record<string, string>) => parseCloudConfig({ ...influx, ...env }).influx!;
    expect(target({ ATRIUM_INFLUX_RETENTION_POLICY: 'minute' })).toMatchObject({ minute: { db: 'atrium', rp: 'minute' }, rollup: { db: 'atrium', rp: 'minute' } });
    expect(target({ ATRIUM_INFLUX_RETENTION_POLICY: 'minute', ATRIUM_INFLUX_ROLLUP_DATABASE: 'long' }).rollup).toEqual({ db: 'long', rp: undefined });
    expect(target({ ATRIUM_INFLUX_ROLLUP_RETENTION_POLICY: 'year' }).rollup).toEqual({ db: 'atrium', rp: 'year' });
    expect(target({ ATRIUM_INFLUX_BATCH_POINTS: '100', ATRIUM_INFLUX_MINUTE_RETENTION_DAYS: '30' })).toMatchObject({ batchPoints: 100, minuteRetentionDays: 30, bufferMaxPoints: 5_000_000, timeoutMs: 10_000, startupTimeoutMs: 30_000 });
  });

  it('refuses a bad value naming the variable, not the field it becomes', () => {
    const refusal = (env: Record<string, string>) => {
      try {
        parseCloudConfig(env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    // Gateways have their own credentials now: the shared secret is optional (deprecated), but checked when given.
    expect(parseCloudConfig({}).mqtt.legacyGatewaySecret).toBeUndefined();
    expect(refusal({ ATRIUM_GATEWAY_SECRET: 'short' })).toMatch(/ATRIUM_GATEWAY_SECRET/);
    expect(refusal({ ATRIUM_GATEWAY_SECRET: SECRET, ATRIUM_CLOUD_HTTP_PORT: 'eighty' })).toMatch(/ATRIUM_CLOUD_HTTP_PORT/);
    expect(refusal({ ATRIUM_GATEWAY_SECRET: SECRET, ATRIUM_DISPATCH_TICK_MS: '10' })).toMatch(/ATRIUM_DISPATCH_TICK_MS/);
  });
});
