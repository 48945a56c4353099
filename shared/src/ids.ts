import { z } from 'zod';

/**
 * Ids travel inside MQTT topics, InfluxDB tags and URLs, so they are restricted to a
 * slug alphabet that needs no escaping anywhere and cannot contain MQTT wildcards.
 */
export const Slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1-64 chars of a-z, 0-9, "-" or "_", starting with a letter or digit');

export const SiteId = Slug;
export const FloorId = Slug;
export const ZoneId = Slug;
export const DeviceId = Slug;
export const ShopId = Slug;
export const MerchantId = Slug;
export const GatewayId = Slug;

/** Milliseconds since the Unix epoch, as set by the source (device or gateway clock). */
export const EpochMs = z
  .number()
  .int('must be an integer number of milliseconds')
  .min(946_684_800_000, 'must be after 2000-01-01 (epoch milliseconds expected)')
  .max(4_102_444_800_000, 'must be before 2100-01-01 (epoch milliseconds expected)');

export const MINUTE_MS = 60_000;
export const minuteOf = (ts: number): number => Math.floor(ts / MINUTE_MS) * MINUTE_MS;
