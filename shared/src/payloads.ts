import { z } from 'zod';
import { EpochMs } from './ids.ts';

/**
 * What devices publish. Every message carries the device clock (`ts`) and a per-device
 * sequence number (`seq`) so duplicates and reordering can be recognised downstream.
 * Objects are strict: an unknown field is a firmware or config bug we want named.
 */
const Stamp = {
  ts: EpochMs,
  seq: z.number().int().min(0).max(2 ** 32 - 1),
};

const Count = z.number().int('must be a whole number').min(0, 'must not be negative').max(100_000);

/** mmWave people counter: line crossings during the last period and people currently in view. */
export const RadarCount = z.strictObject({
  ...Stamp,
  periodS: z.number().int().min(1).max(3600),
  in: Count,
  out: Count,
  occupancy: Count.optional(),
});

/** Indoor air and noise; `nh3` only on restroom sensors (odour). */
export const EnvReading = z.strictObject({
  ...Stamp,
  tempC: z.number().min(-40).max(85),
  rh: z.number().min(0).max(100),
  co2: z.number().min(250).max(10_000),
  pm25: z.number().min(0).max(1000),
  tvoc: z.number().min(0).max(60_000),
  noiseDb: z.number().min(20).max(140),
  nh3: z.number().min(0).max(500).optional(),
});
export const ENV_METRICS = ['tempC', 'rh', 'co2', 'pm25', 'tvoc', 'noiseDb', 'nh3'] as const;
export const EnvMetric = z.enum(ENV_METRICS);

export const LockerState = z
  .strictObject({
    ...Stamp,
    compartments: z.number().int().min(1).max(500),
    occupied: z.number().int().min(0).max(500),
    doorsOpen: z.number().int().min(0).max(500),
  })
  .refine((s) => s.occupied <= s.compartments, { path: ['occupied'], message: 'must not exceed compartments' })
  .refine((s) => s.doorsOpen <= s.compartments, { path: ['doorsOpen'], message: 'must not exceed compartments' });

export const LOCKER_EVENTS = ['deposit', 'pickup', 'door_open', 'door_close', 'door_left_open', 'tamper', 'fault'] as const;
export const LockerEvent = z.strictObject({
  ...Stamp,
  event: z.enum(LOCKER_EVENTS),
  compartment: z.number().int().min(1).max(500),
  /** Parcel pickup code; personal, so the edge replaces it with a keyed hash before uplink. */
  pickupCode: z.string().min(1).max(64).optional(),
});

export const GATE_EVENTS = ['entry', 'exit', 'forced_open', 'tailgating', 'held_open'] as const;
export const GateEvent = z.strictObject({
  ...Stamp,
  event: z.enum(GATE_EVENTS),
  /** Badge id on staff doors; personal, so hashed at the edge. */
  badge: z.string().min(1).max(64).optional(),
});

/** Retained status; the same topic carries the last-will `offline`. */
export const DeviceStatus = z.strictObject({
  ts: EpochMs,
  state: z.enum(['online', 'offline']),
  battery: z.number().min(0).max(100).optional(),
  rssi: z.number().min(-130).max(0).optional(),
  fw: z.string().max(32).optional(),
});

export type RadarCount = z.infer<typeof RadarCount>;
export type EnvReading = z.infer<typeof EnvReading>;
export type EnvMetric = z.infer<typeof EnvMetric>;
export type LockerState = z.infer<typeof LockerState>;
export type LockerEvent = z.infer<typeof LockerEvent>;
export type GateEvent = z.infer<typeof GateEvent>;
export type DeviceStatus = z.infer<typeof DeviceStatus>;
