import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Demo provisioning: each MQTT principal's password is derived from a shared secret and its
 * id, so the simulator, edge and cloud agree without shipping a password list. Real
 * deployments provision per-device secrets instead; the verifier only ever compares.
 * Principals are slugs (devices) or `gateway/<id>`, which cannot collide.
 */
export function derivePassword(secret: string, principal: string): string {
  return createHmac('sha256', secret).update(principal).digest('base64url');
}

export const gatewayPrincipal = (gatewayId: string): string => `gateway/${gatewayId}`;

export function passwordMatches(secret: string, principal: string, given: Buffer | string | undefined): boolean {
  if (given === undefined) return false;
  const expected = Buffer.from(derivePassword(secret, principal));
  const actual = Buffer.isBuffer(given) ? given : Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
