import mqtt, { type MqttClient } from 'mqtt';
import { derivePassword, deviceTopic } from '@atrium/shared';

/** A real mqtt.js client acting as one device, with the credentials the edge expects. */
export async function connectDevice(url: string, secret: string, deviceId: string, opts: { password?: string; clientId?: string } = {}): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    clientId: opts.clientId ?? deviceId,
    username: deviceId,
    password: opts.password ?? derivePassword(secret, deviceId),
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

export function publish(client: MqttClient, topic: string, payload: string | object): Promise<void> {
  return new Promise((resolve, reject) =>
    client.publish(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 }, (err) => (err ? reject(err) : resolve())),
  );
}

export const topicOf = (siteId: string, deviceId: string, channel: string) => deviceTopic(siteId, deviceId, channel);

/** Polls until `check` returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
