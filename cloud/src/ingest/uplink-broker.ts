import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { UPLINK_PREFIX, gatewayPrincipal, passwordMatches } from '@atrium/shared';
import type { CloudMetrics } from '../metrics.ts';
import type { Ingest } from './ingest.ts';

export interface UplinkBroker {
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * The cloud's MQTT endpoint for edge gateways (embedded aedes by default; any standard
 * broker works for scale-out). A QoS 1 uplink is acknowledged only after `ingest.accept`
 * resolves, i.e. after it is stored: aedes sends PUBACK once authorizePublish calls back.
 */
export async function createUplinkBroker(deps: { ingest: Ingest; gatewaySecret: string; siteId: string; logger: Logger; metrics: CloudMetrics }): Promise<UplinkBroker> {
  const { ingest, logger, metrics } = deps;
  const broker = await Aedes.createBroker({ id: 'atrium-cloud-uplink', maxClientsIdLength: 80, maxTopicLevels: 8 });
  const gatewayOf = new WeakMap<Client, string>();

  broker.authenticate = (client, username, password, done) => {
    if (username && passwordMatches(deps.gatewaySecret, gatewayPrincipal(username), password)) {
      gatewayOf.set(client, username);
      return done(null, true);
    }
    metrics.authFailures.inc();
    logger.warn({ clientId: client.id, username }, 'gateway connection refused: wrong credentials');
    done(Object.assign(new Error('bad gateway credentials'), { returnCode: 4 }) as AuthenticateError, false);
  };

  broker.authorizePublish = (client, packet, callback) => {
    const gatewayId = client ? gatewayOf.get(client) : undefined;
    const [prefix, siteId, topicGateway, kind, ...rest] = packet.topic.split('/');
    if (!gatewayId || prefix !== UPLINK_PREFIX || siteId !== deps.siteId || topicGateway !== gatewayId || rest.length > 0 || !kind) {
      logger.warn({ gatewayId, topic: packet.topic }, 'uplink on a topic this gateway may not use');
      return callback(new Error(`gateway ${gatewayId} may not publish to ${packet.topic}`));
    }
    const payload = packet.payload as Buffer;
    if (kind === 'live') {
      ingest.acceptLive(payload);
      return callback(null);
    }
    ingest.accept(payload, Date.now()).then(
      () => callback(null),
      // Not acknowledged: the gateway closes the connection and redelivers after reconnecting.
      (err: Error) => callback(err),
    );
  };

  broker.authorizeSubscribe = (client, sub, callback) => callback(null, null);
  broker.on('clientReady', () => metrics.gatewaysConnected.set(broker.connectedClients));
  broker.on('clientDisconnect', () => metrics.gatewaysConnected.set(broker.connectedClients));

  let server: Server | undefined;
  return {
    async listen(port, host) {
      const s = createServer(broker.handle);
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => resolve());
      });
      return (s.address() as AddressInfo).port;
    },
    async close() {
      // The broker first: it ends the gateways' connections, which server.close() would wait for.
      const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await closed;
    },
  };
}
