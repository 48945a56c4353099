import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/**
 * What an MQTT listener holds for a client that has not logged in yet, bounded before the
 * broker (aedes) sees a byte: aedes' parser buffers whatever length a packet declares, keeps
 * a socket that never sends CONNECT for 30 s, and takes any number of them. The edge's device
 * listener and the cloud's uplink listener both sit behind this.
 */
export interface MqttGuardLimits {
  /** Largest CONNECT (remaining length): client id, credentials and will. */
  maxConnectBytes: number;
  /** Largest packet of any other type, e.g. a PUBLISH with its topic and payload. */
  maxPacketBytes: number;
  /** A connection not logged in this long after it opened is closed. */
  connectTimeoutMs: number;
  /** Connections not yet logged in, at once: in total, and from one source address. */
  maxPending: number;
  maxPendingPerAddress: number;
}

/** Why the guard closed a connection; the listeners' catalogues carry these as codes. */
export type GuardRefusal = 'packet_too_large' | 'malformed_packet' | 'connect_timeout' | 'too_many_connections';

export interface GuardRefused {
  reason: GuardRefusal;
  /** the peer's address as the kernel gives it (never anything the client sent) */
  address: string;
  detail: string;
}

export interface MqttGuard {
  /** Wraps an accepted socket for the broker's `handle`; undefined when it was refused (and closed). */
  admit(socket: Socket): Duplex | undefined;
  /** Credentials accepted: the connection stops counting against the caps and its connect timer. */
  loggedIn(conn: unknown): void;
  /** Connections not yet logged in, for health and tests. */
  pending(): { total: number; addresses: number };
}

const CONNECT = 1;

/**
 * Follows MQTT framing through a byte stream without buffering it: each packet's type and
 * declared remaining length are checked as soon as they are on the wire, its body is skipped.
 * Returns a reason as soon as the stream breaks a limit.
 */
export function createFrameScanner(limits: Pick<MqttGuardLimits, 'maxConnectBytes' | 'maxPacketBytes'>) {
  let first = true;
  let type = 0;
  let inHeader = true;
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let skip = 0;
  const limitFor = (t: number) => (t === CONNECT ? limits.maxConnectBytes : limits.maxPacketBytes);
  const tooLarge = (declared: string): { reason: GuardRefusal; detail: string } => ({
    reason: 'packet_too_large',
    detail: `${type === CONNECT ? 'CONNECT' : `packet type ${type}`} declares ${declared} bytes; the limit is ${limitFor(type)}`,
  });
  return {
    feed(chunk: Uint8Array): { reason: GuardRefusal; detail: string } | undefined {
      let i = 0;
      while (i < chunk.length) {
        if (skip > 0) {
          const n = Math.min(skip, chunk.length - i);
          skip -= n;
          i += n;
          continue;
        }
        const byte = chunk[i++]!;
        if (inHeader) {
          type = byte >> 4;
          if (first && type !== CONNECT) return { reason: 'malformed_packet', detail: `the first packet must be CONNECT, not type ${type}` };
          inHeader = false;
          length = 0;
          multiplier = 1;
          lengthBytes = 0;
          continue;
        }
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        lengthBytes += 1;
        // Every later length byte only adds: a partial length over the limit is already too much.
        if (length > limitFor(type)) return tooLarge(byte & 0x80 ? `at least ${length}` : String(length));
        if (byte & 0x80) {
          if (lengthBytes === 4) return { reason: 'malformed_packet', detail: 'remaining length longer than 4 bytes' };
          continue;
        }
        skip = length;
        inHeader = true;
        first = false;
      }
      return undefined;
    },
  };
}

/**
 * The socket as the broker sees it: bytes pass through the frame scanner on their way in
 * (a packet over its limit closes the connection before the broker buffers it), writes go
 * straight out. Backpressure is kept: the socket pauses while the broker is not reading.
 */
class GuardedConnection extends Duplex {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  private readonly socket: Socket;

  constructor(socket: Socket, scan: ReturnType<typeof createFrameScanner>, violated: (reason: GuardRefusal, detail: string) => void) {
    super({ allowHalfOpen: false, readableHighWaterMark: socket.readableHighWaterMark, writableHighWaterMark: socket.writableHighWaterMark });
    this.socket = socket;
    this.remoteAddress = socket.remoteAddress;
    this.remotePort = socket.remotePort;
    socket.on('data', (chunk: Buffer) => {
      if (this.destroyed) return;
      const broken = scan.feed(chunk);
      if (broken) {
        violated(broken.reason, broken.detail);
        this.destroy();
        return;
      }
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.socket.write(chunk, encoding, callback);
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.socket.end(() => callback());
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.socket.destroy();
    callback(err);
  }
}

interface Pending {
  address: string;
  timer: NodeJS.Timeout;
}

export function createMqttGuard(limits: MqttGuardLimits, onRefused: (refused: GuardRefused) => void): MqttGuard {
  const pending = new Map<GuardedConnection, Pending>();
  const perAddress = new Map<string, number>();
  const release = (conn: GuardedConnection) => {
    const p = pending.get(conn);
    if (!p) return;
    pending.delete(conn);
    clearTimeout(p.timer);
    const left = (perAddress.get(p.address) ?? 1) - 1;
    if (left > 0) perAddress.set(p.address, left);
    else perAddress.delete(p.address);
  };
  const refuse = (socket: Socket, address: string, reason: GuardRefusal, detail: string) => {
    socket.on('error', () => undefined);
    socket.destroy();
    onRefused({ reason, address, detail });
  };

  return {
    admit(socket) {
      const address = socket.remoteAddress ?? 'unknown';
      if (pending.size >= limits.maxPending) {
        refuse(socket, address, 'too_many_connections', `${pending.size} connections are not logged in yet (limit ${limits.maxPending})`);
        return undefined;
      }
      const fromHere = perAddress.get(address) ?? 0;
      if (fromHere >= limits.maxPendingPerAddress) {
        refuse(socket, address, 'too_many_connections', `${fromHere} connections from ${address} are not logged in yet (limit ${limits.maxPendingPerAddress} per address)`);
        return undefined;
      }
      const conn: GuardedConnection = new GuardedConnection(socket, createFrameScanner(limits), (reason, detail) => onRefused({ reason, address, detail }));
      const timer = setTimeout(() => {
        if (!pending.has(conn)) return;
        release(conn);
        onRefused({ reason: 'connect_timeout', address, detail: `not logged in within ${limits.connectTimeoutMs} ms` });
        conn.destroy();
      }, limits.connectTimeoutMs);
      timer.unref();
      pending.set(conn, { address, timer });
      perAddress.set(address, fromHere + 1);
      conn.once('close', () => release(conn));
      return conn;
    },
    loggedIn(conn) {
      if (conn instanceof GuardedConnection) release(conn);
    },
    pending: () => ({ total: pending.size, addresses: perAddress.size }),
  };
}

/**
 * One log line per key and period, for refusals that arrive by the thousand. The keys are
 * bounded too: expired ones are dropped when the map is full, and while it is full of live
 * keys a new key is not logged (its refusals are still counted in metrics by the caller).
 */
export function createLogThrottle(periodMs: number, maxKeys = 10_000) {
  const last = new Map<string, number>();
  return {
    shouldLog(key: string, now = Date.now()): boolean {
      const at = last.get(key);
      if (at !== undefined && now - at < periodMs) return false;
      if (at === undefined && last.size >= maxKeys) {
        // Oldest first (insertion order, refreshed on every log): stop at the first live one.
        for (const [k, t] of last) {
          if (now - t < periodMs) break;
          last.delete(k);
        }
        if (last.size >= maxKeys) return false;
      }
      last.delete(key);
      last.set(key, now);
      return true;
    },
    get size() {
      return last.size;
    },
  };
}

export type LogThrottle = ReturnType<typeof createLogThrottle>;

export interface LoginThrottleLimits {
  /** failed logins a key may have before it is made to wait */
  freeFailures: number;
  /** the first wait; each further failure doubles it, up to `maxBackoffMs` */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** failures are forgotten one at a time, one per this long: a slow trickle (a device with a stale password) never adds up */
  forgetOneAfterMs: number;
  /** keys remembered at once; when full the longest-quiet one is forgotten */
  maxKeys: number;
}

interface Failures {
  /** failures not yet forgotten, as of `last` */
  count: number;
  last: number;
  blockedUntil: number;
}

/**
 * Wrong passwords cost a password hash each; this decides, before hashing, whether a login
 * may be checked at all. Each key (a source address, a device or gateway id) may fail a few
 * times, then waits a backoff that doubles with every further failure and always expires, so
 * a legitimate client is never locked out for longer than `maxBackoffMs` at a time. Logins
 * refused while waiting are answered at once and do not count: only checked passwords do.
 * Keys are bounded: the map forgets the longest-quiet key when full.
 */
export function createLoginThrottle(limits: LoginThrottleLimits) {
  const keys = new Map<string, Failures>();
  const current = (key: string, now: number): Failures | undefined => {
    const f = keys.get(key);
    if (!f) return undefined;
    const count = f.count - (now - f.last) / limits.forgetOneAfterMs;
    if (count <= 0 && now >= f.blockedUntil) {
      keys.delete(key);
      return undefined;
    }
    return { count: Math.max(0, count), last: now, blockedUntil: f.blockedUntil };
  };
  /** How long a login must wait (ms): 0 when it may be checked now. */
  const waitFor = (loginKeys: readonly string[], now = Date.now()): number => {
    let wait = 0;
    for (const key of loginKeys) wait = Math.max(wait, (current(key, now)?.blockedUntil ?? now) - now);
    return wait;
  };
  /** A password was checked and was wrong. */
  const failed = (loginKeys: readonly string[], now = Date.now()): void => {
    for (const key of loginKeys) {
      const f = current(key, now) ?? { count: 0, last: now, blockedUntil: 0 };
      f.count += 1;
      const over = Math.ceil(f.count - limits.freeFailures);
      if (over > 0) f.blockedUntil = now + Math.min(limits.maxBackoffMs, limits.baseBackoffMs * 2 ** Math.min(over - 1, 30));
      // Re-inserted so the map's order is longest-quiet first.
      keys.delete(key);
      keys.set(key, f);
      if (keys.size > limits.maxKeys) keys.delete(keys.keys().next().value!);
    }
  };
  return {
    waitFor,
    failed,
    /**
     * For a key that is one client's own (a device id): reserves the check by counting it as a
     * failure before the password is hashed, so parallel guesses cannot all slip in before the
     * first one fails. Returns the wait (ms) and counts nothing when the key must wait; the
     * outcome then settles it: `succeeded` for a right password, `forgive` for a refusal that
     * did not check one (e.g. a disabled device).
     */
    attempt(key: string, now = Date.now()): number {
      const wait = waitFor([key], now);
      if (wait === 0) failed([key], now);
      return wait;
    },
    forgive(key: string): void {
      const f = keys.get(key);
      if (!f) return;
      f.count = Math.max(0, f.count - 1);
      if (f.count <= limits.freeFailures) f.blockedUntil = 0;
    },
    /** A password was right: this key (the client's own id, never a shared address) starts over. */
    succeeded(key: string): void {
      keys.delete(key);
    },
    get size() {
      return keys.size;
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
