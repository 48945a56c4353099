import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connectDevice } from '../tests/support/device.ts';
import type { MqttClient } from 'mqtt';

export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function writeResult(name: string, result: object): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = `${RESULTS_DIR}${name}.json`;
  writeFileSync(path, `${JSON.stringify({ name, at: new Date().toISOString(), node: process.version, ...result }, null, 2)}\n`);
  return path;
}

/** Progress on stderr so stdout stays the result table. */
export const progress = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

export async function connectAll(url: string, secret: string, ids: string[]): Promise<MqttClient[]> {
  const clients: MqttClient[] = [];
  for (const id of ids) clients.push(await connectDevice(url, secret, id));
  return clients;
}

/** Publishes `count` QoS 1 messages per client with at most `window` unacknowledged per client. */
export async function publishMany(clients: MqttClient[], count: number, window: number, topicOf: (i: number) => string, payloadOf: (client: number, n: number) => string): Promise<void> {
  await Promise.all(
    clients.map(async (client, ci) => {
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const n = next++;
          await new Promise<void>((resolve, reject) => client.publish(topicOf(ci), payloadOf(ci, n), { qos: 1 }, (err) => (err ? reject(err) : resolve())));
        }
      };
      await Promise.all(Array.from({ length: window }, worker));
    }),
  );
}
