import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { Uplink, derivePassword, deviceTopic } from '@atrium/shared';
import { runCli } from './processes.ts';

/**
 * A real mqtt.js client acting as one device. By default its password is the one the stack
 * provisioned for it, minted from the demo fleet's factory key (`stack.secrets.device`).
 */
export async function connectDevice(
  url: string,
  secret: string,
  deviceId: string,
  opts: { password?: string; clientId?: string; username?: string; ca?: Buffer; will?: IClientOptions['will'] } = {},
): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    clientId: opts.clientId ?? deviceId,
    username: opts.username ?? deviceId,
    password: opts.password ?? derivePassword(secret, deviceId),
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...(opts.ca && { ca: opts.ca, rejectUnauthorized: true }),
    ...(opts.will && { will: opts.will }),
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
  });
  return client;
}

export function publish(client: MqttClient, topic: string, payload: string | object): Promise<void> {
  return new Promise((resolve, reject) =>
    client.publish(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 }, (err) => (err ? reject(err) : resolve())),
  );
}

export const topicOf = (siteId: string, deviceId: string, channel: string) => deviceTopic(siteId, deviceId, channel);

/** Runs the provisioning CLI (`npm run devices -- …`) as its own process, the way an operator does. */
export const runDevicesCli = (args: string[], env: Record<string, string>) => runCli('edge/src/cli/devices.ts', args, env);

/** The uplinks waiting in an edge's on-disk outbox, oldest first, read as an operator would (read-only, while it runs). */
export function readOutbox(edgeDataDir: string): Uplink[] {
  const db = new Database(join(edgeDataDir, 'journal.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('select body from outbox order by id').pluck().all() as string[]).map((body) => Uplink.parse(JSON.parse(body)));
  } finally {
    db.close();
  }
}

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
