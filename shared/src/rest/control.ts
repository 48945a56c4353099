import { z } from 'zod';
import { EnvMetric } from '../payloads.ts';
import { DeviceId, FloorId, GatewayId, ZoneId } from '../ids.ts';
import { DeviceKind } from '../topics.ts';
import { csvOf } from './query.ts';

/**
 * The control room's overview answers (GET /api/v1/control/…): the header strip, device
 * health per gateway and the environment per zone against the rules' thresholds. Every time
 * is on the site's clock (`asOf` is that clock when the answer was made).
 */

// ── header strip ────────────────────────────────────────────────────────────────────────────

export const ControlSummary = z.object({
  /** the site clock when this was computed (epoch ms) */
  asOf: z.number(),
  timeZone: z.string(),
  /** sum of the zones' live occupancy; null before any radar reported */
  peopleOnSite: z.number().nullable(),
  /** entries through the entrances since local midnight */
  footfallToday: z.object({
    /** local date (YYYY-MM-DD) the figures are for */
    day: z.string(),
    counted: z.number(),
    /** the forecast made a day ahead for the same hours (those counted so far); null without one */
    forecastSoFar: z.number().nullable(),
    /** counted − forecastSoFar, as a share of forecastSoFar; null without a forecast */
    vsForecast: z.number().nullable(),
  }),
  orders: z.object({
    /** open, assigned, accepted or on site */
    open: z.number().int(),
    /** racing a deadline with a quarter or less of its allowance left */
    slaAtRisk: z.number().int(),
    /** past the deadline of the step they are on */
    slaBreached: z.number().int(),
  }),
});
export type ControlSummary = z.infer<typeof ControlSummary>;

// ── device health ───────────────────────────────────────────────────────────────────────────

export const DEVICE_HEALTH = ['online', 'offline', 'unknown'] as const;
export const DeviceHealthStatus = z.enum(DEVICE_HEALTH);
export type DeviceHealthStatus = z.infer<typeof DeviceHealthStatus>;

/** Why a device has its status, in words a person can check against the rules. */
export const DEVICE_HEALTH_REASONS = ['heard', 'silent', 'reported_offline', 'gateway_quiet', 'never_heard'] as const;

/** Messages a gateway refused (docs/protocol.md's reasons), as the cloud has added them up since it started. */
export const RejectedCount = z.object({
  count: z.number().int(),
  /** the reason code most of them had; null when none */
  topReason: z.string().nullable(),
});
export type RejectedCount = z.infer<typeof RejectedCount>;

export const DeviceHealth = z.object({
  deviceId: DeviceId,
  kind: DeviceKind,
  zoneId: ZoneId,
  floorId: FloorId,
  status: DeviceHealthStatus,
  reason: z.enum(DEVICE_HEALTH_REASONS),
  /** site-clock time the cloud last had proof of life; null if never */
  lastSeen: z.number().nullable(),
  /** the last battery % the device reported; null for mains-powered devices or none yet */
  battery: z.number().nullable(),
  /** messages its gateway refused from it since the report's `rejectedSince` */
  rejected: RejectedCount,
});
export type DeviceHealth = z.infer<typeof DeviceHealth>;

export const GatewayHealth = z.object({
  /** a gateway of the site model, or `unassigned` for devices the cloud has no gateway for */
  gatewayId: z.string(),
  name: z.string(),
  /** online: delivering; offline: quiet longer than the rules' gatewayQuietS; unknown: never heard */
  status: DeviceHealthStatus,
  lastSeen: z.number().nullable(),
  counts: z.object({ online: z.number().int(), offline: z.number().int(), unknown: z.number().int() }),
  /** refusals from clients claiming ids the site does not have (guessers), summed for the gateway */
  rejectedUnknown: RejectedCount,
  devices: z.array(DeviceHealth),
});
export type GatewayHealth = z.infer<typeof GatewayHealth>;

export const DeviceHealthReport = z.object({
  asOf: z.number(),
  timeZone: z.string(),
  /** a gateway quiet this long is offline and the devices behind it unknown (the rules' gatewayQuietS) */
  gatewayQuietS: z.number(),
  /** site-clock time the cloud started adding up refusals (it keeps them in memory only) */
  rejectedSince: z.number(),
  gateways: z.array(GatewayHealth),
});
export type DeviceHealthReport = z.infer<typeof DeviceHealthReport>;

export const DeviceHealthQuery = z.strictObject({
  gatewayId: GatewayId.optional(),
  status: csvOf(DEVICE_HEALTH).optional(),
});

// ── environment ─────────────────────────────────────────────────────────────────────────────

/** The metrics the environment panel shows, in its column order. */
export const ENVIRONMENT_METRICS = ['co2', 'tempC', 'rh', 'pm25', 'noiseDb'] as const satisfies readonly EnvMetric[];

export const ThresholdRef = z.object({
  ruleId: z.string(),
  /** the raise side: above or below this value for `forS` raises the alarm */
  above: z.number().nullable(),
  below: z.number().nullable(),
  forS: z.number(),
  severity: z.string().nullable(),
});
export type ThresholdRef = z.infer<typeof ThresholdRef>;

export const MetricReading = z.object({
  metric: EnvMetric,
  /** the latest minute mean; null without a reading */
  value: z.number().nullable(),
  /** the rules' thresholds for this metric in this zone (none: no rule watches it) */
  thresholds: z.array(ThresholdRef),
  /** ok: inside every threshold; over: beyond one now; alarm: a rule has raised it; none: no reading or no threshold */
  state: z.enum(['ok', 'over', 'alarm', 'none']),
});
export type MetricReading = z.infer<typeof MetricReading>;

export const ZoneEnvironment = z.object({
  zoneId: ZoneId,
  name: z.string(),
  floorId: FloorId,
  updatedAt: z.number().nullable(),
  readings: z.array(MetricReading),
});
export type ZoneEnvironment = z.infer<typeof ZoneEnvironment>;

export const EnvironmentReport = z.object({
  asOf: z.number(),
  timeZone: z.string(),
  metrics: z.array(EnvMetric),
  zones: z.array(ZoneEnvironment),
});
export type EnvironmentReport = z.infer<typeof EnvironmentReport>;

export const EnvironmentQuery = z.strictObject({ floorId: FloorId.optional() });
