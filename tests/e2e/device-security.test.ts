import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { DeviceConnection } from '@atrium/shared';
import { startStack, type Stack } from '../../scripts/stack.ts';
import { miniSite } from '../support/mini-site.ts';
import { connectDevice, eventually, publish, runDevicesCli, topicOf } from '../support/device.ts';

const T0 = Date.UTC(2026, 10, 21, 3, 0, 0);

describe('the edge holds each device to its own credentials, topics and budget', () => {
  let stack: Stack;
  // The credential store lives in the edge's data directory, where the provisioning CLI (its own process) finds it.
  const dataDir = mkdtempSync(join(tmpdir(), 'atrium-security-'));
  const siteFile = join(dataDir, 'mini-site.json');
  writeFileSync(siteFile, JSON.stringify(miniSite));
  const cliEnv = { ATRIUM_EDGE_DATA_DIR: join(dataDir, 'edge'), ATRIUM_SITE_FILE: siteFile };
  const counter = (name: string) => async (reason: string) =>
    (await stack.edge.metrics.registry.getSingleMetric(name)?.get())?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
  const rejected = counter('atrium_edge_messages_rejected_total');
  const refusedAtConnect = counter('atrium_edge_auth_failures_total');
  const sessionsEnded = counter('atrium_edge_sessions_ended_total');
  const cli = async (...args: string[]) => {
    const r = await runDevicesCli([...args, '--json'], cliEnv);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { devices: unknown[] };
  };

  beforeAll(async () => {
    stack = await startStack({
      site: miniSite, logger: pino({ level: 'silent' }), edge: { lateness: 0, idle: 200, flushEvery: 50 }, edgeDataDir: join(dataDir, 'edge'),
      edgeEnv: { ATRIUM_MAX_PUBLISH_RATE: '5', ATRIUM_MAX_PUBLISH_BURST: '10' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses wrong, rotated-away and disabled credentials and wildcard client ids at CONNECT, counted by reason, while a good device keeps publishing', async () => {
    const good = await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'radar-main');
    let goodDropped = false;
    good.on('close', () => (goodDropped = true));
    let sent = 0;
    const goodPublishes = async () => {
      const n = sent++;
      await publish(good, topicOf('mini', 'radar-main', 'count'), { ts: T0 + n * 1000, seq: n, periodS: 1, in: 1, out: 0 });
    };
    const refused = (deviceId: string, opts: Parameters<typeof connectDevice>[3], message: RegExp) =>
      expect(connectDevice(stack.urls.edgeMqtt, stack.secrets.device, deviceId, opts)).rejects.toThrow(message);

    // wrong password
    await refused('gate-staff', { password: 'not-the-password-at-all' }, /Bad username or password/);
    expect(await refusedAtConnect('auth_failed')).toBe(1);
    await goodPublishes();

    // wildcard and slash client ids: a client id is a device id, so never "+", "#" or "/"
    await refused('+', { clientId: '+', username: '+' }, /Identifier rejected/);
    await refused('a/b', { clientId: 'a/b', username: 'a/b' }, /Identifier rejected/);
    expect(await refusedAtConnect('invalid_client_id')).toBe(2);
    await refused('gate-staff', { clientId: '#' }, /Identifier rejected/);
    expect(await refusedAtConnect('client_id_mismatch')).toBe(1);
    await goodPublishes();

    // rotation: the live session that used the old password is ended, the old password no longer opens, the new one does
    const oldSession = await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'gate-staff');
    const oldClosed = new Promise<void>((resolve) => oldSession.once('close', () => resolve()));
    const rotated = DeviceConnection.parse((await cli('rotate', 'gate-staff')).devices[0]);
    expect(rotated.password).toBeDefined();
    await oldClosed;
    oldSession.end(true);
    expect(await sessionsEnded('credentials_rotated')).toBe(1);
    await refused('gate-staff', {}, /Bad username or password/);
    expect(await refusedAtConnect('auth_failed')).toBe(2);
    const renewed = await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'gate-staff', { password: rotated.password! });
    await publish(renewed, topicOf('mini', 'gate-staff', 'event'), { ts: T0, seq: 1, event: 'entry' });
    renewed.end(true);
    await goodPublishes();

    // disable: the connected device is disconnected and refused at CONNECT until enabled again
    const locker = await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'locker-1');
    const lockerClosed = new Promise<void>((resolve) => locker.once('close', () => resolve()));
    await cli('disable', 'locker-1');
    await lockerClosed;
    locker.end(true);
    expect(await sessionsEnded('device_disabled')).toBe(1);
    await refused('locker-1', {}, /Not authorized/);
    expect(await refusedAtConnect('device_disabled')).toBe(1);
    await goodPublishes();
    await cli('enable', 'locker-1');
    (await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'locker-1')).end(true);

    // the good device was never disturbed, and everything it sent is stored
    expect(goodDropped).toBe(false);
    await eventually(async () => {
      const main = (await stack.cloud.store.footfallTotals({ siteId: 'mini', subjectKind: 'entrance' })).find((t) => t.subjectId === 'main');
      return main?.in === sent ? true : undefined;
    }, 10_000, "the good device's readings stored");
    good.end(true);
  });

  it('exports a device\'s connection settings without its password, and lists who is disabled', async () => {
    const exported = DeviceConnection.parse((await cli('export', 'env-hall')).devices[0]);
    expect(exported).toMatchObject({ deviceId: 'env-hall', clientId: 'env-hall', username: 'env-hall', mqttUrl: expect.stringMatching(/^mqtt:\/\//), disabled: false });
    expect(exported.password).toBeUndefined();
    expect(exported.publish).toEqual(['atrium/mini/env-hall/env', 'atrium/mini/env-hall/status']);
    expect(exported.subscribe).toEqual(['atrium/mini/env-hall/cmd/#']);
    const listed = (await cli('list')).devices as { deviceId: string; state: string; rotations: number }[];
    expect(listed).toHaveLength(miniSite.devices.length);
    expect(listed.find((d) => d.deviceId === 'gate-staff')).toMatchObject({ state: 'active', rotations: 1 });
    const failed = await runDevicesCli(['add', 'no-such-device', '--json'], cliEnv);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stderr)).toMatchObject({ error: { code: 'ATRIUM_EDGE_UNKNOWN_DEVICE', message: expect.stringContaining('no-such-device') } });
  });

  it('lets a device subscribe to its own commands only', async () => {
    const device = await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'env-hall');
    // mqtt.js reports a refused subscription (SUBACK 128) as an error carrying the packet.
    const grants = (topic: string) =>
      new Promise<number>((resolve, reject) =>
        device.subscribe(topic, { qos: 1 }, (err, granted) => {
          if (err && 'packet' in err) return resolve((err.packet as { granted: number[] }).granted[0] ?? -1);
          return err ? reject(err) : resolve(granted?.[0]?.qos ?? -1);
        }),
      );
    expect(await grants('atrium/mini/env-hall/cmd/#')).toBe(1);
    expect(await grants('atrium/mini/env-wc/cmd/#')).toBe(128);
    expect(await grants('atrium/#')).toBe(128);
    expect(await grants('$SYS/#')).toBe(128);
    expect(await rejected('subscribe_not_allowed')).toBe(3);
    device.end(true);
  });

  it('refuses reserved and over-deep topics with a counted reason', async () => {
    const device = await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'env-wc');
    await publish(device, '$SYS/broker/uptime', '1');
    expect(await rejected('topic_not_allowed')).toBe(1);
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    device.publish('atrium/mini/env-wc/a/b/c/d/e/f/g', '{}', { qos: 1 });
    await closed; // aedes drops a client that sends a topic past its depth limit
    await eventually(async () => ((await rejected('protocol_violation')) === 1 ? true : undefined), 5000, 'depth refusal counted');
    device.end(true);
  });

  it('throttles a flooding device without affecting the others', async () => {
    const flooder = await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'radar-hall-2');
    const neighbour = await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'radar-wc');
    await Promise.all(Array.from({ length: 40 }, (_, i) => publish(flooder, topicOf('mini', 'radar-hall-2', 'count'), { ts: T0 + i * 1000, seq: i, periodS: 1, in: 1, out: 0 })));
    await publish(neighbour, topicOf('mini', 'radar-wc', 'count'), { ts: T0, seq: 1, periodS: 30, in: 3, out: 0 });
    const limited = await rejected('rate_limited');
    expect(limited).toBeGreaterThanOrEqual(25); // 40 sent at once against a burst of 10
    const totals = await eventually(async () => {
      const t = await stack.cloud.store.footfallTotals({ siteId: 'mini', subjectKind: 'zone' });
      const hall = t.find((x) => x.subjectId === 'hall');
      return t.find((x) => x.subjectId === 'wc') && hall?.in === 40 - limited ? t : undefined;
    }, 10_000, 'accepted readings stored');
    expect(totals).toEqual([{ subjectId: 'hall', in: 40 - limited, out: 0 }, { subjectId: 'wc', in: 3, out: 0 }]);
    flooder.end(true);
    neighbour.end(true);
  });
});
