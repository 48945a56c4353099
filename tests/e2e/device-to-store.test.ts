import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { MqttClient } from 'mqtt';
import { startStack, type Stack } from '../../scripts/stack.ts';
import { miniSite } from '../support/mini-site.ts';
import { connectDevice, eventually, publish, topicOf } from '../support/device.ts';

const T0 = Date.UTC(2026, 10, 21, 3, 0, 0); // a Saturday afternoon in Melbourne
const metric = async (stack: Stack, name: string, labels: Record<string, string>) => {
  const m = await stack.edge.metrics.registry.getSingleMetric(name)?.get();
  return m?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value ?? 0;
};

describe('device → edge → cloud (real aedes brokers, real mqtt.js clients, embedded PGlite)', () => {
  let stack: Stack;
  let radar: MqttClient;
  beforeAll(async () => {
    stack = await startStack({ site: miniSite, logger: pino({ level: 'silent' }), edge: { lateness: 0, idle: 200, flushEvery: 50 } });
    radar = await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'radar-hall-1');
  });
  afterAll(async () => {
    radar?.end(true);
    await stack?.stop();
  });

  it('stores the footfall a radar reports, summed per zone and minute', async () => {
    await publish(radar, topicOf('mini', 'radar-hall-1', 'count'), { ts: T0 + 1000, seq: 1, periodS: 30, in: 7, out: 3, occupancy: 20 });
    await publish(radar, topicOf('mini', 'radar-hall-1', 'count'), { ts: T0 + 31_000, seq: 2, periodS: 30, in: 5, out: 4, occupancy: 21 });
    const totals = await eventually(async () => {
      const t = await stack.cloud.store.footfallTotals({ siteId: 'mini', subjectKind: 'zone' });
      return t.find((x) => x.subjectId === 'hall' && x.in === 12) ? t : undefined;
    }, 10_000, 'hall footfall stored');
    expect(totals).toEqual([{ subjectId: 'hall', in: 12, out: 7 }]);
    const points = await stack.cloud.store.footfall({ siteId: 'mini', subjectKind: 'zone', subjectId: 'hall', from: T0, to: T0 + 3_600_000, everyMs: 60_000 });
    expect(points).toEqual([{ subjectId: 'hall', t: T0, in: 12, out: 7 }]);
  });

  it('refuses bad input with a counted reason and keeps the valid stream flowing', async () => {
    const t = topicOf('mini', 'radar-hall-1', 'count');
    await publish(radar, t, '{not json');
    await publish(radar, t, { ts: T0 + 61_000, seq: 3, periodS: 30, in: -1, out: 0 });
    await publish(radar, t, 'x'.repeat(10_000));
    await publish(radar, topicOf('mini', 'radar-wc', 'count'), { ts: T0 + 61_000, seq: 1, periodS: 30, in: 100, out: 0 });
    await publish(radar, topicOf('mini', 'radar-hall-1', 'env'), { ts: T0 + 61_000, seq: 4 });
    await publish(radar, t, { ts: T0 + 61_000, seq: 5, periodS: 30, in: 2, out: 1 });
    await publish(radar, t, { ts: T0 + 61_000, seq: 5, periodS: 30, in: 2, out: 1 }); // a resend
    expect(await metric(stack, 'atrium_edge_messages_rejected_total', { reason: 'invalid_json' })).toBe(1);
    expect(await metric(stack, 'atrium_edge_messages_rejected_total', { reason: 'invalid_payload' })).toBe(1);
    expect(await metric(stack, 'atrium_edge_messages_rejected_total', { reason: 'payload_too_large' })).toBe(1);
    expect(await metric(stack, 'atrium_edge_messages_rejected_total', { reason: 'topic_not_allowed' })).toBe(1);
    expect(await metric(stack, 'atrium_edge_messages_rejected_total', { reason: 'unknown_channel' })).toBe(1);
    expect(await metric(stack, 'atrium_edge_messages_rejected_total', { reason: 'duplicate' })).toBe(1);
    await eventually(async () => {
      const t2 = await stack.cloud.store.footfallTotals({ siteId: 'mini', subjectKind: 'zone' });
      return t2.find((x) => x.subjectId === 'hall' && x.in === 14) ? t2 : undefined;
    }, 10_000, 'valid reading after the bad ones stored');
    const all = await stack.cloud.store.footfallTotals({ siteId: 'mini', subjectKind: 'zone' });
    expect(all.find((x) => x.subjectId === 'wc')).toBeUndefined();
    expect(radar.connected).toBe(true);
  });

  it('refuses a device with the wrong password or a wildcard client id', async () => {
    await expect(connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'radar-hall-2', { password: 'wrong' })).rejects.toThrow(/Bad username or password|Not authorized/i);
    await expect(connectDevice(stack.urls.edgeMqtt, stack.secrets.device, 'radar-hall-2', { clientId: '#' })).rejects.toThrow();
    expect(await metric(stack, 'atrium_edge_auth_failures_total', { reason: 'auth_failed' })).toBe(1);
    expect(await metric(stack, 'atrium_edge_auth_failures_total', { reason: 'client_id_mismatch' })).toBe(1);
  });
});
