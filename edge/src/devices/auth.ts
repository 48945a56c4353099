import type { AuthenticateError, Client } from 'aedes';
import type { Logger } from 'pino';
import { DeviceId, createLoginThrottle, type LoginThrottleLimits, type SiteIndex } from '@atrium/shared';
import type { DeviceCredentials } from './credentials.ts';
import type { EdgeMetrics } from '../core/metrics.ts';
import type { RejectionCode } from '../core/errors.ts';

type Done = (error: AuthenticateError | null, success: boolean | null) => void;

/**
 * Who may connect: the client id must be a device id (so never a wildcard), equal to the
 * username, name a device of this site that has credentials here, is not disabled, and whose
 * password matches its stored hash. Sessions remember the credential generation they were
 * opened with, so disabling or rotating a device (from the CLI, another process) ends them.
 */
export interface DeviceAuth {
  authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: Done): void;
  /** The session is live (CONNACK sent) / gone. */
  ready(client: Client): void;
  ended(client: Client): void;
  /** Ends sessions whose device was disabled or rotated since they connected; cheap when nothing changed. */
  enforce(): void;
}

/**
 * Wrong passwords cost an scrypt each (off the main thread, on libuv's pool, but a flood of
 * them queues every real login behind it). A source address may get 10 wrong in a burst, a
 * device id 3, then each waits a doubling backoff: up to 30 s for an address (many devices may
 * share one behind NAT), 60 s for a device. Forgotten one failure at a time (every 6 s for an
 * address, every minute for a device), so a device retrying a stale password now and then
 * never adds up to a block for its neighbours.
 */
export const LOGIN_THROTTLE = {
  address: { freeFailures: 10, baseBackoffMs: 1000, maxBackoffMs: 30_000, forgetOneAfterMs: 6000 },
  device: { freeFailures: 3, baseBackoffMs: 1000, maxBackoffMs: 60_000, forgetOneAfterMs: 60_000 },
  maxKeys: 10_000,
} as const;

export function createDeviceAuth(deps: {
  site: SiteIndex;
  credentials: DeviceCredentials;
  metrics: EdgeMetrics;
  logger: Logger;
  shouldLog: (key: string) => boolean;
}): DeviceAuth {
  const { site, credentials, metrics, logger } = deps;
  // Real time, even in an accelerated demo: backoff protects the gateway's CPU, which runs at 1×.
  const now = Date.now;
  const byAddress = createLoginThrottle({ ...LOGIN_THROTTLE.address, maxKeys: LOGIN_THROTTLE.maxKeys } satisfies LoginThrottleLimits);
  const byDevice = createLoginThrottle({ ...LOGIN_THROTTLE.device, maxKeys: LOGIN_THROTTLE.maxKeys } satisfies LoginThrottleLimits);
  const generations = new WeakMap<Client, number>();
  const live = new Set<Client>();
  let seenRevision = credentials.revision();

  return {
    authenticate(client, username, password, done) {
      // Until the id is known to be one of this site's devices, everything in the CONNECT is the
      // peer's to choose: checked first, never logged raw, and log lines keyed by the peer's
      // address (from the kernel), so a stream of made-up ids is one line per period.
      const address = remoteAddressOf(client);
      const fail = (reason: RejectionCode, returnCode: AuthenticateError['returnCode'], detail: string, known?: string) => {
        metrics.authFailures.inc({ reason });
        const key = known !== undefined ? `auth|${known}|${reason}` : `auth|${address}|${reason}`;
        if (deps.shouldLog(key)) logger.warn({ ...(known !== undefined ? { deviceId: known } : { remote: address }), reason, detail }, 'device connection refused');
        done(Object.assign(new Error(detail), { returnCode }) as AuthenticateError, false);
      };
      if (username === undefined || username !== client.id) return fail('client_id_mismatch', 2, `client id ${describeId(client.id)} must equal the device id given as username (${describeId(username)})`);
      if (!DeviceId.safeParse(client.id).success) return fail('invalid_client_id', 2, `client id ${describeId(client.id)} is not a device id (1-64 of a-z, 0-9, "-", "_"; never "+", "#" or "/")`);
      if (!site.device.has(username)) return fail('unknown_device', 4, `unknown device "${username}"`);
      // An address is checked, a device id also reserved: devices behind one NAT may log in all
      // at once, but one device has one connection, so parallel logins for it are guesses.
      const at = now();
      const wait = byAddress.waitFor([address], at) || byDevice.attempt(username, at);
      if (wait > 0) return fail('login_throttled', 3, `too many wrong passwords from ${address} or for ${username}; retry in ${Math.ceil(wait / 1000)} s`, username);
      credentials.verify(username, password).then(
        (result) => {
          switch (result.outcome) {
            case 'ok':
              byDevice.succeeded(username);
              generations.set(client, result.generation);
              return done(null, true);
            case 'disabled':
              byDevice.forgive(username);
              return fail('device_disabled', 5, `device ${username} is disabled (npm run devices -- enable ${username})`, username);
            case 'not_provisioned':
              byDevice.forgive(username);
              return fail('not_provisioned', 4, `device ${username} has no credentials on this gateway (npm run devices -- add ${username})`, username);
            case 'wrong_password':
              byAddress.failed([address], now());
              return fail('auth_failed', 4, `wrong password for ${username}`, username);
          }
        },
        (err: Error) => {
          byDevice.forgive(username);
          logger.error({ err: err.message, deviceId: username }, 'credential check failed');
          done(Object.assign(err, { returnCode: 3 }) as AuthenticateError, false);
        },
      );
    },
    ready(client) {
      if (generations.has(client)) live.add(client);
    },
    ended(client) {
      live.delete(client);
    },
    enforce() {
      const revision = credentials.revision();
      if (revision === seenRevision) return;
      seenRevision = revision;
      for (const client of live) {
        const record = credentials.get(client.id);
        const reason = !record ? 'not_provisioned' : record.disabled ? 'device_disabled' : record.generation !== generations.get(client) ? 'credentials_rotated' : undefined;
        if (!reason) continue;
        live.delete(client);
        metrics.sessionsEnded.inc({ reason });
        logger.warn({ deviceId: client.id, reason }, 'device session ended: its credentials changed');
        client.close();
      }
    },
  };
}

/** The peer's address as the listener saw it (the guarded connection keeps the socket's). */
function remoteAddressOf(client: Client): string {
  return (client.conn as { remoteAddress?: string } | undefined)?.remoteAddress ?? 'unknown';
}

/** A client-chosen string for a log line: its length and a short, printable prefix. */
function describeId(id: string | null | undefined): string {
  if (id === undefined || id === null) return '(none)';
  const shown = id.slice(0, 32).replace(/[^\x20-\x7e]/g, '?');
  return id.length > 32 ? `"${shown}…" (${id.length} characters)` : `"${shown}"`;
}
