import { z } from 'zod';
import { EpochMs, FloorId, ZoneId } from './ids.ts';
import { EnvMetric } from './payloads.ts';
import { SubjectKind } from './uplink.ts';

/** Live state of one zone as the control room sees it (REST snapshot and socket.io push). */
export const ZoneLive = z.object({
  zoneId: ZoneId,
  floorId: FloorId,
  occupancy: z.number().nullable(),
  /** people per m2, from occupancy and the zone's area */
  density: z.number().nullable(),
  /** line crossings into the zone during the last stored minute */
  footfallLastMinute: z.number().nullable(),
  env: z.partialRecord(EnvMetric, z.number()),
  updatedAt: EpochMs.nullable(),
});
export type ZoneLive = z.infer<typeof ZoneLive>;

/** Accepts an ISO-8601 timestamp or epoch milliseconds; always yields epoch milliseconds. */
const isoOrEpoch = z
  .union([z.iso.datetime({ offset: true }), z.coerce.number().pipe(EpochMs)])
  .transform((v) => (typeof v === 'string' ? Date.parse(v) : v));

/** Query string of GET /api/v1/series/footfall */
export const FootfallQuery = z.strictObject({
  subjectKind: SubjectKind.default('zone'),
  subjectId: z.string().min(1).optional(),
  from: isoOrEpoch,
  to: isoOrEpoch,
  every: z.enum(['1m', '5m', '15m', '1h', '1d']).default('1h'),
});
export type FootfallQuery = z.infer<typeof FootfallQuery>;

export const FootfallPoint = z.object({ subjectId: z.string(), t: EpochMs, in: z.number(), out: z.number() });
export type FootfallPoint = z.infer<typeof FootfallPoint>;

export const EnvQuery = z.strictObject({
  zoneId: ZoneId.optional(),
  metric: EnvMetric,
  from: isoOrEpoch,
  to: isoOrEpoch,
  every: z.enum(['1m', '5m', '15m', '1h', '1d']).default('1h'),
});
export type EnvQuery = z.infer<typeof EnvQuery>;
export const EnvPoint = z.object({ zoneId: z.string(), t: EpochMs, mean: z.number(), min: z.number(), max: z.number() });
export type EnvPoint = z.infer<typeof EnvPoint>;

export const EVERY_MS: Record<FootfallQuery['every'], number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
};
