import { z } from 'zod';
import { DeviceId, EpochMs, FloorId, GatewayId, SiteId, ZoneId, Slug } from './ids.ts';
import { ENV_METRICS, GATE_EVENTS, LOCKER_EVENTS } from './payloads.ts';
import { DeviceKind } from './topics.ts';

/**
 * Edge → cloud messages. Every stored kind carries a unique `id` so the cloud can store a
 * redelivered uplink exactly once; all aggregates are additive (sums and counts, never
 * means) so a late correction for a minute already sent simply adds to it.
 */
const MinuteMs = EpochMs.refine((t) => t % 60_000 === 0, 'must be the start of a minute');
const NonNeg = z.number().min(0);
const NonNegInt = z.number().int().min(0);

export const SubjectKind = z.enum(['zone', 'entrance', 'shop']);
export type SubjectKind = z.infer<typeof SubjectKind>;

/** Where a reading happened: the tags every series carries. */
export const Placement = z.strictObject({
  deviceId: DeviceId,
  floorId: FloorId,
  zoneId: ZoneId,
});

/**
 * Absent on ordinary records. A gateway whose outbox reached its bound during a long cloud
 * outage merges minute records into coarser ones before it would drop anything: such a
 * record sums `spanMinutes` minutes starting at `minute`, so totals stay exact.
 */
const SpanMinutes = z.number().int().min(2).max(1440).optional();

export const FootfallMinute = z.strictObject({
  ...Placement.shape,
  minute: MinuteMs,
  spanMinutes: SpanMinutes,
  subjectKind: SubjectKind,
  subjectId: Slug,
  in: NonNegInt,
  out: NonNegInt,
  samples: NonNegInt,
  occupancySum: NonNeg,
  occupancyCount: NonNegInt,
  occupancyMax: NonNeg,
});

export const MetricStats = z.strictObject({ sum: z.number(), count: NonNegInt, min: z.number(), max: z.number() });
export const EnvMinute = z.strictObject({
  ...Placement.shape,
  minute: MinuteMs,
  spanMinutes: SpanMinutes,
  metrics: z.partialRecord(z.enum(ENV_METRICS), MetricStats),
});

export const DeviceEventRecord = z.strictObject({
  ...Placement.shape,
  ts: EpochMs,
  seq: NonNegInt,
  family: z.enum(['locker', 'gate']),
  type: z.enum([...LOCKER_EVENTS, ...GATE_EVENTS, 'state']),
  /** Event details; personal identifiers arrive here only as keyed hashes (`ref`). */
  data: z.record(z.string(), z.union([z.number(), z.string()])),
});

export const DeviceStatusRecord = z.strictObject({
  ...Placement.shape,
  kind: DeviceKind,
  ts: EpochMs,
  state: z.enum(['online', 'offline']),
  battery: z.number().min(0).max(100).optional(),
  rssi: z.number().optional(),
});

/**
 * Something an operator should act on, raised (and later cleared) by the gateway about
 * itself (its outbox) or about a device (gone offline, battery low). Travels in `status`
 * uplinks; the cloud's dispatch engine is the consumer.
 */
export const GATEWAY_ALARMS = ['outbox_high', 'outbox_compacted', 'outbox_full'] as const;
export const DEVICE_ALARMS = ['device_offline', 'device_low_battery'] as const;
export const AlarmType = z.enum([...GATEWAY_ALARMS, ...DEVICE_ALARMS]);
export const AlarmRecord = z
  .strictObject({
    /** gateway clock when the alarm was raised or cleared */
    ts: EpochMs,
    type: AlarmType,
    state: z.enum(['raised', 'cleared']),
    /** the device a device alarm is about, and where it is */
    device: Placement.optional(),
    /** the figures behind it: battery %, outbox bytes and bound, records compacted... */
    data: z.record(z.string(), z.union([z.number(), z.string()])),
  })
  .refine((a) => (a.device !== undefined) === (DEVICE_ALARMS as readonly string[]).includes(a.type), {
    path: ['device'],
    message: 'device alarms must name the device; gateway alarms must not',
  });

/**
 * Messages a gateway refused, by reason, since its previous report. Reasons are the device
 * refusal codes of docs/protocol.md (the edge's catalogue owns the list; the cloud shows them
 * as given), so they are bounded here by shape and number rather than listed twice.
 */
const MAX_REFUSAL_REASONS = 32;
export const RefusalCounts = z
  .record(z.string().regex(/^[a-z][a-z_]{0,39}$/, 'must be a refusal reason code'), z.number().int().min(1).max(1_000_000_000))
  .refine((c) => Object.keys(c).length >= 1 && Object.keys(c).length <= MAX_REFUSAL_REASONS, `must have 1 to ${MAX_REFUSAL_REASONS} reasons`);
export const DeviceRefusals = z.strictObject({ deviceId: DeviceId, counts: RefusalCounts });
export const RefusalReport = z.strictObject({
  /** gateway clock when these were counted up to */
  ts: EpochMs,
  /** the site's devices with refusals since the previous report (never more than the site has) */
  devices: z.array(DeviceRefusals).max(50_000),
  /** refusals from clients the gateway cannot name as a site device (guessed ids), summed: never keyed by the id they claimed */
  gateway: RefusalCounts.optional(),
});

const Envelope = {
  v: z.literal(1),
  id: z.uuid(),
  siteId: SiteId,
  gatewayId: GatewayId,
  sentAt: EpochMs,
};

export const MinuteUplink = z.strictObject({
  ...Envelope,
  kind: z.literal('minute'),
  footfall: z.array(FootfallMinute).max(50_000),
  env: z.array(EnvMinute).max(50_000),
});
export const EventsUplink = z.strictObject({ ...Envelope, kind: z.literal('events'), events: z.array(DeviceEventRecord).max(50_000) });
export const StatusUplink = z.strictObject({
  ...Envelope,
  kind: z.literal('status'),
  devices: z.array(DeviceStatusRecord).max(50_000),
  alarms: z.array(AlarmRecord).max(50_000).optional(),
  /** absent from gateways that do not report refusals, and whenever there is nothing new to report */
  rejected: RefusalReport.optional(),
});

/** Stored uplinks: redelivery-safe, acknowledged only once persisted. */
export const Uplink = z.discriminatedUnion('kind', [MinuteUplink, EventsUplink, StatusUplink]);

/** Live occupancy snapshot, QoS 0 and never stored: a newer one always supersedes it. */
export const LiveUplink = z.strictObject({
  v: z.literal(1),
  siteId: SiteId,
  gatewayId: GatewayId,
  sentAt: EpochMs,
  kind: z.literal('live'),
  zones: z.array(
    z.strictObject({
      zoneId: ZoneId,
      occupancy: NonNeg,
      ts: EpochMs,
      /** Gateway wall-clock when the newest reading behind this value arrived: shows freshness. */
      receivedAt: EpochMs,
    }),
  ),
});

export type FootfallMinute = z.infer<typeof FootfallMinute>;
export type EnvMinute = z.infer<typeof EnvMinute>;
export type MetricStats = z.infer<typeof MetricStats>;
export type DeviceEventRecord = z.infer<typeof DeviceEventRecord>;
export type DeviceStatusRecord = z.infer<typeof DeviceStatusRecord>;
export type AlarmType = z.infer<typeof AlarmType>;
export type AlarmRecord = z.infer<typeof AlarmRecord>;
export type RefusalCounts = z.infer<typeof RefusalCounts>;
export type DeviceRefusals = z.infer<typeof DeviceRefusals>;
export type RefusalReport = z.infer<typeof RefusalReport>;
export type MinuteUplink = z.infer<typeof MinuteUplink>;
export type EventsUplink = z.infer<typeof EventsUplink>;
export type StatusUplink = z.infer<typeof StatusUplink>;
export type Uplink = z.infer<typeof Uplink>;
export type LiveUplink = z.infer<typeof LiveUplink>;
