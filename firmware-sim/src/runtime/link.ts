import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';

/**
 * One device's MQTT connection, as its firmware would hold it: its own client id, username
 * and password, a retained last will, QoS 1 publishes, automatic reconnection after network
 * trouble, and a local buffer while it knows it is offline so nothing it measured is lost.
 */
export interface LinkOptions {
  url: string;
  deviceId: string;
  password: string;
  statusTopic: string;
  /** the retained `offline` last will, built at each connect so its timestamp is current */
  will(): string;
  /** called on every (re)connection before anything buffered is sent: publish `online` here */
  onUp(): void;
  onDown(deliberate: boolean): void;
  logger?: Logger;
  keepaliveS?: number;
}

export interface DeviceLink {
  readonly up: boolean;
  /** why the link cannot deliver, when it cannot: the broker refused its credentials (e.g. after a rotation) */
  readonly refused: string | undefined;
  /** messages not yet acknowledged: buffered while offline or awaiting PUBACK */
  readonly unsettled: number;
  /** first connection; rejects if the broker refuses the credentials */
  open(): Promise<void>;
  /** resolves on PUBACK; while the link is down the message waits in the device's buffer */
  publish(topic: string, body: string, retain: boolean): Promise<void>;
  /** network loss: waits for in-flight acks, then drops the socket without DISCONNECT so the will fires */
  drop(): Promise<void>;
  /** back online after a drop; flushes the buffer */
  reopen(): Promise<void>;
  /** clean shutdown: waits (up to `graceMs`) for in-flight acks, sends DISCONNECT; whatever is still unacknowledged then fails */
  close(graceMs?: number): Promise<void>;
}

/** Connection refusals that retrying cannot fix (bad credentials, not authorised, banned). */
const FATAL_CONNACK = new Set([2, 4, 5, 133, 134, 135, 138]);

interface Queued {
  topic: string;
  body: string;
  retain: boolean;
  resolve(): void;
  reject(err: Error): void;
}

export function createLink(opts: LinkOptions): DeviceLink {
  let client: MqttClient | undefined;
  let up = false;
  let dropping = false;
  let closed = false;
  let refused: string | undefined;
  let buffer: Queued[] = [];
  // Publishes handed to mqtt.js and not yet answered. mqtt.js keeps a QoS 1 message for as long
  // as the client lives and never answers it once the broker refuses the device, so the link
  // holds its own list and fails what can no longer be delivered.
  const inFlight = new Set<Queued>();
  let idleWaiters: (() => void)[] = [];

  const settle = () => {
    if (inFlight.size === 0) {
      for (const w of idleWaiters) w();
      idleWaiters = [];
    }
  };
  const idle = () => (inFlight.size === 0 ? Promise.resolve() : new Promise<void>((r) => idleWaiters.push(r)));

  function send(c: MqttClient, q: Queued) {
    inFlight.add(q);
    c.publish(q.topic, q.body, { qos: 1, retain: q.retain }, (err) => {
      if (!inFlight.delete(q)) return; // failed already (refused or shut down)
      if (err) q.reject(err);
      else q.resolve();
      settle();
    });
  }

  /** Fails every unacknowledged message, buffered or in flight, with `why`. */
  function failAll(why: string) {
    const waiting = [...buffer, ...inFlight];
    buffer = [];
    inFlight.clear();
    for (const q of waiting) q.reject(new Error(`device ${opts.deviceId}: ${why}`));
    settle();
  }

  /** fails a first connection still pending when the link is closed */
  let abandon: ((err: Error) => void) | undefined;

  function connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      let first = true;
      abandon = (err) => {
        if (first) {
          first = false;
          reject(err);
        }
      };
      const c = mqtt.connect(opts.url, {
        clientId: opts.deviceId,
        username: opts.deviceId,
        password: opts.password,
        keepalive: opts.keepaliveS ?? 30,
        clean: true,
        reconnectPeriod: 1000,
        connectTimeout: 10_000,
        resubscribe: false,
        will: { topic: opts.statusTopic, payload: Buffer.from(opts.will()), qos: 1, retain: true },
      });
      client = c;
      c.on('connect', () => {
        up = true;
        opts.onUp();
        const waiting = buffer;
        buffer = [];
        for (const q of waiting) send(c, q);
        if (first) {
          first = false;
          resolve();
        }
      });
      c.on('close', () => {
        if (client !== c) return;
        if (up && !dropping && !closed) {
          up = false;
          opts.onDown(false);
        }
      });
      c.on('error', (err: Error & { code?: unknown }) => {
        if (typeof err.code === 'number' && FATAL_CONNACK.has(err.code)) {
          c.end(true);
          if (first) {
            first = false;
            reject(new Error(`device ${opts.deviceId}: broker refused the connection: ${err.message}`));
          } else {
            // Its credentials no longer open the broker (rotated or disabled): nothing it holds can be delivered.
            refused = `the broker refused its credentials (${err.message})`;
            up = false;
            opts.logger?.error({ deviceId: opts.deviceId, err: err.message, unsent: buffer.length + inFlight.size }, 'broker refused reconnection: what the device holds is dropped');
            failAll(refused);
          }
          return;
        }
        opts.logger?.debug({ deviceId: opts.deviceId, err: err.message }, 'mqtt error (retrying)');
      });
    });
  }

  const endClient = (c: MqttClient, force: boolean) => new Promise<void>((r) => c.end(force, {}, () => r()));

  return {
    get up() {
      return up;
    },
    get refused() {
      return refused;
    },
    get unsettled() {
      return buffer.length + inFlight.size;
    },
    open: connect,
    publish(topic, body, retain) {
      if (closed) return Promise.reject(new Error(`device ${opts.deviceId} is shut down`));
      if (refused) return Promise.reject(new Error(`device ${opts.deviceId}: ${refused}`));
      return new Promise<void>((resolve, reject) => {
        const q = { topic, body, retain, resolve, reject };
        // While mqtt.js is reconnecting on its own it stores QoS 1 publishes itself; the local
        // buffer is for the deliberate offline spells, where the client is gone altogether.
        if (up || (client && !dropping)) send(client as MqttClient, q);
        else buffer.push(q);
      });
    },
    async drop() {
      if (!client || dropping) return;
      dropping = true;
      const c = client;
      // Stop new sends first (they buffer), then let the ones already out be acknowledged,
      // so a deliberate outage never loses an acknowledged-or-not ambiguity.
      up = false;
      await idle();
      await endClient(c, true);
      client = undefined;
      opts.onDown(true);
    },
    async reopen() {
      if (closed || !dropping) return;
      await connect();
      dropping = false;
    },
    async close(graceMs = 10_000) {
      if (closed) return;
      closed = true;
      const c = client;
      const waiting = buffer;
      buffer = [];
      for (const q of waiting) q.reject(new Error(`device ${opts.deviceId} shut down while offline`));
      abandon?.(new Error(`device ${opts.deviceId} shut down before it connected`));
      let timer: NodeJS.Timeout | undefined;
      const settled = await Promise.race([idle().then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)))]);
      clearTimeout(timer);
      // A broker that stopped acknowledging gets no DISCONNECT, and what it never acknowledged fails.
      if (!settled) failAll(`shut down with messages not acknowledged within ${graceMs} ms`);
      if (c) await endClient(c, !settled);
      up = false;
    },
  };
}
