import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { startStack, type Stack } from '../../scripts/stack.ts';
import { miniSite } from '../support/mini-site.ts';
import { connectDevice, eventually, publish, topicOf } from '../support/device.ts';

const T0 = Date.UTC(2026, 10, 21, 3, 0, 0);

describe('the edge mqtts listener, with a certificate from configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-tls-'));
  const cert = join(dir, 'edge.crt');
  const key = join(dir, 'edge.key');
  let stack: Stack;
  const tlsRefusals = async () =>
    (await stack.edge.metrics.registry.getSingleMetric('atrium_edge_auth_failures_total')?.get())?.values.find((v) => v.labels.reason === 'tls_handshake_failed')?.value ?? 0;

  beforeAll(async () => {
    // A throwaway self-signed certificate for the loopback address; it is its own CA for the clients.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=atrium-edge-test', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    stack = await startStack({
      site: miniSite, logger: pino({ level: 'silent' }), edge: { lateness: 0, idle: 200, flushEvery: 50 },
      edgeEnv: { ATRIUM_EDGE_MQTTS_PORT: '0', ATRIUM_TLS_CERT_FILE: cert, ATRIUM_TLS_KEY_FILE: key },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes a device over TLS that verifies the gateway against the test CA, and stores its reading', async () => {
    expect(stack.urls.edgeMqtts).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const device = await connectDevice(stack.urls.edgeMqtts!, stack.secrets.device, 'radar-wc', { ca: readFileSync(cert) });
    await publish(device, topicOf('mini', 'radar-wc', 'count'), { ts: T0, seq: 1, periodS: 30, in: 5, out: 2 });
    await eventually(async () => ((await stack.cloud.store.footfallTotals({ siteId: 'mini', subjectKind: 'zone' })).find((t) => t.subjectId === 'wc')?.in === 5 ? true : undefined), 10_000, 'reading stored');
    device.end(true);
  });

  it('refuses plain MQTT on the TLS port, counted, and a TLS client that does not trust the gateway refuses it too', async () => {
    const port = new URL(stack.urls.edgeMqtts!).port;
    const plain = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: 'radar-wc', username: 'radar-wc', password: 'x', reconnectPeriod: 0, connectTimeout: 3000 });
    await new Promise<void>((resolve) => {
      plain.once('connect', () => resolve());
      plain.once('close', () => resolve());
    });
    expect(plain.connected).toBe(false);
    plain.end(true);
    await eventually(async () => ((await tlsRefusals()) >= 1 ? true : undefined), 5000, 'TLS refusal counted');
    // without the test CA, mqtt.js refuses the self-signed certificate itself
    await expect(connectDevice(stack.urls.edgeMqtts!, stack.secrets.device, 'radar-wc')).rejects.toThrow(/self[- ]signed/i);
  });

  it('keeps the plain listener for devices that are not on TLS', async () => {
    const device = await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'env-wc');
    expect(device.connected).toBe(true);
    device.end(true);
  });
});
