import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { derivePassword, gatewayPrincipal, uplinkTopic } from '@atrium/shared';

/**
 * Speaks to the cloud as an edge gateway would: one events uplink over MQTT QoS 1, resolved
 * when the cloud acknowledged it (which it does once the uplink is stored).
 */
export async function sendGatewayEvent(p: {
  mqttUrl: string;
  gatewaySecret: string;
  siteId: string;
  event: { deviceId: string; floorId: string; zoneId: string; family: 'gate' | 'locker'; type: string; ts?: number };
  gatewayId?: string;
}): Promise<void> {
  const gatewayId = p.gatewayId ?? 'gw-1';
  const client = await mqtt.connectAsync(p.mqttUrl, { clientId: gatewayId, username: gatewayId, password: derivePassword(p.gatewaySecret, gatewayPrincipal(gatewayId)), reconnectPeriod: 0 });
  try {
    const { ts, ...rest } = p.event;
    const now = Date.now();
    const uplink = { v: 1, id: randomUUID(), siteId: p.siteId, gatewayId, sentAt: now, kind: 'events', events: [{ ...rest, ts: ts ?? now, seq: 1, data: {} }] };
    await client.publishAsync(uplinkTopic(p.siteId, gatewayId, 'events'), JSON.stringify(uplink), { qos: 1 });
  } finally {
    await client.endAsync();
  }
}
