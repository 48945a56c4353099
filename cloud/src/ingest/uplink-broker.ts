import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { UPLINK_PREFIX, createLogThrottle, createLoginThrottle, createMqttGuard, type LoginThrottleLimits, type MqttGuardLimits } from '@atrium/shared';
import type { CloudMetrics } from '../metrics.ts';
import type { GatewayLoginResult, SessionEnd } from './gateway-login.ts';
import type { Ingest } from './ingest.ts';

/**
 * Before login, what a gateway's connection may hold. A gateway's CONNECT is an id and a
 * password (no will); its uplinks are at most 2,000 records (edge/src/outbox/uplinks.ts),
 * well under the packet limit. Gateways are few: a handful waiting to log in is plenty.
 */
export const UPLINK_LOGIN_LIMITS: MqttGuardLimits = {
  maxConnectBytes: 4096,
  maxPacketBytes: 16 * 1024 * 1024,
  connectTimeoutMs: 5000,
  maxPending: 64,
  maxPendingPerAddress: 16,
};

export interface UplinkBroker {
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * The cloud's MQTT endpoint for edge gateways (embedded aedes by default; any standard
 * broker works for scale-out). A QoS 1 uplink is acknowledged only after `ingest.accept`
 * resolves, i.e. after it is stored: aedes sends PUBACK once authorizePublish calls back.
 */
/** Failed gateway logins per source address (shared/mqtt-guard.ts createLoginThrottle). */
export const UPLINK_LOGIN_THROTTLE: LoginThrottleLimits = { freeFailures: 10, baseBackoffMs: 1000, maxBackoffMs: 60_000, forgetOneAfterMs: 6000, maxKeys: 10_000 };

export async function createUplinkBroker(deps: {
  ingest: Ingest;
  /** checks a CONNECT's username and password (gateway-login.ts) */
  login: (username: string | undefined, password: Buffer | undefined) => Promise<GatewayLoginResult>;
  /** why a live session must end now (credentials changed since it logged in), checked every `recheckMs` */
  sessionEnd: (login: Extract<GatewayLoginResult, { ok: true }>) => Promise<SessionEnd | null>;
  recheckMs?: number;
  siteId: string;
  logger: Logger;
  metrics: CloudMetrics;
  limits?: MqttGuardLimits;
}): Promise<UplinkBroker> {
  const { ingest, logger, metrics } = deps;
  const limits = deps.limits ?? UPLINK_LOGIN_LIMITS;
  const broker = await Aedes.createBroker({ id: 'atrium-cloud-uplink', maxClientsIdLength: 80, maxTopicLevels: 8, connectTimeout: limits.connectTimeoutMs });
  const gatewayOf = new WeakMap<Client, string>();
  // Live sessions and the login each was opened with, so a disable or rotation ends them.
  const sessions = new Map<Client, Extract<GatewayLoginResult, { ok: true }>>();
  // Refusals are keyed by the peer's address, never by what it sent, so the keys stay few.
  const throttle = createLogThrottle(60_000, 1000);
  const guard = createMqttGuard(limits, ({ reason, address, detail }) => {
    metrics.authFailures.inc({ reason });
    if (throttle.shouldLog(`${address}|${reason}`)) logger.warn({ remote: address, reason, detail }, 'gateway connection closed before login');
  });

  // Wrong passwords from one address wait, doubling, once ten have failed; always expiring, so a
  // gateway behind the same address is slowed, never shut out. Throttled logins are not checked.
  const byAddress = createLoginThrottle(UPLINK_LOGIN_THROTTLE);
  // Logins on the deprecated shared secret: a reminder per gateway an hour, never per reconnect.
  const deprecation = createLogThrottle(3_600_000, 1000);
  broker.authenticate = (client, username, password, done) => {
    const address = (client.conn as { remoteAddress?: string }).remoteAddress ?? 'unknown';
    const refuse = (reason: string, gatewayId: string | undefined, returnCode: AuthenticateError['returnCode']) => {
      metrics.authFailures.inc({ reason });
      // The login checks the id first, so only a real gateway id (a slug) is ever logged; keyed by address, so made-up ids are one line.
      if (throttle.shouldLog(`${address}|${reason}`)) {
        logger.warn({ remote: address, reason, username: gatewayId ?? `(not a gateway id, ${username?.length ?? 0} characters)` }, 'gateway connection refused');
      }
      done(Object.assign(new Error(`gateway login refused: ${reason}`), { returnCode }) as AuthenticateError, false);
    };
    if (byAddress.waitFor([address]) > 0) return refuse('login_throttled', undefined, 3);
    deps.login(username, password).then(
      (result) => {
        if (!result.ok) {
          // a disabled gateway retrying is not guessing; everything else is a failed guess
          if (result.reason !== 'disabled') byAddress.failed([address]);
          return refuse(result.reason, result.gatewayId, result.reason === 'disabled' ? 5 : 4);
        }
        metrics.gatewayLogins.inc({ credential: result.credential });
        if (result.credential === 'derived' && deprecation.shouldLog(result.gatewayId)) {
          logger.warn(
            { gatewayId: result.gatewayId },
            'gateway logged in with a password derived from the shared ATRIUM_GATEWAY_SECRET (deprecated): give it its own (npm run gateways -- add <id>), set ATRIUM_GATEWAY_PASSWORD on that edge, then remove ATRIUM_GATEWAY_SECRET from the cloud',
          );
        }
        gatewayOf.set(client, result.gatewayId);
        sessions.set(client, result);
        guard.loggedIn(client.conn);
        done(null, true);
      },
      (err: Error) => {
        metrics.authFailures.inc({ reason: 'store_error' });
        logger.error({ err: err.message }, 'gateway credential check failed');
        done(Object.assign(err, { returnCode: 3 }) as AuthenticateError, false);
      },
    );
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
      ingest.acceptLive(payload, gatewayId);
      return callback(null);
    }
    ingest.accept(payload, Date.now(), gatewayId).then(
      () => callback(null),
      // Not acknowledged: the gateway closes the connection and redelivers after reconnecting.
      (err: Error) => callback(err),
    );
  };

  broker.authorizeSubscribe = (client, sub, callback) => callback(null, null);
  broker.on('clientReady', () => metrics.gatewaysConnected.set(broker.connectedClients));
  broker.on('clientDisconnect', (client) => {
    sessions.delete(client);
    metrics.gatewaysConnected.set(broker.connectedClients);
  });
  let checking = false;
  const recheck = setInterval(() => {
    if (checking || sessions.size === 0) return;
    checking = true;
    void Promise.all(
      [...sessions].map(async ([client, login]) => {
        const reason = await deps.sessionEnd(login).catch(() => null); // a store hiccup is not a reason to cut a gateway off
        if (!reason || !sessions.has(client)) return;
        sessions.delete(client);
        metrics.gatewaySessionsEnded.inc({ reason });
        logger.warn({ gatewayId: login.gatewayId, reason }, 'gateway session ended: its credentials changed');
        client.close();
      }),
    ).finally(() => (checking = false));
  }, deps.recheckMs ?? 10_000);
  recheck.unref();

  let server: Server | undefined;
  return {
    async listen(port, host) {
      const handle = broker.handle;
      const s = createServer((socket) => {
        const conn = guard.admit(socket);
        if (conn) handle(conn);
      });
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => resolve());
      });
      return (s.address() as AddressInfo).port;
    },
    async close() {
      clearInterval(recheck);
      // The broker first: it ends the gateways' connections, which server.close() would wait for.
      const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await closed;
    },
  };
}
