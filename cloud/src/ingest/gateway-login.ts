import { GatewayId, gatewayPrincipal, passwordMatches, type GatewayOwnership } from '@atrium/shared';
import type { GatewayCredentials } from './gateway-credentials.ts';

export type GatewayLoginRefusal = 'invalid_id' | 'unknown_gateway' | 'not_provisioned' | 'disabled' | 'wrong_password';

export type GatewayLoginResult =
  | { ok: true; gatewayId: string; credential: 'stored'; generation: number }
  | { ok: true; gatewayId: string; credential: 'derived' }
  /** `gatewayId` only once the username is known to be a gateway id: nothing else the peer sent is ever logged */
  | { ok: false; reason: GatewayLoginRefusal; gatewayId?: string };

/**
 * Who may log in to the uplink listener: a gateway the site model declares (when it declares
 * any), with its own stored credential. Until every edge has one, a cloud that still has the
 * deprecated shared ATRIUM_GATEWAY_SECRET also accepts the password derived from it, but only
 * for a gateway that has no stored credential: once provisioned, the shared secret no longer
 * opens it, so a copy of the secret taken from one edge cannot speak for another.
 */
export function createGatewayLogin(deps: { credentials: GatewayCredentials; ownership: GatewayOwnership; legacySecret: string | undefined }) {
  return async function check(username: string | undefined, password: Buffer | undefined): Promise<GatewayLoginResult> {
    if (username === undefined || !GatewayId.safeParse(username).success) return { ok: false, reason: 'invalid_id' };
    const gatewayId = username;
    if (deps.ownership.checked && !deps.ownership.gateways.has(gatewayId)) return { ok: false, reason: 'unknown_gateway', gatewayId };
    const verdict = await deps.credentials.verify(gatewayId, password);
    if (verdict.outcome === 'ok') return { ok: true, gatewayId, credential: 'stored', generation: verdict.generation };
    if (verdict.outcome === 'not_provisioned' && deps.legacySecret !== undefined && passwordMatches(deps.legacySecret, gatewayPrincipal(gatewayId), password)) {
      return { ok: true, gatewayId, credential: 'derived' };
    }
    return { ok: false, reason: verdict.outcome, gatewayId };
  };
}

export type SessionEnd = 'gateway_disabled' | 'credentials_rotated' | 'credentials_removed' | 'provisioned';

/**
 * Why a live session opened with `login` must end now: its gateway was disabled or rotated
 * (npm run gateways, possibly from another process on a shared PostgreSQL), or, for a
 * session on the deprecated derived password, the gateway has since been given its own.
 */
export async function sessionEnd(credentials: GatewayCredentials, login: Extract<GatewayLoginResult, { ok: true }>): Promise<SessionEnd | null> {
  const now = await credentials.get(login.gatewayId);
  if (login.credential === 'derived') return now ? 'provisioned' : null;
  if (!now) return 'credentials_removed';
  if (now.disabled) return 'gateway_disabled';
  return now.generation !== login.generation ? 'credentials_rotated' : null;
}
