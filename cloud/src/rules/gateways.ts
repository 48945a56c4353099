import type { GatewayLink } from '@atrium/shared';

/**
 * Edge gateways as the cloud hears them. A gateway that goes quiet takes every device behind
 * it out of sight at once; those devices are then unknown, not silent, so one fault is one
 * alarm (the gateway's) instead of one per device. When it delivers again its backlog arrives
 * over seconds, so its devices' silence counts only from then.
 */

export function gatewayHeard(prev: GatewayLink | undefined, at: number, quietMs: number): GatewayLink {
  if (!prev) return { lastSeen: at, since: at };
  if (at <= prev.lastSeen) return prev;
  return { lastSeen: at, since: at - prev.lastSeen > quietMs ? at : prev.since };
}

/**
 * From when a device's silence may be counted: `null` while its gateway is quiet (unknown),
 * the start of the gateway's current run once it delivers, -Infinity for a device whose
 * gateway the cloud has not heard (nothing to go by but the device itself).
 */
export function silenceFloor(gateways: Readonly<Record<string, GatewayLink>>, gatewayId: string | undefined, now: number, quietMs: number): number | null {
  const link = gatewayId === undefined ? undefined : gateways[gatewayId];
  if (!link) return -Infinity;
  return now - link.lastSeen > quietMs ? null : link.since;
}
