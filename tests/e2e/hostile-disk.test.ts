import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import type { MqttClient } from 'mqtt';
import { SiteModel } from '@atrium/shared';
import { createGateway, parseEdgeConfig, type Gateway } from '@atrium/edge';
import { openPglite } from '../../cloud/src/db/pglite.ts';
import { miniSite } from '../support/mini-site.ts';
import { connectDevice, publish, topicOf } from '../support/device.ts';
import { freePort } from '../support/processes.ts';

/**
 * Issue 11, item 6: what the edge and the cloud's embedded database leave on disk. Run under a
 * umask that would make everything world-writable, so the modes asserted are the code's own.
 */

const root = mkdtempSync(join(tmpdir(), 'atrium-hostile-disk-'));
const PICKUP_CODE = '583920174';
const BADGE = 'STAFF-7731';
let gateway: Gateway;
let device: MqttClient | undefined;
let previousUmask: number;

/** Every directory and file under `dir` (itself included) with its permission bits. */
function modes(dir: string): { path: string; dir: boolean; mode: number }[] {
  const out = [{ path: dir, dir: true, mode: statSync(dir).mode & 0o777 }];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...modes(p));
    else if (e.isFile()) out.push({ path: p, dir: false, mode: statSync(p).mode & 0o777 });
  }
  return out;
}

const wrongModes = (dir: string) => modes(dir).filter((m) => m.mode !== (m.dir ? 0o700 : 0o600)).map((m) => `${m.path} ${m.mode.toString(8)}`);

beforeAll(() => {
  previousUmask = process.umask(0);
});
afterAll(async () => {
  device?.end(true);
  await gateway?.stop();
  process.umask(previousUmask);
  rmSync(root, { recursive: true, force: true });
});

describe('secrets and personal data on disk', () => {
  it('the edge data directory is 0700, its files 0600, and the journal holds no raw pickup code or badge', async () => {
    const dataDir = join(root, 'edge');
    const config = parseEdgeConfig({
      ATRIUM_EDGE_HOST: '127.0.0.1',
      ATRIUM_EDGE_MQTT_PORT: '0',
      ATRIUM_EDGE_HTTP_PORT: '0',
      ATRIUM_CLOUD_MQTT_URL: `mqtt://127.0.0.1:${await freePort()}`,
      ATRIUM_GATEWAY_SECRET: randomBytes(24).toString('base64url'),
      ATRIUM_PRIVACY_KEY: randomBytes(24).toString('base64url'),
      ATRIUM_EDGE_DATA_DIR: dataDir,
      ATRIUM_JOURNAL_DURABILITY: 'normal',
      ATRIUM_STOP_DRAIN_MS: '0',
    });
    gateway = createGateway(config, { site: SiteModel.parse(miniSite), logger: pino({ level: 'silent' }) });
    const ports = await gateway.start();
    const url = `mqtt://127.0.0.1:${ports.mqttPort}`;
    const locker = await connectDevice(url, '', 'locker-1', { password: await gateway.devices.add('locker-1') });
    device = locker;
    // QoS 1: each publish resolves once the edge acknowledged it, i.e. after the journal write.
    await publish(locker, topicOf('mini', 'locker-1', 'event'), { ts: Date.now(), seq: 1, event: 'deposit', compartment: 4, pickupCode: PICKUP_CODE });
    await publish(locker, topicOf('mini', 'locker-1', 'event'), { ts: Date.now(), seq: 2, event: 'pickup', compartment: 4, pickupCode: PICKUP_CODE });
    locker.end(true);
    device = undefined;
    const gate = await connectDevice(url, '', 'gate-staff', { password: await gateway.devices.add('gate-staff') });
    device = gate;
    await publish(gate, topicOf('mini', 'gate-staff', 'event'), { ts: Date.now(), seq: 1, event: 'entry', badge: BADGE });

    expect(wrongModes(dataDir)).toEqual([]);
    expect(modes(dataDir).some((m) => m.path.endsWith('journal.sqlite-wal'))).toBe(true);
    // The journal, its WAL and every other file: the raw codes are nowhere in their bytes.
    for (const { path, dir } of modes(dataDir)) {
      if (dir) continue;
      const bytes = readFileSync(path);
      expect(bytes.includes(PICKUP_CODE), path).toBe(false);
      expect(bytes.includes(BADGE), path).toBe(false);
    }
  });

  it("the cloud's embedded database directory is 0700 and its files 0600", async () => {
    const dataDir = join(root, 'pglite');
    const db = await openPglite(dataDir);
    try {
      await db.query('select 1');
      const all = modes(dataDir);
      expect(all.length).toBeGreaterThan(100);
      expect(wrongModes(dataDir)).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
