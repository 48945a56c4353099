import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { DeviceId, EpochMs, GatewayId, SiteId } from './ids.ts';

/**
 * Key diversification: a principal's password is an HMAC of its id under a key, so whoever
 * holds the key can mint every password without a list. Nothing authenticates this way any
 * more: the edge keeps a salted scrypt hash per device (edge/src/devices/credentials.ts) and
 * the cloud a hash per gateway (cloud/src/ingest/gateway-credentials.ts). It mints the
 * demo fleet's initial device passwords (a provisioning station), and the gateway passwords
 * of installations still on the deprecated shared ATRIUM_GATEWAY_SECRET.
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

/** A gateway's credential at the cloud, as stored (the password itself is kept only as a hash). */
export const GatewayCredential = z.strictObject({
  siteId: SiteId,
  gatewayId: GatewayId,
  disabled: z.boolean(),
  /** bumps on every rotation */
  generation: z.number().int().min(1),
  createdAt: EpochMs,
  updatedAt: EpochMs,
});
export type GatewayCredential = z.infer<typeof GatewayCredential>;

/** What an edge gateway needs to reach the cloud: printed by `npm run gateways -- add|rotate|list`. */
export const GatewayConnection = z.strictObject({
  siteId: SiteId,
  gatewayId: GatewayId,
  /** the edge's ATRIUM_GATEWAY_ID; also its MQTT username at the cloud */
  username: GatewayId,
  /** the edge's ATRIUM_GATEWAY_PASSWORD; present only when just issued: it is stored only as a hash */
  password: z.string().min(1).optional(),
  /** the topics it may publish to */
  publish: z.string(),
  disabled: z.boolean(),
  generation: z.number().int().min(1),
  /** the devices of the site model it may carry data of (all of them when the site declares no gateways) */
  devices: z.number().int().min(0),
});
export type GatewayConnection = z.infer<typeof GatewayConnection>;
