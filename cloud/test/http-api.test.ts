import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createCloud, parseCloudConfig, type Cloud } from '../src/index.ts';
import { miniSite } from '../../tests/support/mini-site.ts';

describe('cloud REST API', () => {
  let cloud: Cloud;
  let base: string;
  const adminKey = 'atr_test-admin-key-test-admin-key';
  const get = (path: string, key: string | null = adminKey) => fetch(`${base}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  beforeAll(async () => {
    const config = parseCloudConfig({ ATRIUM_CLOUD_HTTP_PORT: '0', ATRIUM_CLOUD_MQTT_PORT: '0', ATRIUM_DATA_DIR: 'memory://', ATRIUM_GATEWAY_SECRET: 'test-secret-test-secret', ATRIUM_ADMIN_KEY: adminKey });
    cloud = await createCloud(config, { site: miniSite, logger: pino({ level: 'silent' }) });
    base = `http://127.0.0.1:${(await cloud.start()).httpPort}`;
  });
  afterAll(async () => cloud?.stop());

  it('reports health and Prometheus metrics', async () => {
    const health = await (await fetch(`${base}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', store: { ok: true, uplinks: 0 } });
    const metrics = await (await get('/metrics')).text();
    expect(metrics).toContain('atrium_cloud_uplinks_total');
  });

  it('serves the site model, live zones and an OpenAPI document listing them', async () => {
    expect((await (await get('/api/v1/site')).json()).zones).toHaveLength(2);
    expect(await (await get('/api/v1/zones/live')).json()).toHaveLength(2);
    const spec = await (await fetch(`${base}/openapi.json`)).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/v1/site', '/api/v1/zones/live', '/api/v1/series/footfall', '/api/v1/series/env']));
  });

  it('refuses a bad query naming the field and the reason', async () => {
    const res = await get('/api/v1/series/footfall?from=yesterday&to=1763694000000');
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.code).toBe('ATRIUM_INVALID_REQUEST');
    expect(body.message).toContain('from');
    const wide = await get('/api/v1/series/footfall?from=0946684800000&to=1763694000000&every=1m');
    expect(wide.status).toBe(400);
    expect((await wide.json()).code).toBe('ATRIUM_RANGE_TOO_LARGE');
    const missing = await get('/api/v1/zones/nowhere/live');
    expect(missing.status).toBe(404);
    expect((await missing.json()).code).toBe('ATRIUM_ZONE_NOT_FOUND');
  });

  it('answers only callers with a valid API key', async () => {
    const anonymous = await get('/api/v1/zones/live', null);
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).code).toBe('ATRIUM_UNAUTHENTICATED');
    const wrong = await get('/api/v1/zones/live', 'atr_not-a-key-anyone-was-given');
    expect(wrong.status).toBe(401);
    expect((await get('/api/v1/me')).status).toBe(200);
  });
});
