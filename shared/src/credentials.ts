import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Demo provisioning: each device's MQTT password is derived from a gateway secret and its
 * id, so the simulator and the edge agree without shipping a password list. Real
 * deployments provision per-device secrets instead; the edge only ever compares.
 */
export function derivePassword(secret: string, deviceId: string): string {
  return createHmac('sha256', secret).update(`device:${deviceId}`).digest('base64url');
}

export function passwordMatches(secret: string, deviceId: string, given: Buffer | string | undefined): boolean {
  if (given === undefined) return false;
  const expected = Buffer.from(derivePassword(secret, deviceId));
  const actual = Buffer.isBuffer(given) ? given : Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
