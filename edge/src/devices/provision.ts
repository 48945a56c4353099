import { CHANNELS, commandTopic, derivePassword, deviceTopic, type Device, type DeviceConnection, type SiteIndex } from '@atrium/shared';
import type { DeviceCredentials } from './credentials.ts';

/** Where devices reach the gateway, for the settings handed to them. */
export interface Endpoints {
  mqttUrl: string;
  mqttsUrl?: string;
}

/** Everything a device needs to connect; `password` only when it was just issued. */
export function connectionSettings(site: SiteIndex, device: Device, endpoints: Endpoints, state: { disabled: boolean; password?: string }): DeviceConnection {
  const siteId = site.site.id;
  return {
    deviceId: device.id,
    mqttUrl: endpoints.mqttUrl,
    ...(endpoints.mqttsUrl !== undefined && { mqttsUrl: endpoints.mqttsUrl }),
    clientId: device.id,
    username: device.id,
    ...(state.password !== undefined && { password: state.password }),
    publish: Object.keys(CHANNELS[device.kind]).map((channel) => deviceTopic(siteId, device.id, channel)),
    subscribe: [commandTopic(siteId, device.id, '#')],
    lastWill: { topic: deviceTopic(siteId, device.id, 'status'), qos: 1, retain: true, payload: '{"ts":<epoch ms>,"state":"offline"}' },
    disabled: state.disabled,
  };
}

export interface FleetProvisioning {
  /** devices whose factory password works here: the simulator may run them */
  ready: string[];
  added: number;
  /** provisioned devices the factory password no longer opens: disabled or rotated by an operator */
  left: { deviceId: string; reason: 'disabled' | 'rotated' }[];
}

/**
 * A provisioning station for a fleet whose passwords are minted from a factory key (the
 * demo's simulated devices): adds every device that has no credentials yet, and reports
 * which already-provisioned ones the key no longer opens, instead of overriding an
 * operator's disable or rotation.
 */
export async function provisionFleet(store: DeviceCredentials, devices: readonly Device[], factoryKey: string): Promise<FleetProvisioning> {
  const result: FleetProvisioning = { ready: [], added: 0, left: [] };
  await Promise.all(
    devices.map(async (d) => {
      const password = derivePassword(factoryKey, d.id);
      const record = store.get(d.id);
      if (!record) {
        await store.add(d.id, { password });
        result.added++;
        result.ready.push(d.id);
        return;
      }
      const check = await store.verify(d.id, password);
      if (check.outcome === 'ok') result.ready.push(d.id);
      else result.left.push({ deviceId: d.id, reason: check.outcome === 'disabled' ? 'disabled' : 'rotated' });
    }),
  );
  const order = new Map(devices.map((d, i) => [d.id, i]));
  result.ready.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  return result;
}
