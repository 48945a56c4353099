import { createHmac } from 'node:crypto';
import type { z } from 'zod';
import {
  channelSchema,
  describeIssues,
  parseDeviceTopic,
  type Device,
  type DeviceStatus,
  type EnvReading,
  type GateEvent,
  type LockerEvent,
  type LockerState,
  type RadarCount,
  type SiteIndex,
} from '@atrium/shared';
import type { Rejection } from '../core/errors.ts';

/** A device message that passed every check, typed by what it carries. */
export type Reading =
  | { channel: 'count'; device: Device; value: RadarCount }
  | { channel: 'env'; device: Device; value: EnvReading }
  | { channel: 'state'; device: Device; value: LockerState }
  | { channel: 'event'; device: Device; value: LockerEvent | GateEvent }
  | { channel: 'status'; device: Device; value: DeviceStatus };

export type IntakeResult = { ok: true; reading: Reading } | { ok: false; rejection: Rejection };

export interface IntakeOptions {
  site: SiteIndex;
  maxPayloadBytes: number;
}

/** A publish addressed to a channel its device has, before its payload is looked at. */
export interface Addressed {
  device: Device;
  channel: Reading['channel'];
  schema: z.ZodType;
}

export type AddressResult = { ok: true; addressed: Addressed } | { ok: false; rejection: Rejection };

const reject = (code: Rejection['code'], detail: string): { ok: false; rejection: Rejection } => ({ ok: false, rejection: { code, detail } });

/** The topic ACL: a device publishes only under its own topic, to a channel its family has. */
export function checkTopic(site: SiteIndex, clientDeviceId: string, topic: string): AddressResult {
  const parsedTopic = parseDeviceTopic(topic);
  if (!parsedTopic || parsedTopic.siteId !== site.site.id || parsedTopic.deviceId !== clientDeviceId) {
    return reject('topic_not_allowed', `device ${clientDeviceId} may publish only under atrium/${site.site.id}/${clientDeviceId}/, not to "${topic}"`);
  }
  const device = site.device.get(clientDeviceId);
  if (!device) return reject('unknown_device', `device ${clientDeviceId} is not in the site model`);
  const schema = channelSchema(device.kind, parsedTopic.channel);
  if (!schema) return reject('unknown_channel', `a ${device.kind} has no channel "${parsedTopic.channel}"`);
  return { ok: true, addressed: { device, channel: parsedTopic.channel as Reading['channel'], schema } };
}

/** The payload: within the size bound, JSON, and matching its channel's schema. */
export function checkPayload(addressed: Addressed, payload: Buffer, maxPayloadBytes: number): IntakeResult {
  if (payload.length > maxPayloadBytes) {
    return reject('payload_too_large', `payload is ${payload.length} bytes; the limit is ${maxPayloadBytes}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    return reject('invalid_json', `payload is not JSON: ${(err as Error).message}`);
  }
  const result = addressed.schema.safeParse(json);
  if (!result.success) return reject('invalid_payload', describeIssues(result.error));
  return { ok: true, reading: { channel: addressed.channel, device: addressed.device, value: result.data } as Reading };
}

/**
 * Decides whether one publish from an authenticated device is acceptable: its own topic,
 * a channel its family has, a size within bounds, JSON that matches the channel schema.
 * Pure: the caller does the counting and logging.
 */
export function checkPublish(opts: IntakeOptions, clientDeviceId: string, topic: string, payload: Buffer): IntakeResult {
  const address = checkTopic(opts.site, clientDeviceId, topic);
  return address.ok ? checkPayload(address.addressed, payload, opts.maxPayloadBytes) : address;
}

/**
 * Badge and parcel codes identify people; only a keyed hash leaves the gateway, which still
 * lets the cloud match a deposit to its pickup without learning the code.
 */
export function pseudonymise(key: string, identifier: string): string {
  return createHmac('sha256', key).update(identifier).digest('base64url').slice(0, 22);
}

/**
 * The reading as the gateway keeps it: pickup codes open lockers and badges name people, so
 * both are replaced right after validation and nothing later (journal, flows, uplink) sees
 * the raw code. The same code always gives the same hash, so a locker flow can still match
 * a pickup to its deposit, or check a code it hashes with the same key.
 */
export function pseudonymiseReading(reading: Reading, key: string): Reading {
  if (reading.channel !== 'event') return reading;
  const value = { ...reading.value };
  if ('pickupCode' in value && value.pickupCode !== undefined) value.pickupCode = pseudonymise(key, value.pickupCode);
  if ('badge' in value && value.badge !== undefined) value.badge = pseudonymise(key, value.badge);
  return { ...reading, value } as Reading;
}
