import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { SiteModel, derivePassword, gatewayPrincipal, uplinkTopic, type DeviceEventRecord, type GatewayConnection, type Uplink, type UplinkKind } from '@atrium/shared';
import { miniSite } from './mini-site.ts';
import { runCli } from './processes.ts';

/**
 * How a test logs in to the cloud as an edge gateway: with the gateway's own password (as
 * provisioned by `npm run gateways`), or, like an installation not yet moved off it, with the
 * password derived from the deprecated shared ATRIUM_GATEWAY_SECRET.
 */
export type GatewayLogin = { gatewayId?: string } & ({ password: string; gatewaySecret?: never } | { gatewaySecret: string; password?: never });

export const gatewayPasswordOf = (login: GatewayLogin, gatewayId: string): string => login.password ?? derivePassword(login.gatewaySecret!, gatewayPrincipal(gatewayId));

/** Connects as a gateway; rejects with the broker's refusal (mqtt.js: "Connection refused: Bad username or password"). */
export function connectGateway(mqttUrl: string, login: GatewayLogin, clientId?: string): Promise<MqttClient> {
  const gatewayId = login.gatewayId ?? 'gw-1';
  return mqtt.connectAsync(mqttUrl, { clientId: clientId ?? gatewayId, username: gatewayId, password: gatewayPasswordOf(login, gatewayId), reconnectPeriod: 0, connectTimeout: 5000 });
}

/** An uplink as an edge would build it: a fresh id, this gateway and site, the records given. */
export function uplinkOf<K extends Uplink['kind']>(siteId: string, gatewayId: string, kind: K, records: Omit<Extract<Uplink, { kind: K }>, 'v' | 'id' | 'siteId' | 'gatewayId' | 'sentAt' | 'kind'>): Extract<Uplink, { kind: K }> {
  return { v: 1, id: randomUUID(), siteId, gatewayId, sentAt: Date.now(), kind, ...records } as Extract<Uplink, { kind: K }>;
}

/** Publishes at QoS 1: resolves when the cloud acknowledged (after storing, or refusing, it). */
export async function sendUplink(client: MqttClient, uplink: Uplink, topicGateway: string = uplink.gatewayId): Promise<void> {
  await client.publishAsync(uplinkTopic(uplink.siteId, topicGateway, uplink.kind as UplinkKind), JSON.stringify(uplink), { qos: 1 });
}

/**
 * Speaks to the cloud as an edge gateway would: one events uplink over MQTT QoS 1, resolved
 * when the cloud acknowledged it (which it does once the uplink is stored).
 */
export async function sendGatewayEvent(
  p: {
    mqttUrl: string;
    siteId: string;
    event: { deviceId: string; floorId: string; zoneId: string; family: 'gate' | 'locker'; type: string; ts?: number };
  } & GatewayLogin,
): Promise<void> {
  const gatewayId = p.gatewayId ?? 'gw-1';
  const client = await connectGateway(p.mqttUrl, { gatewayId, ...(p.password !== undefined ? { password: p.password } : { gatewaySecret: p.gatewaySecret! }) });
  try {
    const { ts, ...rest } = p.event;
    // The event type is the caller's to choose (a wrong one is the cloud's to refuse).
    await sendUplink(client, uplinkOf(p.siteId, gatewayId, 'events', { events: [{ ...rest, type: rest.type as DeviceEventRecord['type'], ts: ts ?? Date.now(), seq: 1, data: {} }] }));
  } finally {
    await client.endAsync();
  }
}

/** Runs the gateway provisioning CLI (`npm run gateways -- …`) as its own process, the way an operator does. */
export const runGatewaysCli = (args: string[], env: Record<string, string>) => runCli('cloud/src/gateways-cli.ts', args, env);

/**
 * Gives gateways their own credentials in a cloud's database (ATRIUM_DATA_DIR while that cloud
 * is stopped, or ATRIUM_DATABASE_URL) with the CLI; returns each one's password by gateway id.
 */
export async function provisionGateways(env: Record<string, string>, gatewayIds: string[]): Promise<Record<string, string>> {
  const r = await runGatewaysCli(['add', ...gatewayIds, '--json'], env);
  if (r.code !== 0) throw new Error(`npm run gateways -- add ${gatewayIds.join(' ')} failed (${r.code}): ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { gateways: GatewayConnection[] };
  return Object.fromEntries(out.gateways.map((g) => [g.gatewayId, g.password!]));
}

/**
 * The mini mall behind two edge gateways: gw-a serves the hall, gw-b the restroom (its radar
 * and env sensor), so each has devices the other must not speak for.
 */
export const twoGatewaySite = (): SiteModel =>
  SiteModel.parse({
    ...miniSite,
    gateways: [
      { id: 'gw-a', zoneId: 'hall', name: 'Hall cabinet' },
      { id: 'gw-b', zoneId: 'wc', name: 'Restroom cabinet' },
    ],
    devices: miniSite.devices.map((d) => ({ ...d, gatewayId: d.zoneId === 'wc' ? 'gw-b' : 'gw-a' })),
  });
