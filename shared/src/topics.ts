import { z } from 'zod';
import { DeviceStatus, EnvReading, GateEvent, LockerEvent, LockerState, RadarCount } from './payloads.ts';
import { Slug } from './ids.ts';

/**
 * The topic namespace (docs/protocol.md is the human version):
 *   device → edge   atrium/{siteId}/{deviceId}/{channel}
 *   edge → device   atrium/{siteId}/{deviceId}/cmd/{command}
 *   edge → cloud    atrium-up/{siteId}/{gatewayId}/{uplinkKind}
 * The device id is in the topic so the edge can hold each device to its own topics.
 */
export const DEVICE_KINDS = ['radar', 'env', 'locker', 'gate'] as const;
export const DeviceKind = z.enum(DEVICE_KINDS);
export type DeviceKind = z.infer<typeof DeviceKind>;

/** Which channels each device family may publish, and the schema of each. */
export const CHANNELS = {
  radar: { count: RadarCount, status: DeviceStatus },
  env: { env: EnvReading, status: DeviceStatus },
  locker: { state: LockerState, event: LockerEvent, status: DeviceStatus },
  gate: { event: GateEvent, status: DeviceStatus },
} as const satisfies Record<DeviceKind, Record<string, z.ZodType>>;

export type Channel<K extends DeviceKind = DeviceKind> = keyof (typeof CHANNELS)[K] & string;

export const DEVICE_PREFIX = 'atrium';
export const UPLINK_PREFIX = 'atrium-up';

export const deviceTopic = (siteId: string, deviceId: string, channel: string): string =>
  `${DEVICE_PREFIX}/${siteId}/${deviceId}/${channel}`;

export const commandTopic = (siteId: string, deviceId: string, command: string): string =>
  `${DEVICE_PREFIX}/${siteId}/${deviceId}/cmd/${command}`;

export interface DeviceTopic {
  siteId: string;
  deviceId: string;
  channel: string;
}

const slug = (s: string | undefined): s is string => s !== undefined && Slug.safeParse(s).success;

/** Returns null for anything that is not exactly a device publish topic. */
export function parseDeviceTopic(topic: string): DeviceTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== DEVICE_PREFIX) return null;
  const [, siteId, deviceId, channel] = parts;
  if (!slug(siteId) || !slug(deviceId) || !slug(channel)) return null;
  return { siteId, deviceId, channel };
}

export function channelSchema(kind: DeviceKind, channel: string): z.ZodType | undefined {
  const channels: Record<string, z.ZodType> = CHANNELS[kind];
  return Object.hasOwn(channels, channel) ? channels[channel] : undefined;
}

export const UPLINK_KINDS = ['minute', 'events', 'status', 'live'] as const;
export type UplinkKind = (typeof UPLINK_KINDS)[number];

export const uplinkTopic = (siteId: string, gatewayId: string, kind: UplinkKind): string =>
  `${UPLINK_PREFIX}/${siteId}/${gatewayId}/${kind}`;

export const uplinkSubscription = (siteId = '+'): string => `${UPLINK_PREFIX}/${siteId}/+/+`;
