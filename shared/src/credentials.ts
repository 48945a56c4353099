import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { DeviceId } from './ids.ts';

/**
 * Key diversification: a principal's password is an HMAC of its id under a key, so whoever
 * holds the key can mint every password without a list. Gateways authenticate to the cloud
 * this way; devices do not: the edge keeps only a salted scrypt hash per device (see
 * edge/src/devices/credentials.ts), and this is used at most by a provisioning station (the
 * demo's simulated fleet) to mint each device's initial password before storing its hash.
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

/** What a device (or whoever flashes it) needs to connect: printed by `npm run devices -- export`. */
export const DeviceConnection = z.strictObject({
  deviceId: DeviceId,
  mqttUrl: z.string().regex(/^mqtts?:\/\//, 'must be an mqtt:// or mqtts:// URL'),
  /** the TLS listener, when the gateway has one */
  mqttsUrl: z.string().regex(/^mqtts:\/\//, 'must be an mqtts:// URL').optional(),
  clientId: DeviceId,
  username: DeviceId,
  /** present only when the password was just issued (add, rotate): it is not stored anywhere readable */
  password: z.string().min(1).optional(),
  publish: z.array(z.string()),
  subscribe: z.array(z.string()),
  lastWill: z.strictObject({ topic: z.string(), qos: z.literal(1), retain: z.literal(true), payload: z.string() }),
  disabled: z.boolean(),
});
export type DeviceConnection = z.infer<typeof DeviceConnection>;
