import type { Device, SiteModel } from '@atrium/shared';
import type { FootfallModel } from '../profile/expected-rate.ts';
import { subjectKey } from '../profile/weights.ts';
import { rngFor } from '../random.ts';
import { createEnvSensor } from './env.ts';
import { createGate } from './gate.ts';
import { createLocker } from './locker.ts';
import { createRadar } from './radar.ts';
import { createHealth, createHeartbeat, type DeviceHealth } from './status.ts';
import { combine, type Behaviour, type Cleanable } from './types.ts';

export interface FleetOptions {
  model: FootfallModel;
  seed: number;
  startMs: number;
  /** simulate only these devices (the rest of the site still shapes their share of traffic) */
  deviceIds?: readonly string[];
  cleaningIntervalH?: number;
}

export interface FleetDevice {
  device: Device;
  behaviour: Behaviour;
  health: DeviceHealth;
}

export interface Fleet {
  devices: FleetDevice[];
  /** A cleaner has just finished in this zone: odour sensors there reset. Returns sensors reset. */
  clean(zoneId: string, atMs: number): number;
}

const countBy = <T>(xs: readonly T[], key: (x: T) => string): Map<string, number> => {
  const m = new Map<string, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return m;
};

/** Builds each device's behaviour with its own random stream, seeded from (seed, device id). */
export function createFleet(site: SiteModel, opts: FleetOptions): Fleet {
  const { model, seed, startMs } = opts;
  const wanted = opts.deviceIds ? new Set(opts.deviceIds) : undefined;
  if (wanted) {
    const known = new Set(site.devices.map((d) => d.id));
    const unknown = [...wanted].filter((id) => !known.has(id));
    if (unknown.length > 0) throw new RangeError(`unknown device ids: ${unknown.join(', ')}`);
  }
  // Sharing is counted over the whole site so a subset run produces the same per-device traffic.
  const radarsPerSubject = countBy(
    site.devices.filter((d) => d.kind === 'radar'),
    (d) => subjectKey(d.subject ?? { kind: 'zone', id: d.zoneId }),
  );
  const envPerZone = countBy(
    site.devices.filter((d) => d.kind === 'env'),
    (d) => d.zoneId,
  );
  const gatesPerKind = countBy(site.gates, (g) => g.kind);
  const zones = new Map(site.zones.map((z) => [z.id, z]));
  const gates = new Map(site.gates.map((g) => [g.id, g]));
  const banks = new Map(site.lockerBanks.map((b) => [b.id, b]));
  const cleanables = new Map<string, Cleanable[]>();

  const devices = site.devices
    .filter((d) => !wanted || wanted.has(d.id))
    .map((device): FleetDevice => {
      const rng = rngFor(seed, device.id);
      const health = createHealth(device, startMs, rngFor(seed, device.id, 'health'));
      const heartbeat = createHeartbeat(device, health, startMs, rngFor(seed, device.id, 'heartbeat'));
      let main: Behaviour;
      switch (device.kind) {
        case 'radar': {
          const sharing = radarsPerSubject.get(subjectKey(device.subject ?? { kind: 'zone', id: device.zoneId })) ?? 1;
          main = createRadar(device, { model, startMs, rng, sharing });
          break;
        }
        case 'env': {
          const zone = zones.get(device.zoneId);
          if (!zone) throw new RangeError(`device ${device.id}: unknown zone ${device.zoneId}`);
          const sensor = createEnvSensor(device, { model, zone, startMs, rng, sharing: envPerZone.get(zone.id) ?? 1, cleaningIntervalH: opts.cleaningIntervalH });
          cleanables.set(zone.id, [...(cleanables.get(zone.id) ?? []), sensor]);
          main = sensor;
          break;
        }
        case 'locker': {
          const bank = banks.get(device.lockerBankId ?? '');
          if (!bank) throw new RangeError(`device ${device.id}: unknown locker bank ${device.lockerBankId}`);
          main = createLocker(device, { model, compartments: bank.compartments, startMs, rng });
          break;
        }
        case 'gate': {
          const gate = gates.get(device.gateId ?? '');
          if (!gate) throw new RangeError(`device ${device.id}: unknown gate ${device.gateId}`);
          main = createGate(device, { model, kind: gate.kind, sameKind: gatesPerKind.get(gate.kind) ?? 1, startMs, rng });
          break;
        }
      }
      return { device, health, behaviour: combine(device, [main, heartbeat]) };
    });

  return {
    devices,
    clean(zoneId, atMs) {
      const sensors = cleanables.get(zoneId) ?? [];
      for (const s of sensors) s.clean(atMs);
      return sensors.length;
    },
  };
}
