import type { DeviceEventRecord, DeviceStatusRecord, GateEvent, LockerEvent, LockerState, DeviceStatus, Device } from '@atrium/shared';
import type { Placement } from './placement.ts';

/** Locker and gate messages become uniform event records; personal codes, hashed at intake, leave as `ref`. */
export function eventRecord(where: Placement, device: Device, value: LockerEvent | GateEvent): DeviceEventRecord {
  const data: Record<string, number | string> = {};
  let identifier: string | undefined;
  if ('compartment' in value) {
    data.compartment = value.compartment;
    identifier = value.pickupCode;
  } else {
    identifier = value.badge;
  }
  if (identifier !== undefined) data.ref = identifier;
  return { ...where, ts: value.ts, seq: value.seq, family: device.kind === 'locker' ? 'locker' : 'gate', type: value.event, data };
}

export function lockerStateRecord(where: Placement, value: LockerState): DeviceEventRecord {
  return {
    ...where,
    ts: value.ts,
    seq: value.seq,
    family: 'locker',
    type: 'state',
    data: { compartments: value.compartments, occupied: value.occupied, doorsOpen: value.doorsOpen },
  };
}

export function statusRecord(where: Placement, device: Device, value: DeviceStatus): DeviceStatusRecord {
  const record: DeviceStatusRecord = { ...where, kind: device.kind, ts: value.ts, state: value.state };
  if (value.battery !== undefined) record.battery = value.battery;
  if (value.rssi !== undefined) record.rssi = value.rssi;
  return record;
}
