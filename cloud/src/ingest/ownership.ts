import type { GatewayOwnership, LiveUplink, Uplink } from '@atrium/shared';

export type RecordRefusal = 'foreign_device' | 'unknown_device' | 'foreign_zone';

/** Refused records by reason: how many, and a few of the devices (or zones) they named, for the log. */
export type Refusals = Map<RecordRefusal, { count: number; examples: string[] }>;

const EXAMPLES = 5;

function collector() {
  const refused: Refusals = new Map();
  const note = (reason: RecordRefusal, id: string) => {
    const entry = refused.get(reason) ?? { count: 0, examples: [] };
    entry.count++;
    if (entry.examples.length < EXAMPLES && !entry.examples.includes(id)) entry.examples.push(id);
    refused.set(reason, entry);
  };
  return { refused, note };
}

/**
 * The part of an uplink its gateway may deliver: records of its own devices (the site model
 * says which, site-gateways.ts). Another gateway's device, or one the site does not have, is
 * left out and reported, never stored; the rest of the uplink goes on, so a gateway's own
 * devices keep flowing and its outbox does not stall on a record it cannot take back.
 * Deterministic, so a redelivered uplink is cut the same way and still stored once.
 */
export function ownPart(uplink: Uplink, gatewayId: string, ownership: GatewayOwnership): { uplink: Uplink; refused: Refusals } {
  const { refused, note } = collector();
  const mine = (deviceId: string): boolean => {
    const reason = ownership.refusal(gatewayId, deviceId);
    if (reason) note(reason, deviceId);
    return reason === null;
  };
  const keep = <T extends { deviceId: string }>(records: T[]): T[] => (records.every((r) => ownership.refusal(gatewayId, r.deviceId) === null) ? records : records.filter((r) => mine(r.deviceId)));
  switch (uplink.kind) {
    case 'minute': {
      const footfall = keep(uplink.footfall);
      const env = keep(uplink.env);
      return { uplink: refused.size === 0 ? uplink : { ...uplink, footfall, env }, refused };
    }
    case 'events': {
      const events = keep(uplink.events);
      return { uplink: refused.size === 0 ? uplink : { ...uplink, events }, refused };
    }
    case 'status': {
      const devices = keep(uplink.devices);
      // Gateway alarms are about the gateway itself; device alarms name a device like any record.
      const alarms = uplink.alarms?.filter((a) => a.device === undefined || mine(a.device.deviceId));
      // Refusal counts name a device like any record; the gateway's own sum (guessed ids) stays.
      const rejected = uplink.rejected && { ...uplink.rejected, devices: keep(uplink.rejected.devices) };
      return { uplink: refused.size === 0 ? uplink : { ...uplink, devices, ...(alarms !== undefined && { alarms }), ...(rejected && { rejected }) }, refused };
    }
  }
}

/** Live occupancy is per zone: a gateway may report the zones it has a device in. */
export function ownLive(live: LiveUplink, gatewayId: string, ownership: GatewayOwnership): { live: LiveUplink; refused: Refusals } {
  const { refused, note } = collector();
  const zones = live.zones.filter((z) => {
    const ok = ownership.servesZone(gatewayId, z.zoneId);
    if (!ok) note('foreign_zone', z.zoneId);
    return ok;
  });
  return { live: refused.size === 0 ? live : { ...live, zones }, refused };
}

/** How many records an uplink carries (a status uplink's alarms and refusal counts included). */
export function recordCount(uplink: Uplink): number {
  switch (uplink.kind) {
    case 'minute':
      return uplink.footfall.length + uplink.env.length;
    case 'events':
      return uplink.events.length;
    case 'status':
      return uplink.devices.length + (uplink.alarms?.length ?? 0) + (uplink.rejected?.devices.length ?? 0);
  }
}
