import type { Device, DeviceStatus, EnvReading, GateEvent, LockerEvent, LockerState, RadarCount } from '@atrium/shared';

/** A payload before the device stamps it: `ts` and `seq` are added at send time (see runtime/stamp.ts). */
type Unstamped<T> = Omit<T, 'ts' | 'seq'>;

/**
 * One thing a device wants to say, at the simulated instant it happened. Behaviours produce
 * these without any I/O, so they can be run, replayed and checked in tests.
 */
export type Emission =
  | { channel: 'count'; atMs: number; body: Unstamped<RadarCount> }
  | { channel: 'env'; atMs: number; body: Unstamped<EnvReading> }
  | { channel: 'state'; atMs: number; body: Unstamped<LockerState> }
  | { channel: 'event'; atMs: number; family: 'locker'; body: Unstamped<LockerEvent> }
  | { channel: 'event'; atMs: number; family: 'gate'; body: Unstamped<GateEvent> }
  | { channel: 'status'; atMs: number; body: Unstamped<DeviceStatus> };

export interface Behaviour {
  readonly device: Device;
  /** Everything that happened in (last call, untilMs], in time order. */
  advance(untilMs: number): Emission[];
}

/** Behaviours whose readings a cleaner resets (restroom odour). */
export interface Cleanable {
  clean(atMs: number): void;
}

/** Periodic reports land on whole seconds, at a per-device phase so the fleet does not publish in lockstep. */
export function firstReportAt(startMs: number, periodMs: number, phase: number): number {
  return Math.ceil(startMs / 1000) * 1000 + Math.floor((phase * periodMs) / 1000) * 1000 + 1000;
}

/** Merges several behaviours of one device (readings plus heartbeat) into one time-ordered stream. */
export function combine(device: Device, parts: readonly Behaviour[]): Behaviour {
  return {
    device,
    advance(untilMs) {
      const all = parts.flatMap((p) => p.advance(untilMs));
      // Stable sort keeps each part's own order for equal times.
      return all.sort((a, b) => a.atMs - b.atMs);
    },
  };
}
