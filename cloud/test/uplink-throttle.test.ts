import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { Cloud } from '../src/index.ts';
import { startTestCloud } from './support/test-cloud.ts';

/**
 * Guessing a gateway's password at the cloud's uplink listener: after ten wrong passwords from
 * one address the next logins are refused at once ("server unavailable", counted as
 * login_throttled) without being checked, on a real cloud with a real MQTT client.
 */
describe('uplink listener: wrong gateway passwords slow down', () => {
  let cloud: Cloud;
  let url: string;
  beforeAll(async () => {
    ({ cloud, mqttUrl: url } = await startTestCloud());
  }, 180_000);
  afterAll(async () => {
    await cloud?.stop();
  });

  const tryLogin = (password: string) =>
    new Promise<number>((resolve) => {
      const c = mqtt.connect(url, { username: 'gw-1', password, clientId: `guess-${Math.random()}`, reconnectPeriod: 0, protocolVersion: 4 });
      c.once('connect', () => {
        c.end(true);
        resolve(0);
      });
      c.once('error', (err) => {
        c.end(true);
        resolve((err as Error & { code?: number }).code ?? -1);
      });
    });

  it('refuses guesses past the allowance without checking them, and counts them', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 14; i++) codes.push(await tryLogin(`guess number ${i}`));
    expect(codes.slice(0, 10)).toEqual(Array(10).fill(4)); // bad user name or password
    expect(codes.slice(10)).toContain(3); // server unavailable: wait
    const counted = (await cloud.metrics.authFailures.get()).values.find((v) => v.labels.reason === 'login_throttled')?.value ?? 0;
    expect(counted).toBeGreaterThanOrEqual(1);
  });
});
