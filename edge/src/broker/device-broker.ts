import { Aedes, type Client } from 'aedes';
import type { EdgeMetrics } from '../core/metrics.ts';
import type { Refusals } from '../core/refusals.ts';
import type { DeviceAuth } from '../devices/auth.ts';
import type { DeviceHealth } from '../devices/health.ts';

/**
 * The broker devices talk to, one hook per packet the way aedes is built: CONNECT
 * (devices/auth.ts), PUBLISH (the pipeline) and SUBSCRIBE (subscribe.ts); sessions coming and
 * going feed device health.
 */
export async function createDeviceBroker(deps: {
  gatewayId: string;
  auth: DeviceAuth;
  authorizePublish: NonNullable<Aedes['authorizePublish']>;
  authorizeSubscribe: NonNullable<Aedes['authorizeSubscribe']>;
  health: DeviceHealth;
  metrics: EdgeMetrics;
  refusals: Refusals;
  /** how long aedes waits for CONNECT; the listener's guard closes a slow login at the same time */
  connectTimeoutMs: number;
  /** credentials accepted, before the CONNACK goes out: the connection leaves the guard's pre-login caps */
  loggedIn(client: Client): void;
}): Promise<Aedes> {
  const { auth, health, metrics } = deps;
  const broker = await Aedes.createBroker({ id: `atrium-edge-${deps.gatewayId}`, maxClientsIdLength: 64, maxTopicLevels: 8, drainTimeout: 30_000, connectTimeout: deps.connectTimeoutMs });
  broker.authenticate = (client, username, password, done) =>
    auth.authenticate(client, username, password, (err, ok) => {
      if (!err && ok) deps.loggedIn(client);
      done(err, ok);
    });
  broker.authorizePublish = deps.authorizePublish;
  broker.authorizeSubscribe = deps.authorizeSubscribe;
  // What aedes refuses before our handlers run (e.g. a topic deeper than maxTopicLevels) still gets a counted, logged reason.
  broker.on('clientError', (client, err) => {
    if ('code' in err) return; // socket errors (resets, broken pipes) are not the device's protocol fault
    if ('errorCode' in err) return; // a refused CONNECT: already counted in atrium_edge_auth_failures_total
    deps.refusals.report(client.id, { code: 'protocol_violation', detail: err.message });
  });
  const keepaliveLost = new WeakSet<Client>();
  broker.on('keepaliveTimeout', (client) => keepaliveLost.add(client));
  broker.on('clientReady', (client) => {
    auth.ready(client);
    health.connected(client.id, Date.now());
    metrics.devicesConnected.set(broker.connectedClients);
  });
  broker.on('clientDisconnect', (client) => {
    auth.ended(client);
    health.disconnected(client.id, Date.now(), keepaliveLost.has(client) ? 'keepalive_lost' : 'disconnected');
    metrics.devicesConnected.set(broker.connectedClients);
  });
  return broker;
}

/** Edge → device messages (command topics) go out through the device broker, QoS 1, not retained. */
export function publishToDevices(broker: () => Aedes | undefined): (topic: string, payload: Buffer) => Promise<void> {
  return (topic, payload) =>
    new Promise<void>((resolve, reject) => {
      const b = broker();
      if (!b || b.closed) return reject(new Error('the device broker is not running'));
      b.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (err) => (err ? reject(err) : resolve()));
    });
}
