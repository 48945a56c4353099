import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino } from 'pino';
import { SiteModel } from '@atrium/shared';
import { createGateway, parseEdgeConfig, type Gateway } from '@atrium/edge';
import { scrapeMetrics, TEST_METRICS_TOKEN } from '../support/hostile.ts';
import { miniSite } from '../support/mini-site.ts';
import { freePort } from '../support/processes.ts';

/**
 * Issue 11, item 4: a flood of wrong Node-RED logins against a real gateway with Node-RED on
 * its HTTP port. Loopback has a whole /8, so the attacker and the owner log in from different
 * source addresses (127.0.0.2 and 127.0.0.3) as they would from different machines.
 */

const USER = 'operator';
const PASSWORD = 'correct horse battery staple';
const secret = () => randomBytes(24).toString('base64url');

let gateway: Gateway;
let httpPort: number;
const dataDir = mkdtempSync(join(tmpdir(), 'atrium-hostile-red-'));

/** POST /red/auth/token from a chosen local address, as the editor posts it. */
function login(from: string, password: string): Promise<{ status: number; retryAfter: string | undefined; body: string }> {
  const body = new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', username: USER, password }).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: httpPort, localAddress: from, method: 'POST', path: '/red/auth/token', agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function passwordChecks(): Promise<number> {
  const text = await scrapeMetrics(`http://127.0.0.1:${httpPort}/metrics`);
  return Number(/^atrium_edge_red_password_checks_total (\d+)/m.exec(text)?.[1] ?? 'NaN');
}

beforeAll(async () => {
  const config = parseEdgeConfig({
    ATRIUM_EDGE_HOST: '127.0.0.1',
    ATRIUM_EDGE_MQTT_PORT: '0',
    ATRIUM_EDGE_HTTP_PORT: '0',
    ATRIUM_CLOUD_MQTT_URL: `mqtt://127.0.0.1:${await freePort()}`,
    ATRIUM_GATEWAY_SECRET: secret(),
    ATRIUM_PRIVACY_KEY: secret(),
    ATRIUM_METRICS_TOKEN: TEST_METRICS_TOKEN,
    ATRIUM_EDGE_DATA_DIR: dataDir,
    ATRIUM_JOURNAL_DURABILITY: 'normal',
    ATRIUM_STOP_DRAIN_MS: '0',
    ATRIUM_RED_ENABLED: 'true',
    ATRIUM_RED_ADMIN_USER: USER,
    ATRIUM_RED_ADMIN_PASSWORD: PASSWORD,
    ATRIUM_RED_CREDENTIAL_SECRET: secret(),
  });
  gateway = createGateway(config, { site: SiteModel.parse(miniSite), logger: pino({ level: 'silent' }) });
  httpPort = (await gateway.start()).httpPort;
});
afterAll(async () => {
  await gateway?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('hostile Node-RED logins', () => {
  it('200 concurrent wrong logins: a bounded number of password checks, a responsive gateway, and the owner still logs in from elsewhere', async () => {
    const before = await passwordChecks();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    let probes = 0;
    let slowestProbeMs = 0;
    let attacking = true;
    const probing = (async () => {
      while (attacking) {
        const t = performance.now();
        expect((await fetch(`http://127.0.0.1:${httpPort}/health`)).status).toBeLessThan(600);
        slowestProbeMs = Math.max(slowestProbeMs, performance.now() - t);
        probes++;
      }
    })();
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 200 }, () => login('127.0.0.2', 'not the password at all')));
    const attackMs = performance.now() - started;
    attacking = false;
    await probing;
    loop.disable();
    const checks = (await passwordChecks()) - before;
    const statuses = answers.reduce<Record<number, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});
    const maxLoopDelayMs = loop.max / 1e6;
    // Reported so the before/after table in the issue note can quote it.
    console.info(JSON.stringify({ attempts: 200, statuses, passwordChecks: checks, attackMs: Math.round(attackMs), maxLoopDelayMs: Math.round(maxLoopDelayMs), healthProbes: probes, slowestHealthMs: Math.round(slowestProbeMs) }));

    expect(answers.every((a) => a.status === 401 || a.status === 429)).toBe(true);
    expect(answers.filter((a) => a.status === 429).every((a) => Number(a.retryAfter) >= 1)).toBe(true);
    expect(checks).toBeGreaterThanOrEqual(1);
    // One check per address at a time and three free failures before backoff: 4 here, 10 allowed for a slow machine.
    expect(checks).toBeLessThanOrEqual(10);
    expect(maxLoopDelayMs).toBeLessThan(1000);
    expect(slowestProbeMs).toBeLessThan(1000);

    // The owner, from another address, is not locked out by the attacker's failures.
    const owner = await login('127.0.0.3', PASSWORD);
    expect(owner.status).toBe(200);
    expect(JSON.parse(owner.body)).toMatchObject({ token_type: 'Bearer' });
  });

  it('keeps backing off the guessing address while others log in', async () => {
    // Sequential guesses, each waiting for its answer: the source's own failures lock it, with a reason.
    let refused: { status: number; retryAfter: string | undefined; body: string } | undefined;
    for (let i = 0; i < 10 && refused === undefined; i++) {
      const a = await login('127.0.0.4', 'still not the password');
      if (a.status === 429) refused = a;
    }
    expect(refused).toBeDefined();
    expect(JSON.parse(refused!.body)).toMatchObject({ code: 'ATRIUM_RED_TOO_MANY_LOGINS' });
    expect((await login('127.0.0.5', PASSWORD)).status).toBe(200);
  });
});
