import type { Device } from '@atrium/shared';
import { clamp, round } from '../num.ts';
import { chance, normal, uniform, type Rng } from '../random.ts';
import { firstReportAt, type Behaviour, type Emission } from './types.ts';

/** Every device says it is alive this often, whatever its data rate. */
export const HEARTBEAT_S = 300;

const FIRMWARE: Readonly<Record<Device['kind'], string>> = { radar: 'rdr-2.4.1', env: 'env-1.9.0', locker: 'lkr-3.2.0', gate: 'gte-1.5.2' };
/** Env sensors run on batteries (no power where they are mounted); the rest are mains or PoE. */
const ON_BATTERY: ReadonlySet<Device['kind']> = new Set(['env']);
/** About a year on a pack; the odd sensor starts nearly flat so low-battery alerts have something to find. */
const DRAIN_PER_H = 0.011;

export interface DeviceHealth {
  /** current battery %, undefined for mains-powered devices */
  battery(atMs: number): number | undefined;
  rssi(): number;
  fw: string;
}

export function createHealth(device: Device, startMs: number, rng: Rng): DeviceHealth {
  const onBattery = ON_BATTERY.has(device.kind);
  const initial = !onBattery ? 0 : chance(rng, 0.05) ? uniform(rng, 6, 20) : uniform(rng, 40, 100);
  const meanRssi = uniform(rng, -88, -52);
  return {
    fw: FIRMWARE[device.kind],
    battery: (atMs) => (onBattery ? round(Math.max(0, initial - (DRAIN_PER_H * (atMs - startMs)) / 3_600_000), 1) : undefined),
    rssi: () => Math.round(clamp(normal(rng, meanRssi, 3), -120, -30)),
  };
}

/** The `online` heartbeat with battery and signal, every HEARTBEAT_S. */
export function createHeartbeat(device: Device, health: DeviceHealth, startMs: number, rng: Rng): Behaviour {
  const periodMs = HEARTBEAT_S * 1000;
  let due = firstReportAt(startMs, periodMs, rng());
  return {
    device,
    advance(untilMs) {
      const out: Emission[] = [];
      for (; due <= untilMs; due += periodMs) out.push({ channel: 'status', atMs: due, body: statusBody(health, due) });
      return out;
    },
  };
}

export function statusBody(health: DeviceHealth, atMs: number): Extract<Emission, { channel: 'status' }>['body'] {
  const battery = health.battery(atMs);
  return { state: 'online', ...(battery !== undefined ? { battery } : {}), rssi: health.rssi(), fw: health.fw };
}
