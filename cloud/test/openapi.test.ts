import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createCloud, parseCloudConfig, type Cloud } from '../src/index.ts';
import { miniSite } from '../../tests/support/mini-site.ts';

/**
 * The OpenAPI document of the production app, walked whole: a route that forgets its schemas
 * shows up here as `{type: object}` or as a response without content, and fails by name.
 */
type Schema = Record<string, unknown>;
interface MediaType { schema?: Schema }
interface Response { content?: Record<string, MediaType> }
interface Operation { requestBody?: { content?: Record<string, MediaType> }; responses?: Record<string, Response>; security?: unknown[] }
interface Document { paths: Record<string, Record<string, Operation>> }

const ADMIN = 'atr_admin-key-for-the-openapi-test-0001';
const JSON_TYPE = 'application/json';
/** Answers that are not JSON, and the media type each must declare instead. */
const NON_JSON: Record<string, string> = {
  'GET /metrics': 'text/plain',
  'GET /api/v1/reports/sla': 'text/csv',
  'GET /api/v1/shops/{shopId}/hourly.csv': 'text/csv',
  'GET /api/v1/photos/{photoId}': 'image/jpeg',
};
/** Requests whose body is a file sent as it is (the route checks its bytes), not JSON. */
const RAW_BODY = new Set(['POST /api/v1/work-orders/{orderId}/photos']);
const WITH_BODY = new Set(['post', 'put', 'patch']);
/** Error statuses that answer with a body of their own instead of { code, message }. */
const OWN_ERROR_BODY = new Set(['GET /health 503']);

const isEmpty = (s: Schema | undefined) => s === undefined || Object.keys(s).length === 0;
const isLooseMap = (a: unknown) => a === undefined || a === true || (typeof a === 'object' && a !== null && Object.keys(a).length === 0);
/** An object schema that says nothing about its fields: what a route without a schema leaves behind. */
function isUntypedObject(s: Schema): boolean {
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (!types.includes('object')) return false;
  const props = s.properties as Schema | undefined;
  if (props && Object.keys(props).length > 0) return false;
  return isLooseMap(s.additionalProperties) && !s.oneOf && !s.anyOf && !s.allOf && !s.$ref;
}

function untypedSchemas(node: unknown, at: string, found: string[]): string[] {
  if (Array.isArray(node)) node.forEach((v, i) => untypedSchemas(v, `${at}/${i}`, found));
  else if (node !== null && typeof node === 'object') {
    if (isUntypedObject(node as Schema)) found.push(at);
    for (const [k, v] of Object.entries(node)) untypedSchemas(v, `${at}/${k}`, found);
  }
  return found;
}

function operations(doc: Document): Array<[string, string, Operation]> {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]): [string, string, Operation] => [`${method.toUpperCase()} ${path}`, method, op]));
}

/** What is wrong with one operation's declared bodies, as sentences naming it. */
function problemsOf(name: string, method: string, op: Operation): string[] {
  const problems: string[] = [];
  const responses = Object.entries(op.responses ?? {});
  const ok = responses.filter(([status]) => /^2\d\d$/.test(status));
  if (ok.length === 0) problems.push(`${name}: no 2xx response declared`);
  for (const [status, r] of ok) {
    if (status === '204') {
      if (r.content) problems.push(`${name}: 204 declares a body`);
      continue;
    }
    const mediaType = NON_JSON[name];
    if (mediaType && isEmpty(r.content?.[mediaType]?.schema)) problems.push(`${name}: ${status} does not declare its ${mediaType} answer`);
    const json = r.content?.[JSON_TYPE]?.schema;
    if (!mediaType && isEmpty(json)) problems.push(`${name}: ${status} has no typed JSON body`);
  }
  for (const [status, r] of responses.filter(([s]) => /^[45]\d\d$/.test(s) && !OWN_ERROR_BODY.has(`${name} ${s}`))) {
    const props = (r.content?.[JSON_TYPE]?.schema?.properties ?? {}) as Schema;
    const anyOf = (r.content?.[JSON_TYPE]?.schema?.anyOf ?? []) as Schema[];
    const shapes = [props, ...anyOf.map((s) => (s.properties ?? {}) as Schema)];
    if (!shapes.some((p) => 'code' in p && 'message' in p)) problems.push(`${name}: ${status} is not the { code, message } error shape`);
  }
  if (op.security?.length !== 0 && !op.responses?.['401']) problems.push(`${name}: needs an API key but declares no 401`);
  if (WITH_BODY.has(method) && !RAW_BODY.has(name) && isEmpty(op.requestBody?.content?.[JSON_TYPE]?.schema)) problems.push(`${name}: no typed request body`);
  return problems;
}

describe('the OpenAPI document', () => {
  let cloud: Cloud;
  let base: string;
  let doc: Document;
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    const config = parseCloudConfig({ ATRIUM_CLOUD_HTTP_PORT: '0', ATRIUM_CLOUD_MQTT_PORT: '0', ATRIUM_DATA_DIR: 'memory://', ATRIUM_GATEWAY_SECRET: 'openapi-test-secret-0001', ATRIUM_ADMIN_KEY: ADMIN });
    cloud = await createCloud(config, { site: miniSite, logger: pino({ level: 'silent' }) });
    base = `http://127.0.0.1:${(await cloud.start()).httpPort}`;
    doc = (await (await fetch(`${base}/openapi.json`)).json()) as Document;
  });
  afterAll(async () => cloud?.stop());

  it('types every request and answer of every operation', () => {
    const all = operations(doc);
    expect(all.length).toBeGreaterThan(50);
    expect(all.flatMap(([name, method, op]) => problemsOf(name, method, op))).toEqual([]);
    for (const name of Object.keys(NON_JSON)) expect(all.map(([n]) => n)).toContain(name);
  });

  it('has no untyped object anywhere', () => {
    expect(untypedSchemas(doc, '#', [])).toEqual([]);
  });

  it('would catch a route without schemas', () => {
    const bare: Operation = { requestBody: { content: { [JSON_TYPE]: { schema: { type: 'object', additionalProperties: {} } } } }, responses: { 200: {} } };
    expect(problemsOf('POST /bare', 'post', bare)).toEqual(['POST /bare: 200 has no typed JSON body', 'POST /bare: needs an API key but declares no 401']);
    expect(untypedSchemas(bare, '#', [])).toEqual(['#/requestBody/content/application/json/schema']);
  });

  it('leaves links a role does not need optional, not required nulls', () => {
    const body = doc.paths['/api/v1/users']!.post!.requestBody!.content![JSON_TYPE]!.schema!;
    const props = body.properties as Record<string, Schema>;
    expect(Object.keys(props)).toEqual(expect.arrayContaining(['userId', 'role', 'staffId', 'merchantId']));
    expect(body.required).toEqual(['userId', 'role']);
    for (const link of ['staffId', 'merchantId']) {
      expect(props[link]!.nullable, link).toBeUndefined();
      expect(JSON.stringify(props[link]), link).not.toContain('null');
    }
  });

  it('makes users without sending the links they do not need, and refuses links to nothing, naming the field', async () => {
    const ops = await post('/api/v1/users', { userId: 'ops-2', role: 'operator' });
    expect(ops.status).toBe(201);
    expect(((await ops.json()) as { user: { staffId: unknown } }).user.staffId).toBeNull();

    const merchant = await post('/api/v1/users', { userId: 'shop-owner', role: 'merchant', merchantId: 'no-such-merchant' });
    expect(merchant.status).toBe(400);
    expect(await merchant.json()).toMatchObject({ code: 'ATRIUM_INVALID_REQUEST', message: expect.stringMatching(/merchantId: no merchant "no-such-merchant"/) });

    const staff = await post('/api/v1/users', { userId: 'ghost', role: 'staff', staffId: 'nobody-here' });
    expect(staff.status).toBe(400);
    expect(await staff.json()).toMatchObject({ code: 'ATRIUM_INVALID_REQUEST', message: expect.stringMatching(/staffId: no staff member "nobody-here"/) });

    const listed = await fetch(`${base}/api/v1/users`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(((await listed.json()) as Array<{ userId: string }>).map((u) => u.userId).sort()).toEqual(['admin', 'ops-2']);
  });
});
