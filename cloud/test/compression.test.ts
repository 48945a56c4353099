import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { LIVE_EVENTS } from '@atrium/shared';
import { PUBLIC_DIR } from '@atrium/dashboards';
import type { Cloud } from '../src/index.ts';
import { startTestCloud } from './support/test-cloud.ts';
import { miniSite } from '../../tests/support/mini-site.ts';

/**
 * Pages and big answers travel compressed to a client that accepts it (brotli or gzip, as it
 * asks), and arrive whole; a client that asks for none gets them as they were; small answers
 * are not compressed at all. Socket.io, which answers beside the routes, keeps working.
 */
const ADMIN = 'atr_admin-key-for-the-compression-test';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** bytes as they crossed the wire */
  wire: Buffer;
  /** the body after undoing the Content-Encoding */
  text: string;
}

function decode(encoding: string | undefined, wire: Buffer): Buffer {
  if (encoding === 'br') return brotliDecompressSync(wire);
  if (encoding === 'gzip') return gunzipSync(wire);
  if (encoding === undefined) return wire;
  throw new Error(`unexpected content-encoding ${encoding}`);
}

describe('compressed answers', () => {
  let cloud: Cloud;
  let base: string;

  /** node:http rather than fetch: fetch asks for compression on its own and hides the encoding. */
  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<RawAnswer>((resolve, reject) => {
      const req = request(`${base}${path}`, { headers: { authorization: `Bearer ${ADMIN}`, ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const wire = Buffer.concat(chunks);
          const encoding = res.headers['content-encoding'];
          resolve({ status: res.statusCode ?? 0, headers: res.headers, wire, text: decode(encoding, wire).toString('utf8') });
        });
      });
      req.on('error', reject);
      req.end();
    });

  beforeAll(async () => {
    ({ cloud, base } = await startTestCloud({ ATRIUM_ADMIN_KEY: ADMIN }));
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  it('sends a page and its script compressed the way the browser asks, and they arrive whole', async () => {
    for (const file of ['signin.html', 'app.js']) {
      const original = readFileSync(join(PUBLIC_DIR, file), 'utf8');
      const br = await get(`/${file}`, { 'accept-encoding': 'gzip, deflate, br' });
      expect(br.status).toBe(200);
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers.vary).toMatch(/accept-encoding/i);
      expect(br.text).toBe(original);
      expect(br.wire.length).toBeLessThan(original.length / 2);

      const gzip = await get(`/${file}`, { 'accept-encoding': 'gzip' });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gzip.text).toBe(original);
    }
  });

  it('sends the page as it is to a client that accepts no compression, or asks for none', async () => {
    const original = readFileSync(join(PUBLIC_DIR, 'signin.html'), 'utf8');
    const asks: Record<string, string>[] = [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'deflate' }, { 'accept-encoding': 'br, gzip', 'x-no-compression': '1' }];
    for (const headers of asks) {
      const plain = await get('/signin.html', headers);
      expect(plain.status).toBe(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.text).toBe(original);
      expect(Number(plain.headers['content-length'])).toBe(Buffer.byteLength(original));
    }
  });

  it('compresses big API answers (JSON, a CSV download, Prometheus text) and they read the same as uncompressed', async () => {
    const big = ['/openapi.json', `/api/v1/shops/${miniSite.shops[0]!.id}/hourly.csv?from=2026-01-01&to=2026-01-31`, '/metrics'];
    for (const path of big) {
      const plain = await get(path);
      expect(plain.status, path).toBe(200);
      expect(plain.headers['content-encoding'], path).toBeUndefined();
      expect(plain.wire.length, path).toBeGreaterThan(1024);
      const zipped = await get(path, { 'accept-encoding': 'gzip' });
      expect(zipped.headers['content-encoding'], path).toBe('gzip');
      expect(zipped.headers['content-type'], path).toBe(plain.headers['content-type']);
      expect(zipped.wire.length, path).toBeLessThan(plain.wire.length / 3);
      // metrics move between two scrapes (the process's own counters); the rest is identical
      if (path === '/metrics') expect(zipped.text).toMatch(/^# HELP /m);
      else expect(zipped.text, path).toBe(plain.text);
    }
    const csv = await get(big[1]!, { 'accept-encoding': 'br' });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename=/);
    expect(csv.text.split('\n').length).toBeGreaterThan(24 * 31);
  });

  it('sends small answers as they are, where compressing would save nothing', async () => {
    const health = await get('/health', { 'accept-encoding': 'br, gzip' });
    expect(health.status).toBe(200);
    expect(health.wire.length).toBeLessThan(1024);
    expect(health.headers['content-encoding']).toBeUndefined();
    const refused = await get('/api/v1/users', { 'accept-encoding': 'br, gzip', authorization: 'Bearer atr_nobody' });
    expect(refused.status).toBe(401);
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(refused.text)).toMatchObject({ code: 'ATRIUM_UNAUTHENTICATED' });
  });

  it('leaves socket.io alone: its client script is served and live updates arrive over polling and websocket', async () => {
    const script = await get('/socket.io/socket.io.esm.min.js', { 'accept-encoding': 'br' });
    expect(script.status).toBe(200);
    expect(script.text).toMatch(/export\s*\{/);
    for (const transports of [['polling'], ['polling', 'websocket'], ['websocket']]) {
      const socket = io(base, { transports, auth: { key: ADMIN }, extraHeaders: { 'accept-encoding': 'br, gzip' } });
      const hello = await new Promise<{ principal: { userId: string } }>((resolve, reject) => {
        socket.once(LIVE_EVENTS.hello, resolve);
        socket.once('connect_error', reject);
      });
      expect(hello.principal.userId).toBe('admin');
      socket.close();
    }
  });
});
