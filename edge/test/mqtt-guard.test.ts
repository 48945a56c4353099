import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { createFrameScanner, createLogThrottle, createLoginThrottle, createMqttGuard, type GuardRefused, type MqttGuardLimits } from '@atrium/shared';
import { varint } from '../../tests/support/hostile.ts';

const LIMITS: MqttGuardLimits = { maxConnectBytes: 2048, maxPacketBytes: 8192, connectTimeoutMs: 400, maxPending: 4, maxPendingPerAddress: 2 };

describe('MQTT frame scanner', () => {
  it('follows packets across chunks and refuses a declared length over its type\'s limit at once', () => {
    const scan = createFrameScanner(LIMITS);
    const connectBody = Buffer.alloc(100);
    const publishBody = Buffer.alloc(5000);
    const stream = Buffer.concat([Buffer.from([0x10]), varint(100), connectBody, Buffer.from([0x32]), varint(5000), publishBody, Buffer.from([0xc0, 0])]);
    for (let i = 0; i < stream.length; i += 7) expect(scan.feed(stream.subarray(i, i + 7))).toBeUndefined();
    // The length is judged as its bytes arrive: no body byte is needed, nor the rest of the length.
    expect(createFrameScanner(LIMITS).feed(Buffer.concat([Buffer.from([0x10]), varint(250_000_000)]))).toMatchObject({ reason: 'packet_too_large' });
    expect(createFrameScanner(LIMITS).feed(Buffer.from([0x10, 0xff, 0xff]))).toMatchObject({ reason: 'packet_too_large', detail: /at least 16383/ });
    expect(createFrameScanner(LIMITS).feed(Buffer.concat([Buffer.from([0x10]), varint(2049)]))).toMatchObject({ reason: 'packet_too_large', detail: /CONNECT declares 2049 bytes; the limit is 2048/ });
  });

  it('refuses a first packet that is not CONNECT, and a length of five bytes', () => {
    expect(createFrameScanner(LIMITS).feed(Buffer.from([0x30, 0]))).toMatchObject({ reason: 'malformed_packet' });
    const big = createFrameScanner({ maxConnectBytes: 2 ** 30, maxPacketBytes: 2 ** 30 });
    expect(big.feed(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff]))).toMatchObject({ reason: 'malformed_packet' });
  });
});

describe('log throttle', () => {
  it('logs a key once per period and never holds more keys than its bound', () => {
    const throttle = createLogThrottle(60_000, 100);
    expect(throttle.shouldLog('a', 0)).toBe(true);
    expect(throttle.shouldLog('a', 1000)).toBe(false);
    for (let i = 0; i < 10_000; i++) throttle.shouldLog(`k${i}`, 2000);
    expect(throttle.size).toBe(100);
    // Once the period has passed, old keys make room for new ones.
    expect(throttle.shouldLog('fresh', 70_000)).toBe(true);
    expect(throttle.size).toBeLessThanOrEqual(100);
  });
});

describe('login throttle', () => {
  const limits = { freeFailures: 3, baseBackoffMs: 1000, maxBackoffMs: 8000, forgetOneAfterMs: 10_000, maxKeys: 100 };

  it('lets a key fail a few times, then makes it wait a doubling backoff that always expires', () => {
    const t = createLoginThrottle(limits);
    for (let i = 0; i < 3; i++) t.failed(['a'], 0);
    expect(t.waitFor(['a'], 0)).toBe(0);
    t.failed(['a'], 0);
    expect(t.waitFor(['a', 'other'], 0)).toBe(1000);
    expect(t.waitFor(['other'], 0)).toBe(0);
    t.failed(['a'], 1000);
    expect(t.waitFor(['a'], 1000)).toBe(2000);
    // However many failures, the wait is capped and then over.
    for (let i = 0; i < 50; i++) t.failed(['a'], 3000);
    expect(t.waitFor(['a'], 3000)).toBe(8000);
    expect(t.waitFor(['a'], 11_000)).toBe(0);
  });

  it('forgets failures one at a time, so a slow trickle never adds up; a right password starts the key over', () => {
    const t = createLoginThrottle(limits);
    for (let i = 0; i < 100; i++) t.failed(['slow'], i * 10_000);
    expect(t.waitFor(['slow'], 100 * 10_000)).toBe(0);
    for (let i = 0; i < 5; i++) t.failed(['dev'], 0);
    expect(t.waitFor(['dev'], 0)).toBeGreaterThan(0);
    t.succeeded('dev');
    expect(t.waitFor(['dev'], 0)).toBe(0);
  });

  it('reserves a check for a client\'s own key before the password is hashed: parallel guesses do not all get in', () => {
    const t = createLoginThrottle(limits);
    const checked = Array.from({ length: 50 }, () => t.attempt('dev', 0)).filter((wait) => wait === 0).length;
    expect(checked).toBe(4);
    // A refusal that checked no password (a disabled device) gives its reservation back.
    const u = createLoginThrottle(limits);
    for (let i = 0; i < 10; i++) {
      expect(u.attempt('disabled', 0)).toBe(0);
      u.forgive('disabled');
    }
  });

  it('holds at most its bound of keys', () => {
    const t = createLoginThrottle(limits);
    for (let i = 0; i < 10_000; i++) t.failed([`addr-${i}`, 'dev'], i);
    expect(t.size).toBe(100);
    // The key failing throughout stays the most recent, never the one forgotten.
    expect(t.waitFor(['dev'], 10_000)).toBe(8000 - 1);
  });
});

describe('guarded MQTT listener (real aedes, real sockets)', () => {
  let server: Server | undefined;
  let broker: Aedes | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await new Promise<void>((r) => (broker ? broker.close(() => r()) : r()));
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
    broker = undefined;
  });

  const start = async () => {
    const refused: GuardRefused[] = [];
    const guard = createMqttGuard(LIMITS, (r) => refused.push(r));
    const b = await Aedes.createBroker({ connectTimeout: LIMITS.connectTimeoutMs });
    broker = b;
    b.authenticate = (client, username, password, done) => {
      const ok = password?.toString() === 'right';
      if (ok) guard.loggedIn(client.conn);
      done(ok ? null : Object.assign(new Error('no'), { returnCode: 4 as const }), ok);
    };
    server = createServer((socket) => {
      const conn = guard.admit(socket);
      if (conn) b.handle(conn);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const raw = (localAddress = '127.0.0.1') =>
      new Promise<Socket>((resolve) => {
        const s = connect({ port, host: '127.0.0.1', localAddress }, () => resolve(s));
        s.on('error', () => undefined);
        sockets.push(s);
      });
    const closed = (s: Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())));
    return { guard, refused, port, raw, closed };
  };

  it('lets a real client log in and publish, and no longer counts it as waiting', async () => {
    const { guard, port } = await start();
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'dev-1', username: 'dev-1', password: 'right', reconnectPeriod: 0 });
    await client.publishAsync('t/1', Buffer.alloc(6000, 1), { qos: 1 });
    expect(guard.pending().total).toBe(0);
    await client.endAsync();
  });

  it('closes a CONNECT that declares more than the limit before reading it', async () => {
    const { refused, raw, closed } = await start();
    const s = await raw();
    s.write(Buffer.concat([Buffer.from([0x10]), varint(250_000_000)]));
    s.write(Buffer.alloc(64 * 1024));
    await closed(s);
    expect(refused).toMatchObject([{ reason: 'packet_too_large', address: '127.0.0.1' }]);
  });

  it('closes a connection that has not logged in within the timeout', async () => {
    const { guard, refused, raw, closed } = await start();
    const s = await raw();
    s.write(Buffer.from([0x10, 0x20, 0, 4])); // half a CONNECT, then nothing
    const at = Date.now();
    await closed(s);
    expect(Date.now() - at).toBeGreaterThanOrEqual(LIMITS.connectTimeoutMs - 50);
    expect(refused.map((r) => r.reason)).toContain('connect_timeout');
    expect(guard.pending().total).toBe(0);
  });

  it('caps connections waiting to log in, per address and in total', async () => {
    const { guard, refused, raw, closed, port } = await start();
    await raw('127.0.0.2');
    await raw('127.0.0.2');
    const third = await raw('127.0.0.2');
    await closed(third);
    expect(refused).toMatchObject([{ reason: 'too_many_connections', address: '127.0.0.2' }]);
    await raw('127.0.0.3');
    await raw('127.0.0.3');
    const fifth = await raw('127.0.0.4');
    await closed(fifth);
    expect(refused.filter((r) => r.reason === 'too_many_connections')).toHaveLength(2);
    expect(guard.pending()).toEqual({ total: 4, addresses: 2 });
    // Freed slots are taken again: a waiting socket gives up, a real client logs in.
    for (const s of sockets.splice(0)) s.destroy();
    await new Promise<void>((r) => {
      const poll = () => (guard.pending().total === 0 ? r() : setImmediate(poll));
      poll();
    });
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'dev-2', username: 'dev-2', password: 'right', reconnectPeriod: 0 });
    await client.endAsync();
  });
});
