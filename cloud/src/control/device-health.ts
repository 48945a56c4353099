import type { DeviceHealth, DeviceHealthReport, DeviceHealthStatus, GatewayHealth, RulesSnapshot, SiteModel } from '@atrium/shared';
import { silenceFloor } from '../rules/gateways.ts';
import type { DeviceReports } from './device-reports.ts';

/** Devices the cloud cannot place behind any gateway (a site model without gateways, none heard yet). */
export const UNASSIGNED_GATEWAY = 'unassigned';

/**
 * Device health as the rules engine sees it, so the page and the alarms never disagree:
 * - behind a gateway quiet for longer than the rules' gatewayQuietS a device is unknown (the
 *   gateway's one alarm covers it; its own silence is not counted meanwhile);
 * - a device a silence rule holds raised is offline, and so is one whose gateway reported it
 *   offline (its last will) after it was last heard;
 * - otherwise a device heard at least once is online, and one never heard is unknown.
 * Battery and refused messages come from the gateways' status reports (device-reports.ts).
 */
export function deviceHealth(p: { site: SiteModel; rules: RulesSnapshot; reports: Pick<DeviceReports, 'get' | 'rejected' | 'rejectedUnknown' | 'since'>; now: number; timeZone: string }): DeviceHealthReport {
  const { site, rules, now } = p;
  const quietMs = rules.ruleSet.gatewayQuietS * 1000;
  const silenceRules = rules.ruleSet.rules.filter((r) => r.enabled && r.kind === 'silence').map((r) => r.id);
  const only = site.gateways.length === 1 ? site.gateways[0]!.id : undefined;
  const zoneFloor = new Map(site.zones.map((z) => [z.id, z.floorId]));

  const devicesBy = new Map<string, DeviceHealth[]>();
  for (const d of site.devices) {
    const key = `device:${d.id}`;
    const states = silenceRules.map((id) => rules.subjects[id]?.[key]).filter((s) => s?.k === 'silence');
    const report = p.reports.get(d.id);
    const heard = [...states.map((s) => s.lastSeen), report?.state === 'online' ? Math.min(report.ts, now) : null].filter((t): t is number => t !== null);
    const lastSeen = heard.length > 0 ? Math.max(...heard) : null;
    const gatewayId = rules.deviceGateway[d.id] ?? d.gatewayId ?? only ?? UNASSIGNED_GATEWAY;
    const behindQuiet = gatewayId !== UNASSIGNED_GATEWAY && silenceFloor(rules.gateways, gatewayId, now, quietMs) === null;
    let status: DeviceHealthStatus;
    let reason: DeviceHealth['reason'];
    if (behindQuiet) [status, reason] = ['unknown', 'gateway_quiet'];
    else if (states.some((s) => s.active)) [status, reason] = ['offline', 'silent'];
    else if (report?.state === 'offline' && report.ts >= (lastSeen ?? -Infinity)) [status, reason] = ['offline', 'reported_offline'];
    else if (lastSeen !== null) [status, reason] = ['online', 'heard'];
    else [status, reason] = ['unknown', 'never_heard'];
    const list = devicesBy.get(gatewayId) ?? [];
    list.push({ deviceId: d.id, kind: d.kind, zoneId: d.zoneId, floorId: zoneFloor.get(d.zoneId) ?? '', status, reason, lastSeen, battery: report?.battery ?? null, rejected: p.reports.rejected(d.id) });
    devicesBy.set(gatewayId, list);
  }

  const gatewayIds = [...site.gateways.map((g) => g.id), ...[...devicesBy.keys()].filter((id) => !site.gateways.some((g) => g.id === id)).sort()];
  const gateways = gatewayIds.map((gatewayId): GatewayHealth => {
    const link = rules.gateways[gatewayId];
    const devices = devicesBy.get(gatewayId) ?? [];
    const status: DeviceHealthStatus = gatewayId === UNASSIGNED_GATEWAY || !link ? 'unknown' : now - link.lastSeen > quietMs ? 'offline' : 'online';
    const counts = { online: 0, offline: 0, unknown: 0 };
    for (const d of devices) counts[d.status]++;
    const name = site.gateways.find((g) => g.id === gatewayId)?.name ?? (gatewayId === UNASSIGNED_GATEWAY ? 'No gateway known' : gatewayId);
    return { gatewayId, name, status, lastSeen: link?.lastSeen ?? null, counts, rejectedUnknown: p.reports.rejectedUnknown(gatewayId), devices };
  });
  return { asOf: now, timeZone: p.timeZone, gatewayQuietS: rules.ruleSet.gatewayQuietS, rejectedSince: p.reports.since, gateways };
}
