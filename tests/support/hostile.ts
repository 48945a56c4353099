import { connect, type Socket } from 'node:net';

/**
 * What an attacker on the network sends: MQTT bytes written by hand on a raw TCP socket, from
 * a chosen loopback address (all of 127.0.0.0/8 is loopback on Linux), so per-address limits
 * can be exercised next to a legitimate client on 127.0.0.1.
 */
export function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

const mqttString = (s: string) => {
  const bytes = Buffer.from(s);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
};

/** A CONNECT with username and password (and a clean session): MQTT 3.1.1 unless `version` says 5 (then with no properties). */
export function connectPacket(p: { clientId: string; username: string; password: string; version?: 4 | 5 }): Buffer {
  const header = p.version === 5 ? Buffer.from([5, 0xc2, 0, 30, 0]) : Buffer.from([4, 0xc2, 0, 30]);
  const body = Buffer.concat([mqttString('MQTT'), header, mqttString(p.clientId), mqttString(p.username), mqttString(p.password)]);
  return Buffer.concat([Buffer.from([0x10]), varint(body.length), body]);
}

/** Just the fixed header of a CONNECT that claims `length` bytes, for a sender that never means to finish it. */
export const connectHeader = (length: number): Buffer => Buffer.concat([Buffer.from([0x10]), varint(length)]);

export interface RawClient {
  socket: Socket;
  /** resolves when the peer has closed (or reset) the connection */
  closed: Promise<void>;
  isClosed(): boolean;
  /** the first bytes the peer sent (up to 64), e.g. its CONNACK */
  received(): Buffer;
}

/** A TCP connection from `localAddress`; what the peer sends is read, its first bytes kept. */
export function rawConnect(port: number, localAddress = '127.0.0.1'): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    let closedFlag = false;
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    const closed = new Promise<void>((r) =>
      socket.once('close', () => {
        closedFlag = true;
        r();
      }),
    );
    let first = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      if (first.length < 64) first = Buffer.concat([first, chunk]).subarray(0, 64);
    });
    socket.once('connect', () => {
      socket.on('error', () => undefined);
      resolve({ socket, closed, isClosed: () => closedFlag, received: () => first });
    });
    socket.once('error', reject);
  });
}

/**
 * Writes `total` bytes of body after `header` as fast as the peer takes them, until the peer
 * closes; resolves with the bytes the kernel accepted.
 */
export function stream(client: RawClient, header: Buffer, total: number): Promise<number> {
  const chunk = Buffer.alloc(1 << 20, 0x41);
  let sent = 0;
  return new Promise((resolve) => {
    const pump = () => {
      while (!client.isClosed() && sent < total) {
        sent += chunk.length;
        if (!client.socket.write(chunk)) return void client.socket.once('drain', pump);
      }
      resolve(sent);
    };
    client.closed.then(() => resolve(sent));
    client.socket.write(header);
    pump();
  });
}

/** One sample of a Prometheus text exposition: the first series named `name` whose labels include `labels`. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const m = line.match(/^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/);
    if (!m || m[1] !== name) continue;
    const have = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => have.includes(`${k}="${v}"`))) return Number(m[3]);
  }
  return 0;
}

/** A token for ATRIUM_METRICS_TOKEN in tests (at least 16 characters, like any secret). */
export const TEST_METRICS_TOKEN = 'metrics-token-for-tests-0001';

/** `GET /metrics` as Prometheus scrapes it: with its bearer token; anything but 200 throws with the answer. */
export async function scrapeMetrics(url: string, token = TEST_METRICS_TOKEN): Promise<string> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${text}`);
  return text;
}
