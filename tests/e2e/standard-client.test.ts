import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { derivePassword } from '@atrium/shared';
import { startStack, type Stack } from '../../scripts/stack.ts';
import { scrapeMetrics, TEST_METRICS_TOKEN } from '../support/hostile.ts';
import { miniSite } from '../support/mini-site.ts';
import { eventually } from '../support/device.ts';

const run = promisify(execFile);
const MOSQUITTO_PUB = '/usr/bin/mosquitto_pub';
const T0 = Date.UTC(2026, 10, 21, 3, 0, 0);

// CI installs mosquitto-clients (.ci/run); a developer machine without it gets a loud failure, not a skip.
describe('a standard MQTT client (mosquitto_pub) talks to the edge', () => {
  let stack: Stack;
  let port: string;
  beforeAll(async () => {
    if (!existsSync(MOSQUITTO_PUB)) throw new Error(`${MOSQUITTO_PUB} is missing: apt-get install mosquitto-clients (CI does this in .ci/run)`);
    stack = await startStack({ site: miniSite, logger: pino({ level: 'silent' }), edge: { lateness: 0, idle: 200, flushEvery: 50 }, edgeEnv: { ATRIUM_METRICS_TOKEN: TEST_METRICS_TOKEN } });
    port = new URL(stack.urls.edgeMqtt).port;
  });
  afterAll(async () => stack?.stop());

  /** the edge's own count of refused connections with this reason, from its /metrics */
  const authFailures = async (reason: string) => {
    const text = await scrapeMetrics(`${stack.urls.edgeHttp}/metrics`);
    return Number(new RegExp(`^atrium_edge_auth_failures_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  };
  const pub = (deviceId: string, password: string, payload: object) =>
    run(MOSQUITTO_PUB, ['-h', '127.0.0.1', '-p', port, '-i', deviceId, '-u', deviceId, '-P', password, '-q', '1', '-t', `atrium/mini/${deviceId}/count`, '-m', JSON.stringify(payload)]);

  it('is accepted with the device credentials and its reading is stored', async () => {
    await pub('radar-wc', derivePassword(stack.secrets.device, 'radar-wc'), { ts: T0, seq: 1, periodS: 30, in: 9, out: 2, occupancy: 4 });
    const totals = await eventually(async () => {
      const t = await stack.cloud.store.footfallTotals({ siteId: 'mini', subjectKind: 'zone' });
      return t.length > 0 ? t : undefined;
    }, 10_000, 'reading stored');
    expect(totals).toEqual([{ subjectId: 'wc', in: 9, out: 2 }]);
  });

  it('is refused with a wrong password, counted with its reason, and nothing is stored', async () => {
    const failure = await pub('radar-wc', 'not-the-password', { ts: T0 + 60_000, seq: 2, periodS: 30, in: 50, out: 0 }).then(() => null, (err: Error & { stderr?: string }) => err);
    expect(failure).not.toBeNull();
    expect(failure?.stderr ?? failure?.message).toMatch(/not authori[sz]ed|bad user name or password|Connection refused/i);
    expect(await authFailures('auth_failed')).toBe(1);
    // "Nothing stored" is only proven once something sent after it is: a marker on the same
    // device and topic goes through the same journal, minute and uplink path in order, so when
    // its reading is in the store the refused one would be too, had it been taken.
    await pub('radar-wc', derivePassword(stack.secrets.device, 'radar-wc'), { ts: T0 + 120_000, seq: 3, periodS: 30, in: 1, out: 0, occupancy: 5 });
    const totals = await eventually(async () => {
      const t = await stack.cloud.store.footfallTotals({ siteId: 'mini', subjectKind: 'zone' });
      return (t[0]?.in ?? 0) >= 10 ? t : undefined;
    }, 10_000, 'the marker reading stored');
    expect(totals).toEqual([{ subjectId: 'wc', in: 10, out: 2 }]);
  });
});
