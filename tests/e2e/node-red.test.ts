import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import type { MqttClient } from 'mqtt';
import { SiteModel } from '@atrium/shared';
import { createGateway, parseEdgeConfig, type Gateway } from '@atrium/edge';
import { scrapeMetrics, TEST_METRICS_TOKEN } from '../support/hostile.ts';
import { miniSite } from '../support/mini-site.ts';
import { connectDevice, eventually, publish, topicOf } from '../support/device.ts';
import { freePort } from '../support/processes.ts';

/**
 * The embedded Node-RED end to end: a real gateway (aedes, journal, fastify) with Node-RED on
 * its HTTP port, real mqtt.js devices, and no cloud at all (the uplink points at a closed
 * port). Node-RED is one runtime per process and slow to start, so this file shares one.
 */

// The mini mall plus a second env device in the hall: the one a command is sent to, so a
// different client than the publishing sensor can listen on its command topic.
const site = SiteModel.parse({ ...miniSite, devices: [...miniSite.devices, { id: 'env-hall-vent', kind: 'env', zoneId: 'hall', reportIntervalS: 60 }] });
const USER = 'operator';
const PASSWORD = 'correct horse battery staple';
const secret = () => randomBytes(24).toString('base64url');
const SECRETS = { gateway: secret(), privacy: secret(), credentials: secret() };
const logger = pino({ level: 'silent' });

interface Edge {
  gateway: Gateway;
  mqtt: string;
  http: string;
}

async function startEdge(dataDir: string, deadCloudPort: number, env: Record<string, string> = {}): Promise<Edge> {
  const config = parseEdgeConfig({
    ATRIUM_EDGE_HOST: '127.0.0.1',
    ATRIUM_EDGE_MQTT_PORT: '0',
    ATRIUM_EDGE_HTTP_PORT: '0',
    ATRIUM_CLOUD_MQTT_URL: `mqtt://127.0.0.1:${deadCloudPort}`,
    ATRIUM_GATEWAY_SECRET: SECRETS.gateway,
    ATRIUM_PRIVACY_KEY: SECRETS.privacy,
    ATRIUM_EDGE_DATA_DIR: dataDir,
    ATRIUM_JOURNAL_DURABILITY: 'normal',
    ATRIUM_STOP_DRAIN_MS: '0',
    ATRIUM_RED_ENABLED: 'true',
    ATRIUM_RED_ADMIN_USER: USER,
    ATRIUM_RED_ADMIN_PASSWORD: PASSWORD,
    ATRIUM_RED_CREDENTIAL_SECRET: SECRETS.credentials,
    ATRIUM_METRICS_TOKEN: TEST_METRICS_TOKEN,
    ...env,
  });
  const gateway = createGateway(config, { site, logger });
  const ports = await gateway.start();
  return { gateway, mqtt: `mqtt://127.0.0.1:${ports.mqttPort}`, http: `http://127.0.0.1:${ports.httpPort}` };
}

/** A real device that records every command it receives on its own cmd/# topics. */
async function listeningDevice(url: string, deviceId: string, password: string) {
  const client = await connectDevice(url, '', deviceId, { password });
  const received: { topic: string; payload: Record<string, unknown> }[] = [];
  client.on('message', (topic, payload) => received.push({ topic, payload: JSON.parse(payload.toString()) as Record<string, unknown> }));
  await client.subscribeAsync(`atrium/mini/${deviceId}/cmd/#`, { qos: 1 });
  return { client, received };
}

let seq = 0;
const envReading = (co2: number) => ({ ts: Date.now(), seq: seq++, tempC: 22.5, rh: 41, co2, pm25: 5, tvoc: 120, noiseDb: 52 });

async function login(http: string, password = PASSWORD): Promise<Response> {
  // Form-encoded, exactly as the Node-RED editor and node-red-admin post it.
  const body = new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', username: USER, password });
  return fetch(`${http}/red/auth/token`, { method: 'POST', body });
}

async function token(http: string): Promise<string> {
  const res = await login(http);
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function localAlarm(http: string, alarm: string, zone: string): Promise<number | undefined> {
  const text = await scrapeMetrics(`${http}/metrics`);
  const line = text.split('\n').find((l) => l.startsWith(`atrium_edge_local_alarm_active{alarm="${alarm}",zone="${zone}"}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('embedded Node-RED runs local logic on the edge without the cloud', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'atrium-node-red-'));
  const clients: MqttClient[] = [];
  const passwords = new Map<string, string>();
  let deadCloudPort = 0;
  let edge: Edge;

  beforeAll(async () => {
    deadCloudPort = await freePort();
    edge = await startEdge(dataDir, deadCloudPort);
    for (const id of ['env-hall', 'env-hall-vent', 'env-wc']) passwords.set(id, await edge.gateway.devices.add(id));
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await edge?.gateway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const device = async (id: string) => {
    const d = await listeningDevice(edge.mqtt, id, passwords.get(id) as string);
    clients.push(d.client);
    return d;
  };

  it('ships an example flow that switches a zone\'s ventilation on high CO2, with the cloud unreachable', async () => {
    const health = (await (await fetch(`${edge.http}/health`)).json()) as { uplinkConnected: boolean };
    expect(health.uplinkConnected).toBe(false);
    const vent = await device('env-hall-vent');
    const otherZone = await device('env-wc');
    const sensor = await device('env-hall');

    await publish(sensor.client, topicOf('mini', 'env-hall', 'env'), envReading(1500));
    const on = await eventually(() => vent.received.find((m) => m.topic === 'atrium/mini/env-hall-vent/cmd/ventilation'), 10_000, 'ventilation command');
    expect(on.payload).toMatchObject({ on: true, co2: 1500 });
    // Every env sensor of the zone gets it (the publishing one too), none in another zone.
    await eventually(() => sensor.received.find((m) => m.topic === 'atrium/mini/env-hall/cmd/ventilation'), 5000, 'command to the zone\'s other env sensor');
    expect(await eventually(() => localAlarm(edge.http, 'co2-high', 'hall'), 5000, 'co2-high alarm gauge')).toBe(1);

    // Hysteresis: between the low and high marks nothing changes; below the low mark it switches off.
    await publish(sensor.client, topicOf('mini', 'env-hall', 'env'), envReading(1100));
    await publish(sensor.client, topicOf('mini', 'env-hall', 'env'), envReading(800));
    const off = await eventually(() => vent.received.filter((m) => m.topic.endsWith('/cmd/ventilation'))[1], 10_000, 'ventilation off');
    expect(off.payload).toMatchObject({ on: false, co2: 800 });
    expect(vent.received.filter((m) => m.topic.endsWith('/cmd/ventilation'))).toHaveLength(2);
    expect(await eventually(async () => ((await localAlarm(edge.http, 'co2-high', 'hall')) === 0 ? 0 : undefined), 5000, 'alarm cleared')).toBe(0);
    expect(otherZone.received).toEqual([]);
  });

  it('keeps the editor and admin API behind the configured credentials', async () => {
    const refused = await fetch(`${edge.http}/red/flows`);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { code: string }).code).toBe('ATRIUM_RED_UNAUTHENTICATED');
    expect((await fetch(`${edge.http}/red/flows`, { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
    expect((await fetch(`${edge.http}/red/red/../flows`)).status).toBe(401);
    const wrong = await login(edge.http, 'not the password at all');
    expect(wrong.status).toBe(401);

    const bearer = { authorization: `Bearer ${await token(edge.http)}` };
    const flows = await fetch(`${edge.http}/red/flows`, { headers: bearer });
    expect(flows.status).toBe(200);
    expect(((await flows.json()) as { id: string }[]).map((n) => n.id)).toContain('atrium-example-co2');
    // Node-RED itself sees the user: its own adminAuth is on, not only the edge's gate.
    const settings = (await (await fetch(`${edge.http}/red/settings`, { headers: bearer })).json()) as { user?: { username: string } };
    expect(settings.user?.username).toBe(USER);

    // The page shell and login scheme load without credentials, so a browser can show the login dialog.
    const page = await fetch(`${edge.http}/red/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    expect(await (await fetch(`${edge.http}/red/auth/login`)).json()).toMatchObject({ type: 'credentials' });

    // HTTP-in endpoints of flows sit behind basic auth with the same credentials.
    expect((await fetch(`${edge.http}/red/api/nothing-here`)).status).toBe(401);
    const basic = { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` };
    expect((await fetch(`${edge.http}/red/api/nothing-here`, { headers: basic })).status).toBe(404);
  });

  const testFlow = [
    { id: 'test-tab', type: 'tab', label: 'CO2 → fan (test)' },
    { id: 'test-in', type: 'atrium in', z: 'test-tab', kind: 'env', zone: 'hall', channel: 'env', device: 'env-hall', wires: [['test-high']] },
    { id: 'test-high', type: 'switch', z: 'test-tab', property: 'payload.co2', propertyType: 'msg', rules: [{ t: 'gt', v: '1000', vt: 'num' }], checkall: 'true', outputs: 1, wires: [['test-out']] },
    { id: 'test-out', type: 'atrium out', z: 'test-tab', action: 'command', command: 'fan', device: 'env-hall-vent', zone: '', kind: '', alarm: '', severity: '', wires: [] },
  ];

  /** Flows restart asynchronously after a deploy or start: the sensor keeps reporting until the command shows. */
  const untilCommand = async (sensor: MqttClient, vent: { received: { topic: string; payload: Record<string, unknown> }[] }, topic: string) =>
    eventually(async () => {
      const hit = vent.received.find((m) => m.topic === topic);
      if (hit) return hit;
      await publish(sensor, topicOf('mini', 'env-hall', 'env'), envReading(1400));
      await new Promise((r) => setTimeout(r, 150));
      return undefined;
    }, 15_000, `command on ${topic}`);

  it('runs a flow deployed through the admin API: one device\'s reading commands another', async () => {
    const unauthorised = await fetch(`${edge.http}/red/flows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(testFlow) });
    expect(unauthorised.status).toBe(401);

    const bearer = { authorization: `Bearer ${await token(edge.http)}` };
    const deployed = await fetch(`${edge.http}/red/flows`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
      body: JSON.stringify(testFlow),
    });
    expect(deployed.status).toBe(204);

    const vent = await device('env-hall-vent');
    const sensor = await device('env-hall');
    const fan = await untilCommand(sensor.client, vent, 'atrium/mini/env-hall-vent/cmd/fan');
    expect(fan.payload).toMatchObject({ co2: 1400 });
    const onDisk = JSON.parse(readFileSync(join(dataDir, 'node-red', 'flows.json'), 'utf8')) as { id: string }[];
    expect(onDisk.map((n) => n.id)).toEqual(testFlow.map((n) => n.id));
  });

  it('keeps the deployed flows across a restart without reseeding the example, and refuses a second runtime in the process', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'atrium-node-red-2-'));
    try {
      expect(() =>
        createGateway(
          parseEdgeConfig({ ATRIUM_GATEWAY_ID: 'gw-2', ATRIUM_GATEWAY_SECRET: SECRETS.gateway, ATRIUM_PRIVACY_KEY: SECRETS.privacy, ATRIUM_EDGE_DATA_DIR: otherDir, ATRIUM_RED_ENABLED: 'true', ATRIUM_RED_ADMIN_PASSWORD: PASSWORD, ATRIUM_RED_CREDENTIAL_SECRET: SECRETS.credentials }),
          { site, logger },
        ),
      ).toThrow(expect.objectContaining({ code: 'ATRIUM_RED_RUNTIME_TAKEN', message: expect.stringContaining('gw-1') }));
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }

    for (const c of clients.splice(0)) c.end(true);
    await edge.gateway.stop();
    edge = await startEdge(dataDir, deadCloudPort);

    const flows = (await (await fetch(`${edge.http}/red/flows`, { headers: { authorization: `Bearer ${await token(edge.http)}` } })).json()) as { id: string }[];
    expect(flows.map((n) => n.id)).toEqual(testFlow.map((n) => n.id));
    const vent = await device('env-hall-vent');
    const sensor = await device('env-hall');
    await untilCommand(sensor.client, vent, 'atrium/mini/env-hall-vent/cmd/fan');
    expect(vent.received.some((m) => m.topic.endsWith('/cmd/ventilation'))).toBe(false);
  });
});
