import type { AuthenticateError, Client } from 'aedes';
import type { Logger } from 'pino';
import { DeviceId, type SiteIndex } from '@atrium/shared';
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

export function createDeviceAuth(deps: {
  site: SiteIndex;
  credentials: DeviceCredentials;
  metrics: EdgeMetrics;
  logger: Logger;
  shouldLog: (key: string) => boolean;
}): DeviceAuth {
  const { site, credentials, metrics, logger } = deps;
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
      credentials.verify(username, password).then(
        (result) => {
          switch (result.outcome) {
            case 'ok':
              generations.set(client, result.generation);
              return done(null, true);
            case 'disabled':
              return fail('device_disabled', 5, `device ${username} is disabled (npm run devices -- enable ${username})`, username);
            case 'not_provisioned':
              return fail('not_provisioned', 4, `device ${username} has no credentials on this gateway (npm run devices -- add ${username})`, username);
            case 'wrong_password':
              return fail('auth_failed', 4, `wrong password for ${username}`, username);
          }
        },
        (err: Error) => {
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
