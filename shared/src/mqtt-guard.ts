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
