import type { LiveUplink, Uplink } from '@atrium/shared';

/**
 * How far ahead of the cloud's clock a sample may be and still count as now: the gateways
 * refuse device time further ahead than their own skew (5 minutes by default), so anything
 * beyond this comes from a clock that is wrong, or from a gateway that does not check.
 */
export const AHEAD_TOLERANCE_MS = 5 * 60_000;

/**
 * The part of an uplink that is not from the future, for the live picture and the rules: one
 * sample stamped in 2099 would otherwise become every zone's newest minute and every rule's
 * latest time, and freeze both until 2099 (later, true samples would look late). The store
 * still keeps the whole uplink; `ignored` says how many records were left out here.
 */
export function presentPart(uplink: Uplink, horizon: number): { uplink: Uplink; ignored: number } {
  switch (uplink.kind) {
    case 'minute': {
      const footfall = uplink.footfall.filter((f) => f.minute <= horizon);
      const env = uplink.env.filter((r) => r.minute <= horizon);
      const ignored = uplink.footfall.length - footfall.length + uplink.env.length - env.length;
      return { uplink: ignored === 0 ? uplink : { ...uplink, footfall, env }, ignored };
    }
    case 'events': {
      const events = uplink.events.filter((e) => e.ts <= horizon);
      const ignored = uplink.events.length - events.length;
      return { uplink: ignored === 0 ? uplink : { ...uplink, events }, ignored };
    }
    case 'status': {
      // Device status carries device time; gateway alarms carry the gateway's wall clock, which
      // is not the site's clock in an accelerated demo, and no rule reads them: they stay.
      const devices = uplink.devices.filter((d) => d.ts <= horizon);
      const ignored = uplink.devices.length - devices.length;
      return { uplink: ignored === 0 ? uplink : { ...uplink, devices }, ignored };
    }
  }
}

export function presentLive(live: LiveUplink, horizon: number): { live: LiveUplink; ignored: number } {
  const zones = live.zones.filter((z) => z.ts <= horizon);
  const ignored = live.zones.length - zones.length;
  return { live: ignored === 0 ? live : { ...live, zones }, ignored };
}
